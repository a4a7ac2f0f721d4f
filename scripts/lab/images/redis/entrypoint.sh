#!/bin/sh
# Entrypoint of the lab's Redis image (Debian's redis-server, built by scripts/lab/build.sh).
# Like the official redis image, `redis-server ...` runs with protected mode off (without a
# config file Redis would refuse every client but loopback; the pod network is the boundary);
# any other command is run as given.
set -eu
if [ "${1:-redis-server}" = redis-server ]; then
  [ "$#" -gt 0 ] && shift
  exec redis-server --protected-mode no "$@"
fi
exec "$@"
