"""Through the sandbox's fronts (sandbox/front.py), a run meets what AWS and GitHub do under load: throttling and
503s are retried and the run stays green; an endpoint that stops answering ends the run with one line naming it,
and no scenario fails on WebOrdinary. Both on the session's shared sandbox, its fronts flipped and restored."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from lib.scenario.world import World
from sandbox.front import CONFIG_PATH
from sandbox.process import SandboxProcess
from tests.conftest import run_feature_files, scenario_results

pytestmark = pytest.mark.sandbox
FEATURE = Path(__file__).parent / "fixtures" / "infrastructure.feature"
SCENARIO = "One client's edit reaches its site through a flaky or failing endpoint"


@contextmanager
def fronts(sandbox: SandboxProcess, **config: int) -> Iterator[list[dict]]:
    """The fronts of the shared sandbox configured so for the block; yields what they report at its end."""
    endpoints = json.loads(sandbox.endpoints_file.read_text())
    urls = [endpoints["aws_endpoint_url"], endpoints["github_api_url"]]

    def post(url: str, body: dict[str, int]) -> dict:
        request = urllib.request.Request(url + CONFIG_PATH, data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    reports: list[dict] = []
    before = [post(url, config) for url in urls]
    try:
        yield reports
    finally:
        after = [post(url, {}) for url in urls]
        for a, b in zip(after, before, strict=True):
            reports.append({k: v - b["injected"].get(k, 0) for k, v in a["injected"].items()})


def test_throttling_and_503s_on_every_third_call_are_retried_and_the_run_stays_green(
        tmp_path: Path, attach: dict[str, str], shared_sandbox: tuple[World, SandboxProcess]) -> None:
    report = tmp_path / "results.json"
    with fronts(shared_sandbox[1], flaky_every=3) as injected:
        result = run_feature_files([FEATURE], tmp_path, "-f", "json", "-o", str(report), "-f", "plain", env=attach)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert scenario_results(report)[SCENARIO][0] == "passed"
    refused = {k: v for counts in injected for k, v in counts.items() if v}
    assert {"s3", "logs", "states", "github"} <= set(refused), refused  # each kind of endpoint refused some


def test_an_endpoint_that_stops_answering_ends_the_run_naming_it_and_blames_no_one(
        tmp_path: Path, attach: dict[str, str], shared_sandbox: tuple[World, SandboxProcess]) -> None:
    report = tmp_path / "results.json"
    aws = json.loads(shared_sandbox[1].endpoints_file.read_text())["aws_endpoint_url"]
    with fronts(shared_sandbox[1], down_after=40):  # past the start and the onboarding, inside the wait
        result = run_feature_files([FEATURE], tmp_path, "-f", "json", "-o", str(report), "-f", "plain", env=attach,
                                   timeout=240)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    status, error = scenario_results(report)[SCENARIO]
    assert status == "error", (status, error)  # an error of the run, not a failed check of WebOrdinary
    assert f"INFRASTRUCTURE ERROR: the AWS endpoint {aws}" in output and "no verdict on WebOrdinary" in output
    assert "Assertion Failed" not in output and "ASSERT FAILED" not in output and "timed out" not in output
    page = (tmp_path / "reports" / "living-documentation.html").read_text()
    assert "infrastructure, not WebOrdinary: the AWS endpoint" in page
