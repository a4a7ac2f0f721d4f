#!/usr/bin/env bash
# From nothing to blog-api on a local kind cluster: the cluster (k8s/kind-config.yaml),
# kube-prometheus-stack, the image built and loaded into kind, charts/blog-api with in-cluster
# MySQL and Redis, a wait for readiness, and the URLs and credentials. Idempotent: rerun it after
# changing the code to rebuild and roll out.
# Needs docker, kind, kubectl and helm. Remove everything with scripts/kind-down.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=k8s/stack.sh
source k8s/stack.sh

CLUSTER="${KIND_CLUSTER_NAME:-blog-api}"

use_project_helm
require_tools docker kind kubectl helm

if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  stack_log "kind cluster $CLUSTER exists"
else
  stack_log "creating kind cluster $CLUSTER"
  kind create cluster --name "$CLUSTER" --config k8s/kind-config.yaml --wait 120s
fi
kubectl config use-context "kind-$CLUSTER" >/dev/null

install_kube_prometheus_stack
build_image
stack_log "loading blog-api:$IMAGE_TAG into kind"
kind load docker-image "blog-api:$IMAGE_TAG" --name "$CLUSTER"
install_blog_api
print_access
