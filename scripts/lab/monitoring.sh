#!/usr/bin/env bash
# `npm run lab:monitoring`: the monitoring stack on the running lab, shaped like
# kube-prometheus-stack's defaults for a release named kube-prometheus-stack in namespace
# monitoring (scripts/lab/monitoring/stack.yaml says what it holds): prometheus-operator with its
# CRDs, Prometheus 3 and Alertmanager created through their custom resources, kube-state-metrics,
# the kubelet's cAdvisor scraped as the stack does. Every binary comes from the add-ons module
# (scripts/lab/go-addons, built by scripts/lab/build.sh) and every image is built here FROM
# scratch and imported into the lab's containerd: nothing is pulled.
# Idempotent (kubectl apply). Waits until Prometheus and Alertmanager run, then prints their
# ClusterIP addresses, which this machine reaches (kube-proxy's NAT; nothing leaves the machine).
# Environment: LAB_SCRAPE_INTERVAL (default 30s, the operator's and the stack's default) and
#              LAB_EVALUATION_INTERVAL (default 30s).
set -euo pipefail
# shellcheck source=scripts/lab/lib.sh
source "$(dirname "$0")/lib.sh"
lab_need_root
lab_is_up || lab_die "the lab is not running (npm run lab:up)"
lab_ts "lab:monitoring begin"

bash "$LAB_REPO/scripts/lab/build.sh" --images monitoring
bash "$LAB_REPO/scripts/lab/import.sh" "${MONITORING_IMAGES[@]}"

# The CRDs as they ship in prometheus-operator's module. Server-side apply: the Prometheus CRD
# is too large for the annotation of a client-side apply.
lab_kubectl apply --server-side --force-conflicts -f "$ADDONS_BIN/crds/" >/dev/null
lab_kubectl wait --for condition=Established --timeout=60s \
  crd/prometheuses.monitoring.coreos.com crd/alertmanagers.monitoring.coreos.com \
  crd/servicemonitors.monitoring.coreos.com crd/podmonitors.monitoring.coreos.com \
  crd/prometheusrules.monitoring.coreos.com crd/alertmanagerconfigs.monitoring.coreos.com \
  crd/probes.monitoring.coreos.com crd/scrapeconfigs.monitoring.coreos.com >/dev/null
lab_ts "prometheus-operator CRDs (v$OPERATOR_VERSION) established"

sed -e "s|@OPERATOR_IMAGE@|$OPERATOR_IMAGE|" -e "s|@RELOADER_IMAGE@|$RELOADER_IMAGE|" \
  -e "s|@PROMETHEUS_IMAGE@|$PROMETHEUS_IMAGE|" -e "s|@PROMETHEUS_VERSION@|v$PROMETHEUS_VERSION|" \
  -e "s|@ALERTMANAGER_IMAGE@|$ALERTMANAGER_IMAGE|" -e "s|@ALERTMANAGER_VERSION@|v$ALERTMANAGER_VERSION|" \
  -e "s|@KSM_IMAGE@|$KSM_IMAGE|" -e "s|@SCRAPE_INTERVAL@|${LAB_SCRAPE_INTERVAL:-30s}|" \
  -e "s|@EVALUATION_INTERVAL@|${LAB_EVALUATION_INTERVAL:-30s}|" \
  "$LAB_REPO/scripts/lab/monitoring/stack.yaml" | lab_kubectl apply -f - >/dev/null

mon() { lab_kubectl -n monitoring "$@"; }
lab_wait "prometheus-operator available" 180 mon wait --for=condition=Available deploy/kube-prometheus-stack-operator --timeout=2s
lab_wait "kube-state-metrics available" 180 mon wait --for=condition=Available deploy/kube-prometheus-stack-kube-state-metrics --timeout=2s
# the operator creates the StatefulSets of the Prometheus and Alertmanager resources
lab_wait "Prometheus (operator-managed) ready" 240 mon wait --for=condition=Ready pod/prometheus-kube-prometheus-stack-prometheus-0 --timeout=2s
lab_wait "Alertmanager (operator-managed) ready" 240 mon wait --for=condition=Ready pod/alertmanager-kube-prometheus-stack-alertmanager-0 --timeout=2s
lab_wait "the kubelet Service (operator, --kubelet-service)" 60 lab_kubectl -n kube-system get endpoints kubelet

prom=$(mon get service kube-prometheus-stack-prometheus -o jsonpath='{.spec.clusterIP}')
am=$(mon get service kube-prometheus-stack-alertmanager -o jsonpath='{.spec.clusterIP}')
lab_wait "Prometheus answers on $prom:9090" 60 curl -sf "http://$prom:9090/-/ready"
lab_ts "lab:monitoring done in ${SECONDS}s"
echo "Prometheus   http://$prom:9090   (v$PROMETHEUS_VERSION; e.g. curl http://$prom:9090/api/v1/targets)"
echo "Alertmanager http://$am:9093   (v$ALERTMANAGER_VERSION)"
