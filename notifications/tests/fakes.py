"""A fake SMS gateway and WeChat API on 127.0.0.1 (a port the OS picks), so the adapters speak
real HTTP in tests and nothing leaves the machine. Each test sets `mode` and reads `received`."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeGateway:
    def __init__(self) -> None:
        # sms: "ok" | "delivered" | "refuse" | "timeout" | "busy" (503) | "busy_then_ok"
        self.mode = "ok"
        # wechat: "ok" | "stale_token" (first send answers 40001) | "refuse"
        self.wechat_mode = "ok"
        self.received: list[dict[str, Any]] = []
        self.tokens_issued = 0
        self.delay = 1.0
        self.echo = ""  # text the gateway puts in its error message (e.g. the key it was sent)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep the test output clean
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                raw = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/cgi-bin/token":
                    gateway.tokens_issued += 1
                    q = dict(urllib.parse.parse_qsl(url.query))
                    gateway.received.append({"path": url.path, "query": q})
                    self._answer(
                        200,
                        {"access_token": f"TOKEN-{gateway.tokens_issued}", "expires_in": 7200},
                    )
                    return
                self._answer(404, {"errcode": 404})

            def do_POST(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                entry = {
                    "path": url.path,
                    "query": dict(urllib.parse.parse_qsl(url.query)),
                    "headers": dict(self.headers),
                    "json": body,
                }
                gateway.received.append(entry)
                if url.path.startswith("/cgi-bin/message/"):
                    self._wechat(entry)
                    return
                mode = gateway.mode
                if mode == "busy_then_ok":
                    gateway.mode = "ok"
                    mode = "busy"
                if mode == "timeout":
                    time.sleep(gateway.delay)
                    self._answer(200, {"code": "OK", "message_id": "late"})
                elif mode == "busy":
                    self._answer(503, {"code": "BUSY", "message": "系统繁忙"})
                elif mode == "refuse":
                    self._answer(
                        200,
                        {
                            "code": "isv.MOBILE_NUMBER_ILLEGAL",
                            "message": f"手机号码格式错误 {gateway.echo}".strip(),
                        },
                    )
                else:
                    n = sum(1 for r in gateway.received if r["path"] == url.path)
                    answer = {"code": "OK", "message_id": f"SM{n:04d}"}
                    if mode == "delivered":
                        answer["status"] = "delivered"
                    self._answer(200, answer)

            def _wechat(self, entry: dict[str, Any]) -> None:
                token = entry["query"].get("access_token", "")
                if gateway.wechat_mode == "stale_token" and token == "TOKEN-1":
                    self._answer(200, {"errcode": 40001, "errmsg": "invalid credential"})
                elif gateway.wechat_mode == "refuse":
                    self._answer(200, {"errcode": 43004, "errmsg": f"require subscribe {token}"})
                else:
                    self._answer(200, {"errcode": 0, "errmsg": "ok", "msgid": 200228332})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def sms(self) -> list[dict[str, Any]]:
        return [r["json"] for r in self.received if r["path"] == "/sms/send"]
