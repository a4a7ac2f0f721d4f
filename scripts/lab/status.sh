#!/usr/bin/env bash
# `npm run lab:status`: what of the lab runs (processes by their recorded pid), the node and the
# pods, the routes and guards that keep it off the uplink (with the guards' drop counters), the
# built binaries and images, and the volumes. Exits 0 when the cluster is up, 3 when it is down.
set -uo pipefail
# shellcheck source=scripts/lab/lib.sh
source "$(dirname "$0")/lib.sh"

echo "LAB_DIR     $LAB_DIR"
echo "kubeconfig  $KUBECONFIG_FILE"
echo
echo "processes"
for name in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy; do
  if lab_alive "$name"; then
    printf '  %-24s running (pid %s)\n' "$name" "$(lab_pid "$name")"
  else
    printf '  %-24s stopped\n' "$name"
  fi
done
echo
echo "binaries"
if [ -x "$K8S_BIN/kube-apiserver" ]; then
  echo "  $("$K8S_BIN/kube-apiserver" --version 2>/dev/null) in $K8S_BIN"
else
  echo "  Kubernetes $K8S_VERSION: not built (scripts/lab/build.sh)"
fi
[ -x "$COREDNS_BIN" ] && echo "  CoreDNS $COREDNS_VERSION in $(dirname "$COREDNS_BIN")"
if [ -f "$LAB_DIR/build-times.log" ]; then
  echo "  build times:"
  sed 's/^/    /' "$LAB_DIR/build-times.log" | tail -n 8
fi
echo
echo "network"
mapfile -t uplinks < <(lab_uplinks)
echo "  uplink(s): ${uplinks[*]:-none}   ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)"
for addr in "$DNS_IP" 10.244.5.5; do echo "  ip route get $addr: $(ip route get "$addr" 2>&1 | head -n1)"; done
ip route | grep -E "$HOLE_BRIDGE|$CNI_BRIDGE" | sed 's/^/  route: /'
iptables -t mangle -L FORWARD -v -n -x 2>/dev/null | grep blog-api-lab |
  awk '{printf "  guard: DROP in=%s out=%s, %s packets dropped\n", $6, $7, $1}'
if ! lab_is_up; then
  echo
  echo "cluster: down (npm run lab:up)"
  exit 3
fi
echo
lab_kubectl get nodes -o wide 2>&1 | sed 's/^/  /'
echo
lab_kubectl get pods -A -o wide 2>&1 | sed 's/^/  /'
echo
lab_kubectl get pv 2>&1 | sed 's/^/  /'
echo
echo "images in the lab's containerd"
lab_ctr images ls -q 2>/dev/null | grep -v '^sha256:' | sed 's/^/  /'
