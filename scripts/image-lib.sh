#!/usr/bin/env bash
# Shared helpers for the image scripts (image-test.sh, image-standin.sh). Sourced, not run.
# Keeps the container-engine quirks of this kind of machine in one place.
# The variables below are read by the scripts that source this file:
# shellcheck disable=SC2034

# The base image the Dockerfile starts FROM; the stand-in is imported under this exact name so that
# the unchanged Dockerfile builds against it.
BASE_IMAGE="docker.io/library/node:24-bookworm-slim"
# Label put on the stand-in so that nobody mistakes it for the real upstream image.
STANDIN_LABEL="org.blog-api.standin"

img_log() { printf 'image: %s\n' "$*" >&2; }
img_die() { img_log "ERROR: $*"; exit 1; }

# ENGINE is podman unless the caller asks for docker (CONTAINER_ENGINE=docker on a user's machine).
ENGINE="${CONTAINER_ENGINE:-podman}"

# ENGINE_CMD is the container engine with the flags this machine needs, as an array so that it can
# also be run under `timeout`. crun fails on this cgroup setup ("cgroups in hybrid mode not
# supported"), so podman is pointed at runc whenever runc is installed (IMAGE_RUNTIME overrides;
# set it empty to keep podman's own default). A script that installs runc after sourcing this
# file calls engine_setup again: on a fresh machine runc arrives only then.
engine_setup() {
  ENGINE_CMD=("$ENGINE")
  if [ "$ENGINE" = podman ] && [ -n "${IMAGE_RUNTIME-runc}" ] \
    && command -v "${IMAGE_RUNTIME-runc}" >/dev/null 2>&1; then
    ENGINE_CMD+=(--runtime "${IMAGE_RUNTIME-runc}")
  fi
}
engine_setup
engine() { "${ENGINE_CMD[@]}" "$@"; }

# Containers here start with tiny default ulimits; npm and node need more open files and processes.
ULIMIT_FLAGS=(--ulimit nofile=20000:20000 --ulimit nproc=32768:32768)

# apt_install installs Debian packages when we are root, and otherwise names what to install.
img_apt_updated=0
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    img_die "missing $*; install it (e.g. sudo apt-get install -y $*) and rerun"
  fi
  if [ "$img_apt_updated" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    img_apt_updated=1
  fi
  img_log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# need_cmd CMD PACKAGE: make sure CMD exists, installing PACKAGE from Debian when it does not.
need_cmd() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if command -v apt-get >/dev/null 2>&1; then
    apt_install "$2"
  fi
  command -v "$1" >/dev/null 2>&1 || img_die "$1 is required (Debian package $2)"
}

# debian_mirror prints the Debian mirror apt already uses, so debootstrap goes where apt goes
# (the stand-in base here, the lab's MariaDB and Redis images in scripts/lab/build.sh).
debian_mirror() {
  local uri
  uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  if [ -z "$uri" ]; then
    uri=$(grep -hsE '^deb ' /etc/apt/sources.list 2>/dev/null \
          | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
  fi
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

image_exists() { engine image inspect "$1" >/dev/null 2>&1; }
