"""The inference API service: chat, completion and embeddings over llama.cpp,
sentence-transformers and OpenAI-compatible servers (vLLM, llama.cpp's server, hosted APIs)."""
