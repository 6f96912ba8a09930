"""Redis registry store: shared by gateway replicas.

Layout under `<ns>:registry:v1:`:
- `r:<kind>:<identifier>`  hash of the record's fields
- `i:<kind>`               sorted set of identifiers (score 0; listed by lexical range)
- `c:<kind>:<parent>`      set of child identifiers (tools of a tool group)
- `p:<provider_id>`        set of `<kind>:<identifier>` owned by a provider
Writes are Lua scripts, so a record and its indexes change atomically.

While Redis cannot be reached (restarting, loading its AOF) every call fails at once with
UNAVAILABLE naming the store; the client reconnects by itself once Redis is back. With AOF
(`appendonly yes`, fsync every second by default) a restarted Redis keeps what it acknowledged,
up to the last second on a crash of its host; `appendfsync always` closes that gap.
"""

from __future__ import annotations

from dataclasses import astuple, fields

import redis.asyncio as aioredis
from redis import exceptions as redis_errors

from gateway.store import Record
from services.common.errors import ServiceUnavailable

__all__ = ["RedisStore"]

_FIELDS = [f.name for f in fields(Record)]
#: Redis down, restarting or still loading its data (BusyLoadingError is a ConnectionError).
_DOWN = (redis_errors.ConnectionError, redis_errors.TimeoutError)

# KEYS: record key, kind index, provider index, children keys...; ARGV: field values...
_PUT = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('HGETALL', KEYS[1])
end
local prefix = ARGV[1]
local n = tonumber(ARGV[2])
local width = tonumber(ARGV[3])
local names = {}
for i = 1, width do names[i] = ARGV[3 + i] end
local base = 3 + width
for r = 0, n - 1 do
  local vals = {}
  for i = 1, width do vals[i] = ARGV[base + r * width + i] end
  local kind, ident, provider, parent = vals[1], vals[2], vals[3], vals[7]
  local key = prefix .. 'r:' .. kind .. ':' .. ident
  local args = {}
  for i = 1, width do table.insert(args, names[i]); table.insert(args, vals[i]) end
  redis.call('HSET', key, unpack(args))
  redis.call('ZADD', prefix .. 'i:' .. kind, 0, ident)
  redis.call('SADD', prefix .. 'p:' .. provider, kind .. ':' .. ident)
  if parent ~= '' then redis.call('SADD', prefix .. 'c:' .. kind .. ':' .. parent, ident) end
end
return false
"""

# ARGV: prefix, kind, identifier, child kind
_DELETE = """
local prefix, kind, ident, child = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local function drop(k, i)
  local key = prefix .. 'r:' .. k .. ':' .. i
  local provider = redis.call('HGET', key, 'provider_id')
  local parent = redis.call('HGET', key, 'parent')
  if not provider then return 0 end
  redis.call('DEL', key)
  redis.call('ZREM', prefix .. 'i:' .. k, i)
  redis.call('SREM', prefix .. 'p:' .. provider, k .. ':' .. i)
  if parent and parent ~= '' then redis.call('SREM', prefix .. 'c:' .. k .. ':' .. parent, i) end
  return 1
end
local found = drop(kind, ident)
if child ~= '' then
  local ckey = prefix .. 'c:' .. child .. ':' .. ident
  for _, c in ipairs(redis.call('SMEMBERS', ckey)) do drop(child, c) end
  redis.call('DEL', ckey)
end
return found
"""


class RedisStore:
    def __init__(self, url: str, namespace: str = "llamastack") -> None:
        # Bounded: a Redis that hangs is UNAVAILABLE after a few seconds, never a stuck call.
        self._redis = aioredis.Redis.from_url(
            url, decode_responses=False, socket_timeout=5.0, socket_connect_timeout=2.0
        )
        kwargs = self._redis.connection_pool.connection_kwargs
        self._where = f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}"  # no credentials
        self._prefix = f"{namespace}:registry:v1:"
        self._put = self._redis.register_script(_PUT)
        self._delete = self._redis.register_script(_DELETE)

    def _key(self, kind: str, identifier: str) -> str:
        return f"{self._prefix}r:{kind}:{identifier}"

    async def ping(self) -> None:
        await self._redis.ping()

    def _down(self, exc: Exception) -> ServiceUnavailable:
        return ServiceUnavailable(
            f"the registry store (Redis at {self._where}) is unavailable: {exc}; retry shortly",
            service="registry-store",
            address=self._where,
        )

    async def get(self, kind: str, identifier: str) -> Record | None:
        try:
            data = await self._redis.hgetall(self._key(kind, identifier))
        except _DOWN as exc:
            raise self._down(exc) from exc
        return _decode(data) if data else None

    async def put_if_absent(self, record: Record, children: list[Record] = ()) -> Record | None:
        rows = [record, *children]
        argv: list = [self._prefix, len(rows), len(_FIELDS), *_FIELDS]
        for r in rows:
            argv.extend(astuple(r))
        try:
            existing = await self._put(keys=[self._key(record.kind, record.identifier)], args=argv)
        except _DOWN as exc:
            raise self._down(exc) from exc
        if not existing:
            return None
        flat = list(existing)
        return _decode(dict(zip(flat[::2], flat[1::2], strict=True)))

    async def delete(self, kind: str, identifier: str, child_kind: str = "") -> bool:
        try:
            found = await self._delete(
                keys=[self._key(kind, identifier)],
                args=[self._prefix, kind, identifier, child_kind],
            )
        except _DOWN as exc:
            raise self._down(exc) from exc
        return bool(found)

    async def list(self, kind: str, after: str, limit: int, parent: str = "") -> list[Record]:
        try:
            return await self._list(kind, after, limit, parent)
        except _DOWN as exc:
            raise self._down(exc) from exc

    async def _list(self, kind: str, after: str, limit: int, parent: str) -> list[Record]:
        if parent:
            members = await self._redis.smembers(f"{self._prefix}c:{kind}:{parent}")
            idents = sorted(m.decode() for m in members if m.decode() > after)[:limit]
        else:
            low = f"({after}" if after else "-"
            raw = await self._redis.zrangebylex(
                f"{self._prefix}i:{kind}", low, "+", start=0, num=limit
            )
            idents = [m.decode() for m in raw]
        return await self._many(kind, idents)

    async def by_provider(self, provider_id: str) -> list[Record]:
        try:
            return await self._by_provider(provider_id)
        except _DOWN as exc:
            raise self._down(exc) from exc

    async def _by_provider(self, provider_id: str) -> list[Record]:
        members = sorted(
            m.decode() for m in await self._redis.smembers(f"{self._prefix}p:{provider_id}")
        )
        out = []
        for member in members:
            kind, _, ident = member.partition(":")
            out.extend(await self._many(kind, [ident]))
        return out

    async def _many(self, kind: str, idents: list[str]) -> list[Record]:
        if not idents:
            return []
        pipe = self._redis.pipeline(transaction=False)
        for ident in idents:
            pipe.hgetall(self._key(kind, ident))
        return [_decode(d) for d in await pipe.execute() if d]

    async def close(self) -> None:
        await self._redis.aclose()


def _decode(data: dict[bytes, bytes]) -> Record:
    values = {k.decode(): v for k, v in data.items()}
    return Record(
        **{
            name: values.get(name, b"")
            if name in ("resource", "requested")
            else values.get(name, b"").decode()
            for name in _FIELDS
        }
    )
