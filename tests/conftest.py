from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lib.pipeline import Pipeline
from sandbox.process import SandboxProcess
from tests.sandbox_helpers import running_sandbox

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Pipeline, SandboxProcess]]:
    """A faithful sandbox, run as `python -m sandbox up`, shared by the tests of one session."""
    with running_sandbox(tmp_path_factory.mktemp("sandbox"), validate=False) as both:
        yield both


@pytest.fixture
def pipeline(shared_sandbox: tuple[Pipeline, SandboxProcess]) -> Pipeline:
    return shared_sandbox[0]


def run_behave(*args: str, fault: str = "", timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the acceptance suite as CI does, optionally on a sandbox with a fault switched on."""
    env = {**os.environ, "WEBORDINARY_SANDBOX_FAULT": fault}
    command = [str(Path(sys.executable).parent / "behave"), "--no-capture", "-f", "plain", "--no-junit", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
