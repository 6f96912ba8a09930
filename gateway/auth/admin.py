"""ApiKeyService: create, list, get and revoke API keys (admin role only)."""

from __future__ import annotations

from google.protobuf import timestamp_pb2

from gateway.auth.authn import Authenticator
from gateway.auth.caller import current_caller
from gateway.auth.keys import ApiKeyRecord, ApiKeyStore
from llamastack.admin.v1 import api_key_service_pb2 as pb
from llamastack.admin.v1 import api_key_service_pb2_grpc as pb_grpc
from services.common import pagination
from services.common.errors import InvalidArgument, NotFound
from services.common.security.config import QuotaLimits
from services.common.security.errors import PermissionDenied

__all__ = ["ApiKeyServicer"]


class ApiKeyServicer(pb_grpc.ApiKeyServiceServicer):
    def __init__(self, keys: ApiKeyStore, authn: Authenticator | None, admin_role: str) -> None:
        self._keys = keys
        self._authn = authn
        self._admin_role = admin_role

    def _admin(self, action: str) -> str:
        """The admin's principal (or "" with auth off); PERMISSION_DENIED for others."""
        caller = current_caller()
        if self._authn is None or caller is None or caller.system:
            return ""
        if not caller.subject.has("roles", self._admin_role):
            raise PermissionDenied(
                f"{caller.principal!r} may not {action} API keys: that needs the "
                f"{self._admin_role!r} role",
                action=action,
                resourceKind="api_key",
                principal=caller.principal,
            )
        return caller.principal

    async def CreateApiKey(self, request, context):
        creator = self._admin("create")
        limits = QuotaLimits(
            requests_per_minute=_opt(request.limits, "requests_per_minute"),
            tokens_per_day=_opt(request.limits, "tokens_per_day"),
        )
        ttl = request.ttl.ToTimedelta().total_seconds() if request.HasField("ttl") else None
        record, secret = await self._keys.create(
            request.principal,
            {k: list(v.values) for k, v in request.attributes.items()},
            description=request.description,
            ttl_s=ttl,
            limits=limits,
            created_by=creator,
        )
        return pb.CreateApiKeyResponse(api_key=_to_proto(record), secret=secret)

    async def ListApiKeys(self, request, context):
        self._admin("list")
        size = pagination.page_size(request.page_size)
        after = pagination.decode(request.page_token, request.principal)
        records, last = await self._keys.list(after, size, request.principal)
        token = pagination.encode(last, request.principal) if last else ""
        return pb.ListApiKeysResponse(data=[_to_proto(r) for r in records], next_page_token=token)

    async def GetApiKey(self, request, context):
        self._admin("read")
        record = await self._keys.get(request.key_id)
        if record is None:
            raise _not_found(request.key_id)
        return pb.GetApiKeyResponse(api_key=_to_proto(record))

    async def RevokeApiKey(self, request, context):
        self._admin("revoke")
        if not await self._keys.revoke(request.key_id):
            raise _not_found(request.key_id)
        if self._authn is not None:
            self._authn.revoked()
        return pb.RevokeApiKeyResponse()


def _opt(message, name: str) -> int | None:
    if not message.HasField(name):
        return None
    value = getattr(message, name)
    if value <= 0:
        raise InvalidArgument(f"limits.{name} must be positive (or unset)", field=f"limits.{name}")
    return value


def _ts(seconds: float) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromNanoseconds(int(seconds * 1e9))
    return ts


def _to_proto(r: ApiKeyRecord) -> pb.ApiKey:
    out = pb.ApiKey(
        key_id=r.key_id,
        principal=r.principal,
        description=r.description,
        create_time=_ts(r.created),
        created_by=r.created_by,
    )
    for name, values in r.attributes.items():
        out.attributes[name].values.extend(values)
    if r.expires:
        out.expire_time.CopyFrom(_ts(r.expires))
    if r.requests_per_minute is not None:
        out.limits.requests_per_minute = r.requests_per_minute
    if r.tokens_per_day is not None:
        out.limits.tokens_per_day = r.tokens_per_day
    return out


def _not_found(key_id: str) -> NotFound:
    return NotFound(
        f"API key {key_id!r} does not exist (or was revoked); list the keys to see what exists",
        resourceKind="api_key",
        identifier=key_id,
    )
