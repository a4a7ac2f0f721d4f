#!/usr/bin/env bash
# Runs the official RealWorld (Conduit) Postman suite twice against the built service on a fresh
# database: first under the machine's Node, then under Node 24 (the image's runtime) on the same
# database, proving both runtimes and that a second run on existing data passes too.
# Usage: scripts/realworld-suite.sh [path/to/shared/realworld]
set -euo pipefail
cd "$(dirname "$0")/.."

suite_dir=${1:-../shared/realworld}
if [ ! -f "$suite_dir/Conduit.postman_collection.json" ]; then
  echo "realworld-suite: no suite at $suite_dir" >&2
  exit 1
fi

port=${REALWORLD_PORT:-3900}
metrics_port=$((port + 1))
db="blog_realworld_$$"
db_url="mysql://root@127.0.0.1:3306/$db"
log_file=$(mktemp)
pid=""

cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS \`$db\`" >/dev/null 2>&1 || true
  rm -f "$log_file"
}
trap cleanup EXIT

start() { # node binary
  PORT=$port METRICS_PORT=$metrics_port DATABASE_URL=$db_url LOG_LEVEL=warn \
    JWT_SECRET=realworld-suite-secret-0123456789 "$1" dist/app/main.js >>"$log_file" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "realworld-suite: service did not become ready" >&2
  cat "$log_file" >&2
  exit 1
}

stop() {
  kill -TERM "$pid"
  wait "$pid" || { echo "realworld-suite: service exited non-zero" >&2; cat "$log_file" >&2; exit 1; }
  pid=""
}

run_suite() { # label
  local user
  user="u$(date +%s%N)"
  echo "realworld-suite: run $1 ($("$node_bin" --version))"
  (cd "$suite_dir" && npx --yes newman@6 run Conduit.postman_collection.json \
    --global-var "APIURL=http://127.0.0.1:$port/api" --global-var "USERNAME=$user" \
    --global-var "EMAIL=$user@mail.com" --global-var "PASSWORD=password" --reporters cli)
}

[ -f dist/app/main.js ] || npm run build

node_bin=$(command -v node)
start "$node_bin"
run_suite 1
stop

node_bin="$(bash scripts/node24.sh)/node"
start "$node_bin"
run_suite 2
stop
echo "realworld-suite: both runs passed"
