"""Agents overhead: what the mesh costs per agent step on a two-step tool turn, against the
model's own time for the same two requests.

`python -m bench.agents_overhead [--quick]` runs one agent turn shape twice — with an instant
scripted model (`bench::paced`: a forced tool call at once, then 8 numbered chunks), which
isolates the mesh's cost to the microsecond, and with the real SmolLM2, which shows its share
of a real turn. The turn: a first model call forced to call a client tool (the turn pauses),
then ResumeTurn with the tool's result and a second model call that answers. Each turn uses
a fresh session of one agent (made before the clock runs), so the model gets the same two
requests every time. Paths, interleaved round by round:

- `agent_turn`: CreateTurn + ResumeTurn through the gateway to the agents service (unary: the
  agents service calls the model with the unary ChatCompletion);
- `direct_model`: the same two requests straight to the inference service (the model's time);
- `gateway_model`: the same two requests through the gateway (a client-side agent loop);
- `agent_turn_streamed` / `direct_model_streamed`: the same with StreamTurn +
  StreamResumeTurn, and StreamChatCompletion (every token crosses two more hops).

Mesh cost per turn = agent_turn - direct_model (median of per-round differences), per step =
that over the turn's three steps (inference, tool_execution, inference). agent_turn -
gateway_model is what the agents service adds over a client running the same loop itself.
The replayed requests must give the turn's own answers (checked on every call).
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import json_format

from bench.harness import emit, interleaved, summary
from bench.mesh import BenchMesh
from bench.real_model import gguf_path
from llamastack.agents.v1 import agents_pb2
from llamastack.agents.v1 import agents_service_pb2 as pb
from llamastack.agents.v1 import agents_service_pb2_grpc as pb_grpc
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc

INSTRUCTIONS = "You are a helpful assistant."
QUESTION = "What is the weather in Paris?"
RESULT = "Sunny, 24 degrees Celsius"
TOOL = {"name": "get_weather", "description": "Get the current weather in a city",
        "parameters": [{"name": "city", "parameter_type": "string"}]}  # fmt: skip
AGENTS = {"provider_id": "meta-reference", "provider_type": "inline::meta-reference"}


@dataclass(frozen=True)
class Scenario:
    name: str
    providers: dict[str, Any]
    inference_module: str
    #: The provider's own model id (direct calls) and its registry identifier.
    model: str
    provider_id: str
    sampling: dict[str, Any]

    @property
    def identifier(self) -> str:
        return f"{self.provider_id}/{self.model}"

    def run_config(self) -> dict[str, Any]:
        return {
            "version": 2,
            "image_name": f"bench-agents-{self.name}",
            "providers": {"inference": [self.providers], "agents": [AGENTS]},
            "services": {"inference": {}, "agents": {}},
            "models": [{"model_id": self.model, "provider_id": self.provider_id}],
        }


SCENARIOS = [
    Scenario(
        "instant_model",
        {"provider_id": "paced", "provider_type": "bench::paced"},
        "bench.paced_service", "scripted", "paced",
        {"greedy": {}, "max_tokens": 8},
    ),
    Scenario(
        "smollm2",
        {"provider_id": "llama-cpp", "provider_type": "inline::llama-cpp",
         "config": {"models": [{"model_id": "SmolLM2-135M-Instruct", "path": gguf_path()}],
                    "n_ctx": 2048, "n_threads": 1}},
        "services.inference", "SmolLM2-135M-Instruct", "llama-cpp",
        {"greedy": {}, "max_tokens": 32},
    ),
]  # fmt: skip


def model_requests(s: Scenario, turn: agents_pb2.Turn) -> list[inf.StreamChatCompletionRequest]:
    """The two requests the agents service sent for `turn` (as its history rebuilds them)."""
    system = {"role": "ROLE_SYSTEM", "content": [{"text": INSTRUCTIONS}]}
    user = {"role": "ROLE_USER", "content": [{"text": QUESTION}]}
    call = json_format.MessageToDict(
        turn.steps[0].inference.model_response, preserving_proto_field_name=True
    )
    call_id = turn.steps[1].tool_execution.tool_responses[0].call_id
    tool = {"role": "ROLE_TOOL", "call_id": call_id, "content": [{"text": RESULT}]}
    tools = [{"tool_name": TOOL["name"], "description": TOOL["description"],
              "parameters": {"city": {"param_type": "string"}}}]  # fmt: skip
    common = {"model_id": s.identifier, "sampling_params": s.sampling, "tools": tools}
    first = {**common, "messages": [system, user], "tool_config": {"tool_name": TOOL["name"]}}
    second = {**common, "messages": [system, user, call, tool],
              "tool_config": {"tool_choice": "TOOL_CHOICE_AUTO"}}  # fmt: skip
    return [json_format.ParseDict(r, inf.StreamChatCompletionRequest()) for r in (first, second)]


async def _generate(stub, request: inf.StreamChatCompletionRequest, stream: bool) -> str:
    """The answer's text (a tool call: its tool's name), by the unary or the streaming RPC."""
    if not stream:
        unary = inf.ChatCompletionRequest.FromString(request.SerializeToString())
        message = (await stub.ChatCompletion(unary)).completion_message
        return "".join(
            [c.text for c in message.content] + [c.tool_name for c in message.tool_calls]
        )
    text = []
    async for chunk in stub.StreamChatCompletion(request):
        delta = chunk.event.delta
        if delta.WhichOneof("delta") == "text":
            text.append(delta.text)
        elif delta.tool_call.HasField("parsed"):
            text.append(delta.tool_call.parsed.tool_name)
    return "".join(text)


class Agent:
    """One agent; each turn in a fresh session (made before the clock runs)."""

    def __init__(self, stub: pb_grpc.AgentsServiceStub, agent_id: str, sessions: list[str]):
        self.stub, self.agent_id, self.sessions = stub, agent_id, sessions
        self.turns: list[agents_pb2.Turn] = []

    async def turn(self, stream: bool) -> None:
        ids = {"agent_id": self.agent_id, "session_id": self.sessions.pop()}
        message = {"role": "ROLE_USER", "content": [{"text": QUESTION}]}
        if stream:
            paused = await _last(
                self.stub.StreamTurn(pb.StreamTurnRequest(**ids, messages=[message]))
            )
        else:
            paused = (
                await self.stub.CreateTurn(pb.CreateTurnRequest(**ids, messages=[message]))
            ).turn
        assert paused.status == agents_pb2.TURN_STATUS_AWAITING_INPUT, paused.error
        (call,) = paused.output_message.tool_calls
        result = {"call_id": call.call_id, "content": [{"text": RESULT}]}
        resume = {**ids, "turn_id": paused.turn_id, "tool_responses": [result]}
        if stream:
            done = await _last(self.stub.StreamResumeTurn(pb.StreamResumeTurnRequest(**resume)))
        else:
            done = (await self.stub.ResumeTurn(pb.ResumeTurnRequest(**resume))).turn
        assert done.status == agents_pb2.TURN_STATUS_COMPLETED, done.error
        self.turns.append(done)


async def _last(stream) -> agents_pb2.Turn:
    turn = None
    async for chunk in stream:
        kind = chunk.event.WhichOneof("payload")
        if kind in ("turn_complete", "turn_awaiting_input"):
            turn = getattr(chunk.event, kind).turn
    return turn


async def measure(s: Scenario, mesh: BenchMesh, rounds: int, per_round: int) -> dict:
    async with (
        grpc.aio.insecure_channel(mesh.gateway.address) as gch,
        grpc.aio.insecure_channel(mesh.services["inference"].address) as ich,
    ):
        stub = pb_grpc.AgentsServiceStub(gch)
        via_gateway, direct = inf_grpc.InferenceServiceStub(gch), inf_grpc.InferenceServiceStub(ich)
        config = json_format.ParseDict(
            {"model": s.identifier, "instructions": INSTRUCTIONS, "sampling_params": s.sampling,
             "client_tools": [TOOL], "tool_config": {"tool_name": TOOL["name"]}},
            agents_pb2.AgentConfig(),
        )  # fmt: skip
        agent_id = (await stub.CreateAgent(pb.CreateAgentRequest(agent_config=config))).agent_id
        sessions = [
            (await stub.CreateSession(pb.CreateSessionRequest(agent_id=agent_id))).session_id
            for _ in range(6 + 2 * rounds * per_round)
        ]
        agent = Agent(stub, agent_id, sessions)
        await agent.turn(stream=False)
        await agent.turn(stream=True)
        routed = model_requests(s, agent.turns[0])
        direct_requests = []
        for r in routed:
            d = inf.StreamChatCompletionRequest()
            d.CopyFrom(r)
            d.model_id = s.model  # the provider's own id, as the gateway rewrites it
            direct_requests.append(d)
        # The replayed requests give the agent's own answers (unary and streamed).
        expected = {
            stream: [TOOL["name"], "".join(c.text for c in turn.output_message.content)]
            for stream, turn in ((False, agent.turns[0]), (True, agent.turns[1]))
        }

        def replay(stub, requests, stream):
            async def run():
                out = [await _generate(stub, r, stream) for r in requests]
                assert out == expected[stream], (out, expected[stream])

            return run

        paths = {
            "agent_turn": lambda: agent.turn(stream=False),
            "direct_model": replay(direct, direct_requests, False),
            "gateway_model": replay(via_gateway, routed, False),
            "agent_turn_streamed": lambda: agent.turn(stream=True),
            "direct_model_streamed": replay(direct, direct_requests, True),
        }
        lat = await interleaved(paths, rounds=rounds, per_round=per_round, warmup=1)
    steps = [st.WhichOneof("details") for st in agent.turns[-1].steps]

    def per_turn(path: str, baseline: str) -> float:
        return lat.added_p50_us(path, baseline) / 1000

    unary, streamed = (
        per_turn("agent_turn", "direct_model"),
        per_turn("agent_turn_streamed", "direct_model_streamed"),
    )
    return {
        "steps": steps,
        "in_flight_1": {name: summary(lat.flat(name)) for name in lat},
        "mesh_cost_per_turn_ms": round(unary, 2),
        "mesh_cost_per_step_ms": round(unary / len(steps), 2),
        "mesh_cost_per_turn_streamed_ms": round(streamed, 2),
        "mesh_cost_per_step_streamed_ms": round(streamed / len(steps), 2),
        "agents_service_over_client_loop_ms": round(per_turn("agent_turn", "gateway_model"), 2),
        "mesh_share_of_turn": round(unary * 1000 / summary(lat.flat("agent_turn"))["p50_us"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    doc: dict[str, Any] = {}
    table = [("scenario / path", "p50 ms", "p99 ms")]
    for s in SCENARIOS:
        rounds, per_round = (
            ((4, 10) if args.quick else (10, 20)) if s.name == "instant_model"
            else ((2, 1) if args.quick else (6, 2))
        )  # fmt: skip
        mesh = BenchMesh(s.run_config(), {"inference": s.inference_module,
                                          "agents": "services.agents"})  # fmt: skip
        mesh.start(envoy=False)
        try:
            result = asyncio.run(measure(s, mesh, rounds, per_round))
        finally:
            mesh.stop()
        doc[s.name] = result
        for name, st in result["in_flight_1"].items():
            table.append((f"{s.name} {name}", round(st["p50_us"] / 1000, 2),
                          round(st["p99_us"] / 1000, 2)))  # fmt: skip
        table += [
            (f"{s.name} mesh cost per turn", result["mesh_cost_per_turn_ms"], ""),
            (f"{s.name} mesh cost per step", result["mesh_cost_per_step_ms"], ""),
            (f"{s.name} mesh cost per step, streamed",
             result["mesh_cost_per_step_streamed_ms"], ""),
            (f"{s.name} agents service over a client loop",
             result["agents_service_over_client_loop_ms"], ""),
        ]  # fmt: skip
    emit("agents_overhead", doc, table)


if __name__ == "__main__":
    main()
