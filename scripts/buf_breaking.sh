#!/usr/bin/env bash
# buf breaking against the last commit: uncommitted proto changes are checked against HEAD,
# a clean tree against HEAD~1 (the previous commit). Skipped when there is no such commit.
set -euo pipefail
buf=$1
if ! git rev-parse --verify -q HEAD > /dev/null; then
  echo "buf breaking: no commit yet, skipped"; exit 0
fi
if [ -n "$(git status --porcelain -- proto)" ]; then
  ref=HEAD
elif git rev-parse --verify -q HEAD~1 > /dev/null; then
  ref=HEAD~1
else
  echo "buf breaking: first commit, nothing to compare with"; exit 0
fi
if [ -z "$(git ls-tree -r --name-only "$ref" -- proto | head -1)" ]; then
  echo "buf breaking: $ref has no protos, skipped"; exit 0
fi
echo "buf breaking --against .git#ref=$ref"
"$buf" breaking --against ".git#ref=$ref"
