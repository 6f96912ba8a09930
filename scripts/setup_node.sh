#!/usr/bin/env bash
# Install the Node.js test client's packages (grpc-js + proto-loader) once.
set -euo pipefail
dir=tests/node
[ -f "$dir/package.json" ] || exit 0
if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$dir/node_modules"
fi
