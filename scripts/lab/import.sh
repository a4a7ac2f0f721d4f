#!/usr/bin/env bash
# Copies podman images into the lab's containerd (namespace k8s.io, where the kubelet looks), so
# that pods run them with imagePullPolicy Never or IfNotPresent and nothing is ever pulled.
# An image already imported with the same podman id is skipped.
# Usage: scripts/lab/import.sh IMAGE...
set -euo pipefail
# shellcheck source=scripts/lab/lib.sh
source "$(dirname "$0")/lib.sh"
lab_need_root
lab_alive containerd || lab_die "the lab's containerd is not running (npm run lab:up)"

stamps="$LAB_DIR/containerd/.imported"
mkdir -p "$stamps"
for image in "$@"; do
  id=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null) || lab_die "no podman image $image (scripts/lab/build.sh or lab:image builds it)"
  stamp="$stamps/$(printf '%s' "$image" | tr '/:' '__')"
  present=$(lab_ctr images ls -q)
  if [ "$(cut -d' ' -f1 "$stamp" 2>/dev/null)" = "$id" ] && grep -Fx "$image" >/dev/null <<<"$present"; then
    continue
  fi
  start=$SECONDS
  # the same image under another name already imported: a new name for it is enough
  # (no stamp yet on a fresh LAB_DIR: cat finds no file, which pipefail must not turn into an exit)
  same=$({ cat "$stamps"/* 2>/dev/null || true; } | awk -v id="$id" '$1 == id {print $2}' | while read -r ref; do
    grep -Fx "$ref" <<<"$present" || true
  done | head -n1)
  if [ -n "$same" ] && [ "$same" != "$image" ]; then
    lab_ctr images tag --force "$same" "$image" >/dev/null
  else
    podman save --format docker-archive "$image" | lab_ctr images import - >/dev/null
  fi
  lab_ctr images ls -q | grep -Fx "$image" >/dev/null || lab_die "containerd does not list $image after the import"
  echo "$id $image" >"$stamp"
  lab_ts "imported $image into the lab's containerd ($((SECONDS - start)) s${same:+, same image as $same})"
done
