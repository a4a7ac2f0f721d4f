#!/usr/bin/env bash
# Make sure the local MariaDB and Redis that the service and its tests use are running on their
# default loopback ports, installing them from Debian's packages when they are missing.
set -euo pipefail

log() { printf 'services: %s\n' "$*" >&2; }

apt_updated=0
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    log "missing $*; install it (e.g. sudo apt-get install -y $*) and rerun"
    exit 1
  fi
  if [ "$apt_updated" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # name, command...
  local name=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  log "$name did not come up"
  exit 1
}

mariadb_up() { mysqladmin --protocol=tcp -h127.0.0.1 -P3306 -uroot ping; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if ! mariadb_up >/dev/null 2>&1; then
  if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
    log "installing MariaDB"
    apt_install mariadb-server mariadb-client
  fi
  log "starting MariaDB"
  mkdir -p /run/mysqld
  chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_for MariaDB mariadb_up
fi

if ! redis_up; then
  if ! command -v redis-server >/dev/null 2>&1; then
    log "installing Redis"
    apt_install redis-server redis-tools
  fi
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis redis_up
fi
log "MariaDB and Redis are up"
