"""What a safety provider is: the capability the service calls (`ShieldProvider`), and the
shield table every safety provider composes (`ShieldProviderBase`).

Shields are keyed by their registry identifier, not by the provider's own id: several Llama
Guard shields may judge with the same model (`provider_resource_id`) and differ only in
their params. Calls through the gateway name the identifier in `x-llamastack-resource-id`;
direct calls name it in `shield_id`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ValidationError

from llamastack.registry.v1 import resources_pb2
from services.common.errors import InvalidArgument
from services.common.providers import Provider
from services.common.resources import Accepted, ResourceTable, identifier
from services.safety.convert import shield_params
from services.safety.types import RunRequest, Violation

__all__ = ["ShieldProvider", "ShieldProviderBase", "check_run_params", "parse_params"]

S = TypeVar("S")
M = TypeVar("M", bound=BaseModel)


@runtime_checkable
class ShieldProvider(Protocol):
    """Runs a registered shield over messages: None, or the one violation it found."""

    async def run_shield(self, request: RunRequest) -> Violation | None: ...


class ShieldProviderBase(Provider, Generic[S]):
    """A provider's shields (a `ResourceTable` of the provider's compiled shields, type S).

    Subclasses implement `build_shield` (validate a registration: its params and its
    `provider_resource_id`; raise to refuse) and `run` (one call on a built shield).
    """

    api: ClassVar[str] = "safety"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.table: ResourceTable[S] = ResourceTable(
            "shield", self.label, self.ready, accept=self._accept, key=identifier
        )

    async def _accept(self, shield: resources_pb2.Shield) -> Accepted[S]:
        built = await self.build_shield(
            shield.identifier, shield.provider_resource_id, shield_params(shield)
        )
        return Accepted(shield, built)

    async def build_shield(self, shield_id: str, provider_resource_id: str, params: dict) -> S:
        raise NotImplementedError

    async def run(self, shield: S, request: RunRequest) -> Violation | None:
        raise NotImplementedError

    async def run_shield(self, request: RunRequest) -> Violation | None:
        return await self.run(self.table.get(request.shield_id), request)


def check_run_params(request: RunRequest, provider_type: str, accepted: Mapping[str, str]) -> None:
    """INVALID_ARGUMENT for run params a provider does not take (`accepted`: name -> what
    it does), naming the ones it does."""
    unknown = sorted(set(request.params) - set(accepted))
    if not unknown:
        return
    takes = "; ".join(f"{k}: {v}" for k, v in accepted.items()) or "none"
    raise InvalidArgument(
        f"shield {request.shield_id!r} ({provider_type}) does not take the run param(s) "
        f"{', '.join(unknown)}; params it takes: {takes}",
        field="params",
    )


def parse_params(model: type[M], data: Mapping[str, Any], where: str) -> M:
    """`data` validated as `model`; INVALID_ARGUMENT saying which field is wrong and why
    (`where`: "shield 'pii': params")."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
            msg = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{where}{loc}: {msg}")
        raise InvalidArgument("; ".join(problems[:5]), field="params") from None
