"""The OpenAI-compatible API of the inference service (`llamastack.openai.v1.OpenAIService`).

The logic works on OpenAI's JSON as plain dicts: `convert` turns the proto request into that
JSON (and JSON answers into typed messages for gRPC clients); providers that speak the OpenAI
API themselves get the request as it is (`OpenAIPassthrough`); for the others (inline
llama.cpp, sentence-transformers) `to_domain` and `from_domain` translate to and from the
inference domain types, and the native `InferenceService` logic runs the call.
"""
