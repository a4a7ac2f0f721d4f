#!/usr/bin/env bash
# `npm run lab:up`: a real single-node Kubernetes on this machine (etcd, kube-apiserver,
# controller-manager, scheduler, containerd + runc, bridge CNI, kubelet, kube-proxy in iptables
# mode, CoreDNS, local volumes), with nothing of it able to reach the uplink:
#   - the pod and service ranges are routed to a port-less bridge, so a packet for them that is
#     not NATed or bridged locally dies on the machine; up refuses to go on if any of them would
#     leave through the uplink;
#   - two mangle FORWARD DROP rules per uplink (in and out) stop every forwarded packet there;
#     the machine's own traffic (INPUT/OUTPUT) is untouched;
#   - containerd talks through a dead loopback proxy, so an accidental image pull fails here;
#   - CoreDNS serves cluster.local only (no forward plugin), the kubelet's resolv.conf is empty;
#   - every component listens on loopback or on the node address, which lives on that bridge.
# Idempotent: what runs is left alone, what is missing is started. Builds the binaries and images
# first when they are missing (scripts/lab/build.sh; 30 to 45 min cold on 2 cores). Undo with lab:down.
# State: LAB_DIR (default ~/.cache/blog-api-lab); admin kubeconfig: LAB_DIR/kubeconfig.
set -euo pipefail
# shellcheck source=scripts/lab/lib.sh
source "$(dirname "$0")/lib.sh"
lab_need_root
lab_require ip:iproute2 iptables:iptables containerd:containerd ctr:containerd runc:runc etcd:etcd-server \
  conntrack:conntrack /usr/lib/cni/bridge:containernetworking-plugins openssl:openssl podman:podman curl:curl
mkdir -p "$LAB_DIR" "$LAB_RUN" "$LAB_LOGS"
lab_ts "lab:up begin (LAB_DIR=$LAB_DIR)"

bash "$LAB_REPO/scripts/lab/build.sh"

# ---- 0. network safety first ----------------------------------------------------------------
mapfile -t uplinks < <(lab_uplinks)
[ "${#uplinks[@]}" -gt 0 ] || lab_log "no default route: no uplink to guard"
for dev in "${uplinks[@]}"; do
  case "$dev" in "$HOLE_BRIDGE" | "$CNI_BRIDGE") lab_die "the default route goes through $dev, a lab device" ;; esac
done

# A route more specific than ours into the pod or service range, through an uplink, in any table,
# would send cluster packets out: refuse.
ip_to_int() { local IFS=.; read -r a b c d <<<"$1"; echo $(((a << 24) + (b << 16) + (c << 8) + d)); }
overlaps() { # overlaps PREFIX CIDR: PREFIX (a.b.c.d/n) and CIDR share an address
  local p=${1%/*} pl=${1#*/} c=${2%/*} cl=${2#*/} pm cm
  [ "$pl" = "$1" ] && pl=32
  pm=$(((0xffffffff << (32 - pl)) & 0xffffffff))
  cm=$(((0xffffffff << (32 - cl)) & 0xffffffff))
  local m=$((pm & cm))
  [ $(($(ip_to_int "$p") & m)) -eq $(($(ip_to_int "$c") & m)) ]
}
while read -r dst rest; do
  case "$dst" in default | broadcast | local | unreachable | blackhole | prohibit | throw | multicast) continue ;; esac
  [[ "$dst" =~ ^[0-9.]+(/[0-9]+)?$ ]] || continue
  len=${dst#*/}
  [ "$len" = "$dst" ] && len=32
  [ "$len" -ge 16 ] || continue # less specific than our /16 routes: they lose to ours
  for dev in "${uplinks[@]}"; do
    if [[ " $rest " == *" dev $dev "* ]] && { overlaps "$dst" "$POD_CIDR" || overlaps "$dst" "$SERVICE_CIDR"; }; then
      lab_die "route '$dst $rest' sends part of the cluster's ranges through the uplink $dev; refusing"
    fi
  done
done < <(ip -4 route show table all)

ip link show "$HOLE_BRIDGE" >/dev/null 2>&1 || ip link add "$HOLE_BRIDGE" type bridge
ip link set "$HOLE_BRIDGE" up
ip addr show dev "$HOLE_BRIDGE" | grep " $NODE_IP/32 " >/dev/null || ip addr add "$NODE_IP/32" dev "$HOLE_BRIDGE"
ip route replace "$SERVICE_CIDR" dev "$HOLE_BRIDGE"
ip route replace "$POD_CIDR" dev "$HOLE_BRIDGE"
for addr in 10.96.0.1 "$DNS_IP" 10.96.255.254 10.244.5.5 10.244.0.5 10.244.255.254 "$NODE_IP"; do
  route=$(ip route get "$addr")
  for dev in "${uplinks[@]}"; do
    [[ " $route " == *" dev $dev "* ]] && lab_die "UNSAFE: $addr routes through the uplink ($route)"
  done
done
lab_ts "routes: $POD_CIDR and $SERVICE_CIDR -> $HOLE_BRIDGE (port-less); node address $NODE_IP"

# Forwarded traffic (pod -> ClusterIP -> pod needs ip_forward) never crosses an uplink, in or out.
# mangle/FORWARD is touched by neither kube-proxy nor the CNI plugins, so these stay first.
for dev in "${uplinks[@]}"; do
  for dir in -o -i; do
    for ipt in iptables ip6tables; do
      command -v "$ipt" >/dev/null 2>&1 || continue
      "$ipt" -t mangle -C FORWARD "$dir" "$dev" -m comment --comment blog-api-lab -j DROP 2>/dev/null ||
        "$ipt" -t mangle -I FORWARD 1 "$dir" "$dev" -m comment --comment blog-api-lab -j DROP
    done
  done
done
lab_ts "mangle FORWARD DROP in and out of: ${uplinks[*]:-none}"

# Host settings the lab (and the kubelet, which sets kernel/panic* and vm/*) changes: saved once,
# restored by down.sh.
if [ ! -f "$LAB_RUN/sysctl.orig" ]; then
  for key in "${LAB_SYSCTLS[@]}"; do
    [ -f "/proc/sys/$key" ] && printf '%s %s\n' "$key" "$(cat "/proc/sys/$key")"
  done >"$LAB_RUN/sysctl.orig"
fi
[ -f /proc/sys/net/bridge/bridge-nf-call-iptables ] || modprobe br_netfilter 2>/dev/null ||
  lab_die "br_netfilter is missing: bridged pod-to-pod traffic would skip kube-proxy's NAT"
echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
echo 1 >/proc/sys/net/ipv4/ip_forward

# ---- 1. certificates --------------------------------------------------------------------------
bash "$LAB_REPO/scripts/lab/pki.sh"
P=$LAB_PKI

# port_free PORT NAME: nothing but our NAME may listen on PORT.
port_free() {
  lab_alive "$2" && return 0
  [ -z "$(ss -Hltn "sport = :$1")" ] || lab_die "port $1 (for $2) is taken by another program: $(ss -Hltnp "sport = :$1")"
}

# ---- 2. etcd (Debian's etcd-server binary; its packaged service is never started) -------------
port_free 2379 etcd
port_free 2380 etcd
lab_start etcd /usr/bin/etcd --name blog-api-lab --data-dir "$LAB_DIR/etcd" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster blog-api-lab=http://127.0.0.1:2380 --initial-cluster-state new \
  --quota-backend-bytes 2147483648
lab_wait etcd 30 curl -sf http://127.0.0.1:2379/health

# ---- 3. control plane ---------------------------------------------------------------------------
port_free 6443 kube-apiserver
lab_start kube-apiserver "$K8S_BIN/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 \
  --bind-address="$NODE_IP" --advertise-address="$NODE_IP" --secure-port=6443 \
  --service-cluster-ip-range="$SERVICE_CIDR" --service-node-port-range=30000-32767 \
  --client-ca-file="$P/ca.crt" --tls-cert-file="$P/apiserver.crt" --tls-private-key-file="$P/apiserver.key" \
  --kubelet-client-certificate="$P/apiserver-kubelet-client.crt" --kubelet-client-key="$P/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$P/ca.crt" --kubelet-preferred-address-types=InternalIP \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$P/sa.pub" --service-account-signing-key-file="$P/sa.key" \
  --allow-privileged=false --profiling=false
lab_wait kube-apiserver 90 lab_kubectl get --raw /readyz

port_free 10257 kube-controller-manager
lab_start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
  --kubeconfig="$P/controller-manager.kubeconfig" --authentication-kubeconfig="$P/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$P/controller-manager.kubeconfig" --bind-address=127.0.0.1 --secure-port=10257 \
  --cluster-cidr="$POD_CIDR" --allocate-node-cidrs=true --node-cidr-mask-size=24 \
  --service-cluster-ip-range="$SERVICE_CIDR" --use-service-account-credentials=true \
  --root-ca-file="$P/ca.crt" --service-account-private-key-file="$P/sa.key" \
  --cluster-signing-cert-file="$P/ca.crt" --cluster-signing-key-file="$P/ca.key" --leader-elect=false --profiling=false
port_free 10259 kube-scheduler
lab_start kube-scheduler "$K8S_BIN/kube-scheduler" --kubeconfig="$P/scheduler.kubeconfig" \
  --authentication-kubeconfig="$P/scheduler.kubeconfig" --authorization-kubeconfig="$P/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port=10259 --leader-elect=false --profiling=false

# ---- 4. containerd and the pod network ----------------------------------------------------------
mkdir -p "$CNI_CONF_DIR" "$LAB_DIR/cni/ipam"
# No portmap and no ipMasq: the bridge plugin then adds no iptables rule at all (and pods never
# get NAT to the outside).
cat >"$CNI_CONF_DIR/10-blog-api-lab.conflist" <<CNI
{
  "cniVersion": "1.0.0",
  "name": "blog-api-lab",
  "plugins": [
    {
      "type": "bridge", "bridge": "$CNI_BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$LAB_DIR/cni/ipam",
        "ranges": [[{ "subnet": "$NODE_POD_CIDR", "gateway": "$POD_GATEWAY" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    }
  ]
}
CNI
cat >"$LAB_DIR/containerd.toml" <<CTD
version = 2
root = "$LAB_DIR/containerd"
state = "$CONTAINERD_STATE"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.internal.v1.opt"]
  path = "$LAB_DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  enable_selinux = false
  # Root here lacks CAP_SYS_RESOURCE: runc cannot lower a sandbox's oom_score_adj below
  # containerd's own ("can't get final child's PID from pipe: EOF"); clamp instead.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "${LAB_SNAPSHOTTER:-overlayfs}"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CNI_CONF_DIR"
    max_conf_num = 1
CTD
mkdir -p "$CONTAINERD_STATE"
lab_start containerd env HTTP_PROXY="$DEAD_PROXY" HTTPS_PROXY="$DEAD_PROXY" http_proxy="$DEAD_PROXY" \
  https_proxy="$DEAD_PROXY" NO_PROXY= no_proxy= /usr/bin/containerd --config "$LAB_DIR/containerd.toml"
lab_wait containerd 30 ctr --address "$CONTAINERD_SOCK" version

bash "$LAB_REPO/scripts/lab/import.sh" "$PAUSE_IMAGE" "$COREDNS_IMAGE" "$MARIADB_IMAGE" "$REDIS_IMAGE"
# the project's image, when lab:image has built one
if engine_ids=$(podman images --format '{{.Repository}}:{{.Tag}}' --filter "reference=$APP_IMAGE_REPO:lab*" 2>/dev/null) &&
  [ -n "$engine_ids" ]; then
  mapfile -t app_images <<<"$engine_ids"
  bash "$LAB_REPO/scripts/lab/import.sh" "${app_images[@]}"
fi

# ---- 5. kubelet ---------------------------------------------------------------------------------
: >"$LAB_DIR/resolv.conf" # empty: pods with dnsPolicy Default (and hostNetwork) get no resolver
cat >"$LAB_DIR/kubelet-config.yaml" <<KCFG
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $P/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $P/kubelet-serving.crt
tlsPrivateKeyFile: $P/kubelet-serving.key
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
resolvConf: $LAB_DIR/resolv.conf
podLogsDir: $LAB_DIR/pod-logs
podCIDR: $NODE_POD_CIDR
serializeImagePulls: true
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
maxPods: 110
KCFG
port_free 10250 kubelet
# --containerd: the kubelet's cAdvisor reads the containers' pod, namespace and container names
# from containerd (its flag, still registered though deprecated); without it, its default
# /run/containerd/containerd.sock is not the lab's, and /metrics/cadvisor has no pod labels.
lab_start kubelet "$K8S_BIN/kubelet" --config="$LAB_DIR/kubelet-config.yaml" --kubeconfig="$P/kubelet.kubeconfig" \
  --root-dir="$LAB_DIR/kubelet" --node-ip="$NODE_IP" --hostname-override="$NODE_NAME" \
  --containerd="$CONTAINERD_SOCK" -v=1

# ---- 6. kube-proxy (iptables) -----------------------------------------------------------------
port_free 10256 kube-proxy
lab_start kube-proxy "$K8S_BIN/kube-proxy" --kubeconfig="$P/kube-proxy.kubeconfig" --proxy-mode=iptables \
  --cluster-cidr="$POD_CIDR" --hostname-override="$NODE_NAME" --nodeport-addresses="$NODE_IP/32" \
  --metrics-bind-address=127.0.0.1:10249 --healthz-bind-address=127.0.0.1:10256 \
  --conntrack-max-per-core=0 --conntrack-tcp-timeout-established=0s --conntrack-tcp-timeout-close-wait=0s

lab_wait "node $NODE_NAME Ready" 180 lab_kubectl wait --for=condition=Ready "node/$NODE_NAME" --timeout=2s
# lab:down cordons the node while it drains it; a new up takes pods again.
lab_kubectl uncordon "$NODE_NAME" >/dev/null

# ---- 7. add-ons: CoreDNS, storage ---------------------------------------------------------------
sed -e "s|COREDNS_IMAGE|$COREDNS_IMAGE|" -e "s|DNS_IP|$DNS_IP|" "$LAB_REPO/scripts/lab/manifests/coredns.yaml" |
  lab_kubectl apply -f - >/dev/null
bash "$LAB_REPO/scripts/lab/volumes.sh"
lab_wait "CoreDNS available" 120 lab_kubectl -n kube-system wait --for=condition=Available deploy/coredns --timeout=2s
lab_ts "lab:up done in ${SECONDS}s"
echo "export KUBECONFIG=$KUBECONFIG_FILE"
lab_kubectl get nodes -o wide
