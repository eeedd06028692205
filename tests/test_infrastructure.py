"""Faults of the infrastructure (throttling, 5xx, an endpoint that stops answering) are retried or named, never a
verdict on WebOrdinary; and the sandbox's front injects them as AWS and GitHub would. No processes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from lib.observe import infrastructure
from sandbox.front import COUNTS_PATH, Front


def test_an_endpoint_that_stopped_answering_is_named() -> None:
    error = EndpointConnectionError(endpoint_url="http://127.0.0.1:4566/")
    assert infrastructure.fault_in(error) == ("the AWS endpoint http://127.0.0.1:4566/ stopped answering "
                                              "(EndpointConnectionError) after botocore's retries")
    try:
        try:
            raise ConnectionClosedError(endpoint_url="http://logs")
        except ConnectionClosedError as inner:
            raise RuntimeError("while reading the log") from inner
    except RuntimeError as outer:
        assert "http://logs stopped answering" in (infrastructure.fault_in(outer) or "")


def test_throttling_left_after_the_retries_is_infrastructure_but_a_failed_check_or_a_404_is_not() -> None:
    throttled = ClientError({"Error": {"Code": "ThrottlingException"},
                             "ResponseMetadata": {"HTTPStatusCode": 400, "RetryAttempts": 7}}, "FilterLogEvents")
    assert infrastructure.fault_in(throttled) == ("AWS kept answering 400 ThrottlingException to FilterLogEvents "
                                                  "after 7 retries")
    missing = ClientError({"Error": {"Code": "NoSuchKey"}, "ResponseMetadata": {"HTTPStatusCode": 404}}, "GetObject")
    assert infrastructure.fault_in(missing) is None
    assert infrastructure.fault_in(AssertionError("amelia's site shows bob's heading")) is None


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        return

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        payload = json.dumps({"echo": body.decode()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST


@pytest.fixture
def upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _logs(url: str, attempts: int) -> object:
    retries = Config(retries={"total_max_attempts": attempts, "mode": "standard"})
    return boto3.client("logs", region_name="us-west-2", endpoint_url=url, aws_access_key_id="x",
                        aws_secret_access_key="x", config=retries)


def test_the_front_counts_by_service_and_every_nth_call_is_throttled_then_retried(upstream: str) -> None:
    front = Front(upstream, flaky_every=2).start()
    try:
        logs = _logs(front.url, attempts=3)
        for _ in range(3):
            logs.describe_log_groups()  # every second call is refused; botocore retries it
        counts = json.loads(urllib.request.urlopen(front.url + COUNTS_PATH).read())
        assert counts == {"requests": {"logs": 5}, "injected": {"logs": 2}}
        with pytest.raises(ClientError) as refused:
            _logs(front.url, attempts=1).describe_log_groups()  # the 6th: refused, and no retry left
        assert infrastructure.fault_in(refused.value) is not None
    finally:
        front.stop()


def test_a_front_that_is_down_answers_nothing(upstream: str) -> None:
    front = Front(upstream, service="github", down_after=1).start()
    try:
        urllib.request.urlopen(front.url + "/repos/x").read()
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            urllib.request.urlopen(front.url + "/repos/x").read()
    finally:
        front.stop()
