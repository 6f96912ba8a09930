"""What a scoring provider is: its built-in functions (configured entries of its table, so
they are known from start-up), how a registration is checked and completed, and `score`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from llamastack.registry.v1 import resources_pb2
from services.common.aggregation import AGGREGATIONS
from services.common.errors import InvalidArgument
from services.common.providers import Provider
from services.common.resources import Accepted, ResourceTable
from services.scoring import convert
from services.scoring.types import FnParams, Row, ScoringFn

__all__ = ["Builtin", "ScoringProviderBase", "compile_regexes"]


@dataclass(frozen=True)
class Builtin:
    """A function a provider implements: its description, return type and default params."""

    description: str
    params: FnParams
    return_type: str = "number"


def compile_regexes(patterns: Sequence[str], field: str, fn_id: str) -> list[re.Pattern[str]]:
    out = []
    for pattern in patterns:
        try:
            out.append(re.compile(pattern))
        except re.error as exc:
            raise InvalidArgument(
                f"scoring function {fn_id}: {field} {pattern!r} is not a valid regular "
                f"expression: {exc}",
                field=field,
            ) from None
    return out


class ScoringProviderBase(Provider):
    """A table of scoring functions by the provider's own id. Built-ins are configured
    entries; a registration names one of them (`provider_scoring_fn_id`) or, for providers
    with `generic_kind`, any id with params of that kind."""

    api: ClassVar[str] = "scoring"
    #: provider_fn_id -> built-in.
    builtins: ClassVar[Mapping[str, Builtin]] = {}
    #: Params kind under which any registered id is accepted (llm-as-judge), else "".
    generic_kind: ClassVar[str] = ""

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.functions: ResourceTable[Builtin] = ResourceTable(
            "scoring_function", self.label, self.ready, accept=self._accept
        )
        self.table = self.functions
        for fn_id, builtin in self.builtins.items():
            self.functions.add_configured(fn_id, builtin)

    def builtin_for(self, fn: ScoringFn) -> Builtin:
        builtin = self.builtins.get(fn.provider_fn_id)
        if builtin is not None:
            return builtin
        if self.generic_kind and fn.params.kind == self.generic_kind:
            return Builtin(fn.description, self.generic_params(), fn.return_type or "number")
        hint = f", or any id with {self.generic_kind} params" if self.generic_kind else ""
        raise InvalidArgument(
            f"{self.label} has no scoring function {fn.provider_fn_id!r}: it implements "
            f"{', '.join(sorted(self.builtins))}{hint}; set provider_scoring_fn_id to one of them",
            scoringFnId=fn.identifier,
        )

    def generic_params(self) -> FnParams:
        """Defaults under the params of a registered id that is not a built-in."""
        return FnParams(self.generic_kind)

    def complete(self, fn: ScoringFn) -> ScoringFn:
        """The function with the built-in's defaults under its own params, checked."""
        builtin = self.builtin_for(fn)
        params = builtin.params.merged(fn.params, fn.identifier)
        done = replace(
            fn,
            params=params,
            description=fn.description or builtin.description,
            return_type=fn.return_type or builtin.return_type,
        )
        self.check(done)
        return done

    def check(self, fn: ScoringFn) -> None:
        """Validate complete params (subclasses add their own checks)."""
        unknown = [a for a in fn.params.aggregation_functions if a not in AGGREGATIONS]
        if unknown:
            raise InvalidArgument(f"unknown aggregation functions {unknown}")

    async def _accept(self, resource: resources_pb2.ScoringFunction) -> Accepted[Builtin]:
        done = self.complete(convert.scoring_fn(resource))
        return Accepted(convert.scoring_fn_proto(done, resource), self.builtin_for(done))

    async def score(self, fn: ScoringFn, rows: Sequence[Row]) -> list[Row]:
        """One score row (at least `score`) per input row; `fn.params` are complete."""
        raise NotImplementedError
