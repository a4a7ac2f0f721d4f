#!/usr/bin/env bash
# skaffold's custom build for the lab profile (skaffold.yaml): builds the Dockerfile's TARGET
# (runtime, or dev under `skaffold dev`) with podman, as lab:image does, and imports it into the
# lab's containerd under the name skaffold will deploy. skaffold passes IMAGE (the tag it asked
# for, e.g. blog-api:3f2a...) and BUILD_CONTEXT. After the build, skaffold (through the Docker
# API that scripts/lab/skaffold.sh serves with podman) tags the image <name>:<image id> and
# deploys that tag, which the kubelet resolves as docker.io/library/<name>:<image id>: this
# script imports the image under that name, so the pods find it with pullPolicy Never.
# Usage (by skaffold): scripts/lab/skaffold-build.sh runtime|dev
set -euo pipefail
# shellcheck source=scripts/lab/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/image-lib.sh
source "$LAB_REPO/scripts/image-lib.sh"
target=${1:-runtime}
: "${IMAGE:?skaffold sets IMAGE}"
context=${BUILD_CONTEXT:-$LAB_REPO}
[ "${PUSH_IMAGE:-false}" = false ] || lab_die "the lab has no registry: build.local.push must stay false"
image_exists "$BASE_IMAGE" || bash "$LAB_REPO/scripts/image-standin.sh"

start=$SECONDS
"${ENGINE_CMD[@]}" build --pull=never --network=host "${ULIMIT_FLAGS[@]}" --label org.blog-api.lab-image=1 \
  --target "$target" -t "$IMAGE" "$context"
id=$(engine image inspect --format '{{.Id}}' "$IMAGE")
id=${id#sha256:}
name=${IMAGE%:*}
case "$name" in
  */*) ;;                            # already qualified
  *) name="docker.io/library/$name" ;; # how the kubelet spells an unqualified name
esac
engine tag "$IMAGE" "$name:$id"
bash "$LAB_REPO/scripts/lab/import.sh" "$name:$id"
lab_log "skaffold-build: $IMAGE ($target) built and imported as $name:$id in $((SECONDS - start)) s"
