"""Unit tests of the suite's readers and checks: no process, no network."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from lib.expect import contract
from lib.expect.instructions import Grammar, InstructionError
from lib.judge import outcomes
from lib.judge.branches import branch_problems, main_problems
from lib.judge.deployments import latest_build_problems
from lib.observe.logs import LogTail, parse_message
from lib.records import Client, CommitInfo, DeployedObject, LogLine, Outcome, Session, SessionLog, ThreadWork
from lib.scenario.inputs import CLIENTS, EMAILS, INSTRUCTIONS, InputError, Inputs, at_least
from lib.send import operations
from lib.settings import Settings

T0 = 1_764_000_000_000
NEST = re.compile(contract.LOG_LINE_PATTERN, re.DOTALL)


def test_a_nestjs_line_is_read_without_its_colours_and_prefix() -> None:
    raw = ("\x1b[32m[Nest] 4824  - \x1b[39m11/25/2026, 04:49:59 AM     \x1b[32m  LOG\x1b[39m "
           "\x1b[33m[MessageProcessor]\x1b[39m \x1b[32mSwitched to thread thread-1 (branch: thread-1)\x1b[39m")
    assert parse_message(raw, NEST) == ("MessageProcessor", "Switched to thread thread-1 (branch: thread-1)", "LOG")
    plain = "[Nest] 7  - 11/25/2026, 4:49:59 PM   ERROR [MessageProcessor] Failed to process message: boom"
    assert parse_message(plain, NEST) == ("MessageProcessor", "Failed to process message: boom", "ERROR")
    assert parse_message("not a nest line", NEST) == ("", "not a nest line", "")
    without_level = re.compile(r"^\[(?P<context>[^\]]+)\] (?P<message>.*)$")
    assert parse_message("[Git] pushed", without_level) == ("Git", "pushed", "")


class FakeLogs:
    """A CloudWatch Logs client that counts its FilterLogEvents calls."""

    class exceptions:
        ClientError = RuntimeError

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events
        self.calls = 0

    def filter_log_events(self, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        return {"events": [e for e in self.events if e["timestamp"] >= kwargs["startTime"]]}


def event(ms: int, message: str, stream: str = "edit/edit-container/task1") -> dict[str, Any]:
    line = f"[Nest] 1  - 11/25/2026, 4:49:59 AM     LOG [MessageProcessor] {message}"
    return {"timestamp": ms, "message": line, "logStreamName": stream, "eventId": f"{stream}{ms}"}


def test_one_poll_per_tick_serves_every_session_and_a_thread_s_two_sessions_are_told_apart() -> None:
    logs = FakeLogs([
        event(T0 + 10, "Switched to thread thread-a (branch: thread-a)"), event(T0 + 20, "✅ S3 sync complete"),
        event(T0 + 30, "Switched to thread thread-b (branch: thread-b)", "edit/edit-container/task2"),
        event(T0 + 40, "Switched to thread thread-a (branch: thread-a)"), event(T0 + 50, "Build failed with code 1"),
    ])
    tail = LogTail(logs, Settings.make(poll_max_s=60), since_ms=T0)
    # A thread's sessions are told apart by the order they ended in, not by when their emails were sent.
    first = tail.session("thread-a", T0, rank=0)
    second = tail.session("thread-a", T0, rank=1)
    other = tail.session("thread-b", T0)
    assert logs.calls == 1  # three sessions, one poll
    assert [line.message for line in first.lines] == ["Switched to thread thread-a (branch: thread-a)",
                                                      "✅ S3 sync complete"]
    assert second.lines[-1].message == "Build failed with code 1" and second.lines[0].timestamp_ms == T0 + 40
    assert other.task_id == "task2"


def log_of(*messages: str) -> SessionLog:
    return SessionLog("thread-1", [LogLine(T0 + i * 1000, m, "edit/c/task1") for i, m in enumerate(messages)])


DEPLOYED_LINES = ("Switched to thread thread-1 (branch: thread-1)", contract.PHRASE_BUILDING,
                  contract.PHRASE_BUILD_OK, contract.PHRASE_DEPLOYING,
                  "✅ S3 sync complete: 2 uploaded, 0 deleted", contract.PHRASE_DONE)


def objects(*ages_s: float) -> list[DeployedObject]:
    deploying_at = (T0 + 3000) / 1000
    return [DeployedObject(f"k{i}", 1, datetime.fromtimestamp(deploying_at - age, UTC), "e")
            for i, age in enumerate(ages_s)]


def test_exactly_the_latest_build_has_no_problem_and_stale_or_extra_objects_are_named() -> None:
    assert latest_build_problems(objects(-0.5, -0.4), log_of(*DEPLOYED_LINES), Settings().phrases) == []
    problems = latest_build_problems(objects(-0.5, -0.4, 30), log_of(*DEPLOYED_LINES), Settings().phrases)
    assert any("1 object(s) older than this deployment: k2" in p for p in problems)
    assert any("uploaded 2 file(s) but the bucket holds 3" in p for p in problems)
    phrases = Settings().phrases
    assert "no completed sync" in latest_build_problems(objects(-0.5), log_of(*DEPLOYED_LINES[:3]), phrases)[0]


def session(kind: str, *messages: str, sent: int = 0, name: str = "ada") -> Session:
    s = Session(Client(name, f"wat-x-{name}", f"edit.wat-x-{name}.webordinary.com"), f"edit {sent}", "k", "<m>",
                T0 + sent, thread_id=f"thread-{sent}")
    s.outcome = Outcome(kind, kind, "SUCCEEDED", {"siteUrl": f"https://{s.client.bucket}"}, T0, T0, log_of(*messages))
    return s


def test_the_log_is_cross_checked_against_what_the_execution_reports() -> None:
    settings = Settings()
    assert outcomes.cross_check(session(contract.DEPLOYED, *DEPLOYED_LINES), settings.phrases) == []
    lying = session(contract.DEPLOYED, "S3 sync failed with code 1: NoSuchBucket")
    assert any("reports deploySuccess: true, but its log has no completed sync" in p
               for p in outcomes.cross_check(lying, settings.phrases))
    silent = session(contract.SYNC_FAILED, contract.PHRASE_DONE)
    assert "does not say the sync failed" in outcomes.cross_check(silent, settings.phrases)[0]
    for site, said in (("https://edit.amelia.webordinary.com", "siteUrl 'https://edit.amelia.webordinary.com'"),
                       (None, "no siteUrl")):
        elsewhere = session(contract.DEPLOYED, *DEPLOYED_LINES)
        elsewhere.outcome = replace(elsewhere.outcome, output={"siteUrl": site} if site else {})
        assert outcomes.cross_check(elsewhere, settings.phrases) == [
            f"ada's thread thread-0 ('edit 0') reports {said}, but its client's site is "
            "https://edit.wat-x-ada.webordinary.com"]
    early = session(contract.DEPLOYED, *DEPLOYED_LINES[:3], contract.PHRASE_DONE, *DEPLOYED_LINES[3:5])
    assert [p for p in outcomes.cross_check(early, settings.phrases) if "before its work was done" in p] == [
        "ada's thread thread-0 ('edit 0') sent its success callback (16:00:03.000) before its work was done: its log "
        "has 'Step 4/5: Deploying to S3...' at 16:00:04.000, after the callback"]
    unpushed = session(contract.DEPLOYED, *DEPLOYED_LINES, "Pushed branch thread-0 successfully")
    assert "its log has 'Pushed branch thread-0 successfully' at 16:00:06.000" in outcomes.cross_check(
        unpushed, settings.phrases)[0]


def test_rapid_switching_wants_the_last_deployed_and_no_earlier_one_failed() -> None:
    ok = [session(contract.PREEMPTED, sent=0), session(contract.DEPLOYED, sent=1)]
    assert outcomes.last_wins_problems(ok) == []
    bad = [session(contract.FAILED, sent=0), session(contract.PREEMPTED, sent=1)]
    problems = outcomes.last_wins_problems(bad)
    assert "neither deployed nor preempted" in problems[0] and "the last edit" in problems[1]


def test_only_a_newer_email_preempts_a_session() -> None:
    phrases = Settings().phrases

    def preempted_by(thread: str, sent: int, where: str = "log") -> Session:
        s = session(contract.PREEMPTED, sent=sent)
        said = f"New message in thread {thread}"
        s.outcome = replace(s.outcome, detail=f"Interrupted by {said.lower()}" if where == "cause" else "preempted",
                            log=log_of(f"{contract.PHRASE_INTERRUPT}: {said}") if where == "log" else log_of())
        return s
    newer = [preempted_by("thread-1", 0), session(contract.DEPLOYED, sent=1)]
    reply = [preempted_by("thread-0", 0), replace(session(contract.DEPLOYED, sent=1), thread_id="thread-0")]
    assert outcomes.preemption_problems(newer, phrases) == outcomes.preemption_problems(reply, phrases) == []
    for where in ("log", "cause"):
        itself = [preempted_by("thread-0", 0, where), session(contract.DEPLOYED, sent=1)]
        assert outcomes.preemption_problems(itself, phrases) == [
            "ada's thread thread-0 ('edit 0') was preempted by a new message in thread thread-0 (its own thread), but "
            "no email of ada in that thread was sent after it: only a newer email may preempt a session"]
    older = [session(contract.DEPLOYED, sent=0), preempted_by("thread-0", 1),
             session(contract.DEPLOYED, sent=2)]
    assert "(a thread of its client)" in outcomes.preemption_problems(older, phrases)[0]
    stranger = [preempted_by("thread-9", 0), session(contract.DEPLOYED, sent=1)]
    assert "(no thread of ada's)" in outcomes.preemption_problems(stranger, phrases)[0]


def commit(sha: str, thread: str | None, user: str = "acceptance", subject: str = "",
           author: str = contract.COMMIT_AUTHOR) -> CommitInfo:
    subject = subject or f"Edit (site.json) [{(thread or '')[:8]}]"
    body = f"{subject}\n\n---\nSession: {thread}\nUser: {user}\nTime: x\nGenerated by Claude Code Container"
    return CommitInfo(sha, subject, body if thread else subject, author, datetime.now(UTC))


def test_each_thread_keeps_its_own_commits_and_only_those() -> None:
    good = [ThreadWork("thread-a", "thread-a", ["Edit", "Edit"], [commit("a2", "thread-a"), commit("a1", "thread-a")]),
            ThreadWork("thread-b", "thread-b", ["edit"], [commit("b1", "thread-b")])]
    assert branch_problems(good, "acceptance", []) == []
    lost = [ThreadWork("thread-a", "thread-a", ["Edit", "Edit"], [commit("a1", "thread-a")]),
            ThreadWork("thread-b", "thread-b", ["Edit"], None),
            ThreadWork("thread-c", "thread-c", ["Edit"], [commit("c1", "thread-c"), commit("a9", "thread-a")])]
    problems = branch_problems(lost, "acceptance", ["main"])
    assert "holds 1 commit(s) of thread thread-a, but the container committed 2" in problems[0]
    assert "thread thread-b's branch thread-b is not on GitHub" in problems[1]
    assert "holds a9 'Edit (site.json) [thread-a]' of another thread (thread-a)" in problems[2]


def test_commits_that_lie_about_who_and_what_are_named() -> None:
    twice = ThreadWork("thread-a", "thread-a", ["Edit"], [commit("a2", "thread-a"), commit("a1", "thread-a")])
    assert "holds 2 commit(s) of thread thread-a, but the container committed 1 time(s)" in " ".join(
        branch_problems([twice], "acceptance", []))
    root = ThreadWork("thread-a", "thread-a", ["Edit"], [commit("a1", "thread-a", author="root <root@localhost>")])
    assert branch_problems([root], "acceptance", []) == [
        "a1 'Edit (site.json) [thread-a]' on thread-a is authored by root <root@localhost>, not "
        "WebOrdinary Container <container@webordinary.com>"]
    wrong = ThreadWork("thread-a", "thread-a", ["Add header"], [commit("a1", "thread-a", subject="Other [thread-b]")])
    assert "the subject 'Other [thread-b]' does not start with the instruction 'Add header'" in " ".join(
        branch_problems([wrong], "acceptance", []))
    untagged = ThreadWork("thread-a", "thread-a", ["Edit"], [commit("a1", "thread-a", subject="Edit (site.json)")])
    assert "does not end with the thread's tag [thread-a]" in " ".join(branch_problems([untagged], "acceptance", []))
    assert main_problems([commit("m1", "thread-a")], ["thread-a"], "main") == [
        "main holds m1 'Edit (site.json) [thread-a]' of thread thread-a"]


@dataclass
class Table:
    headings: list[str]
    body: list[list[str]]

    def __iter__(self) -> Any:
        return iter(dict(zip(self.headings, row, strict=True)) for row in self.body)


def test_tables_that_could_pass_without_checking_are_refused_in_one_line() -> None:
    with pytest.raises(InputError, match=r"a header \(client\) but no rows"):
        CLIENTS.rows(Table(["client"], []))
    with pytest.raises(InputError, match="more than once"):
        CLIENTS.rows(Table(["client"], [["olga"], ["olga"]]))
    with pytest.raises(InputError, match="unknown column"):
        CLIENTS.rows(Table(["client", "colour"], [["olga", "red"]]))
    with pytest.raises(InputError, match=r"row\(s\) 2 of the table leave the 'instruction' column empty"):
        INSTRUCTIONS.rows(Table(["instruction"], [["Hi"], [""]]))
    assert EMAILS.rows(Table(["client", "instruction"], [["olga", "Hi"]])) == [{"client": "olga", "instruction": "Hi"}]


def test_a_step_s_values_are_checked_before_it_runs() -> None:
    grammar = Grammar.from_published([{"pattern": r'add header with text "(?P<text>[^"]+)"',
                                       "example": 'Add header with text "Hi"'}])
    inputs = Inputs(INSTRUCTIONS, {"gap": at_least(0, "the gap between emails", "seconds")})
    with pytest.raises(InputError, match="the gap between emails must be at least 0 seconds, got -1"):
        inputs.check(Table(["instruction"], [['Add header with text "Hi"']]), {"gap": -1}, grammar, Settings())
    with pytest.raises(ValueError, match="cannot interpret instruction 'Make it pop'"):
        inputs.check(Table(["instruction"], [["Make it pop"]]), {"gap": 1}, grammar, Settings())
    with pytest.raises(ValueError, match="client name 'Olga Smith' is not usable"):
        Inputs().check(None, {"client": "Olga Smith"}, grammar, Settings())
    assert Inputs.clients([{"client": "olga"}], {"client": "bruno", "other": "carla"}) == ["bruno", "carla", "olga"]


def test_an_instruction_outside_the_published_grammar_is_named_with_the_valid_forms() -> None:
    grammar = Grammar.from_published([{"pattern": r'add header with text "(?P<text>[^"]+)"',
                                       "example": 'Add header with text "Hi"'}])
    grammar.check('please add header with text "Hi".')
    with pytest.raises(InstructionError, match=r"'Make it pop'; the target understands: Add header with text"):
        grammar.check("Make it pop")
    Grammar().check("Make it pop")  # Claude takes anything


def test_an_owner_of_several_projects_stalls_only_those_it_claimed_before_its_last() -> None:
    from lib.observe.containers import later_claims

    def row(project: str, claimed_ms: int) -> dict:
        return {"projectKey": {"S": f"{project}#acceptance"}, "claimedAt": {"N": str(claimed_ms)}}

    rows = [row("otto", 1000), row("gus", 2000), row("dora", 3000)]
    assert later_claims(rows[1], rows) == ["dora#acceptance"]  # gus's queue was replaced by dora's
    assert later_claims(rows[2], rows) == []  # dora is the one it serves now, whatever else it still owns
    assert later_claims(rows[0], [rows[0]]) == []


def test_a_client_whose_owner_claimed_another_project_after_it_is_unserved() -> None:
    from lib.observe.containers import unserved

    rows = {"dora#acceptance": ("c-1", 1000), "emil#acceptance": ("c-1", 2000), "otto#acceptance": ("c-2", 500)}

    class Pages:
        def paginate(self, **kwargs: Any) -> list[dict]:
            owner = kwargs["ExpressionAttributeValues"][":c"]["S"]
            items = [item(k) for k, (c, _) in rows.items() if c == owner]
            return [{"Items": items[:1]}, {"Items": items[1:]}]  # a later claim on a second page still counts

    class Table:
        def get_item(self, Key: dict, **_: Any) -> dict:
            key = Key["projectKey"]["S"]
            return {"Item": item(key)} if key in rows else {}

        def get_paginator(self, name: str) -> Pages:
            return Pages()

    def item(key: str) -> dict:
        container, claimed = rows[key]
        return {"projectKey": {"S": key}, "containerId": {"S": container}, "claimedAt": {"N": str(claimed)}}

    said = unserved(Table(), Settings(), "dora", "dora")
    assert said is not None and "dora's owner c-1 claimed emil#acceptance after it" in said
    assert unserved(Table(), Settings(), "emil", "emil") is None  # the project c-1 serves now
    assert unserved(Table(), Settings(), "otto", "otto") is None  # its owner claimed nothing after it
    assert unserved(Table(), Settings(), "nils", "nils") is None  # nobody owns it: its next email sends a claim


def test_the_suite_stops_an_edit_container_only_on_its_own_aws() -> None:
    """Against AWS the suite enters only by email: stopping a task of the stack is refused before ECS is called."""
    class Ecs:
        def __init__(self) -> None:
            self.calls: list[dict[str, str]] = []

        def stop_task(self, **call: str) -> None:
            self.calls.append(call)

    ecs = Ecs()
    with pytest.raises(ValueError, match="only on the embedded AWS"):
        operations.stop_task(ecs, Settings().replace(target="aws"), "abc", "why")
    assert ecs.calls == []
    operations.stop_task(ecs, Settings(), "abc", "why")
    assert ecs.calls == [{"cluster": Settings().stack.ecs_cluster, "task": "abc", "reason": "why"}]
