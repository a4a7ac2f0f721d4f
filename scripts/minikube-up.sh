#!/usr/bin/env bash
# From nothing to blog-api on minikube: start (or reuse) the cluster, install
# kube-prometheus-stack, build the image and load it into minikube, install charts/blog-api with
# in-cluster MySQL and Redis, wait, and print the URLs and credentials. Idempotent.
# Needs minikube, docker, kubectl and helm. Remove with `minikube delete`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=k8s/stack.sh
source k8s/stack.sh

# kube-prometheus-stack plus MySQL want more than minikube's default 2 GB.
MINIKUBE_CPUS="${MINIKUBE_CPUS:-4}"
MINIKUBE_MEMORY="${MINIKUBE_MEMORY:-6g}"

use_project_helm
require_tools minikube docker kubectl helm

if minikube status --format '{{.Host}}' 2>/dev/null | grep -qx Running; then
  stack_log "minikube is running"
else
  stack_log "starting minikube ($MINIKUBE_CPUS CPUs, $MINIKUBE_MEMORY)"
  minikube start --cpus "$MINIKUBE_CPUS" --memory "$MINIKUBE_MEMORY"
fi
kubectl config use-context minikube >/dev/null

install_kube_prometheus_stack
build_image
stack_log "loading blog-api:$IMAGE_TAG into minikube"
minikube image load "blog-api:$IMAGE_TAG"
install_blog_api
print_access
