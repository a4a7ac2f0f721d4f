# shellcheck shell=bash
# Shared settings and helpers of the lab scripts (sourced, not run). The lab is a real single-node
# Kubernetes built on this machine from the Go module proxy and Debian's packages; scripts/lab/
# README.md describes it and its network safety rules.
# The variables below are read by the scripts that source this file:
# shellcheck disable=SC2034

LAB_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LAB_DIR="${LAB_DIR:-$HOME/.cache/blog-api-lab}"

# ---- versions (one place; build.sh stamps the binaries with them) ---------------------------
K8S_VERSION=v1.34.4
COREDNS_VERSION=1.12.4
K8S_BIN="$LAB_DIR/bin/k8s-$K8S_VERSION"
PAUSE_BIN="$LAB_DIR/bin/pause-1.0/pause"
K8S_COMMANDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
# CoreDNS and the monitoring stack (`npm run lab:monitoring`) compile from the wrapper module
# scripts/lab/go-addons (CoreDNS, Prometheus, promtool, Alertmanager, kube-state-metrics: what
# they share compiles once) and scripts/lab/go-operator (prometheus-operator and its config
# reloader, which need older Prometheus and client-go libraries). CoreDNS is part of every lab
# (scripts/lab/build.sh --binaries); the monitoring binaries are built on demand (--monitoring,
# or lab:monitoring): cold they take longer than CI's budget leaves. The directories are named
# after the modules: a changed module builds them anew.
PROMETHEUS_VERSION=3.7.3 # the Go module github.com/prometheus/prometheus v0.307.3
ALERTMANAGER_VERSION=0.30.0
OPERATOR_VERSION=0.85.0 # prometheus-operator and prometheus-config-reloader
KSM_VERSION=2.15.0      # kube-state-metrics
ADDONS_MODULE="$LAB_REPO/scripts/lab/go-addons"
OPERATOR_MODULE="$LAB_REPO/scripts/lab/go-operator"
ADDONS_BIN="$LAB_DIR/bin/addons-$(cat "$ADDONS_MODULE"/go.{mod,sum} "$OPERATOR_MODULE"/go.{mod,sum} 2>/dev/null | sha256sum | cut -c1-12)"
COREDNS_BIN="$LAB_DIR/bin/coredns-$COREDNS_VERSION-$(cat "$ADDONS_MODULE"/go.{mod,sum} 2>/dev/null | sha256sum | cut -c1-12)/coredns"
ADDONS=(prometheus promtool alertmanager operator prometheus-config-reloader kube-state-metrics)
# skaffold v2 (scripts/lab/go-skaffold: its own module, for skaffold's replace lines)
SKAFFOLD_VERSION=v2.16.1
SKAFFOLD_BIN="$LAB_DIR/bin/skaffold-$SKAFFOLD_VERSION/skaffold"

# monitoring_built: the monitoring stack's binaries and CRDs are in LAB_DIR
monitoring_built() {
  local b
  for b in "${ADDONS[@]}"; do [ -x "$ADDONS_BIN/$b" ] || return 1; done
  [ -d "$ADDONS_BIN/crds" ]
}
# skaffold_built: skaffold of the pinned version is in LAB_DIR
skaffold_built() {
  [ -x "$SKAFFOLD_BIN" ] && [ "$("$SKAFFOLD_BIN" version 2>/dev/null)" = "$SKAFFOLD_VERSION" ]
}

# ---- images (built locally; nothing is ever pulled) ----------------------------------------
PAUSE_IMAGE=localhost/blog-api-lab/pause:1.0
COREDNS_IMAGE="localhost/blog-api-lab/coredns:$COREDNS_VERSION"
MARIADB_IMAGE=localhost/blog-api-lab/mariadb:10.11
REDIS_IMAGE=localhost/blog-api-lab/redis:7.0
PROMETHEUS_IMAGE="localhost/blog-api-lab/prometheus:v$PROMETHEUS_VERSION"
ALERTMANAGER_IMAGE="localhost/blog-api-lab/alertmanager:v$ALERTMANAGER_VERSION"
OPERATOR_IMAGE="localhost/blog-api-lab/prometheus-operator:v$OPERATOR_VERSION"
RELOADER_IMAGE="localhost/blog-api-lab/prometheus-config-reloader:v$OPERATOR_VERSION"
KSM_IMAGE="localhost/blog-api-lab/kube-state-metrics:v$KSM_VERSION"
MONITORING_IMAGES=("$PROMETHEUS_IMAGE" "$ALERTMANAGER_IMAGE" "$OPERATOR_IMAGE" "$RELOADER_IMAGE" "$KSM_IMAGE")
APP_IMAGE_REPO=localhost/blog-api
APP_IMAGE="$APP_IMAGE_REPO:lab"

# ---- network: every range the cluster uses, and where it may live ---------------------------
POD_CIDR=10.244.0.0/16
NODE_POD_CIDR=10.244.0.0/24
POD_GATEWAY=10.244.0.1
SERVICE_CIDR=10.96.0.0/16
DNS_IP=10.96.0.10
# The node's (and the API server's) address: on the port-less bridge, never on the uplink.
NODE_IP=10.244.255.1
HOLE_BRIDGE=labhole0 # port-less bridge that the pod and service ranges are routed to
CNI_BRIDGE=labcni0   # the pods' bridge (bridge CNI plugin)
# containerd's HTTP client goes through this dead loopback proxy: nothing listens on it, so an
# accidental image pull fails on the machine, before any DNS lookup or packet leaves it.
DEAD_PROXY=http://127.0.0.1:10251
NODE_NAME="$(hostname | tr '[:upper:]' '[:lower:]')"

# ---- where things live --------------------------------------------------------------------
LAB_RUN="$LAB_DIR/run"   # pid files, saved host settings
LAB_LOGS="$LAB_DIR/logs"
LAB_PKI="$LAB_DIR/pki"
KUBECONFIG_FILE="$LAB_DIR/kubeconfig"
CONTAINERD_STATE=/run/blog-api-lab/containerd
CONTAINERD_SOCK="$CONTAINERD_STATE/containerd.sock"
CNI_CONF_DIR="$LAB_DIR/cni/net.d"
VOLUME_DIR="$LAB_DIR/volumes"
# Host sysctls that up.sh or the kubelet/kube-proxy change; saved before and restored by down.sh.
LAB_SYSCTLS=(net/ipv4/ip_forward net/bridge/bridge-nf-call-iptables vm/overcommit_memory vm/panic_on_oom
  kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes
  net/ipv4/conf/all/route_localnet)

lab_log() { printf 'lab: %s\n' "$*" >&2; }
lab_die() {
  lab_log "ERROR: $*"
  exit 1
}
# lab_ts MESSAGE: log with the seconds since the script started, and keep it in the timeline.
lab_ts() {
  local line
  line="$(date -u +%H:%M:%S) +${SECONDS}s $*"
  lab_log "$line"
  mkdir -p "$LAB_DIR" && printf '%s\n' "$line" >>"$LAB_DIR/timeline.log"
}

lab_need_root() { [ "$(id -u)" -eq 0 ] || lab_die "the lab needs root (network namespaces, routes, iptables, mounts)"; }

# lab_require CMD:PACKAGE...: install the Debian packages of the missing commands in one go.
lab_require() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "${pair%%:*}" ] || missing+=("${pair#*:}")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  [ "$(id -u)" -eq 0 ] || lab_die "missing packages: ${missing[*]} (apt-get install ${missing[*]})"
  command -v apt-get >/dev/null 2>&1 || lab_die "missing packages: ${missing[*]} and no apt-get"
  lab_log "installing ${missing[*]} (apt-get)"
  # policy-rc.d keeps the packages' services (etcd, containerd) from starting: the lab runs its own.
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy" && created=1
  fi
  local status=0
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } || status=$?
  if [ "$created" -eq 1 ]; then rm -f "$policy"; fi
  [ "$status" -eq 0 ] || lab_die "apt-get install ${missing[*]} failed"
}

# The devices of the machine's default routes (the uplink: eth0 here). Nothing of the cluster
# may use them.
lab_uplinks() {
  { ip -4 route show default; ip -6 route show default 2>/dev/null; } |
    awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1)}' | sort -u
}

# ---- processes: started in their own session, known only by the pid files in $LAB_RUN ------
lab_pid() { cat "$LAB_RUN/$1.pid" 2>/dev/null; }
lab_alive() {
  local pid
  pid=$(lab_pid "$1") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}
# lab_start NAME COMMAND...: run COMMAND detached (setsid), log to logs/NAME.log, pid in run/.
lab_start() {
  local name=$1
  shift
  if lab_alive "$name"; then
    lab_log "$name already running (pid $(lab_pid "$name"))"
    return 0
  fi
  mkdir -p "$LAB_RUN" "$LAB_LOGS"
  setsid "$@" >>"$LAB_LOGS/$name.log" 2>&1 </dev/null &
  echo "$!" >"$LAB_RUN/$name.pid"
  lab_ts "started $name (pid $!)"
}
# lab_stop NAME [SECONDS]: SIGTERM, then SIGKILL after SECONDS; only the pid we recorded.
lab_stop() {
  local name=$1 timeout=${2:-20} pid i
  pid=$(lab_pid "$name") || return 0
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 5; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      lab_log "$name did not stop in ${timeout}s: SIGKILL $pid"
      kill -9 "$pid" 2>/dev/null || true
      sleep 0.5
    fi
    lab_ts "stopped $name (pid $pid)"
  fi
  rm -f "$LAB_RUN/$name.pid"
}
# lab_wait WHAT SECONDS COMMAND...: poll COMMAND every half second until it succeeds.
lab_wait() {
  local what=$1 timeout=$2 start=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ $((SECONDS - start)) -ge "$timeout" ] && { lab_log "timed out after ${timeout}s waiting for $what"; return 1; }
    sleep 0.5
  done
  lab_ts "ready: $what"
}

lab_kubectl() { "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
lab_ctr() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }
lab_is_up() { lab_alive kube-apiserver && lab_alive kubelet && lab_alive containerd; }
