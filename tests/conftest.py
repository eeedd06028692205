from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from lib.scenario.world import World
from sandbox.process import SandboxProcess
from tests.sandbox_helpers import fresh, running_sandbox

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, SandboxProcess]]:
    """A faithful sandbox, run as `python -m sandbox up`, shared by the tests of one session."""
    with running_sandbox(tmp_path_factory.mktemp("sandbox")) as both:
        yield both


@pytest.fixture
def world(shared_sandbox: tuple[World, SandboxProcess]) -> World:
    """The shared sandbox, with fresh clients for this test."""
    return fresh(shared_sandbox[0])


@pytest.fixture(scope="session")
def attach(shared_sandbox: tuple[World, SandboxProcess]) -> dict[str, str]:
    """The environment that makes a behave run attach to the session's shared sandbox instead of starting one."""
    return shared_sandbox[1].attach_environment()


def run_feature_files(files: list[Path], tmp_path: Path, *args: str, timeout: float = 300,
                      env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run feature files (e.g. from tests/fixtures) with the project's steps and environment."""
    features = tmp_path / "features"
    features.mkdir()
    (features / "steps").symlink_to(ROOT / "features" / "steps")
    (features / "environment.py").symlink_to(ROOT / "features" / "environment.py")
    for feature in files:
        shutil.copy(feature, features)
    return run_behave(str(features), *args, reports=tmp_path / "reports", timeout=timeout, env=env)


def scenario_results(json_report: Path) -> dict[str, tuple[str, str]]:
    """From behave's `-f json` report: scenario name -> (status, the first failing step's error or "")."""
    results = {}
    for feature in json.loads(json_report.read_text()):
        for scenario in feature.get("elements", []):
            errors = [step["result"].get("error_message", "") for step in scenario.get("steps", [])
                      if step.get("result", {}).get("status") in ("failed", "error")]
            error = errors[0] if errors else ""
            results[scenario["name"]] = (scenario.get("status", ""),
                                         " ".join(error) if isinstance(error, list) else error)
    return results


def run_behave(*args: str, fault: str = "", reports: Path | None = None, timeout: float = 600,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the acceptance suite as CI does, optionally on a sandbox with a fault switched on. With `reports`,
    the living documentation, JUnit XML and the other reports go to that folder."""
    environ = {**os.environ, **(env or {}), "WEBORDINARY_SANDBOX_FAULT": fault}
    reports = reports or Path(tempfile.mkdtemp(prefix="behave-reports-"))
    command = [str(Path(sys.executable).parent / "behave"), "--no-capture", "--junit-directory",
               str(reports / "junit"), "-D", f"reports_dir={reports}", *args]
    return subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=timeout)
