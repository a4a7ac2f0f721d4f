#!/usr/bin/env bash
# Builds what the lab runs, each piece once, into LAB_DIR (default ~/.cache/blog-api-lab). Nothing
# comes from a container registry: binaries from the Go module proxy, images from Debian's packages.
#   bin/k8s-v1.34.4/        kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
#                           kube-proxy, kubectl: `go build` of k8s.io/kubernetes through the wrapper
#                           module scripts/lab/go (go.sum committed; -mod=readonly), linked with
#                           the release version ldflags (without them the binaries report v0.0.0
#                           and helm refuses every chart with a kubeVersion)
#   bin/coredns-1.12.4-<h>/ CoreDNS (CGO off), from the wrapper module scripts/lab/go-addons. Not in
#                           Kubernetes' module: it would raise grpc, otel and the Prometheus client
#                           above what Kubernetes v1.34.4 is built with, and most of Kubernetes
#                           would recompile
#   bin/pause-1.0/          the pod sandbox process (scripts/lab/images/pause)
#   podman images           pause and CoreDNS (FROM scratch), MariaDB and Redis (debootstrap of
#                           Debian bookworm with mariadb-server / redis-server)
# On demand (not part of the default build):
#   --monitoring            bin/addons-<h>/: Prometheus, promtool, Alertmanager, kube-state-metrics
#                           (scripts/lab/go-addons), prometheus-operator and its config reloader
#                           (scripts/lab/go-operator), the operator's CRDs; `--images monitoring`
#                           (lab:monitoring) builds them when missing, then their images
#   --skaffold              bin/skaffold-v2.16.1/ (scripts/lab/go-skaffold)
# A piece that exists is kept (a changed image recipe rebuilds its image). The time of each piece
# is printed and appended to LAB_DIR/build-times.log. Cold (empty Go caches, 2 cores) the five
# Kubernetes daemons took 41 min here on a machine busy with other builds, kubectl 7 more,
# CoreDNS 16 (6 in an earlier, quieter measurement). Needs root (debootstrap), Go >= 1.24 and podman (installed from Debian when missing).
# Usage: scripts/lab/build.sh [--binaries | --monitoring | --skaffold | --images [pause|coredns|mariadb|redis|monitoring]...]
set -euo pipefail
# shellcheck source=scripts/lab/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/image-lib.sh
source "$LAB_REPO/scripts/image-lib.sh"

what=all
images=(pause coredns mariadb redis)
case "${1:-}" in
  --binaries) what=binaries ;;
  --monitoring) what=monitoring ;;
  --skaffold) what=skaffold ;;
  --images)
    what=images
    shift
    [ "$#" -gt 0 ] && images=("$@")
    ;;
  "") ;;
  *) lab_die "usage: scripts/lab/build.sh [--binaries | --monitoring | --skaffold | --images [pause|coredns|mariadb|redis|monitoring]...]" ;;
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
    nice -n "${LAB_BUILD_NICE:-10}" go build -mod="${LAB_GO_MOD:-readonly}" -trimpath -ldflags "-s -w $V_LDFLAGS" -o "$K8S_BIN/" "${pkgs[@]}")
  k8s_binaries_present || lab_die "the built kube-apiserver does not report Kubernetes $K8S_VERSION"
  timed "kubernetes-$K8S_VERSION" $((SECONDS - start))
}

# prom_version VERSION: the ldflags with which the Prometheus projects stamp their binaries
# (github.com/prometheus/common/version; Prometheus, Alertmanager, the operator and
# kube-state-metrics all report through it).
prom_version() {
  local p=github.com/prometheus/common/version
  printf -- '-X %s.Version=%s -X %s.Revision=gomod -X %s.Branch=HEAD -X %s.BuildUser=blog-api-lab -X %s.BuildDate=%s' \
    "$p" "$1" "$p" "$p" "$p" "$p" "$(date -u +%Y%m%d-%H:%M:%S)"
}

# build_group MODULE OUTDIR WHAT LDFLAGS PACKAGE...: one `go build` in a wrapper module; what the
# packages share with an earlier group comes from the build cache. CGO off: FROM-scratch images.
build_group() {
  local module=$1 out=$2 what=$3 ldflags=$4 start=$SECONDS
  shift 4
  lab_log "building $what"
  (cd "$module" && CGO_ENABLED=0 nice -n "${LAB_BUILD_NICE:-10}" \
    go build -mod="${LAB_GO_MOD:-readonly}" -trimpath -ldflags "-s -w $ldflags" -o "$out/" "$@")
  timed "$what" $((SECONDS - start))
}

build_coredns() {
  if [ -x "$COREDNS_BIN" ]; then
    lab_log "CoreDNS $COREDNS_VERSION present"
    return 0
  fi
  need_go
  local dir
  dir=$(dirname "$COREDNS_BIN")
  rm -rf "$dir.tmp"
  build_group "$ADDONS_MODULE" "$dir.tmp" "coredns-$COREDNS_VERSION" "" github.com/coredns/coredns
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
}

# The monitoring stack, from the wrapper modules scripts/lab/go-addons and scripts/lab/go-operator
# (go.sum committed): the groups run one after the other, each compiling only what the earlier
# ones (CoreDNS included) did not (measured cold, 2 cores: see scripts/lab/README.md). Also copies
# prometheus-operator's CRDs, which ship in its module (example/prometheus-operator-crd).
build_addons() {
  if monitoring_built; then
    lab_log "the monitoring stack's binaries are present in $ADDONS_BIN"
    return 0
  fi
  need_go
  local start=$SECONDS m out="$ADDONS_BIN.tmp"
  rm -rf "$out"
  mkdir -p "$out"
  build_group "$ADDONS_MODULE" "$out" "prometheus-$PROMETHEUS_VERSION (prometheus, promtool)" "$(prom_version "$PROMETHEUS_VERSION")" \
    github.com/prometheus/prometheus/cmd/prometheus github.com/prometheus/prometheus/cmd/promtool
  build_group "$ADDONS_MODULE" "$out" "alertmanager-$ALERTMANAGER_VERSION" "$(prom_version "$ALERTMANAGER_VERSION")" \
    github.com/prometheus/alertmanager/cmd/alertmanager
  build_group "$ADDONS_MODULE" "$out" "kube-state-metrics-$KSM_VERSION" "$(prom_version "v$KSM_VERSION")" k8s.io/kube-state-metrics/v2
  build_group "$OPERATOR_MODULE" "$out" "prometheus-operator-$OPERATOR_VERSION (operator, config reloader)" "$(prom_version "$OPERATOR_VERSION")" \
    github.com/prometheus-operator/prometheus-operator/cmd/operator \
    github.com/prometheus-operator/prometheus-operator/cmd/prometheus-config-reloader
  m=$(cd "$OPERATOR_MODULE" && go list -mod="${LAB_GO_MOD:-readonly}" -m -f '{{.Dir}}' github.com/prometheus-operator/prometheus-operator)
  mkdir -p "$ADDONS_BIN.tmp/crds"
  cp "$m"/example/prometheus-operator-crd/*.yaml "$ADDONS_BIN.tmp/crds/"
  rm -rf "$ADDONS_BIN"
  mv "$ADDONS_BIN.tmp" "$ADDONS_BIN"
  "$ADDONS_BIN/prometheus" --version 2>&1 | grep -q "version $PROMETHEUS_VERSION" ||
    lab_die "the built prometheus does not report version $PROMETHEUS_VERSION"
  timed "monitoring stack (all groups)" $((SECONDS - start))
}

# skaffold v2 from its Go module, through the wrapper module scripts/lab/go-skaffold (skaffold's
# own replace lines copied there; go.sum committed), stamped with its version.
build_skaffold() {
  if skaffold_built; then
    lab_log "skaffold $SKAFFOLD_VERSION present"
    return 0
  fi
  need_go
  local start=$SECONDS
  lab_log "building skaffold $SKAFFOLD_VERSION"
  mkdir -p "$(dirname "$SKAFFOLD_BIN")"
  (cd "$LAB_REPO/scripts/lab/go-skaffold" && CGO_ENABLED=0 nice -n "${LAB_BUILD_NICE:-10}" \
    go build -mod="${LAB_GO_MOD:-readonly}" -trimpath \
    -ldflags "-s -w -X github.com/GoogleContainerTools/skaffold/v2/pkg/skaffold/version.version=$SKAFFOLD_VERSION" \
    -o "$SKAFFOLD_BIN" github.com/GoogleContainerTools/skaffold/v2/cmd/skaffold)
  timed "skaffold-$SKAFFOLD_VERSION" $((SECONDS - start))
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
  {
    declare -f "image_$1"
    cat "$LAB_REPO/scripts/lab/images/$1"/* 2>/dev/null || true
    # the images of the Go add-ons carry the binaries of one build of their modules
    case "$1" in
      coredns) echo "$COREDNS_BIN" ;;
      prometheus | alertmanager | operator | reloader | ksm) echo "$ADDONS_BIN" ;;
    esac
  } | sha256sum | cut -c1-16
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

# The monitoring images: one static binary FROM scratch each, where the upstream images keep
# it (/bin/...), with their entrypoints: the operator starts the containers with arguments only.
image_prometheus() {
  local dir=$1
  install -D -m 0755 "$ADDONS_BIN/prometheus" "$dir/bin/prometheus"
  install -D -m 0755 "$ADDONS_BIN/promtool" "$dir/bin/promtool"
  install -d -m 0777 "$dir/prometheus"
  import_rootfs "$dir" "$PROMETHEUS_IMAGE" prometheus 'USER 65534' 'WORKDIR /prometheus' 'EXPOSE 9090' \
    'ENTRYPOINT ["/bin/prometheus"]'
}
image_alertmanager() {
  local dir=$1
  install -D -m 0755 "$ADDONS_BIN/alertmanager" "$dir/bin/alertmanager"
  install -d -m 0777 "$dir/alertmanager"
  import_rootfs "$dir" "$ALERTMANAGER_IMAGE" alertmanager 'USER 65534' 'WORKDIR /alertmanager' 'EXPOSE 9093' \
    'ENTRYPOINT ["/bin/alertmanager"]'
}
image_operator() {
  local dir=$1
  install -D -m 0755 "$ADDONS_BIN/operator" "$dir/bin/operator"
  import_rootfs "$dir" "$OPERATOR_IMAGE" operator 'USER 65534' 'ENTRYPOINT ["/bin/operator"]'
}
image_reloader() {
  local dir=$1
  install -D -m 0755 "$ADDONS_BIN/prometheus-config-reloader" "$dir/bin/prometheus-config-reloader"
  import_rootfs "$dir" "$RELOADER_IMAGE" reloader 'USER 65534' 'ENTRYPOINT ["/bin/prometheus-config-reloader"]'
}
image_ksm() {
  local dir=$1
  install -D -m 0755 "$ADDONS_BIN/kube-state-metrics" "$dir/kube-state-metrics"
  import_rootfs "$dir" "$KSM_IMAGE" ksm 'USER 65534' 'ENTRYPOINT ["/kube-state-metrics"]'
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
  monitoring) build_addons ;;
  skaffold) build_skaffold ;;
  images)
    lab_need_root
    lab_require podman:podman debootstrap:debootstrap
    for name in "${images[@]}"; do
      case "$name" in
        pause) build_pause && build_image pause "$PAUSE_IMAGE" ;;
        coredns) build_coredns && build_image coredns "$COREDNS_IMAGE" ;;
        mariadb) build_image mariadb "$MARIADB_IMAGE" ;;
        redis) build_image redis "$REDIS_IMAGE" ;;
        monitoring)
          build_addons
          build_image prometheus "$PROMETHEUS_IMAGE"
          build_image alertmanager "$ALERTMANAGER_IMAGE"
          build_image operator "$OPERATOR_IMAGE"
          build_image reloader "$RELOADER_IMAGE"
          build_image ksm "$KSM_IMAGE"
          ;;
        *) lab_die "no image named $name (pause, coredns, mariadb, redis, monitoring)" ;;
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
