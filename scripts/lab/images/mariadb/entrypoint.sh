#!/bin/sh
# Entrypoint of the lab's MariaDB image (Debian's mariadb-server, built by scripts/lab/build.sh).
# It takes the same environment as the official mysql image, which the chart's in-chart MySQL
# StatefulSet sets: MYSQL_ROOT_PASSWORD, MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD. On the first
# start (empty data directory) it creates the system tables, the database and the user with the
# server listening on a socket only, so no client can connect before the accounts exist; then it
# runs mariadbd as PID 1 on port 3306. Any other command is run as given.
set -eu

datadir=/var/lib/mysql
case "${1:-mariadbd}" in
  mariadbd | mysqld) [ "$#" -gt 0 ] && shift ;;
  -*) ;;
  *) exec "$@" ;;
esac

# sql_string VALUE: VALUE as the inside of a single-quoted SQL string.
sql_string() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g"; }

if [ ! -d "$datadir/mysql" ]; then
  : "${MYSQL_ROOT_PASSWORD:?is required on the first start (empty $datadir)}"
  echo "lab-mariadb: initialising $datadir"
  mariadb-install-db --datadir="$datadir" --skip-test-db --auth-root-authentication-method=normal >/dev/null
  init_socket=/run/mysqld/init.sock
  mariadbd --datadir="$datadir" --skip-networking --socket="$init_socket" &
  init_pid=$!
  tries=0
  until mariadb-admin --socket="$init_socket" -uroot ping >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 120 ] || ! kill -0 "$init_pid" 2>/dev/null; then
      echo "lab-mariadb: the initialising server did not start" >&2
      exit 1
    fi
    sleep 0.5
  done
  root=$(sql_string "$MYSQL_ROOT_PASSWORD")
  {
    # mariadb-install-db also makes password-less root@127.0.0.1, root@::1 and root@<hostname>,
    # which would match TCP logins before root@'%'.
    cat <<'SQL'
DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1';
EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\'', @@hostname, '\'');
SQL
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$root';"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY '$root';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "${MYSQL_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    fi
    if [ -n "${MYSQL_USER:-}" ]; then
      echo "CREATE USER '$(sql_string "$MYSQL_USER")'@'%' IDENTIFIED BY '$(sql_string "${MYSQL_PASSWORD:-}")';"
      if [ -n "${MYSQL_DATABASE:-}" ]; then
        echo "GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$(sql_string "$MYSQL_USER")'@'%';"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket="$init_socket" -uroot
  mariadb-admin --socket="$init_socket" -uroot -p"$MYSQL_ROOT_PASSWORD" shutdown
  wait "$init_pid" || true
  echo "lab-mariadb: initialised"
fi

exec mariadbd --datadir="$datadir" "$@"
