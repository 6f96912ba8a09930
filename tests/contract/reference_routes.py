"""The Llama Stack v0.2 routes of the APIs in scope, as concrete sample requests.

Each must be answered by exactly one HTTP rule of our protos. Model ids contain `/`.
The OpenAI-compatible `/v1/openai/v1/*` surface, files, batches, prompts, responses and
vector stores are out of scope (ARCHITECTURE.md).
"""

REFERENCE_ROUTES: list[tuple[str, str]] = [
    # inference
    ("POST", "/v1/inference/chat-completion"),
    ("POST", "/v1/inference/completion"),
    ("POST", "/v1/inference/embeddings"),
    ("POST", "/v1/inference/batch-chat-completion"),
    ("POST", "/v1/inference/batch-completion"),
    # models
    ("GET", "/v1/models"),
    ("POST", "/v1/models"),
    ("GET", "/v1/models/llama-cpp/SmolLM2-135M-Instruct"),
    ("DELETE", "/v1/models/llama-cpp/SmolLM2-135M-Instruct"),
    # safety + shields
    ("POST", "/v1/safety/run-shield"),
    ("GET", "/v1/shields"),
    ("POST", "/v1/shields"),
    ("GET", "/v1/shields/llama-guard"),
    ("DELETE", "/v1/shields/llama-guard"),
    # agents
    ("POST", "/v1/agents"),
    ("GET", "/v1/agents"),
    ("GET", "/v1/agents/a1"),
    ("DELETE", "/v1/agents/a1"),
    ("POST", "/v1/agents/a1/session"),
    ("GET", "/v1/agents/a1/sessions"),
    ("GET", "/v1/agents/a1/session/s1"),
    ("DELETE", "/v1/agents/a1/session/s1"),
    ("POST", "/v1/agents/a1/session/s1/turn"),
    ("POST", "/v1/agents/a1/session/s1/turn/t1/resume"),
    ("GET", "/v1/agents/a1/session/s1/turn/t1"),
    ("GET", "/v1/agents/a1/session/s1/turn/t1/step/st1"),
    # tool groups, tools, tool runtime
    ("GET", "/v1/toolgroups"),
    ("POST", "/v1/toolgroups"),
    ("GET", "/v1/toolgroups/builtin::rag"),
    ("DELETE", "/v1/toolgroups/builtin::rag"),
    ("GET", "/v1/tools"),
    ("GET", "/v1/tools/knowledge_search"),
    ("GET", "/v1/tool-runtime/list-tools"),
    ("POST", "/v1/tool-runtime/invoke"),
    ("POST", "/v1/tool-runtime/rag-tool/insert"),
    ("POST", "/v1/tool-runtime/rag-tool/query"),
    # vector dbs, vector io
    ("GET", "/v1/vector-dbs"),
    ("POST", "/v1/vector-dbs"),
    ("GET", "/v1/vector-dbs/my-docs"),
    ("DELETE", "/v1/vector-dbs/my-docs"),
    ("POST", "/v1/vector-io/insert"),
    ("POST", "/v1/vector-io/query"),
    # datasets, datasetio
    ("GET", "/v1/datasets"),
    ("POST", "/v1/datasets"),
    ("GET", "/v1/datasets/simpleqa"),
    ("DELETE", "/v1/datasets/simpleqa"),
    ("GET", "/v1/datasetio/iterrows/simpleqa"),
    ("POST", "/v1/datasetio/append-rows/simpleqa"),
    # scoring, scoring functions
    ("POST", "/v1/scoring/score"),
    ("POST", "/v1/scoring/score-batch"),
    ("GET", "/v1/scoring-functions"),
    ("POST", "/v1/scoring-functions"),
    ("GET", "/v1/scoring-functions/basic::equality"),
    ("DELETE", "/v1/scoring-functions/basic::equality"),
    # telemetry
    ("POST", "/v1/telemetry/events"),
    ("POST", "/v1/telemetry/traces"),
    ("GET", "/v1/telemetry/traces/tr1"),
    ("GET", "/v1/telemetry/traces/tr1/spans/sp1"),
    ("POST", "/v1/telemetry/spans/sp1/tree"),
    ("POST", "/v1/telemetry/spans"),
    ("POST", "/v1/telemetry/spans/export"),
    ("POST", "/v1/telemetry/metrics/prompt_tokens"),
    # synthetic data generation, batch inference (v0.2.0 spec)
    ("POST", "/v1/synthetic-data-generation/generate"),
    ("POST", "/v1/batch-inference/completion"),
    ("POST", "/v1/batch-inference/chat-completion"),
    # inspect, providers
    ("GET", "/v1/inspect/routes"),
    ("GET", "/v1/health"),
    ("GET", "/v1/version"),
    ("GET", "/v1/providers"),
    ("GET", "/v1/providers/llama-cpp"),
]

# Eval and post training exist under /v1 (deprecated in the reference) and /v1alpha.
for _level in ("v1", "v1alpha"):
    REFERENCE_ROUTES += [
        ("GET", f"/{_level}/eval/benchmarks"),
        ("POST", f"/{_level}/eval/benchmarks"),
        ("GET", f"/{_level}/eval/benchmarks/simpleqa"),
        ("DELETE", f"/{_level}/eval/benchmarks/simpleqa"),
        ("POST", f"/{_level}/eval/benchmarks/simpleqa/jobs"),
        ("GET", f"/{_level}/eval/benchmarks/simpleqa/jobs/j1"),
        ("DELETE", f"/{_level}/eval/benchmarks/simpleqa/jobs/j1"),
        ("GET", f"/{_level}/eval/benchmarks/simpleqa/jobs/j1/result"),
        ("POST", f"/{_level}/eval/benchmarks/simpleqa/evaluations"),
        ("POST", f"/{_level}/post-training/supervised-fine-tune"),
        ("POST", f"/{_level}/post-training/preference-optimize"),
        ("GET", f"/{_level}/post-training/jobs"),
        ("GET", f"/{_level}/post-training/job/status"),
        ("POST", f"/{_level}/post-training/job/cancel"),
        ("GET", f"/{_level}/post-training/job/artifacts"),
    ]
