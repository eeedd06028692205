"""The start and stop the sandbox's HTTP servers share: bound on 127.0.0.1 to a free port, served from a daemon
thread, so a sandbox that is not stopped never keeps the process alive."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class LocalServer:
    """A ThreadingHTTPServer on 127.0.0.1, bound when made, serving once started."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], name: str) -> None:
        # TCP_NODELAY on every connection: http.server writes an answer's headers and its body in two sends, and
        # with Nagle's algorithm the body waits for the caller's delayed ACK of the headers, 40 ms a request.
        handler = type(handler.__name__, (handler,), {"disable_nagle_algorithm": True})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: parallel sandboxes never collide
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, name=name, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
