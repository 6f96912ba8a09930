"""AgentsService over gRPC: unpack the request, call the service, pack the answer.

The agents service's objects are its contract's messages (they are what it stores and what
it sends to other APIs), so there is no separate domain layer to convert to.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from llamastack.agents.v1 import agents_service_pb2 as pb
from llamastack.agents.v1 import agents_service_pb2_grpc as pb_grpc
from services.agents.service import AgentsService, final_turn
from services.agents.turn import Caller
from services.common.providers import ProviderHost
from services.common.security import principal
from services.common.security.policy import Subject
from services.common.settings import Settings

if TYPE_CHECKING:
    from services.agents.provider import AgentsProvider

__all__ = ["AgentsServicer", "servicers"]


def servicers(host: ProviderHost[Any]) -> list[tuple[Any, Any]]:
    if len(host.providers) != 1:
        raise SystemExit(
            f"agents: configure exactly one agents provider (inline::meta-reference); "
            f"found {sorted(host.providers) or 'none'}"
        )
    default_timeout = Settings().default_timeout_s
    return [(pb_grpc.add_AgentsServiceServicer_to_server, AgentsServicer(host, default_timeout))]


class AgentsServicer(pb_grpc.AgentsServiceServicer):
    def __init__(self, host: ProviderHost[Any], default_timeout_s: float) -> None:
        self._host = host
        self._default_timeout_s = default_timeout_s

    @property
    def _service(self) -> AgentsService:
        provider: AgentsProvider = self._host.pick(None)
        return provider.service

    def _caller(self, context, streaming: bool) -> Caller:
        left = context.time_remaining()
        deadline = time.monotonic() + (self._default_timeout_s if left is None else left)
        return Caller(deadline, streaming, who(context))

    async def CreateAgent(self, request, context):
        agent = await self._service.create_agent(request.agent_config, who(context))
        return pb.CreateAgentResponse(agent_id=agent.agent_id)

    async def ListAgents(self, request, context):
        data, token = await self._service.store.list_agents(
            request.page_size, request.page_token, who(context)
        )
        return pb.ListAgentsResponse(data=data, next_page_token=token)

    async def GetAgent(self, request, context):
        agent = await self._service.store.get_agent(request.agent_id, who(context))
        return pb.GetAgentResponse(agent=agent)

    async def DeleteAgent(self, request, context):
        await self._service.delete_agent(request.agent_id, who(context))
        return pb.DeleteAgentResponse()

    async def CreateSession(self, request, context):
        session = await self._service.create_session(
            request.agent_id, request.session_name, who(context)
        )
        return pb.CreateSessionResponse(session_id=session.session_id)

    async def ListSessions(self, request, context):
        data, token = await self._service.list_sessions(
            request.agent_id, request.page_size, request.page_token, who(context)
        )
        return pb.ListSessionsResponse(data=data, next_page_token=token)

    async def GetSession(self, request, context):
        session = await self._service.get_session(
            request.agent_id, request.session_id, list(request.turn_ids), who(context)
        )
        return pb.GetSessionResponse(session=session)

    async def DeleteSession(self, request, context):
        await self._service.delete_session(request.agent_id, request.session_id, who(context))
        return pb.DeleteSessionResponse()

    async def CreateTurn(self, request, context):
        req = pb.StreamTurnRequest.FromString(request.SerializeToString())  # same fields
        stream = self._service.stream_turn(req, self._caller(context, streaming=False))
        return pb.CreateTurnResponse(turn=await final_turn(stream))

    async def StreamTurn(self, request, context):
        stream = self._service.stream_turn(request, self._caller(context, streaming=True))
        async with contextlib.aclosing(stream):
            async for event in stream:
                yield pb.StreamTurnResponse(event=event)

    async def ResumeTurn(self, request, context):
        req = pb.StreamResumeTurnRequest.FromString(request.SerializeToString())
        stream = self._service.stream_resume(req, self._caller(context, streaming=False))
        return pb.ResumeTurnResponse(turn=await final_turn(stream))

    async def StreamResumeTurn(self, request, context):
        stream = self._service.stream_resume(request, self._caller(context, streaming=True))
        async with contextlib.aclosing(stream):
            async for event in stream:
                yield pb.StreamResumeTurnResponse(event=event)

    async def GetTurn(self, request, context):
        turn = await self._service.get_turn(
            request.agent_id, request.session_id, request.turn_id, who(context)
        )
        return pb.GetTurnResponse(turn=turn)

    async def GetStep(self, request, context):
        step = await self._service.get_step(
            request.agent_id, request.session_id, request.turn_id, request.step_id, who(context)
        )
        return pb.GetStepResponse(step=step)


def who(context) -> Subject | None:
    """The caller the gateway authenticated (None when authentication is off)."""
    return principal.decode(context.invocation_metadata())
