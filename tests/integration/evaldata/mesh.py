"""The mesh of the dataset IO, scoring and eval tests: those three services, inference with
the real SmolLM2, agents (for agent candidates), a gateway and (for REST) Envoy, all real
processes on port 0."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.integration.inference.mesh import GGUF_REF, MODEL
from tests.support.processes import MeshProcess, start_gateway, start_service, write_config

__all__ = ["CHAT_MODEL", "DATA", "EvalMesh", "run_config"]

#: The hand-made question-answer set (see tests/data/README.md).
DATA = Path(__file__).resolve().parents[2] / "data"
CHAT_MODEL = f"llama-cpp/{MODEL}"
SERVICES = ("inference", "datasetio", "scoring", "eval", "agents")


def run_config(workdir: Path, lease_s: float = 3.0) -> dict[str, Any]:
    return {
        "version": 2,
        "image_name": "evaldata-test",
        "apis": list(SERVICES),
        "providers": {
            "inference": [
                {"provider_id": "llama-cpp", "provider_type": "inline::llama-cpp",
                 "config": {"models": [{"model_id": MODEL, "path": GGUF_REF}], "n_ctx": 2048,
                            "n_threads": 1, "default_max_tokens": 16}},
            ],
            "datasetio": [
                {"provider_id": "localfs", "provider_type": "inline::localfs",
                 "config": {"root": str(workdir / "datasets")}},
            ],
            "scoring": [
                {"provider_id": "basic", "provider_type": "inline::basic"},
                {"provider_id": "llm-as-judge", "provider_type": "inline::llm-as-judge",
                 "config": {"judge_model": CHAT_MODEL, "max_tokens": 12}},
            ],
            "eval": [
                {"provider_id": "meta-reference", "provider_type": "inline::meta-reference",
                 "config": {"lease_s": lease_s, "max_concurrency": 2}},
            ],
            "agents": [{"provider_id": "agents", "provider_type": "inline::meta-reference"}],
        },
        "metadata_store": {"type": "sqlite", "db_path": str(workdir / "state" / "registry.db")},
        "services": {name: {} for name in SERVICES},
        "models": [{"model_id": MODEL, "provider_id": "llama-cpp", "model_type": "llm"}],
        "scoring_fns": [
            {"scoring_fn_id": fn, "provider_id": provider, "return_type": {"type": kind}}
            for fn, provider, kind in (
                ("basic::equality", "basic", "number"),
                ("basic::subset_of", "basic", "number"),
                ("basic::regex_parser_multiple_choice_answer", "basic", "number"),
                ("basic::regex_parser_math_response", "basic", "number"),
                ("llm-as-judge::base", "llm-as-judge", "number"),
            )
        ],
    }  # fmt: skip


class EvalMesh:
    """The services (started first, with the gateway's address), then the gateway."""

    def __init__(self, workdir: Path, **config: Any) -> None:
        self.workdir = workdir
        (workdir / "datasets").mkdir(parents=True, exist_ok=True)
        for f in DATA.glob("qa.*"):
            shutil.copy(f, workdir / "datasets" / f.name)
        self.datasets = workdir / "datasets"
        self.run_config = write_config(workdir / "run.yaml", run_config(workdir, **config))
        self.services: dict[str, MeshProcess] = {}
        self.gateway: MeshProcess | None = None

    def fresh(self, name: str, fmt: str = "jsonl") -> str:
        """A private copy of the question-answer set (tests that append get their own file);
        its `file:` URI."""
        shutil.copy(DATA / f"qa.{fmt}", self.datasets / f"{name}.{fmt}")
        return f"file:{name}.{fmt}"

    def start(self) -> EvalMesh:
        from tests.integration.rest.envoy_proc import free_port

        gateway_port = free_port()
        env = {"LLS_GATEWAY_ADDR": f"127.0.0.1:{gateway_port}"}
        try:
            for name in SERVICES:
                self.services[name] = start_service(name, self.run_config, self.workdir, env=env)
            self.gateway = start_gateway(
                self.run_config, self.workdir, self.services, port=gateway_port
            )
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for proc in [self.gateway, *self.services.values()]:
            if proc is not None:
                proc.stop()


def register_qa(datasets: Any, dataset_id: str, uri: str = "file:qa.jsonl", **fields: Any) -> Any:
    """Register a question-answer dataset through the gateway."""
    from google.protobuf import json_format

    from llamastack.registry.v1 import dataset_service_pb2

    fields.setdefault("source", {"uri": {"uri": uri}})
    request = json_format.ParseDict(
        {"dataset_id": dataset_id, "purpose": "DATASET_PURPOSE_EVAL_QUESTION_ANSWER", **fields},
        dataset_service_pb2.RegisterDatasetRequest(),
    )
    return datasets.RegisterDataset(request, timeout=60).dataset


def qa_rows() -> list[dict[str, str]]:
    import json

    return [json.loads(line) for line in (DATA / "qa.jsonl").read_text().splitlines()]
