#!/usr/bin/env bash
# Install the Node.js test client's packages (grpc-js + proto-loader, pinned by the committed
# package-lock.json) once, and again whenever package.json or the lock file change.
# Without Node.js this only warns: `make run` does not need it, the Node client test skips.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=tests/node
[ -f "$dir/package.json" ] || exit 0
if ! command -v npm > /dev/null 2>&1; then
  echo "setup_node.sh: npm not found; the Node.js client test (tests/node) will be skipped" >&2
  exit 0
fi
stamp="$dir/node_modules/.installed"
if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$stamp"
fi
