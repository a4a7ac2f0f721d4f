#!/usr/bin/env bash
# Steps shared by scripts/kind-up.sh and scripts/minikube-up.sh (sourced, not run): check tools,
# install kube-prometheus-stack, build the image, install charts/blog-api, wait, print URLs.
# Every step is an upsert, so rerunning converges instead of failing.
# The variables below are read by the scripts that source this file:
# shellcheck disable=SC2034

NAMESPACE="${BLOG_API_NAMESPACE:-blog-api}"
RELEASE="${BLOG_API_RELEASE:-blog-api}"
MONITORING_NS=monitoring
KPS_RELEASE=kube-prometheus-stack   # charts/blog-api labels its monitoring objects with this name
# Pinned for reproducible local stacks (a current release when it was last raised; it runs
# Prometheus 3, whose promtool the chart's rules are tested with too); override with
# KPS_VERSION=<chart version>.
KPS_VERSION="${KPS_VERSION:-88.5.0}"
WAIT_TIMEOUT="${WAIT_TIMEOUT:-10m}"

stack_log() { printf '\n==> %s\n' "$*" >&2; }
stack_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# require_tools TOOL...: name every missing tool at once, with where to get it.
require_tools() {
  local missing=() tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  for tool in "${missing[@]}"; do
    case "$tool" in
      docker) echo "missing: docker  (https://docs.docker.com/engine/install/)" >&2 ;;
      kind) echo "missing: kind    (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)" >&2 ;;
      minikube) echo "missing: minikube (https://minikube.sigs.k8s.io/docs/start/)" >&2 ;;
      kubectl) echo "missing: kubectl (https://kubernetes.io/docs/tasks/tools/)" >&2 ;;
      helm) echo "missing: helm    (https://helm.sh/docs/intro/install/)" >&2 ;;
      *) echo "missing: $tool" >&2 ;;
    esac
  done
  stack_die "install the tools above and rerun"
}

# Use the project's cached helm (scripts/ensure-tools.sh builds one into .tools/bin) when the
# user has none on PATH.
use_project_helm() {
  if ! command -v helm >/dev/null 2>&1 && [ -x .tools/bin/helm ]; then
    PATH="$PWD/.tools/bin:$PATH"
    export PATH
  fi
}

install_kube_prometheus_stack() {
  stack_log "kube-prometheus-stack $KPS_VERSION in namespace $MONITORING_NS"
  helm repo add prometheus-community https://prometheus-community.github.io/helm-charts --force-update >/dev/null
  helm upgrade --install "$KPS_RELEASE" prometheus-community/kube-prometheus-stack \
    --version "$KPS_VERSION" --namespace "$MONITORING_NS" --create-namespace \
    -f k8s/kube-prometheus-stack-values.yaml --wait --timeout "$WAIT_TIMEOUT"
}

# build_image: docker build of the runtime target; sets IMAGE_TAG to a content-derived tag, so
# a changed image gets a new tag and rolls the pods, and an unchanged one changes nothing.
build_image() {
  stack_log "building the blog-api image"
  docker build --target runtime -t blog-api:build .
  local id
  id=$(docker image inspect --format '{{.Id}}' blog-api:build)
  id=${id#sha256:}
  IMAGE_TAG="local-${id:0:12}"
  docker tag blog-api:build "blog-api:$IMAGE_TAG"
}

install_blog_api() {
  stack_log "charts/blog-api as release $RELEASE in namespace $NAMESPACE (image blog-api:$IMAGE_TAG)"
  # The chart's defaults: in-chart MySQL and Redis, credentials generated on install and kept.
  # The image was loaded onto the nodes, and a local image name is never pulled (pullPolicy Never).
  # Migrations run in the API pods' init container, so --wait returns once everything is ready.
  helm upgrade --install "$RELEASE" charts/blog-api \
    --namespace "$NAMESPACE" --create-namespace \
    --set image.repository=blog-api --set image.tag="$IMAGE_TAG" \
    --wait --timeout "$WAIT_TIMEOUT"
}

print_access() {
  local password
  password=$(kubectl -n "$MONITORING_NS" get secret "$KPS_RELEASE-grafana" \
    -o jsonpath='{.data.admin-password}' 2>/dev/null | base64 -d 2>/dev/null || true)
  cat <<MSG

blog-api is up. Reach it with port-forwards (or run \`skaffold dev\`, which opens them all):
  kubectl -n $NAMESPACE port-forward svc/$RELEASE 3000:80 9464:9464
      API      http://localhost:3000/api/tags
      metrics  http://localhost:9464/metrics
  kubectl -n $MONITORING_NS port-forward svc/$KPS_RELEASE-grafana 3001:80
      Grafana  http://localhost:3001  (admin / ${password:-see secret $KPS_RELEASE-grafana})
  kubectl -n $MONITORING_NS port-forward svc/$KPS_RELEASE-prometheus 9090:9090
      Prometheus http://localhost:9090/targets
Check the deployment end to end:
  npm run doctor -- --namespace $NAMESPACE --release $RELEASE
MSG
}
