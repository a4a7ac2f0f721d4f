#!/usr/bin/env bash
# Delete the kind cluster made by scripts/kind-up.sh (and everything in it). Idempotent.
set -euo pipefail
CLUSTER="${KIND_CLUSTER_NAME:-blog-api}"
if ! command -v kind >/dev/null 2>&1; then
  echo "missing: kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)" >&2
  exit 1
fi
if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  kind delete cluster --name "$CLUSTER"
else
  echo "no kind cluster named $CLUSTER; nothing to delete"
fi
