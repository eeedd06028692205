"""Verdicts that name what they saw (issue: verdicts on the real container that hide nothing): the evidence an
outcome carries, the pushed branches a missing one is compared with, an interrupted build, the page's and the
self-test's reading of a run, and the real container's faults as edits of a checkout. No process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lib.expect import contract, known_faults
from lib.judge import branches, outcomes
from lib.observe.endings import quote
from lib.observe.executions import Executions
from lib.records import Client, Intake, LogLine, Moment, Outcome, Session, SessionLog
from lib.settings import Settings
from reporting.render import KNOWN_FAULT, FeatureDoc, RunDoc, ScenarioDoc, render
from tests.test_unseen_faults import T0, THREAD, a_session
from tools import real_faults, selftest

CLIENT = Client("wren", "wat-x-wren", "edit.wat-x-wren.webordinary.com")


def test_a_quoted_log_line_never_splits_a_problem_in_two() -> None:
    line = LogLine(T0, "S3 sync failed with code 1: upload failed; NoSuchBucket", "edit/c/task-9")
    quoted = quote(line)
    assert known_faults.PROBLEM_SEPARATOR not in quoted
    assert quoted.startswith("task task-9 logged 'S3 sync failed with code 1: upload failed, NoSuchBucket' at ")


class FakeSfn:
    def __init__(self, events: list[dict]) -> None:
        self.events = events

    def get_paginator(self, name: str) -> FakeSfn:
        return self

    def paginate(self, **_: object) -> list[dict]:
        return [{"events": self.events}]


def test_an_executions_path_names_each_state_and_how_its_task_ended() -> None:
    events = [{"type": "TaskStateEntered", "stateEnteredEventDetails": {"name": name}} for name in
              ("ParseEmail", "CheckOwnership", "RouteToProjectQueue")]
    events += [{"type": "TaskTimedOut", "taskTimedOutEventDetails": {"error": "States.Timeout"}},
               {"type": "FailStateEntered", "stateEnteredEventDetails": {"name": "HandleTimeout"}},
               {"type": "ExecutionFailed", "executionFailedEventDetails": {"error": "ProcessingTimeout"}}]
    executions = Executions(FakeSfn(events), Settings())
    assert executions.path("arn") == ("ParseEmail > CheckOwnership > RouteToProjectQueue (TaskTimedOut: "
                                      "States.Timeout) > HandleTimeout")
    assert executions.current_state("arn") == "HandleTimeout (ExecutionFailed)"


def test_a_missing_branch_is_compared_with_the_branches_that_name_its_thread() -> None:
    early = a_session(at_end=Moment(T0 + 9000, None, None, None, None, (f"thread-{THREAD}",)))
    problems = " ".join(outcomes.cross_check(early, Settings().phrases))
    assert f"its branch {THREAD} was not on GitHub (the branches naming its thread are thread-{THREAD})" in problems
    work = [branches.ThreadWork(THREAD, THREAD, ["Edit"], None)]
    assert f"(the branches naming its thread: thread-{THREAD})" in branches.branch_problems(
        work, "acceptance", ["main", f"thread-{THREAD}"])[0]
    assert "no branch names its thread, the repository's branches: main" in branches.branch_problems(
        work, "acceptance", ["main"])[0]


def session(instruction: str, lines: list[str], kind: str, start: int) -> Session:
    s = Session(CLIENT, instruction, "k", "<m>", start, thread_id=f"thread-{start}")
    log = SessionLog(s.thread_id or "", [LogLine(start + i * 100, m, "edit/c/t") for i, m in enumerate(lines)])
    s.outcome = Outcome(kind, kind, "SUCCEEDED", {}, start + 9000, start + 9100, log)
    return s


def test_an_interrupt_that_came_during_the_build_is_what_the_scenario_tested() -> None:
    settings = Settings().phrases
    building = [contract.PHRASE_BUILDING, "Processing interrupt: New message in thread t-2"]
    later = session("Summer", ["x"], contract.DEPLOYED, T0 + 5000)
    assert outcomes.interrupted_build_problems([(session("Spring", building, "preempted", T0), later)], settings) == []
    early = [contract.PHRASE_COMMITTING, "Processing interrupt: x", contract.PHRASE_BUILDING]
    assert "was interrupted before its build began" in outcomes.interrupted_build_problems(
        [(session("Spring", early, "preempted", T0), later)], settings)[0]
    deployed = [contract.PHRASE_BUILDING, "✅ S3 sync complete: 2 uploaded", "Processing interrupt: x"]
    assert "deployed before the interrupt reached it" in outcomes.interrupted_build_problems(
        [(session("Spring", deployed, contract.DEPLOYED, T0), later)], settings)[0]
    never = [contract.PHRASE_BUILDING, contract.PHRASE_BUILD_OK]
    assert "was never interrupted" in outcomes.interrupted_build_problems(
        [(session("Spring", never, contract.DEPLOYED, T0), later)], settings)[0]


def test_an_interrupt_that_could_not_arrive_in_time_is_a_race_lost_not_a_fault() -> None:
    """issue 37: whether the next email's interrupt reaches a build depends on which of two runs ends first; the
    check reads the next email's CheckActiveJob (its result, when it ended) to tell a lost race from a lost
    interrupt."""
    phrases = Settings().phrases
    never = [contract.PHRASE_BUILDING, contract.PHRASE_BUILD_OK, "✅ S3 sync complete: 2 uploaded"]
    earlier = session("Spring", never, contract.DEPLOYED, T0)
    earlier.intake = Intake("m-1", {"messageId": "m-1"}, True, T0, contract.ROUTE_OWNED)

    def checked(result: dict, at_ms: int) -> Session:
        later = session("Summer", ["x"], contract.DEPLOYED, T0 + 5000)
        later.intake = Intake("m-2", {"messageId": "m-2"}, True, at_ms, contract.ROUTE_OWNED, result, at_ms)
        return later

    idle = outcomes.interrupted_build_problems([(earlier, checked({"hasActiveJob": False}, T0 + 50))], phrases)[0]
    assert idle.startswith("race lost, not a fault") and "no interrupt was sent" in idle
    sent = {"hasActiveJob": True, "interruptSent": True, "activeMessageId": "m-1"}
    late = outcomes.interrupted_build_problems([(earlier, checked(sent, T0 + 400))], phrases)[0]
    assert late.startswith("race lost, not a fault") and "after" in late and "had deployed" in late
    lost = outcomes.interrupted_build_problems([(earlier, checked(sent, T0 + 50))], phrases)[0]
    assert "was never interrupted" in lost and "race lost" not in lost
    other = outcomes.interrupted_build_problems([(earlier, checked({**sent, "activeMessageId": "m-0"}, T0 + 50))],
                                                phrases)[0]
    assert other.startswith("race lost") and "the active job was another (m-0)" in other


def scenario(status: str, reason: str = "", tags: tuple[str, ...] = ("isolation",)) -> ScenarioDoc:
    return ScenarioDoc(f"S {status} {reason}", list(tags), status, 1.0, f"f.feature:{len(reason) + 1}", [], reason)


def test_a_run_that_exits_0_is_green_at_the_top_of_the_page_whatever_its_tags_left_out() -> None:
    unselected = scenario("skipped")  # not selected by --tags: no reason
    page = render(RunDoc("local", "r", "now", 1.0, [FeatureDoc("F", [], [], "passed", [
        scenario("passed"), scenario(KNOWN_FAULT, "known fault x: y"), unselected])]))
    assert "<strong>all green</strong>" in page and "scenarios: 1 known fault, 1 passed<" in page
    red = render(RunDoc("local", "r", "now", 1.0, [FeatureDoc("F", [], [], "failed", [scenario("failed", "z")])]))
    assert "<strong>NOT all green</strong>" in red


def test_the_self_test_reads_each_scenarios_verdict_from_the_runs_data(tmp_path: Path) -> None:
    doc = {"features": [{"scenarios": [
        {"tags": ["isolation", "real-fault:claims-while-owning", "s3"], "status": "passed", "reason": ""},
        {"tags": ["switching-mid-build", "real-fault:stranded-after-interrupt", "s3"], "status": KNOWN_FAULT,
         "reason": "known fault stranded-after-interrupt: ..."},
        {"tags": ["commit-tags", "known-fault", "real-fault:shared-commit-tag", "s3"], "status": KNOWN_FAULT,
         "reason": "known fault shared-commit-tag: ..."},
        {"tags": ["contamination", "s3"], "status": "hook_error", "reason": "the scenario passed its checks, but"},
        {"tags": ["metrics", "s3"], "status": "skipped", "reason": ""},
        {"tags": ["isolation-pairs", "s3"], "status": KNOWN_FAULT, "reason": "known fault x: ..."},
        {"tags": ["isolation-pairs", "s3"], "status": "failed", "reason": "a bucket is empty"},
        {"tags": ["isolation-pairs", "s3"], "status": "passed", "reason": ""},
    ]}]}
    (tmp_path / "run.json").write_text(json.dumps(doc))
    run = selftest.results(selftest.Run("x", 1.0), tmp_path, None)
    assert run.status == {"isolation": "green", "switching-mid-build": "known", "commit-tags": "green",
                          "contamination": "red", "isolation-pairs": "red"}  # an outline: the worst of its examples
    problems, caught = selftest.verdict(None, [run], {"x": ["switching-mid-build"]}, real=True)
    assert caught == 0 and problems[0].startswith("x: filed as a known fault by switching-mid-build")


def test_a_fault_of_the_real_code_whose_text_the_checkout_no_longer_has_is_named(tmp_path: Path) -> None:
    checkout = tmp_path / "claude-code-container"
    (checkout / "src").mkdir(parents=True)
    (checkout / "src" / "a.ts").write_text("const x = 1;\nconst x = 1;\n")
    fault = real_faults.Fault("f", "", ["isolation"], [real_faults.Edit("src/a.ts", "const y = 2;", "")])
    with pytest.raises(real_faults.EditError, match=r"the checkout changed: f's edit cannot be made \(src/a.ts no "
                                                    r"longer holds it: 'const y = 2;'\)"):
        real_faults.apply(fault, checkout, tmp_path / "copy")
    twice = real_faults.Fault("g", "", ["isolation"], [real_faults.Edit("src/a.ts", "const x = 1;", "")])
    with pytest.raises(real_faults.EditError, match=r"src/a\.ts holds it 2 times"):
        real_faults.apply(twice, checkout, tmp_path / "copy")
    assert not (tmp_path / "copy").exists()


def test_the_real_faults_table_has_ten_faults_over_every_promise_and_a_repair() -> None:
    table = real_faults.load(real_faults.FAULTS_FILE)
    faults = [f for f in table if not f.repair]
    assert len(faults) >= 10 and all(f.edits and f.scenarios and f.about for f in table)
    assert [f.name for f in table if f.repair] == ["interrupt-handling"]


def test_the_metrics_time_every_deployment_and_say_which_sessions_they_did_not_time() -> None:
    from lib.judge import metrics

    deployed = a_session()
    preempted = a_session(kind=contract.PREEMPTED)
    measured, untimed = metrics.measure_deployments([deployed, preempted], Settings().phrases)
    assert len(measured) == 1 and measured[0].thread_id == THREAD
    assert untimed == [f"{preempted.describe()}: it ended preempted by a newer email (preempted)"]
    assert metrics.over_limits(measured, metrics.Limits(45, 15, 90)) == []


def test_a_problem_about_a_branch_does_not_borrow_the_evidence_of_how_its_session_ended() -> None:
    """Seen in the real container's self-test: with the interrupt's push removed, the missing branch of a thread
    whose build was interrupted read as interrupted-build-succeeds, because the branch problem quoted the whole
    ending, evidence and all. A problem quotes only what is about its own claim."""
    from lib.records import Outcome

    interrupted = Outcome(contract.BUILD_FAILED, "buildSuccess: false, after an interrupt: task t logged "
                          "'Processing interrupt: x' at 10:00:00.000, then task t logged 'Build failed with code "
                          "null:' at 10:00:02.000", "SUCCEEDED", {}, T0, T0, SessionLog(THREAD),
                          evidence=("after an interrupt: task t logged 'Processing interrupt: x' at 10:00:00.000",))
    work = [branches.ThreadWork(THREAD, THREAD, ["Edit"], None, interrupted.ended())]
    [problem] = branches.branch_problems(work, "acceptance", ["main"])
    assert "its last session ended with a failed build, no branch names its thread" in problem
    faults = known_faults.accepted(["real-fault:interrupted-build-succeeds", "real-fault:stranded-after-interrupt",
                                    "real-fault:works-on-after-preemption"], real_system=True)
    assert known_faults.judge("Then every thread has its own branch", problem, faults) is None


def test_a_sessions_span_ends_at_its_end_line_not_at_what_its_container_logs_later() -> None:
    """issue 37: lines its container writes after the session's end (for the next message, or another client)
    are not the session's work, so they never make two sessions overlap."""
    phrases = Settings().phrases
    first = session("Spring", [contract.PHRASE_BUILDING, contract.PHRASE_DONE, "x", "y", "z", "Releasing ownership"],
                    contract.DEPLOYED, T0)
    second = session("Summer", [contract.PHRASE_BUILDING, contract.PHRASE_DONE], contract.DEPLOYED, T0 + 300)
    assert outcomes.overlap_problems([first, second], phrases) == []
    early = session("Summer", [contract.PHRASE_BUILDING, contract.PHRASE_DONE], contract.DEPLOYED, T0 + 50)
    assert "were handled at the same time" in outcomes.overlap_problems([first, early], phrases)[0]
