#!/usr/bin/env bash
# The lab step of CI, in one script (.ci/run calls it; run it by hand as root too): build what the
# lab needs (cached in LAB_DIR and the Go build cache: cold, the Kubernetes binaries take 30 to
# 45 min on 2 cores (41 min measured for the daemons), CoreDNS 6 to 16; warm, seconds), bring the lab up, build and import the project's image, run the cluster tests
# (test/cluster/*.cluster.ts: safety rules, the chart's release lifecycle under load, the plain
# manifests), and bring the lab down again, also when something fails (trap). Prints how long the
# build took, the time to node Ready and every figure the tests measured (FIGURE lines).
# Bounded: the tests get LAB_TEST_TIMEOUT seconds (default 1800), then they are stopped.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/lab/lib.sh
source scripts/lab/lib.sh
lab_need_root
step() { printf '\n=== lab: %s (%ss)\n' "$*" "$SECONDS"; }
mkdir -p "$LAB_LOGS"
figures="$LAB_LOGS/ci-figures.txt"
: >"$figures"
fig() { echo "FIGURE $*" | tee -a "$figures"; }

teardown() {
  local status=$?
  trap - EXIT
  step "down"
  bash scripts/lab/down.sh || status=1
  echo "ip route after lab:down:"
  ip route
  [ "$status" -eq 0 ] && echo "lab: PASS" || echo "lab: FAIL"
  exit "$status"
}
trap teardown EXIT

# helm: the user's, or the pinned build in .tools/ (scripts/ensure-tools.sh)
# shellcheck source=scripts/ensure-tools.sh
source scripts/ensure-tools.sh

step "build (binaries and images, cached in $LAB_DIR)"
times_before=$(wc -l <"$LAB_DIR/build-times.log" 2>/dev/null || echo 0)
t=$SECONDS
bash scripts/lab/build.sh
build_seconds=$((SECONDS - t))
if [ -f "$LAB_DIR/build-times.log" ]; then
  built=$(tail -n +"$((times_before + 1))" "$LAB_DIR/build-times.log")
  if [ -n "$built" ]; then
    echo "built in this run:"
    printf '  %s\n' "$built"
  fi
fi
fig "lab build step: ${build_seconds} s (all cached: seconds; from scratch: 30-45 min for the Kubernetes binaries on 2 cores, 41 min measured)"

step "up"
up_log="$LAB_LOGS/ci-up.log"
bash scripts/lab/up.sh 2>&1 | tee "$up_log"
ready=$(grep -oE '\+[0-9]+s ready: node [^ ]+ Ready' "$up_log" | tail -n1 | grep -oE '^\+[0-9]+' | tr -d + || true)
dns=$(grep -oE '\+[0-9]+s ready: CoreDNS available' "$up_log" | tail -n1 | grep -oE '^\+[0-9]+' | tr -d + || true)
fig "lab:up: node Ready ${ready:-?} s and CoreDNS available ${dns:-?} s after lab:up started (binaries built)"

step "image"
ref=$(bash scripts/lab/image.sh | tail -n1)
echo "image: $ref (also $APP_IMAGE)"

step "cluster tests"
status=0
bash scripts/lab/test.sh || status=$?
echo
echo "figures:"
grep -h '^ *FIGURE' "$figures" "$LAB_LOGS/cluster-tests.log" | sed 's/^ *FIGURE /  /' || true
exit "$status"
