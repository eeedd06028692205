"""The doors the suite comes in by: a reverse proxy in front of the embedded AWS and in front of the GitHub
facade. The sandbox's own parts (intake, state machine, containers) talk to moto directly; only an outside
caller, the suite, passes here.

It counts the requests it passes, by service (`GET /_front/requests`: what a verified deployment costs), and,
when asked, behaves as AWS and GitHub do under load: every `flaky_every`-th request to S3, CloudWatch Logs,
Step Functions or GitHub is answered with a throttling error or a 503 instead of being passed on. With
`down_after`, it stops answering altogether after that many requests, as a crashed endpoint would. Both can
be changed while it runs (`POST /_front/config`), so tests flip them on a sandbox they share."""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlparse

from sandbox.httpserver import LocalServer

FLAKY_SERVICES = ("s3", "logs", "states", "github")  # the ones the suite polls: where a blip must not be a verdict
FLAKY_ENV = "WEBORDINARY_SANDBOX_FLAKY_EVERY"  # `python -m sandbox up --flaky-every` when the option is not given
COUNTS_PATH = "/_front/requests"
CONFIG_PATH = "/_front/config"  # POST {"flaky_every": N, "down_after": N}: change them while it runs
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade", "trailer"}
_SIGNED_FOR = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")

# What AWS answers under load, per protocol; alternated so both kinds are met.
_S3_SLOW_DOWN = (503, "application/xml", b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
                 b"<Message>Please reduce your request rate.</Message><RequestId>front</RequestId></Error>")
_JSON_ERRORS = ((400, "application/x-amz-json-1.0", b'{"__type":"ThrottlingException","message":"Rate exceeded"}'),
                (503, "application/x-amz-json-1.0", b'{"__type":"ServiceUnavailableException","message":"Service '
                 b'Unavailable"}'))
_GITHUB_ERRORS = ((503, "application/json", b'{"message":"Service Unavailable"}'),
                  (502, "application/json", b'{"message":"Server Error"}'))


class Front(LocalServer):
    def __init__(self, upstream: str, service: str | None = None, flaky_every: int = 0, down_after: int = 0) -> None:
        """`service` names every request's service (GitHub); without it, the AWS signature names it."""
        self.upstream = urlparse(upstream)
        self.service = service
        self.flaky_every = flaky_every
        self.down_after = down_after
        self.counts: Counter[str] = Counter()  # requests passed or refused, by service
        self.injected: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._local = threading.local()
        handler = type("Handler", (_Handler,), {"front": self})
        super().__init__(handler, "front")

    def configure(self, flaky_every: int = 0, down_after: int = 0) -> None:
        """From now on: refuse every `flaky_every`-th request; stop answering after `down_after` more (0: never)."""
        with self._lock:
            self.flaky_every = flaky_every
            self.down_after = sum(self.counts.values()) + down_after if down_after else 0

    def report(self) -> dict[str, Any]:
        with self._lock:
            return {"requests": dict(self.counts), "injected": dict(self.injected)}

    def admit(self, service: str) -> tuple[int, str, bytes] | bool | None:
        """Count a request; False: drop it (the endpoint is down); an answer: inject it; None: pass it on."""
        with self._lock:
            self.counts[service] += 1
            total = sum(self.counts.values())
            if self.down_after and total > self.down_after:
                return False
            if not (self.flaky_every and service in FLAKY_SERVICES and self.counts[service] % self.flaky_every == 0):
                return None
            self.injected[service] += 1
            turn = self.injected[service]
        if service == "s3":
            return _S3_SLOW_DOWN
        return (_GITHUB_ERRORS if service == "github" else _JSON_ERRORS)[turn % 2]

    def connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port,
                                                                 timeout=60)
        return conn

    def forward(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes | None
                ) -> tuple[int, list[tuple[str, str]], bytes]:
        for attempt in (1, 2):  # a kept-alive connection the upstream closed is opened again, once
            conn = self.connection()
            try:
                conn.request(method, self.upstream.path.rstrip("/") + path, body=body, headers=dict(headers))
                answer = conn.getresponse()
                return answer.status, answer.getheaders(), answer.read()
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


class _Handler(BaseHTTPRequestHandler):
    front: Front
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        if self.path == COUNTS_PATH:
            payload = json.dumps(self.front.report()).encode()
            return self._answer(200, [("Content-Type", "application/json")], payload)
        self._pass()

    def do_HEAD(self) -> None:
        self._pass()

    def do_PUT(self) -> None:
        self._pass()

    def do_POST(self) -> None:
        if self.path == CONFIG_PATH:
            config = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            self.front.configure(int(config.get("flaky_every", 0)), int(config.get("down_after", 0)))
            return self._answer(200, [("Content-Type", "application/json")], json.dumps(self.front.report()).encode())
        self._pass()

    def do_DELETE(self) -> None:
        self._pass()

    def do_PATCH(self) -> None:
        self._pass()

    def _service(self) -> str:
        if self.front.service:
            return self.front.service
        signed = _SIGNED_FOR.search(self.headers.get("Authorization", ""))
        return signed.group(1) if signed else "unsigned"

    def _pass(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        verdict = self.front.admit(self._service())
        if verdict is False:
            self.close_connection = True  # down: the caller sees its connection closed with no answer
            return
        if verdict is not None:
            status, kind, payload = verdict
            return self._answer(status, [("Content-Type", kind)], payload)
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP]
        try:
            status, answer_headers, payload = self.front.forward(self.command, self.path, headers, body)
        except (OSError, http.client.HTTPException) as error:
            return self._answer(502, [("Content-Type", "text/plain")], f"front: upstream failed: {error}".encode())
        kept = [(k, v) for k, v in answer_headers if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"]
        self._answer(status, kept, payload, head=self.command == "HEAD",
                     length=next((v for k, v in answer_headers if k.lower() == "content-length"), None))

    def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes, head: bool = False,
                length: str | None = None) -> None:
        self.send_response_only(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", length if head and length is not None else str(len(payload)))
        self.end_headers()
        if not head:
            self.wfile.write(payload)
