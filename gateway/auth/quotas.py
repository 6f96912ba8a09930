"""Quotas per principal and per API key, counted in the state store so replicas share them.

- **Requests per minute**: fixed windows aligned on the minute (`request_window_s`), one
  counter per scope and window, with a TTL. A gateway takes requests from the shared counter
  in leases of `max(1, limit // 50)` (one store increment per lease, so a busy key does not
  cost a store round trip per call) and serves them locally. The shared count never exceeds
  the limit; a lease another replica has not used is lost for that window (at most one lease
  per replica), and with limits up to 100 per window every request is counted in the store.
- **Tokens per day** (UTC days, `token_window_s`): refused once the day's count reached the
  limit. Tokens are known only after a call (the service reports them in trailing metadata,
  `services.common.security.usage`); they are added to the counter in the background, so a
  call can overshoot the limit by its own tokens. Each gateway re-reads a counter at most
  once a second, so replicas may overshoot by about a second of traffic.
- Refusals are RESOURCE_EXHAUSTED (HTTP 429) with `Retry-After`: the seconds until the
  window resets.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass

from gateway.auth.caller import Caller
from services.common.security.config import QuotaConfig, QuotaLimits
from services.common.security.errors import QuotaExceeded
from services.common.state import StateStore

__all__ = ["Quotas"]

log = logging.getLogger(__name__)

#: Seconds a gateway trusts its view of a token counter.
TOKEN_VIEW_S = 1.0
#: Principals and keys tracked before stale windows are dropped.
MAX_TRACKED = 10_000


@dataclass
class _Lease:
    window: int
    remaining: int = 0
    exhausted: bool = False


@dataclass
class _TokenView:
    day: int
    value: int
    read_at: float


class Quotas:
    def __init__(self, config: QuotaConfig, store: StateStore) -> None:
        self._cfg = config
        self._store = store
        self._leases: dict[str, _Lease] = {}
        self._views: dict[str, _TokenView] = {}
        self._pending: set[asyncio.Task[None]] = set()

    def _scopes(self, caller: Caller) -> list[tuple[str, str, QuotaLimits]]:
        """(scope, name, limits): the principal's, then the key's."""
        out = [("principal", caller.principal, self._cfg.limits_for(caller.principal))]
        if caller.key_limits is not None:
            out.append(("key", caller.key_id, caller.key_limits))
        return out

    def meters_tokens(self, caller: Caller) -> bool:
        return any(lim.tokens_per_day for _, _, lim in self._scopes(caller))

    async def admit(self, caller: Caller, *, count_request: bool, metered: bool) -> None:
        """Count a request and check the caller's quotas; QuotaExceeded when one is used up."""
        for scope, name, limits in self._scopes(caller):
            if count_request and limits.requests_per_minute:
                await self._take(scope, name, limits.requests_per_minute)
            if metered and limits.tokens_per_day:
                await self._tokens_left(scope, name, limits.tokens_per_day)

    async def _take(self, scope: str, name: str, limit: int) -> None:
        now = time.time()
        size = self._cfg.request_window_s
        window = int(now // size)
        key = f"{scope}:{name}"
        lease = self._leases.get(key)
        if lease is None or lease.window != window:
            if len(self._leases) > MAX_TRACKED:
                self._leases = {k: v for k, v in self._leases.items() if v.window == window}
            lease = self._leases[key] = _Lease(window)
        if lease.remaining > 0:
            lease.remaining -= 1
            return
        if not lease.exhausted:
            chunk = max(1, limit // 50)
            counter = f"quota:rpm:{key}:{size}:{window}"
            total = await self._store.incr(counter, chunk, ttl_s=2 * size)
            granted = min(chunk, limit - (total - chunk))
            if granted > 0:
                lease.remaining += granted - 1
                return
            lease.exhausted = True
        retry = max(1, math.ceil((window + 1) * size - now))
        raise _exceeded("requests_per_minute", scope, name, limit, retry)

    async def _tokens_left(self, scope: str, name: str, limit: int) -> None:
        now = time.time()
        size = self._cfg.token_window_s
        day = int(now // size)
        key = f"{scope}:{name}"
        view = self._views.get(key)
        if view is None or view.day != day or now - view.read_at > TOKEN_VIEW_S:
            if len(self._views) > MAX_TRACKED:
                self._views = {k: v for k, v in self._views.items() if v.day == day}
            value = await self._store.incr(self._token_counter(key, day), 0, ttl_s=2 * size)
            view = self._views[key] = _TokenView(day, value, now)
        if view.value >= limit:
            retry = max(1, math.ceil((day + 1) * size - now))
            raise _exceeded("tokens_per_day", scope, name, limit, retry)

    def record_tokens(self, caller: Caller, tokens: int) -> None:
        """Add the tokens a call used to the caller's daily counters (in the background)."""
        if tokens <= 0:
            return
        day = int(time.time() // self._cfg.token_window_s)
        for scope, name, limits in self._scopes(caller):
            if not limits.tokens_per_day:
                continue
            key = f"{scope}:{name}"
            view = self._views.get(key)
            if view is not None and view.day == day:
                view.value += tokens
            task = asyncio.create_task(self._add(self._token_counter(key, day), tokens))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _add(self, counter: str, tokens: int) -> None:
        try:
            await self._store.incr(counter, tokens, ttl_s=2 * self._cfg.token_window_s)
        except Exception as exc:
            log.warning("could not count %d tokens in %s: %s", tokens, counter, exc)

    def _token_counter(self, key: str, day: int) -> str:
        return f"quota:tpd:{key}:{self._cfg.token_window_s}:{day}"

    async def close(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)


def _exceeded(quota: str, scope: str, name: str, limit: int, retry: int) -> QuotaExceeded:
    what = "principal" if scope == "principal" else "API key"
    return QuotaExceeded(
        f"the {quota} quota of {what} {name!r} ({limit}) is used up; retry in {retry} s",
        retry,
        quota=quota,
        scope=scope,
        limit=str(limit),
    )
