"""The agents provider (`inline::meta-reference`, the reference's name): the turn loop over
the state store and the gateway. It owns no registry resources."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from services.agents.config import AgentsConfig
from services.agents.leases import SessionLocks
from services.agents.service import AgentsService
from services.agents.store import AgentStore
from services.agents.turn import Deps
from services.agents.upstream import Upstream
from services.common.gateway_client import GatewayClient
from services.common.providers import Health, HealthStatus, Provider
from services.common.settings import Settings
from services.common.state import StateStore
from services.common.state.process import open_process_state_store

__all__ = ["AgentsProvider"]

log = logging.getLogger(__name__)


class AgentsProvider(Provider):
    api = "agents"
    provider_type = "inline::meta-reference"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.config = AgentsConfig.model_validate(dict(config))
        #: Who this process is when it holds a session's lease.
        self.owner = uuid.uuid4().hex
        self._state: StateStore | None = None
        self._gateway: GatewayClient | None = None
        self._service: AgentsService | None = None
        self._sweeper: asyncio.Task[None] | None = None

    @property
    def service(self) -> AgentsService:
        assert self._service is not None, "initialize() first"
        return self._service

    async def initialize(self) -> None:
        """Open the state store; the gateway is reached lazily (readiness never waits for it)."""
        settings = Settings()
        self._state = await open_process_state_store(settings)
        self._gateway = GatewayClient(settings.gateway_addr)
        locks = SessionLocks(self._state, self.owner, self.config.turn_lease_seconds)
        deps = Deps(AgentStore(self._state), locks, Upstream(self._gateway), self.config)
        self._service = AgentsService(deps)
        self._sweeper = asyncio.create_task(self._sweep())

    async def _sweep(self) -> None:
        """Turns left running by a process that died are marked failed once their lease
        expired: at start-up, then every sweep interval (on every replica)."""
        while True:
            try:
                await self.service.sweep()
            except Exception:
                log.exception("sweeping expired turns failed")
            await asyncio.sleep(self.config.sweep_interval_seconds)

    async def shutdown(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        if self._gateway is not None:
            await self._gateway.close()
        if self._state is not None:
            await self._state.close()

    async def health(self) -> Health:
        if self._state is None:
            return Health(HealthStatus.HEALTH_STATUS_ERROR, "the state store is not open")
        try:
            await self._state.get("agents.agent", "-")
        except Exception as exc:
            return Health(HealthStatus.HEALTH_STATUS_ERROR, f"state store: {exc}")
        return Health()
