#!/usr/bin/env bash
# Generate Python stubs (+ .pyi) and the descriptor set Envoy uses from proto/.
# usage: scripts/gen_proto.sh <python> <out_dir>
set -euo pipefail
py=$1
out=$2
gt=$("$py" -c "import grpc_tools,os;print(os.path.join(os.path.dirname(grpc_tools.__file__),'_proto'))")
rm -rf "$out/python/llamastack" "$out/llamastack.binpb"
mkdir -p "$out/python"
mapfile -t files < <(find proto -name '*.proto' | LC_ALL=C sort)
"$py" -m grpc_tools.protoc -Iproto -Ithird_party -I"$gt" \
  --python_out="$out/python" --pyi_out="$out/python" --grpc_python_out="$out/python" \
  --descriptor_set_out="$out/llamastack.binpb" --include_imports \
  "${files[@]}"
# protoc writes a services-less *_pb2_grpc.py for every file; keep only those with services.
find "$out/python/llamastack" -name '*_pb2_grpc.py' -print0 | while IFS= read -r -d '' f; do
  grep -q '^class ' "$f" || rm "$f"
done
