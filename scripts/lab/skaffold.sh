#!/usr/bin/env bash
# `npm run lab:skaffold -- <skaffold args>`: skaffold v2 (built by scripts/lab/build.sh from its
# Go module) against the lab, e.g. `npm run lab:skaffold -- run -p lab` or `... dev -p lab`.
# It gives skaffold what it needs here, and nothing of it leaves the machine:
#   - the lab's kubeconfig (context blog-api-lab, which also activates the lab profiles), its
#     kubectl (file sync) and helm (deploy) on PATH;
#   - a Docker API for the image lookups skaffold makes after a build: `podman system service` on
#     a unix socket under LAB_DIR (no TCP), started here and stopped by its pid when skaffold ends;
#   - --cache-artifacts=false: every build goes through scripts/lab/skaffold-build.sh, which
#     imports the image into the lab's containerd (a cache hit would skip that import).
# Stop it with Ctrl-C or SIGTERM to this script's pid: skaffold (run, dev) and the podman service
# stop with it.
set -euo pipefail
# shellcheck source=scripts/lab/lib.sh
source "$(dirname "$0")/lib.sh"
lab_need_root
lab_is_up || lab_die "the lab is not running (npm run lab:up)"
bash "$LAB_REPO/scripts/lab/build.sh" --skaffold >/dev/null
if ! command -v helm >/dev/null 2>&1; then
  # shellcheck source=scripts/ensure-tools.sh
  source "$LAB_REPO/scripts/ensure-tools.sh"
fi
cd "$LAB_REPO"

sock="$LAB_RUN/podman-api.sock"
mkdir -p "$LAB_RUN" "$LAB_LOGS"
rm -f "$sock"
setsid podman system service --time=0 "unix://$sock" >>"$LAB_LOGS/podman-api.log" 2>&1 </dev/null &
podman_pid=$!
skaffold_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
stop() {
  trap - EXIT INT TERM
  if [ -n "$skaffold_pid" ] && kill -0 "$skaffold_pid" 2>/dev/null; then
    # TERM, not INT: a background job of a script ignores SIGINT; skaffold cleans up on either
    kill -TERM "$skaffold_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$skaffold_pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$skaffold_pid" 2>/dev/null || true
  fi
  kill "$podman_pid" 2>/dev/null || true
  wait "$podman_pid" 2>/dev/null || true
  rm -f "$sock"
}
trap stop EXIT
trap 'exit 130' INT TERM
lab_wait "podman's Docker API on $sock" 30 test -S "$sock"

export KUBECONFIG="$KUBECONFIG_FILE" DOCKER_HOST="unix://$sock" PATH="$K8S_BIN:$PATH"
export SKAFFOLD_UPDATE_CHECK=false SKAFFOLD_INTERACTIVE=false SKAFFOLD_COLLECT_METRICS=false
# only the commands that build take --cache-artifacts (delete, render, ... refuse it)
extra=()
case "${1:-}" in run | dev | build | debug) extra=(--cache-artifacts=false) ;; esac
"$SKAFFOLD_BIN" "$@" "${extra[@]}" &
skaffold_pid=$!
status=0
wait "$skaffold_pid" || status=$?
skaffold_pid=""
exit "$status"
