#!/usr/bin/env bash
# Storage of the lab: the default StorageClass lab-local (manifests/storage.yaml) and
# LAB_VOLUMES (6) local PersistentVolumes under LAB_DIR/volumes. A volume whose claim was deleted
# is Released (Retain: Kubernetes itself never deletes local data); this script wipes it and
# offers it again. Idempotent; called by up.sh, and by the cluster tests after helm uninstall.
set -euo pipefail
# shellcheck source=scripts/lab/lib.sh
source "$(dirname "$0")/lib.sh"
lab_need_root
lab_is_up || lab_die "the lab is not running (npm run lab:up)"

count="${LAB_VOLUMES:-6}"
lab_kubectl apply -f "$LAB_REPO/scripts/lab/manifests/storage.yaml" >/dev/null

recycled=0
while read -r pv; do
  [ -n "$pv" ] || continue
  dir="$VOLUME_DIR/$pv"
  if [ -d "$dir" ]; then find "$dir" -mindepth 1 -delete; fi
  lab_kubectl patch pv "$pv" --type json -p '[{"op": "remove", "path": "/spec/claimRef"}]' >/dev/null
  recycled=$((recycled + 1))
done < <(lab_kubectl get pv -l blog-api-lab/volume=true \
  -o jsonpath='{range .items[?(@.status.phase=="Released")]}{.metadata.name}{"\n"}{end}')

created=0
for i in $(seq 1 "$count"); do
  pv="lab-pv-$i"
  dir="$VOLUME_DIR/$pv"
  mkdir -p "$dir"
  chmod 0770 "$dir"
  lab_kubectl get pv "$pv" >/dev/null 2>&1 && continue
  lab_kubectl apply -f - >/dev/null <<PV
apiVersion: v1
kind: PersistentVolume
metadata:
  name: $pv
  labels:
    blog-api-lab/volume: "true"
spec:
  capacity:
    storage: 10Gi
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: lab-local
  volumeMode: Filesystem
  local:
    path: $dir
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions:
            - key: kubernetes.io/hostname
              operator: In
              values: [$NODE_NAME]
PV
  created=$((created + 1))
done
lab_log "volumes: $count offered in $VOLUME_DIR ($created created, $recycled released ones wiped and offered again)"
