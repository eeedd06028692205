from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lib.pipeline import Pipeline, TargetHooks
from lib.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def sandbox_endpoints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A faithful sandbox, run as `python -m sandbox up`, shared by the tests of one session."""
    from sandbox.process import SandboxProcess

    process = SandboxProcess(tmp_path_factory.mktemp("sandbox") / "sandbox.log",
                             environ={k: v for k, v in os.environ.items() if k != "WEBORDINARY_SANDBOX_FAULT"})
    try:
        yield process.start()
    finally:
        process.stop()


@pytest.fixture
def pipeline(sandbox_endpoints: dict[str, str]) -> Iterator[Pipeline]:
    from sandbox import interpreter, provision

    settings = Settings(aws_endpoint_url=sandbox_endpoints["aws_endpoint_url"],
                        github_api_url=sandbox_endpoints["github_api_url"])
    box: list[Pipeline] = []
    hooks = TargetHooks(onboard=lambda c, u: provision.provision_client(box[0].clients, c, u),
                        validate_instruction=interpreter.find_form)
    box.append(Pipeline(settings, hooks))
    yield box[0]
    box[0].remove_created_buckets()


def run_behave(*args: str, fault: str = "", timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the acceptance suite as CI does, optionally on a sandbox with a fault switched on."""
    env = {**os.environ, "WEBORDINARY_SANDBOX_FAULT": fault}
    command = [str(Path(sys.executable).parent / "behave"), "--no-capture", "-f", "plain", "--no-junit", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
