#!/usr/bin/env bash
# `npm run lab:test`: the cluster tests (test/cluster/*.cluster.ts) against the running lab, in
# order: the safety rules, the chart's release lifecycle under load, the plain manifests, the
# monitoring path (kube-prometheus-stack look-alike, doctor, the page through Alertmanager;
# installs the stack with lab:monitoring when missing), skaffold run and dev. Needs root, the lab
# up (npm run lab:up) and the image imported (npm run lab:image). Bounded by
# LAB_TEST_TIMEOUT seconds (default 2700). Pass test files to run only those.
# Output is kept in LAB_DIR/logs/cluster-tests.log; FIGURE lines are the measured figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/lab/lib.sh
source scripts/lab/lib.sh
lab_need_root
lab_is_up || lab_die "the lab is not running (npm run lab:up)"
if ! command -v helm >/dev/null 2>&1; then
  # shellcheck source=scripts/ensure-tools.sh
  source scripts/ensure-tools.sh
fi
files=("$@")
[ "${#files[@]}" -gt 0 ] || files=(test/cluster/safety.cluster.ts test/cluster/release.cluster.ts test/cluster/manifests.cluster.ts
  test/cluster/monitoring.cluster.ts test/cluster/skaffold.cluster.ts)
mkdir -p "$LAB_LOGS"
timeout --signal=TERM --kill-after=30 "${LAB_TEST_TIMEOUT:-2700}" \
  node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}" 2>&1 | tee "$LAB_LOGS/cluster-tests.log"
