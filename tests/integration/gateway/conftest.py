from __future__ import annotations

import grpc
import pytest

from tests.integration.gateway.mesh import Mesh


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    m = Mesh(tmp_path_factory.mktemp("mesh")).start_services()
    yield m
    m.stop()


@pytest.fixture(scope="module", params=["sqlite", "redis"])
def gateway(request, mesh, redis_url):
    """A gateway over each registry backend, in front of the same services."""
    if request.param == "redis":
        url = redis_url.rsplit("/", 1)[0] + "/1"  # a database of its own
        import redis

        redis.Redis.from_url(url).flushdb()
    else:
        url = f"sqlite:///{mesh.workdir / f'registry-{request.module.__name__}.db'}"
    gw = mesh.start_gateway(name=f"gateway-{request.param}", LLS_REGISTRY_URL=url)
    gw.backend = request.param
    yield gw
    gw.stop()


@pytest.fixture(scope="module")
def channel(gateway):
    with grpc.insecure_channel(gateway.address) as ch:
        yield ch
