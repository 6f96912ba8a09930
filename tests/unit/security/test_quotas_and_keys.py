"""Quota leases and token accounting on a real state store (SQLite, shared by two gateways'
worth of Quotas), and the API key store."""

from __future__ import annotations

import asyncio
import json

import pytest

from gateway.auth.caller import Caller
from gateway.auth.keys import ApiKeyStore, hash_key
from gateway.auth.quotas import Quotas
from services.common.errors import InvalidArgument
from services.common.security.config import QuotaConfig, QuotaLimits
from services.common.security.errors import QuotaExceeded
from services.common.security.policy import Subject
from services.common.state.sqlite import SqliteStateStore


@pytest.fixture
async def store(tmp_path):
    s = SqliteStateStore(tmp_path / "state.db")
    yield s
    await s.close()


def _caller(name: str, key_limits: QuotaLimits | None = None) -> Caller:
    return Caller.of(Subject(name), "api_key", key_id=f"{name}-key", key_limits=key_limits)


async def _admitted(quotas: Quotas, caller: Caller, n: int, metered: bool = False) -> int:
    ok = 0
    for _ in range(n):
        try:
            await quotas.admit(caller, count_request=True, metered=metered)
            ok += 1
        except QuotaExceeded:
            pass
    return ok


async def test_replicas_never_exceed_a_large_limit_together(store):
    config = QuotaConfig(requests_per_minute=200, request_window_s=3600)
    one, two = Quotas(config, store), Quotas(config, store)
    caller = _caller("busy")
    counts = await asyncio.gather(_admitted(one, caller, 150), _admitted(two, caller, 150))
    # leases of 4: together at most the limit, at most one unused lease each below it
    assert 200 - 2 * 4 <= sum(counts) <= 200
    assert await store.incr("quota:rpm:principal:busy:3600:" + _window(3600), 0) <= 208


def _window(size: int) -> str:
    import time

    return str(int(time.time() // size))


async def test_small_limits_are_exact_and_the_error_says_when_to_retry(store):
    quotas = Quotas(QuotaConfig(requests_per_minute=3, request_window_s=3600), store)
    caller = _caller("small")
    assert await _admitted(quotas, caller, 3) == 3
    with pytest.raises(QuotaExceeded) as err:
        await quotas.admit(caller, count_request=True, metered=False)
    assert 0 < err.value.retry_after <= 3600
    assert err.value.headers == (("retry-after", str(err.value.retry_after)),)


async def test_a_key_limit_applies_on_top_of_the_principal(store):
    quotas = Quotas(QuotaConfig(requests_per_minute=100, request_window_s=3600), store)
    keyed = _caller("p", QuotaLimits(requests_per_minute=2))
    assert await _admitted(quotas, keyed, 5) == 2
    assert await _admitted(quotas, _caller("p"), 1) == 1


async def test_tokens_are_counted_from_reports_and_shared(store):
    config = QuotaConfig(tokens_per_day=100)
    one, two = Quotas(config, store), Quotas(config, store)
    caller = _caller("t")
    assert one.meters_tokens(caller)
    await one.admit(caller, count_request=False, metered=True)
    one.record_tokens(caller, 60)
    await one.admit(caller, count_request=False, metered=True)  # 60 < 100
    one.record_tokens(caller, 60)
    with pytest.raises(QuotaExceeded, match="tokens_per_day"):
        await one.admit(caller, count_request=False, metered=True)
    await one.close()  # the background increments landed
    with pytest.raises(QuotaExceeded):
        await two.admit(caller, count_request=False, metered=True)
    await two.admit(caller, count_request=False, metered=False)  # unmetered calls pass


async def test_api_keys_are_hashed_verified_listed_and_revoked(store):
    keys = ApiKeyStore(store)
    record, key = await keys.create("alice", {"teams": ["red"]}, description="ci")
    assert key.startswith(f"lls_{record.key_id}_") and record.sha256 == hash_key(key)
    doc = await store.get("api_keys_v1", record.key_id)
    assert key not in doc.data.decode() and json.loads(doc.data)["principal"] == "alice"
    assert (await keys.verify(key)).principal == "alice"
    assert await keys.verify(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    await keys.create("bob", {})
    page, _ = await keys.list("", 10, principal="bob")
    assert [r.principal for r in page] == ["bob"]
    epoch = await keys.revocation_epoch()
    assert await keys.revoke(record.key_id)
    assert await keys.verify(key) is None
    assert await keys.revocation_epoch() == epoch + 1
    assert not await keys.revoke(record.key_id)
    with pytest.raises(InvalidArgument):
        await keys.create("", {})
    with pytest.raises(InvalidArgument):
        await keys.create("x", {"bad name": ["v"]})
