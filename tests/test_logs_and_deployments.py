from __future__ import annotations

from datetime import UTC, datetime

from lib.deployments import DeployedObject, latest_build_problems
from lib.logs import BUILD_FAILED, DEPLOYED, FAILED, FINISHED_WITHOUT_SYNC, SYNC_FAILED, LogLine, SessionLog

from lib import contract
from lib.settings import Settings

T0 = 1_764_000_000_000


def session_log(*messages: str) -> SessionLog:
    lines = [LogLine(T0 + i * 1000, m, "edit/edit-abc") for i, m in enumerate(messages)]
    return SessionLog("thread-1", lines, Settings())


DEPLOYED_LINES = (
    "Switched to thread thread-1 (branch: thread-1)",
    contract.PHRASE_BUILDING,
    contract.PHRASE_BUILD_OK,
    contract.PHRASE_DEPLOYING,
    "✅ S3 sync complete: 2 uploaded, 0 deleted",
)


def test_outcomes_are_read_from_the_log() -> None:
    assert session_log(*DEPLOYED_LINES).outcome == DEPLOYED
    assert session_log("Switched", "S3 sync failed with code 1: NoSuchBucket").outcome == SYNC_FAILED
    assert session_log("Switched", "Build failed with code 1: boom").outcome == BUILD_FAILED
    assert session_log("Switched", "Failed to process message: x").outcome == FAILED
    assert session_log("Switched", contract.PHRASE_DONE).outcome == FINISHED_WITHOUT_SYNC
    assert session_log("Switched", contract.PHRASE_BUILDING).outcome is None
    assert session_log(*DEPLOYED_LINES).container_id == "edit-abc"


def objects(*ages_s: float) -> list[DeployedObject]:
    deploying_at = (T0 + 3000) / 1000
    return [DeployedObject(f"k{i}", 1, datetime.fromtimestamp(deploying_at - age, UTC), "e")
            for i, age in enumerate(ages_s)]


def test_exactly_the_latest_build_has_no_problem() -> None:
    assert latest_build_problems(objects(-0.5, -0.4), session_log(*DEPLOYED_LINES), Settings()) == []


def test_a_stale_object_and_a_wrong_count_are_named() -> None:
    problems = latest_build_problems(objects(-0.5, -0.4, 30), session_log(*DEPLOYED_LINES), Settings())
    assert any("1 object(s) older than this deployment: k2" in p for p in problems)
    assert any("uploaded 2 file(s) but the bucket holds 3" in p for p in problems)


def test_no_sync_line_is_a_problem_not_a_pass() -> None:
    problems = latest_build_problems(objects(-0.5), session_log(*DEPLOYED_LINES[:3]), Settings())
    assert problems and "no completed sync" in problems[0]
