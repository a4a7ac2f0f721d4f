#!/usr/bin/env bash
# The whole test suite: lint, type-check and formatting, then unit, integration (real MariaDB + Redis),
# browser, chart, rules, e2e.
# Starts local services and installs the tools the chart tests need, then runs node's test runner.
# Pass test files or folders to run a subset: scripts/test.sh test/integration
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh
if [ -f scripts/ensure-tools.sh ]; then
  # shellcheck source=/dev/null
  source scripts/ensure-tools.sh
fi

if [ "$#" -gt 0 ]; then
  mapfile -t files < <(find "$@" -name '*.test.ts' | sort)
else
  mapfile -t files < <(find test -name '*.test.ts' | sort)
  # The whole suite starts with the static checks: ESLint (type-checked rules, zero warnings),
  # the type-check of app/, scripts/ and test/, and Prettier's formatting.
  echo "static checks: lint, type-check, formatting" >&2
  npm run --silent lint
  npm run --silent typecheck
  npm run --silent format:check
fi
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found" >&2
  exit 1
fi
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
