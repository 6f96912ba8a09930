"""The safety service logic: validate the call, pick the provider, run its shield."""

from __future__ import annotations

import logging
from typing import Any

from services.common.providers import ProviderHost
from services.safety.provider import ShieldProvider
from services.safety.types import RunRequest, Violation
from services.safety.validation import check_run

__all__ = ["SafetyService"]

log = logging.getLogger(__name__)


class SafetyService:
    def __init__(self, host: ProviderHost[Any]) -> None:
        self.host = host

    async def run_shield(self, provider_id: str | None, request: RunRequest) -> Violation | None:
        check_run(request)
        provider: ShieldProvider = self.host.pick(provider_id, request.shield_id)
        violation = await provider.run_shield(request)
        if violation is not None:  # never the text: it may hold what the shield caught
            log.info(
                "shield %s: %s violation %s",
                request.shield_id,
                violation.level.value,
                violation.metadata.get("violation_type", ""),
            )
        return violation
