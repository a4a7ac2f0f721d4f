#!/usr/bin/env bash
# Build the real Dockerfile and prove the image works: read-only root filesystem, non-root uid
# 10001, node as PID 1, readiness and one API call against MariaDB/Redis on the host network, the
# migration command, and a clean exit 0 on `stop` well before the kill timeout.
#
# No container registry is reachable on CI machines here, so when node:24-bookworm-slim cannot be
# pulled a stand-in is built from Debian and npm packages (scripts/image-standin.sh) and cached.
# On a machine that reaches a registry the same script pulls and builds normally.
#
# Usage: scripts/image-test.sh
# Environment (all optional):
#   CONTAINER_ENGINE=podman|docker   engine to use (podman)
#   IMAGE_TEST_BASE=auto|pull|standin
#                                    auto: use a local base, else pull, else build the stand-in
#   IMAGE_TEST_CONTEXT=DIR           build context (the repository root)
#   IMAGE_TEST_TAG=NAME              image to build (localhost/blog-api:image-test)
#   IMAGE_TEST_BUILD_TIMEOUT=SECONDS bound on each build (1200)
# Prints one line per check and a PASS/FAIL summary; exits 1 when any check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/image-lib.sh
source scripts/image-lib.sh

CONTEXT="${IMAGE_TEST_CONTEXT:-$PWD}"
TAG="${IMAGE_TEST_TAG:-localhost/blog-api:image-test}"
BUILD_TIMEOUT="${IMAGE_TEST_BUILD_TIMEOUT:-1200}"
READY_TIMEOUT=90
STOP_TIMEOUT=30          # the engine's kill timeout for `stop`
STOP_BUDGET=10           # a clean shutdown must take less than this many seconds
LABEL="org.blog-api.image-test.pid"        # on containers: the pid of the run that owns them
BUILT_LABEL="org.blog-api.image-test.built" # on images this script built

# ---- results -------------------------------------------------------------------------------
passed=0
failed=0
failures=()
check() { # check NAME OK(0/1) DETAIL
  if [ "$2" -eq 0 ]; then
    passed=$((passed + 1)); printf '  PASS  %-40s %s\n' "$1" "$3"
  else
    failed=$((failed + 1)); failures+=("$1"); printf '  FAIL  %-40s %s\n' "$1" "$3"
  fi
}
# expect NAME DETAIL COMMAND...: record COMMAND's success as check NAME (safe under set -e).
expect() {
  local name=$1 detail=$2; shift 2
  if "$@"; then check "$name" 0 "$detail"; else check "$name" 1 "$detail"; fi
}
summary() {
  echo
  if [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; then
    echo "image-test: PASS"
  else
    echo "image-test: FAIL${failures[*]:+ (${failures[*]})}"
  fi
  echo "image-test: $passed passed, $failed failed"
}

# ---- engine-specific flags -----------------------------------------------------------------
if [ "$ENGINE" = podman ]; then
  need_cmd podman podman
  if [ -z "${IMAGE_RUNTIME+x}" ]; then
    need_cmd runc runc
    engine_setup # runc may have been installed just now: use it, not podman's default (crun)
  fi
  PULL_NEVER=(--pull=never)
  # /tmp stays writable the way the chart gives it an emptyDir; the rest of / is read-only.
  RO_FLAGS=(--read-only --read-only-tmpfs=true)
  RO_STRICT=(--read-only --read-only-tmpfs=false)
else
  command -v "$ENGINE" >/dev/null 2>&1 || img_die "$ENGINE not found"
  PULL_NEVER=()
  RO_FLAGS=(--read-only --tmpfs /tmp)
  RO_STRICT=(--read-only)
fi
need_cmd curl curl
need_cmd node nodejs

# ---- cleanup: ours on exit, and leftovers of runs whose process is gone ----------------------
container="blog-api-image-test-$$"
database="blog_image_test_$$_${RANDOM}"
mysql_client=$(command -v mariadb || command -v mysql || true)
cleanup() {
  engine rm -f "$container" >/dev/null 2>&1 || true
  if [ -n "$mysql_client" ]; then
    "$mysql_client" --protocol=tcp -h127.0.0.1 -P3306 -uroot \
      -e "DROP DATABASE IF EXISTS \`$database\`" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
while read -r id pid; do
  [ -n "$id" ] || continue
  if ! kill -0 "$pid" 2>/dev/null; then engine rm -f "$id" >/dev/null 2>&1 || true; fi
done < <(engine ps -a --filter "label=$LABEL" --format "{{.ID}} {{index .Labels \"$LABEL\"}}" 2>/dev/null || true)

# ---- base image ----------------------------------------------------------------------------
mode="${IMAGE_TEST_BASE:-auto}"
base_note="present"
if [ "$mode" = standin ]; then
  bash scripts/image-standin.sh
  base_note="stand-in"
elif ! image_exists "$BASE_IMAGE"; then
  if [ "$mode" != standin ] && timeout 300 "${ENGINE_CMD[@]}" pull -q "$BASE_IMAGE" >/dev/null 2>&1; then
    base_note="pulled"
  elif [ "$mode" = pull ]; then
    img_die "cannot pull $BASE_IMAGE"
  else
    img_log "no registry reachable for $BASE_IMAGE; building the stand-in"
    bash scripts/image-standin.sh
    base_note="stand-in (built now)"
  fi
fi
if [ "$(engine image inspect --format "{{index .Config.Labels \"$STANDIN_LABEL\"}}" "$BASE_IMAGE" 2>/dev/null)" = true ]; then
  base_note="$base_note; local stand-in, not the upstream image"
fi
img_log "base $BASE_IMAGE: $base_note"

# ---- build ---------------------------------------------------------------------------------
[ -f "$CONTEXT/app/main.ts" ] || img_die "$CONTEXT/app/main.ts not found: nothing to build yet"
build() { # build TARGET TAG
  timeout "$BUILD_TIMEOUT" "${ENGINE_CMD[@]}" build "${PULL_NEVER[@]}" --network=host "${ULIMIT_FLAGS[@]}" \
    --label "$BUILT_LABEL=1" --target "$1" -t "$2" "$CONTEXT"
}
# build_checked TARGET TAG: build and record the check; the build log is shown only on failure.
build_checked() {
  local log start=$SECONDS status=0
  log=$(mktemp)
  if build "$1" "$2" >"$log" 2>&1; then
    check "build $1 target" 0 "$((SECONDS - start)) s"
  else
    status=1
    tail -n 40 "$log" >&2
    check "build $1 target" 1 "see the build output above"
  fi
  rm -f "$log"
  return "$status"
}
echo "image-test: building $TAG from $CONTEXT"
if ! build_checked runtime "$TAG"; then summary; exit 1; fi
build_checked dev "$TAG-dev" || true
# Earlier runs' images lost their tags to this build: drop them so reruns do not pile up.
engine image prune -f --filter "label=$BUILT_LABEL=1" >/dev/null 2>&1 || true

# ---- static properties of the image ----------------------------------------------------------
inspect() { engine image inspect --format "$1" "$TAG"; }
size_bytes=$(inspect '{{.Size}}')
size_mb=$((size_bytes / 1000000))
user=$(inspect '{{.Config.User}}')
cmd=$(inspect '{{json .Config.Cmd}}')
expect "numeric non-root USER" "USER=$user" test "$user" = 10001
expect "CMD runs node directly" "$cmd" test "$cmd" = '["node","--enable-source-maps","dist/app/main.js"]'
expect "image size under 400 MB" "${size_mb} MB" test "$size_mb" -lt 400
run_once() { engine run --rm "${RO_STRICT[@]}" --network=host "${ULIMIT_FLAGS[@]}" "$@"; }
expect "no dev dependencies at runtime" "node_modules/typescript absent" \
  run_once "$TAG" node -e "process.exit(require('fs').existsSync('node_modules/typescript') ? 1 : 0)"
expect "source maps shipped for --enable-source-maps" "dist/app/main.js.map present" \
  run_once "$TAG" node -e "process.exit(require('fs').existsSync('dist/app/main.js.map') ? 0 : 1)"

# ---- run against MariaDB and Redis on the host ----------------------------------------------
if [ -f scripts/services.sh ]; then bash scripts/services.sh; fi
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
port=$(free_port)
metrics_port=$(free_port)
while [ "$metrics_port" = "$port" ]; do metrics_port=$(free_port); done
env_flags=(
  -e "PORT=$port" -e "METRICS_PORT=$metrics_port"
  -e "DATABASE_URL=mysql://root@127.0.0.1:3306/$database"
  -e "REDIS_URL=redis://127.0.0.1:6379"
  -e "JWT_SECRET=image-test-$RANDOM$RANDOM$RANDOM"
)
engine run -d --name "$container" --label "$LABEL=$$" "${RO_FLAGS[@]}" --network=host \
  "${ULIMIT_FLAGS[@]}" "${env_flags[@]}" -e MIGRATE_ON_START=true "$TAG" >/dev/null

base="http://127.0.0.1:$port"
ready=1
start=$SECONDS
while [ $((SECONDS - start)) -lt "$READY_TIMEOUT" ]; do
  if [ "$(engine inspect --format '{{.State.Running}}' "$container")" != true ]; then break; fi
  if curl -fs -o /dev/null --max-time 2 "$base/readyz"; then ready=0; break; fi
  sleep 0.5
done
check "/readyz answers 200" "$ready" "after $((SECONDS - start)) s on port $port"
if [ "$ready" -ne 0 ]; then
  engine logs --tail 40 "$container" >&2 || true
  summary; exit 1
fi

status=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "$base/livez" || true)
expect "/livez answers 200" "status $status" test "$status" = 200

body=$(curl -sS -w '\n%{http_code}' --max-time 5 "$base/api/tags" || true)
tags_ok=1
if node -e '
  const [json, code] = process.argv[1].split(/\n(?=\d+$)/);
  const b = JSON.parse(json);
  process.exit(code === "200" && Array.isArray(b.tags) ? 0 : 1);' "$body" 2>/dev/null; then tags_ok=0; fi
check 'GET /api/tags -> {"tags":[...]}' "$tags_ok" "$(printf '%s' "$body" | tr '\n' ' ' | cut -c1-60)"

metrics=$(curl -sS --max-time 5 "http://127.0.0.1:$metrics_port/metrics" || true)
expect "metrics port serves http_requests_total" "port $metrics_port" \
  grep -q '^http_requests_total' <<<"$metrics"

pid1=$(engine exec "$container" cat /proc/1/cmdline 2>/dev/null | tr '\0' ' ' || true)
expect "PID 1 is node" "${pid1% }" test "${pid1% }" = "node --enable-source-maps dist/app/main.js"

uid=$(engine exec "$container" sh -c 'id -u' 2>/dev/null || true)
expect "process runs as uid 10001" "uid $uid" test "$uid" = 10001

# The chart's migration Job runs `npm run migrate` on a read-only root without /tmp.
migrate_log=$(mktemp)
if run_once "${env_flags[@]}" "$TAG" npm run migrate >"$migrate_log" 2>&1; then
  check "npm run migrate (strict read-only)" 0 "exit 0"
else
  tail -n 20 "$migrate_log" >&2
  check "npm run migrate (strict read-only)" 1 "non-zero exit"
fi
rm -f "$migrate_log"

# ---- graceful stop ---------------------------------------------------------------------------
start_ns=$(date +%s%N)
engine stop -t "$STOP_TIMEOUT" "$container" >/dev/null
stop_ms=$((($(date +%s%N) - start_ns) / 1000000))
code=$(engine inspect --format '{{.State.ExitCode}}' "$container")
expect "exit code 0 on SIGTERM" "exit $code" test "$code" = 0
expect "stopped well before the kill" "${stop_ms} ms (kill at ${STOP_TIMEOUT} s)" \
  test "$stop_ms" -lt $((STOP_BUDGET * 1000))
if [ "$code" != 0 ]; then engine logs --tail 20 "$container" >&2 || true; fi

summary
[ "$failed" -eq 0 ]
