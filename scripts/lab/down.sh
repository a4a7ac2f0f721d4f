#!/usr/bin/env bash
# `npm run lab:down`: stops what lab:up started and removes what it changed on the machine:
# pods (the kubelet tears their networks down), the processes recorded in LAB_DIR/run (by pid,
# never by name), container shims of the lab's containerd, its mounts and network namespaces,
# the bridges (and with them the routes and the node address), the mangle guards and the KUBE-*
# iptables chains, and the host settings it saved (ip_forward, the kubelet's kernel sysctls).
# MariaDB, Redis, podman and everything else on the machine are left alone.
# Data (etcd, containerd's images, volumes) is kept for a fast next up; --purge removes it too
# (the built binaries and images stay: scripts/lab/build.sh made them once).
# Exits 1 and names what is left when the machine is not back as it was.
set -uo pipefail
# shellcheck source=scripts/lab/lib.sh
source "$(dirname "$0")/lib.sh"
lab_need_root
purge=0
[ "${1:-}" = "--purge" ] && purge=1
lab_ts "lab:down begin"

# ---- 1. pods: let the kubelet stop them, which removes their veths and network namespaces ----
if lab_is_up && lab_kubectl get --raw /readyz >/dev/null 2>&1; then
  lab_kubectl cordon "$NODE_NAME" >/dev/null 2>&1 || true
  lab_kubectl delete pods --all --all-namespaces --grace-period=2 --wait=false >/dev/null 2>&1 || true
  lab_wait "pod sandboxes stopped" 60 bash -c "! ctr --address '$CONTAINERD_SOCK' -n k8s.io tasks ls -q 2>/dev/null | grep . >/dev/null"
fi

# The network namespaces of our sandboxes (from containerd's own records), for the sweep below.
netns=()
if lab_alive containerd; then
  while read -r id; do
    [ -n "$id" ] || continue
    path=$(lab_ctr containers info "$id" 2>/dev/null | node -e '
      let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        try {
          const ns = (JSON.parse(s).Spec?.linux?.namespaces ?? []).find((n) => n.type === "network");
          if (ns?.path) console.log(ns.path);
        } catch { /* not JSON: no path */ }
      });' 2>/dev/null)
    [ -n "$path" ] && netns+=("$path")
  done < <(lab_ctr containers ls -q 2>/dev/null)
fi

lab_stop kubelet 30
# anything the kubelet left: kill the tasks while containerd is still up (their shims then exit)
if lab_alive containerd; then
  for id in $(lab_ctr tasks ls -q 2>/dev/null); do lab_ctr tasks kill -s SIGKILL "$id" >/dev/null 2>&1; done
  sleep 1
  for id in $(lab_ctr tasks ls -q 2>/dev/null); do lab_ctr tasks delete -f "$id" >/dev/null 2>&1; done
  for id in $(lab_ctr containers ls -q 2>/dev/null); do lab_ctr containers delete "$id" >/dev/null 2>&1; done
fi

# ---- 2. processes, in reverse order of start -----------------------------------------------------
lab_stop kube-proxy
if [ -x "$K8S_BIN/kube-proxy" ]; then "$K8S_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true; fi
lab_stop kube-scheduler
lab_stop kube-controller-manager
lab_stop kube-apiserver
lab_stop containerd
lab_stop etcd
# Shims of OUR containerd: they carry its socket address on their command line.
for proc in /proc/[0-9]*; do
  cmd=$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null) || continue
  if [[ "$cmd" == *containerd-shim* && "$cmd" == *"-address $CONTAINERD_SOCK "* ]]; then
    kill -9 "${proc#/proc/}" 2>/dev/null && lab_log "killed leftover shim ${proc#/proc/}"
  fi
done

# ---- 3. mounts and network namespaces ----------------------------------------------------------
mapfile -t mounts < <(awk '{print $2}' /proc/mounts |
  grep -E "^($CONTAINERD_STATE|$LAB_DIR/containerd|$LAB_DIR/kubelet|/run/blog-api-lab)(/|$)" | sort -r)
for ns in "${netns[@]}"; do
  grep -q " $ns " /proc/mounts && mounts+=("$ns")
done
for m in "${mounts[@]}"; do umount -l "$m" 2>/dev/null || true; done
for ns in "${netns[@]}"; do
  name=$(basename "$ns")
  ip netns list 2>/dev/null | awk '{print $1}' | grep -Fx "$name" >/dev/null && ip netns delete "$name" 2>/dev/null
  rm -f "$ns"
done

# ---- 4. links, routes, rules ----------------------------------------------------------------------
if ip link show "$CNI_BRIDGE" >/dev/null 2>&1; then
  for veth in $(ip -o link show master "$CNI_BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link delete "$veth" 2>/dev/null || true
  done
  ip link delete "$CNI_BRIDGE"
fi
# the port-less bridge takes its routes and the node address with it
ip link show "$HOLE_BRIDGE" >/dev/null 2>&1 && ip link delete "$HOLE_BRIDGE"
for ipt in iptables ip6tables; do
  command -v "$ipt" >/dev/null 2>&1 || continue
  # our guards, found by their comment
  "$ipt" -t mangle -S FORWARD 2>/dev/null | grep -- '--comment blog-api-lab' | sed 's/^-A /-D /' |
    while read -r rule; do eval "$ipt -t mangle $rule"; done
  # chains of kube-proxy and the kubelet (KUBE-*; only the lab makes them here) and jumps to them
  for table in filter nat mangle raw; do
    "$ipt" -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j KUBE-' | grep -vE '^-A KUBE-' | sed 's/^-A /-D /' |
      while read -r rule; do eval "$ipt -t $table $rule"; done
    chains=$("$ipt" -t "$table" -S 2>/dev/null | awk '/^-N KUBE-/{print $2}')
    for c in $chains; do "$ipt" -t "$table" -F "$c" 2>/dev/null; done
    for c in $chains; do "$ipt" -t "$table" -X "$c" 2>/dev/null; done
  done
done

# ---- 5. host settings, cgroups, files -------------------------------------------------------------
if [ -f "$LAB_RUN/sysctl.orig" ]; then
  while read -r key value; do
    [ -f "/proc/sys/$key" ] && echo "$value" >"/proc/sys/$key" 2>/dev/null
  done <"$LAB_RUN/sysctl.orig"
  rm -f "$LAB_RUN/sysctl.orig"
fi
for cg in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods /sys/fs/cgroup/*/kubepods.slice; do
  [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
done
rm -rf "$LAB_DIR/cni/ipam" /run/blog-api-lab
if [ "$purge" -eq 1 ]; then
  rm -rf "${LAB_DIR:?}/etcd" "$LAB_DIR/containerd" "$LAB_DIR/kubelet" "$LAB_DIR/pod-logs" "$LAB_DIR/volumes"
  lab_log "purged etcd, containerd, kubelet and volume data"
fi

# ---- 6. is the machine back as it was? ------------------------------------------------------------
left=()
for name in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy; do
  lab_alive "$name" && left+=("process $name")
done
for dev in "$HOLE_BRIDGE" "$CNI_BRIDGE"; do ip link show "$dev" >/dev/null 2>&1 && left+=("link $dev"); done
ip route | grep -E '^10\.(96|244)\.' >/dev/null && left+=("routes: $(ip route | grep -E '^10\.(96|244)\.' | tr '\n' ';')")
iptables -t mangle -S FORWARD 2>/dev/null | grep blog-api-lab >/dev/null && left+=("mangle guards")
iptables-save 2>/dev/null | grep '^:KUBE-' >/dev/null && left+=("KUBE-* iptables chains")
awk '{print $2}' /proc/mounts | grep -E "^($CONTAINERD_STATE|$LAB_DIR/(containerd|kubelet))" >/dev/null && left+=("mounts")
lab_ts "lab:down done in ${SECONDS}s (ip_forward=$(cat /proc/sys/net/ipv4/ip_forward))"
if [ "${#left[@]}" -gt 0 ]; then
  lab_log "LEFT BEHIND: ${left[*]}"
  exit 1
fi
lab_log "nothing of the lab is left running or configured"
