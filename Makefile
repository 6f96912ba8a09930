# Llama Stack Mesh — everything runs from the repo-local virtualenv in .venv.
#   make run    set up, then start the embedded default distribution (local)
#   make test   set up, then lint and run every test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DISTRO ?= local
GRPC_TOOLS_PROTO = $(shell $(PY) -c "import grpc_tools,os;print(os.path.join(os.path.dirname(grpc_tools.__file__),'_proto'))")
PROTO_FILES = $(shell find proto -name '*.proto' | LC_ALL=C sort)

.PHONY: help setup run test test-fast lint proto proto-check package bench clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

# llama-cpp-python is built by scripts/llama_cpp_build.py for this CPU (portable flags, every
# vector unit the CPU has, never AMX) and kept in a cache keyed by those flags; then the model
# must load and generate one token, or setup stops and says how to rebuild.
$(STAMP): pyproject.toml scripts/llama_cpp_build.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip wheel setuptools
	$(PYTHON) scripts/llama_cpp_build.py install $(PY)
	$(BIN)/pip install --quiet -e '.[inference,dev]'
	$(PYTHON) scripts/llama_cpp_build.py check $(PY)
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install everything (llama-cpp-python compiles once, ~5 min)
	@scripts/setup_node.sh

run: $(STAMP)  ## start the embedded default distribution (DISTRO=local)
	$(BIN)/llamastack run $(DISTRO)

proto: $(STAMP)  ## regenerate gen/python stubs and the Envoy descriptor set from proto/
	scripts/gen_proto.sh $(PY) gen
	$(BIN)/llamastack package sync

proto-check: $(STAMP)  ## fail when gen/ drifted from proto/
	@rm -rf .proto-check && mkdir -p .proto-check
	@scripts/gen_proto.sh $(PY) .proto-check
	@diff -r gen .proto-check > /dev/null || { diff -r gen .proto-check | head -20; \
	  echo "gen/ is out of date: run 'make proto' and commit the result"; rm -rf .proto-check; exit 1; }
	@rm -rf .proto-check
	@echo "gen/ matches proto/"

lint: $(STAMP) proto-check  ## ruff, import rules, buf lint/format/breaking, hadolint, packaging drift
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/buf lint
	$(BIN)/buf format --diff --exit-code
	scripts/buf_breaking.sh $(BIN)/buf
	$(BIN)/hadolint Dockerfile
	$(BIN)/llamastack package sync --check

test: setup lint  ## lint, then every test (contract, unit, integration with real processes)
	$(BIN)/pytest -q

test-fast: $(STAMP)  ## tests without the slow real-model ones
	$(BIN)/pytest -q -m "not slow"

package: $(STAMP)  ## regenerate the chart values, values schema, Envoy config and docker-compose.yml
	$(BIN)/llamastack package sync

bench: setup  ## benchmarks (print JSON; see bench/RESULTS.md)
	$(PY) -m bench.run_all

clean:  ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/node/node_modules
