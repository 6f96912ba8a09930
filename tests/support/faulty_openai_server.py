"""`python -m tests.support.faulty_openai_server <port file>`: a tiny real OpenAI-compatible HTTP
server that misbehaves on request, for the remote provider's fault tests.

The model named in a chat completion picks the behaviour (`GET /v1/models` lists them all):
- `good`: 5 chunk events (one every 50 ms), then `data: [DONE]` (unary: one JSON answer);
- `malformed`: 2 chunks, then an event whose data is not JSON;
- `cut`: 2 chunks, then the connection closes in the middle of the chunked body;
- `no-done`: 2 chunks, then the body ends (HTTP/1.0, close-delimited) without `[DONE]`;
- `stall`: 2 chunks, then nothing while the client stays connected;
- `slow`: nothing at all (no status line) while the client stays connected.
"""

from __future__ import annotations

import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MODELS = ("good", "malformed", "cut", "no-done", "stall", "slow")


def _chunk(model: str, i: int) -> bytes:
    data = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "model": model,
        "choices": [{"index": 0, "delta": {"content": f"t{i} "}, "finish_reason": None}],
    }
    return f"data: {json.dumps(data)}\n\n".encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt: str, *args) -> None:  # quiet
        return

    def do_GET(self) -> None:
        if self.path.rstrip("/") != "/v1/models":
            self._json(404, {"error": {"message": f"no route {self.path}"}})
            return
        self._json(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in MODELS]})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))) or b"{}")
        model = body.get("model", "")
        if self.path.rstrip("/") != "/v1/chat/completions" or model not in MODELS:
            self._json(404, {"error": {"message": f"unknown model {model!r}"}})
            return
        if model == "slow":
            self._hold()
            return
        if not body.get("stream"):
            message = {"role": "assistant", "content": "ok"}
            self._json(200, {"id": "c1", "object": "chat.completion", "model": model,
                             "choices": [{"index": 0, "message": message,
                                          "finish_reason": "stop"}]})  # fmt: skip
            return
        if model == "no-done":
            self.protocol_version = "HTTP/1.0"  # the body ends when the connection does
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("connection", "close")
            self.end_headers()
            for i in range(2):
                self.wfile.write(_chunk(model, i))
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        events = [_chunk(model, i) for i in range(5 if model == "good" else 2)]
        for event in events:
            self._send_chunk(event)
            time.sleep(0.05)
        if model == "good":
            self._send_chunk(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
        elif model == "malformed":
            self._send_chunk(b'data: {"choices": [{"delta": {"content": "oops\n\n')
            self._send_chunk(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
        elif model == "cut":
            self.wfile.flush()
            self.close_connection = True  # no terminating chunk: an incomplete body
        elif model == "stall":
            self._hold()

    def _send_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _hold(self) -> None:
        """Keep the connection open, sending nothing, until the client goes away."""
        self.connection.settimeout(0.2)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if self.connection.recv(1) == b"":
                    break
            except TimeoutError:
                continue
            except OSError:
                break
        self.close_connection = True

    def _json(self, status: int, data: dict) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_file = Path(sys.argv[1])
    tmp = port_file.with_suffix(".tmp")
    tmp.write_text(str(server.server_address[1]))
    os.replace(tmp, port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
