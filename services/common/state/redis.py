"""Redis state store: shared by replicas.

Layout under `<ns>:state:v1:`:
- `d:<collection>:<key>`          hash: data, version, parent, sort, updated
- `o:<collection>:<parent>`       sorted set (score 0) of `<sort>\\0<key>`, listed by lexical range
- `n:<counter>`                   integer counters (with a TTL for windows)
Writes are Lua scripts, so a document and its index change atomically and conditionally.
"""

from __future__ import annotations

import time

import redis.asyncio as aioredis

from services.common.state import Conflict, Doc

__all__ = ["RedisStateStore"]

# KEYS: doc key; ARGV: index prefix, data, parent, sort, updated, expect ('' = none), member
_PUT = """
local cur = redis.call('HMGET', KEYS[1], 'version', 'parent', 'sort')
local version = tonumber(cur[1]) or 0
if ARGV[6] ~= '' and tonumber(ARGV[6]) ~= version then return {-1, version} end
if cur[1] then
  redis.call('ZREM', ARGV[1] .. cur[2], cur[3] .. '\\0' .. ARGV[7])
end
version = version + 1
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'version', version, 'parent', ARGV[3],
           'sort', ARGV[4], 'updated', ARGV[5])
redis.call('ZADD', ARGV[1] .. ARGV[3], 0, ARGV[4] .. '\\0' .. ARGV[7])
return {0, version}
"""

# KEYS: doc key; ARGV: index prefix, expect ('' = none), key
_DELETE = """
local cur = redis.call('HMGET', KEYS[1], 'version', 'parent', 'sort')
if not cur[1] then
  if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= 0 then return -1 end
  return 0
end
if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= tonumber(cur[1]) then return -1 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', ARGV[1] .. cur[2], cur[3] .. '\\0' .. ARGV[3])
return 1
"""

# KEYS: counter; ARGV: amount, ttl in ms ('' = none)
_INCR = """
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if ARGV[2] ~= '' and redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return v
"""


class RedisStateStore:
    def __init__(self, url: str, namespace: str = "llamastack") -> None:
        self._redis = aioredis.from_url(url)
        self._prefix = f"{namespace}:state:v1:"
        self._put = self._redis.register_script(_PUT)
        self._delete = self._redis.register_script(_DELETE)
        self._incr = self._redis.register_script(_INCR)

    async def ping(self) -> None:
        await self._redis.ping()

    def _doc_key(self, collection: str, key: str) -> str:
        return f"{self._prefix}d:{collection}:{key}"

    def _index(self, collection: str) -> str:
        return f"{self._prefix}o:{collection}:"

    async def get(self, collection: str, key: str) -> Doc | None:
        fields = await self._redis.hgetall(self._doc_key(collection, key))
        return _doc(collection, key, fields) if fields else None

    async def put(
        self,
        collection: str,
        key: str,
        data: bytes,
        *,
        parent: str = "",
        sort: str = "",
        expect: int | None = None,
    ) -> Doc:
        now = time.time()
        status, version = await self._put(
            keys=[self._doc_key(collection, key)],
            args=[self._index(collection), data, parent, sort, repr(now),
                  "" if expect is None else expect, key],
        )  # fmt: skip
        if status < 0:
            raise Conflict(f"{collection}/{key} is at version {version}, not {expect}")
        return Doc(collection, key, bytes(data), int(version), parent, sort, now)

    async def delete(self, collection: str, key: str, *, expect: int | None = None) -> bool:
        out = await self._delete(
            keys=[self._doc_key(collection, key)],
            args=[self._index(collection), "" if expect is None else expect, key],
        )
        if out < 0:
            raise Conflict(f"{collection}/{key} changed or no longer exists")
        return out == 1

    async def list(
        self, collection: str, *, parent: str = "", after: str = "", limit: int = 100
    ) -> list[Doc]:
        start = b"(" + after.encode() if after else b"-"
        members = await self._redis.zrangebylex(
            self._index(collection) + parent, start, b"+", start=0, num=limit
        )
        keys = [m.split(b"\x00", 1)[1].decode() for m in members]
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            pipe.hgetall(self._doc_key(collection, key))
        out = []
        for key, fields in zip(keys, await pipe.execute(), strict=True):
            if fields:  # deleted between the two reads
                out.append(_doc(collection, key, fields))
        return out

    async def delete_children(self, collection: str, parent: str) -> int:
        deleted = 0
        while True:
            page = await self.list(collection, parent=parent, limit=500)
            if not page:
                return deleted
            for doc in page:
                deleted += await self.delete(collection, doc.key)

    async def incr(self, counter: str, amount: int = 1, ttl_s: float | None = None) -> int:
        ttl = "" if not ttl_s else int(ttl_s * 1000)
        return int(await self._incr(keys=[f"{self._prefix}n:{counter}"], args=[amount, ttl]))

    async def close(self) -> None:
        await self._redis.aclose()


def _doc(collection: str, key: str, fields: dict[bytes, bytes]) -> Doc:
    return Doc(
        collection,
        key,
        fields[b"data"],
        int(fields[b"version"]),
        fields.get(b"parent", b"").decode(),
        fields.get(b"sort", b"").decode(),
        float(fields.get(b"updated", b"0")),
    )
