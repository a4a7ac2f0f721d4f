#!/usr/bin/env bash
# Builds what the lab runs, each piece once, into LAB_DIR (default ~/.cache/blog-api-lab). Nothing
# comes from a container registry: binaries from the Go module proxy, images from Debian's packages.
#   bin/k8s-v1.34.4/        kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
#                           kube-proxy, kubectl: `go build` of k8s.io/kubernetes through the wrapper
#                           module scripts/lab/go (go.sum committed; -mod=readonly), linked with
#                           the release version ldflags (without them the binaries report v0.0.0
#                           and helm refuses every chart with a kubeVersion)
#   bin/coredns-v1.12.4/    CoreDNS (go install, CGO off). Not in the wrapper module: it would
#                           raise grpc, otel and the Prometheus client above what Kubernetes
#                           v1.34.4 is built with, and most of Kubernetes would recompile
#   bin/pause-1.0/          the pod sandbox process (scripts/lab/images/pause)
#   podman images           pause and CoreDNS (FROM scratch), MariaDB and Redis (debootstrap of
#                           Debian bookworm with mariadb-server / redis-server)
# A piece that exists is kept (a changed image recipe rebuilds its image). The time of each piece
# is printed and appended to LAB_DIR/build-times.log. Cold (empty Go caches, 2 cores) the five
# Kubernetes daemons took 41 min here on a machine busy with other builds, kubectl 7 more,
# CoreDNS 16 (6 in an earlier, quieter measurement). Needs root (debootstrap), Go >= 1.24 and podman (installed from Debian when missing).
# Usage: scripts/lab/build.sh [--binaries | --images [pause|coredns|mariadb|redis]...]
set -euo pipefail
# shellcheck source=scripts/lab/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/image-lib.sh
source "$LAB_REPO/scripts/image-lib.sh"

what=all
images=(pause coredns mariadb redis)
case "${1:-}" in
  --binaries) what=binaries ;;
  --images)
    what=images
    shift
    [ "$#" -gt 0 ] && images=("$@")
    ;;
  "") ;;
  *) lab_die "usage: scripts/lab/build.sh [--binaries | --images [pause|coredns|mariadb|redis]...]" ;;
esac

# Version stamping, as the Kubernetes release build does (hack/lib/version.sh).
K8S_MINOR=${K8S_VERSION#v1.}
K8S_MINOR=${K8S_MINOR%%.*}
V_LDFLAGS=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  V_LDFLAGS+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$K8S_MINOR -X $pkg.gitTreeState=clean"
done
V_LDFLAGS+=" -X k8s.io/component-base/version.gitCommit=$K8S_VERSION-gomod"
V_LDFLAGS=${V_LDFLAGS# }

timed() { # timed WHAT SECONDS: report and remember how long a piece took
  lab_log "$1: built in $2 s"
  mkdir -p "$LAB_DIR"
  printf '%s %s %ss\n' "$(date -u +%FT%TZ)" "$1" "$2" >>"$LAB_DIR/build-times.log"
}

need_go() {
  command -v go >/dev/null 2>&1 || lab_die "go is missing: install Go >= 1.24 (https://go.dev/dl/) and rerun"
  local v
  v=$(go env GOVERSION)
  v=${v#go}
  local major=${v%%.*} rest=${v#*.}
  [ "$major" -gt 1 ] || [ "${rest%%.*}" -ge 24 ] || lab_die "Go $v is too old for Kubernetes $K8S_VERSION (needs >= 1.24)"
}

k8s_binaries_present() {
  local c
  for c in "${K8S_COMMANDS[@]}"; do [ -x "$K8S_BIN/$c" ] || return 1; done
  [ "$("$K8S_BIN/kube-apiserver" --version 2>/dev/null)" = "Kubernetes $K8S_VERSION" ]
}

build_k8s() {
  if k8s_binaries_present; then
    lab_log "Kubernetes $K8S_VERSION binaries present in $K8S_BIN"
    return 0
  fi
  need_go
  local pkgs=() c start=$SECONDS
  for c in "${K8S_COMMANDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  lab_log "building Kubernetes $K8S_VERSION (${K8S_COMMANDS[*]}) into $K8S_BIN; 30 to 45 min cold on 2 cores"
  mkdir -p "$K8S_BIN"
  # -mod=readonly: the committed go.sum pins every module (LAB_GO_MOD=mod after editing tools.go).
  (cd "$LAB_REPO/scripts/lab/go" &&
    nice -n 10 go build -mod="${LAB_GO_MOD:-readonly}" -trimpath -ldflags "-s -w $V_LDFLAGS" -o "$K8S_BIN/" "${pkgs[@]}")
  k8s_binaries_present || lab_die "the built kube-apiserver does not report Kubernetes $K8S_VERSION"
  timed "kubernetes-$K8S_VERSION" $((SECONDS - start))
}

build_coredns() {
  if [ -x "$COREDNS_BIN" ]; then
    lab_log "CoreDNS $COREDNS_VERSION present"
    return 0
  fi
  need_go
  local start=$SECONDS
  lab_log "building CoreDNS $COREDNS_VERSION (go install; about 6 min cold)"
  mkdir -p "$(dirname "$COREDNS_BIN")"
  CGO_ENABLED=0 GOBIN="$(dirname "$COREDNS_BIN")" nice -n 10 \
    go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@v$COREDNS_VERSION"
  timed "coredns-$COREDNS_VERSION" $((SECONDS - start))
}

build_pause() {
  [ -x "$PAUSE_BIN" ] && return 0
  need_go
  mkdir -p "$(dirname "$PAUSE_BIN")"
  (cd "$LAB_REPO/scripts/lab/images/pause" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$PAUSE_BIN" .)
  lab_log "pause built"
}

# ---- images --------------------------------------------------------------------------------
RECIPE_LABEL=org.blog-api.lab.recipe
# recipe NAME: a hash of what an image is made from, so a changed recipe rebuilds the image.
recipe() {
  { declare -f "image_$1"; cat "$LAB_REPO/scripts/lab/images/$1"/* 2>/dev/null || true; } | sha256sum | cut -c1-16
}
current() { # current IMAGE NAME: the image exists and was built from today's recipe
  [ "$(engine image inspect --format "{{index .Config.Labels \"$RECIPE_LABEL\"}}" "$1" 2>/dev/null)" = "$(recipe "$2")" ]
}
# import_rootfs DIR IMAGE NAME CHANGE...: a filesystem tree as an image (podman import).
import_rootfs() {
  local dir=$1 image=$2 name=$3
  shift 3
  local changes=(--change "LABEL $RECIPE_LABEL=$(recipe "$name")" --change "LABEL org.blog-api.lab=true")
  local c
  for c in "$@"; do changes+=(--change "$c"); done
  tar -C "$dir" -c . | engine import --quiet "${changes[@]}" - "$image" >/dev/null
}

image_pause() {
  local dir=$1
  install -D -m 0755 "$PAUSE_BIN" "$dir/pause"
  import_rootfs "$dir" "$PAUSE_IMAGE" pause 'USER 65535:65535' 'ENTRYPOINT ["/pause"]'
}

image_coredns() {
  local dir=$1
  install -D -m 0755 "$COREDNS_BIN" "$dir/coredns"
  import_rootfs "$dir" "$COREDNS_IMAGE" coredns 'ENTRYPOINT ["/coredns"]'
}

# debootstrap_rootfs DIR PACKAGE...: a minimal Debian bookworm with the packages, their services
# not started (no init runs in a chroot), apt's lists and the docs removed.
debootstrap_rootfs() {
  local dir=$1 packages
  shift
  packages=$(IFS=,; echo "$*")
  mkdir -p "$LAB_DIR/cache/debootstrap"
  if ! debootstrap --variant=minbase --include="$packages" --cache-dir="$LAB_DIR/cache/debootstrap" \
    bookworm "$dir" "$(debian_mirror)" >"$dir.log" 2>&1; then
    tail -n 20 "$dir.log" >&2
    lab_die "debootstrap of $* failed"
  fi
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/* \
    "$dir"/var/log/*.log "$dir"/var/log/apt/*
}

# set_ids DIR USER UID: give a system user the uid/gid the chart runs it as (999, as the official
# mysql and redis images have).
set_ids() {
  local dir=$1 user=$2 id=$3 old
  old=$(chroot "$dir" id -u "$user")
  chroot "$dir" groupmod -g "$id" "$user"
  chroot "$dir" usermod -u "$id" -g "$id" "$user"
  chroot "$dir" find / -xdev -uid "$old" -exec chown -h "$id:$id" {} + 2>/dev/null || true
}

image_mariadb() {
  local dir=$1 here="$LAB_REPO/scripts/lab/images/mariadb"
  debootstrap_rootfs "$dir" mariadb-server
  set_ids "$dir" mysql 999
  # an empty data directory: the entrypoint initialises it on the first start (the volume)
  rm -rf "$dir"/var/lib/mysql/*
  install -d -m 0750 -o 999 -g 999 "$dir/var/lib/mysql"
  install -d -m 1777 "$dir/run/mysqld"
  install -m 0644 "$here/lab.cnf" "$dir/etc/mysql/mariadb.conf.d/99-lab.cnf"
  install -m 0755 "$here/entrypoint.sh" "$dir/usr/local/bin/lab-entrypoint"
  import_rootfs "$dir" "$MARIADB_IMAGE" mariadb 'USER 999:999' 'EXPOSE 3306' \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENTRYPOINT ["/usr/local/bin/lab-entrypoint"]' 'CMD ["mariadbd"]'
}

image_redis() {
  local dir=$1 here="$LAB_REPO/scripts/lab/images/redis"
  debootstrap_rootfs "$dir" redis-server
  set_ids "$dir" redis 999
  install -d -m 0770 -o 999 -g 999 "$dir/data"
  install -m 0755 "$here/entrypoint.sh" "$dir/usr/local/bin/lab-entrypoint"
  import_rootfs "$dir" "$REDIS_IMAGE" redis 'USER 999:999' 'EXPOSE 6379' 'WORKDIR /data' \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENTRYPOINT ["/usr/local/bin/lab-entrypoint"]' 'CMD ["redis-server"]'
}

WORK=""
build_image() { # build_image NAME IMAGE
  local name=$1 image=$2 start=$SECONDS
  if current "$image" "$name"; then
    lab_log "image $image present"
    return 0
  fi
  lab_log "building image $image"
  if [ -z "$WORK" ]; then
    WORK=$(mktemp -d /var/tmp/blog-api-lab-build.XXXXXX)
    trap 'rm -rf "$WORK"' EXIT
  fi
  "image_$name" "$WORK/$name"
  rm -rf "${WORK:?}/$name"
  timed "image $image" $((SECONDS - start))
}

case "$what" in
  binaries)
    build_k8s
    build_coredns
    build_pause
    ;;
  images)
    lab_need_root
    lab_require podman:podman debootstrap:debootstrap
    for name in "${images[@]}"; do
      case "$name" in
        pause) build_pause && build_image pause "$PAUSE_IMAGE" ;;
        coredns) build_coredns && build_image coredns "$COREDNS_IMAGE" ;;
        mariadb) build_image mariadb "$MARIADB_IMAGE" ;;
        redis) build_image redis "$REDIS_IMAGE" ;;
        *) lab_die "no image named $name (pause, coredns, mariadb, redis)" ;;
      esac
    done
    ;;
  all)
    lab_need_root
    lab_require podman:podman debootstrap:debootstrap
    # The Debian images are mostly downloads and dpkg, the Go builds CPU: on a cold machine they
    # run side by side.
    images_pid=""
    images_log="$LAB_DIR/logs/build-images.log"
    if ! current "$MARIADB_IMAGE" mariadb || ! current "$REDIS_IMAGE" redis; then
      mkdir -p "$LAB_DIR/logs"
      (build_image mariadb "$MARIADB_IMAGE" && build_image redis "$REDIS_IMAGE") >"$images_log" 2>&1 &
      images_pid=$!
      lab_log "building the MariaDB and Redis images in the background (log: $images_log)"
    fi
    build_k8s
    build_coredns
    build_pause
    if [ -n "$images_pid" ]; then
      if ! wait "$images_pid"; then
        tail -n 30 "$images_log" >&2
        lab_die "building the MariaDB or Redis image failed"
      fi
      cat "$images_log" >&2
    fi
    build_image mariadb "$MARIADB_IMAGE"
    build_image redis "$REDIS_IMAGE"
    build_image pause "$PAUSE_IMAGE"
    build_image coredns "$COREDNS_IMAGE"
    ;;
esac
lab_log "build done ($SECONDS s)"
