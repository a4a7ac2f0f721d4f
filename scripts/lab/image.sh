#!/usr/bin/env bash
# `npm run lab:image`: builds the project's image (the Dockerfile's runtime target) with podman,
# as scripts/image-test.sh does, tags it localhost/blog-api:lab (what charts/blog-api/ci/
# lab-values.yaml runs) and localhost/blog-api:lab-<image id>, imports both into the lab's
# containerd when the lab is up (lab:up imports them otherwise), and prints the second reference.
# The base image node:24-bookworm-slim is used when present, else its stand-in is built from
# Debian and npm packages (scripts/image-standin.sh); LAB_IMAGE_BASE=pull pulls it instead.
# Environment: LAB_IMAGE_CONTEXT=DIR (build context, default the repository),
#              LAB_IMAGE_TIMEOUT=SECONDS (bound on the build, default 1200).
set -euo pipefail
# shellcheck source=scripts/lab/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/image-lib.sh
source "$LAB_REPO/scripts/image-lib.sh"
lab_need_root
need_cmd podman podman
if [ -z "${IMAGE_RUNTIME+x}" ]; then
  need_cmd runc runc
  engine_setup # installed just now on a fresh machine: build with it, not podman's default (crun)
fi

context="${LAB_IMAGE_CONTEXT:-$LAB_REPO}"
[ -f "$context/Dockerfile" ] || lab_die "no Dockerfile in $context"
if ! image_exists "$BASE_IMAGE"; then
  if [ "${LAB_IMAGE_BASE:-standin}" = pull ]; then
    engine pull -q "$BASE_IMAGE" >/dev/null
  else
    bash "$LAB_REPO/scripts/image-standin.sh"
  fi
fi

start=$SECONDS
log=$(mktemp)
trap 'rm -f "$log"' EXIT
lab_log "building $APP_IMAGE from $context (Dockerfile, target runtime)"
if ! timeout "${LAB_IMAGE_TIMEOUT:-1200}" "${ENGINE_CMD[@]}" build --pull=never --network=host "${ULIMIT_FLAGS[@]}" \
  --label org.blog-api.lab-image=1 --target runtime -t "$APP_IMAGE" "$context" >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  lab_die "image build failed"
fi
id=$(engine image inspect --format '{{.Id}}' "$APP_IMAGE")
ref="$APP_IMAGE_REPO:lab-${id:0:12}"
engine tag "$APP_IMAGE" "$ref"
engine image prune -f --filter label=org.blog-api.lab-image=1 >/dev/null 2>&1 || true
lab_log "built $ref in $((SECONDS - start)) s"
if lab_alive containerd; then
  bash "$LAB_REPO/scripts/lab/import.sh" "$APP_IMAGE" "$ref"
else
  lab_log "the lab is down: lab:up imports the image"
fi
echo "$ref"
