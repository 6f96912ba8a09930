"""A real HTTP server speaking just enough of the OpenAI API to record what clients send:
`GET /v1/models` lists one model; `POST /v1/chat/completions` records the request's bytes and
answers a one-word completion (JSON, or Server-Sent Events when the body asks to stream)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["CaptureServer"]


class CaptureServer:
    """Started in a thread of the test process on a free port; `requests` holds
    (path, headers, body bytes) of every POST, in arrival order."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> CaptureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def last_body(self) -> bytes:
        return self.requests[-1][2]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        capture = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, content_type: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/") != "/v1/models":
                    self._send(404, "application/json", b'{"error":{"message":"not found"}}')
                    return
                listing = {"object": "list", "data": [{"id": capture.model, "object": "model"}]}
                self._send(200, "application/json", json.dumps(listing).encode())

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                capture.requests.append((self.path, dict(self.headers), body))
                request = json.loads(body)
                base = {"id": "chatcmpl-1", "created": 1, "model": request.get("model", "")}
                if request.get("stream"):
                    chunk = {**base, "object": "chat.completion.chunk", "choices": [
                        {"index": 0, "delta": {"role": "assistant", "content": "Hi"},
                         "finish_reason": "stop"}]}  # fmt: skip
                    data = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
                    self._send(200, "text/event-stream", data)
                    return
                answer = {**base, "object": "chat.completion", "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": "Hi"},
                     "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 3, "completion_tokens": 1,
                              "total_tokens": 4}}  # fmt: skip
                self._send(200, "application/json", json.dumps(answer).encode())

        return Handler
