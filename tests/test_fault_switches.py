"""Each fault switch really makes the sandbox misbehave the way it says (on a sandbox of its own)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lib.logs import DEPLOYED
from lib.pipeline import Pipeline
from lib.waiters import wait_until

from lib import contract
from sandbox.faults import FAULTS, SLOW_BUILD_SECONDS
from sandbox.process import SandboxProcess
from tests.sandbox_helpers import running_sandbox

ROOT = Path(__file__).resolve().parent.parent


def two_in_turn(pipeline: Pipeline, first: str, second: str) -> list:
    pipeline.give_edit_site("ada")
    done = []
    for instruction in (first, second):
        session = pipeline.start_session("ada", instruction)
        done.append((session, pipeline.wait_for_finish(session)))
    return done


def check_carry_over(pipeline: Pipeline, process: SandboxProcess) -> None:
    two_in_turn(pipeline, "Add secret key ABC123 to config", "Add different key XYZ789 to config")
    assert "ABC123" in pipeline.page("ada")


def check_no_delete(pipeline: Pipeline, process: SandboxProcess) -> None:
    _, (_, log) = two_in_turn(pipeline, 'Add header with text "A"', 'Add header with text "B"')
    assert "0 deleted" in log.first(contract.PHRASE_SYNC_OK).message
    assert len(pipeline.deployed_objects("ada")) == 3  # index + both threads' change pages


def check_shared_bucket(pipeline: Pipeline, process: SandboxProcess) -> None:
    for name in ("ada", "bob"):
        pipeline.give_edit_site(name)
        session = pipeline.start_session(name, f'Add header with text "{name}"')
        assert pipeline.wait_for_finish(session).outcome == DEPLOYED
    assert pipeline.deployed_objects("bob") == []
    assert ">bob<" in pipeline.page("ada")


def check_no_push(pipeline: Pipeline, process: SandboxProcess) -> None:
    pipeline.give_edit_site("ada")
    session = pipeline.start_session("ada", 'Add header with text "A"')
    log = pipeline.wait_for_finish(session)
    assert log.first("Pushed branch") is not None  # it says it pushed...
    assert not pipeline.repository.branch_exists(session.branch)  # ...but did not


def check_crash_on_sync_failure(pipeline: Pipeline, process: SandboxProcess) -> None:
    pipeline.onboard_without_site("ada")
    session = pipeline.start_session("ada", "Test S3 failure handling")
    log = pipeline.wait_for_outcome(session)
    status = wait_until("the container to stop", lambda: pipeline.container_status(log.container_id),
                        lambda s: s == "stopped", 20)
    assert status == "stopped"
    assert not pipeline.session_log(session).finished


def check_silent_sync_failure(pipeline: Pipeline, process: SandboxProcess) -> None:
    pipeline.onboard_without_site("ada")
    session = pipeline.start_session("ada", "Test S3 failure handling")
    log = pipeline.wait_for_finish(session)
    assert log.first(contract.PHRASE_SYNC_FAILED) is None and log.first(contract.PHRASE_DONE) is not None


def check_stale_build(pipeline: Pipeline, process: SandboxProcess) -> None:
    _, (_, log) = two_in_turn(pipeline, 'Add header with text "A"', 'Add header with text "B"')
    assert log.first(contract.PHRASE_BUILD_OK) is not None  # it claims a build it never ran
    assert log.first(contract.PHRASE_SYNC_OK) is not None  # and deploys the old files (re-uploaded or not)
    page = pipeline.page("ada")
    assert ">A<" in page and ">B<" not in page


def check_out_of_order(pipeline: Pipeline, process: SandboxProcess) -> None:
    pipeline.give_edit_site("ada")
    sessions = [pipeline.start_session("ada", f'Update page title to "V{i}"') for i in range(4)]
    logs = [pipeline.wait_for_finish(s) for s in sessions]
    starts = [log.lines[0].timestamp_ms for log in logs]
    assert starts != sorted(starts)
    assert "<title>V3</title>" not in pipeline.page("ada")


def check_slow_build(pipeline: Pipeline, process: SandboxProcess) -> None:
    pipeline.give_edit_site("ada")
    log = pipeline.wait_for_finish(pipeline.start_session("ada", 'Add header with text "A"'))
    took = log.first(contract.PHRASE_BUILD_OK).timestamp_ms - log.first(contract.PHRASE_BUILDING).timestamp_ms
    assert took >= SLOW_BUILD_SECONDS * 1000


def check_same_branch(pipeline: Pipeline, process: SandboxProcess) -> None:
    (first, log1), (second, _) = two_in_turn(pipeline, 'Add header with text "A"', 'Add header with text "B"')
    assert "(branch: thread-sandbox-shared)" in log1.lines[0].message
    assert not pipeline.repository.branch_exists(first.branch)
    assert not pipeline.repository.branch_exists(second.branch)


CHECKS = {name.replace("-", "_"): globals()[f"check_{name.replace('-', '_')}"] for name in FAULTS}


def test_every_fault_has_a_check() -> None:
    assert set(CHECKS) == {name.replace("-", "_") for name in FAULTS}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_the_fault_really_happens(fault: str, tmp_path: Path) -> None:
    with running_sandbox(tmp_path, fault=fault) as (pipeline, process):
        CHECKS[fault.replace("-", "_")](pipeline, process)


def test_an_unknown_fault_stops_the_sandbox_at_start_with_a_clear_error() -> None:
    result = subprocess.run([sys.executable, "-m", "sandbox", "up"], cwd=ROOT, capture_output=True, text=True,
                            env={"WEBORDINARY_SANDBOX_FAULT": "no-delet", "PATH": "/usr/bin:/bin"}, timeout=60)
    assert result.returncode == 2
    assert "unknown fault 'no-delet'; known faults: carry-over" in result.stderr
