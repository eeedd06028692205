"""S3 static website hosting for the edit buckets, as a visitor reaches them: at the real address
(`http://{bucket}.s3-website-us-west-2.amazonaws.com/`) through this server as an HTTP proxy, so that a
page's root-relative links work as on S3; or path-style, `GET /{bucket}/{path}`.

Like S3's website endpoint: a path ending in `/` serves its index document (`index.html`); a path with no such
object whose `path/index.html` exists is redirected to `path/` (302); a missing object is a 404 with the
bucket's error document (`404.html`) when it has one; every object is served with the Content-Type and the
Cache-Control it was stored with."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlparse

from sandbox import names
from sandbox.httpserver import LocalServer

INDEX = "index.html"
ERROR = "404.html"


class Website(LocalServer):
    def __init__(self, s3: Any) -> None:
        handler = type("Handler", (_Handler,), {"s3": s3})
        super().__init__(handler, "s3-website")

    url_pattern = "http://{bucket}" + names.WEBSITE_HOST_SUFFIX + "/"  # the real address of a bucket's site

    @property
    def proxy(self) -> str:
        """The proxy a browser reaches the sites' real addresses through."""
        return self.url


class _Handler(BaseHTTPRequestHandler):
    s3: Any

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        path = unquote(urlparse(self.path).path)
        host = self.headers.get("Host", "").split(":")[0]
        if host.endswith(names.WEBSITE_HOST_SUFFIX):
            bucket, key = host.removesuffix(names.WEBSITE_HOST_SUFFIX), path.lstrip("/")
            prefix = "/"
        else:
            bucket, _, key = path.lstrip("/").partition("/")
            prefix = f"/{bucket}/"
        if not bucket:
            return self._send(404, b"<h1>404 Not Found</h1><p>Code: NoSuchBucket</p>", "text/html", body)
        if not key or key.endswith("/"):
            key += INDEX
        found = self._get(bucket, key)
        if found is None and not key.endswith(INDEX) and self._get(bucket, f"{key}/{INDEX}", head=True):
            self.send_response(302)
            self.send_header("Location", f"{prefix}{key}/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if found is None:
            error = self._get(bucket, ERROR)
            page, kind, cache = error or (b"<h1>404 Not Found</h1><p>Code: NoSuchKey</p>", "text/html", "")
            return self._send(404, page, kind, body, cache)
        return self._send(200, found[0], found[1], body, found[2])

    def _get(self, bucket: str, key: str, head: bool = False) -> tuple[bytes, str, str] | None:
        """(body, Content-Type, Cache-Control) of an object, or None when there is none."""
        try:
            if head:
                answer = self.s3.head_object(Bucket=bucket, Key=key)
                return b"", answer.get("ContentType", ""), answer.get("CacheControl", "")
            answer = self.s3.get_object(Bucket=bucket, Key=key)
            return (answer["Body"].read(), answer.get("ContentType", "binary/octet-stream"),
                    answer.get("CacheControl", ""))
        except self.s3.exceptions.ClientError:
            return None

    def _send(self, status: int, payload: bytes, kind: str, body: bool, cache: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if cache:
            self.send_header("Cache-Control", cache)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body:
            self.wfile.write(payload)
