"""The checks for faults nobody had named (issue: commits, work done twice, ownership, failed builds, "done"
before done, edits no visitor sees, partial deployments): each goes red on the fault and stays quiet without it.
Pure functions on hand-made facts; no process."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from lib.expect import contract
from lib.judge import deployments, outcomes
from lib.judge.matchers import holds_in, shows_in, shows_text
from lib.records import (
    Client,
    CommitInfo,
    DeployedObject,
    Intake,
    LogLine,
    Moment,
    Outcome,
    OwnerReading,
    Ownership,
    Session,
    SessionLog,
    Visit,
)
from lib.settings import Settings

T0 = 1_764_000_000_000
THREAD = "thread-1764000000000-abcdef"
LINES = (f"Switched to thread {THREAD} (branch: {THREAD})", contract.PHRASE_COMMITTING,
         contract.PHRASE_BUILDING, contract.PHRASE_BUILD_OK, contract.PHRASE_DEPLOYING,
         "✅ S3 sync complete: 2 uploaded, 0 deleted", contract.PHRASE_DONE)


FILES = ("src/data/site.json",)


def build(at_ms: int = T0 + 5000, size: int = 10) -> list[DeployedObject]:
    when = datetime.fromtimestamp(at_ms / 1000, UTC)
    return [DeployedObject("index.html", size, when, "e1"), DeployedObject("changes/a/index.html", size, when, "e2")]


def head(thread: str = THREAD) -> CommitInfo:
    return CommitInfo("c0ffee00", "Edit [thread-1]", f"Edit [thread-1]\n\n---\nSession: {thread}\nUser: acceptance",
                      contract.COMMIT_AUTHOR, datetime.now(UTC))


def a_session(kind: str = contract.DEPLOYED, lines: tuple[str, ...] = LINES, *, at_end: Moment | None = None,
              before: Moment | None = None, start_ms: int = T0) -> Session:
    log = SessionLog(THREAD, [LogLine(start_ms + i * 1000, m, "edit/c/task1") for i, m in enumerate(lines)])
    session = Session(Client("ada", "wat-x-ada", "edit.wat-x-ada.webordinary.com"), "Edit", "k", "<m>", T0,
                      thread_id=THREAD, before=before)
    moment = at_end or Moment(T0 + 9000, build(), head(), Ownership("container-1", T0 + 100, T0 // 1000 + 3600), None,
                              head_files=FILES)
    output = {"siteUrl": f"https://{session.client.bucket}", "filesChanged": list(FILES)}
    session.outcome = Outcome(kind, kind, "SUCCEEDED", output, T0 + 8000, T0 + 8500, log, moment)
    return session


def test_done_means_the_bucket_and_the_branch_already_hold_the_work() -> None:
    settings = Settings()
    assert outcomes.cross_check(a_session(), settings.phrases) == []
    early = a_session(at_end=Moment(T0 + 9000, [], None, None, None))
    problems = " ".join(outcomes.cross_check(early, settings.phrases))
    assert "reports deploySuccess: true, but when its execution ended edit.wat-x-ada.webordinary.com was not yet " \
           "its build: " in problems
    assert f"committed, but when its execution ended its branch {THREAD} was not on GitHub" in problems
    other_head = a_session(at_end=Moment(T0 + 9000, build(), head("thread-other"), None, None))
    assert "the head of" in outcomes.cross_check(other_head, settings.phrases)[0]


def test_a_callback_s_fields_say_what_happened_and_a_finished_session_still_owns_its_project() -> None:
    phrases = Settings().phrases
    unowned = a_session()
    unowned.owner_while_building = OwnerReading(T0 + 2500, None)
    assert outcomes.cross_check(unowned, phrases) == [
        f"ada's thread {THREAD} ('Edit'): while it was building (16:00:02.500), nobody owned wat-x-ada: its "
        "container released the project while working on it"]
    unowned.owner_while_building = OwnerReading(T0 + 2500, Ownership("container-1", T0 + 100, T0 // 1000 + 3600))
    assert outcomes.cross_check(unowned, phrases) == []
    wrong_files = a_session()
    wrong_files.outcome = replace(wrong_files.outcome, output={**wrong_files.outcome.output,  # type: ignore[union-attr]
                                                               "filesChanged": ["dist/index.html"]})
    assert outcomes.cross_check(wrong_files, phrases) == [
        f"ada's thread {THREAD} ('Edit') reports filesChanged ['dist/index.html'], but its commit c0ffee00 changed "
        "['src/data/site.json']"]
    none_reported = a_session()
    none_reported.outcome = replace(none_reported.outcome, output={  # type: ignore[union-attr]
        "siteUrl": "https://edit.wat-x-ada.webordinary.com", "messageId": "sqs-1"})
    none_reported.intake = Intake("m-1", {}, False, T0, contract.ROUTE_UNOWNED)
    assert outcomes.cross_check(none_reported, phrases) == [
        f"ada's thread {THREAD} ('Edit') reports messageId 'sqs-1', but its email's message is 'm-1'",
        f"ada's thread {THREAD} ('Edit') reports no filesChanged, but its container committed changes "
        f"(edit/c/task1 @{T0 + 1000}: Step 2/5: Committing changes...)"]
    nothing_committed = a_session(lines=tuple(line for line in LINES if line != contract.PHRASE_COMMITTING))
    assert "reports filesChanged ['src/data/site.json'], but its container committed nothing" in outcomes.cross_check(
        nothing_committed, phrases)[0]


def test_the_ownership_row_must_move_with_each_message() -> None:
    stale = a_session(at_end=Moment(T0 + 9000, build(), head(), Ownership("c", T0 - 60_000, T0 // 1000), None))
    problems = outcomes.cross_check(stale, Settings().phrases)
    assert len(problems) == 1 and "lastActivity does not move with each message" in problems[0]


def test_a_client_s_sessions_never_overlap() -> None:
    first, second = a_session(), a_session(start_ms=T0 + 3000)
    second.thread_id = "thread-2"
    phrases = Settings().phrases
    assert "were handled at the same time" in outcomes.overlap_problems([first, second], phrases)[0]
    second.outcome = replace(second.outcome, log=SessionLog("thread-2", [LogLine(T0 + 7000, "x", "s")]))  # type: ignore[arg-type]
    assert outcomes.overlap_problems([first, second], phrases) == []
    cut = a_session(lines=LINES[:3])  # its container started thread-2 before it logged its end
    cut.outcome.log.cut_by = LogLine(T0 + 3500, "Switched to thread thread-2 (branch: thread-2)", "edit/c/task1")  # type: ignore[union-attr]
    assert outcomes.overlap_problems([cut], phrases) == [
        f"ada's thread {THREAD} ('Edit') was still being worked on when its container started another session "
        "(Switched to thread thread-2 (branch: thread-2) at 16:00:03.500)"]


def test_a_failed_build_changes_nothing() -> None:
    settings = Settings()
    lines = (*LINES[:3], "Build failed with code 1: oops", contract.PHRASE_DONE)
    before = Moment(T0 - 10, build(T0 - 9000), head(), None, None)
    unchanged = a_session(contract.BUILD_FAILED, lines, before=before,
                          at_end=Moment(T0 + 9000, build(T0 - 9000), head(), None, None))
    assert outcomes.failed_build_problems(unchanged, settings.phrases) == []
    pushed_and_synced = a_session(contract.BUILD_FAILED, lines, before=before, at_end=Moment(
        T0 + 9000, build(T0 + 5000), replace(head(), sha="deadbeef"), None, None))
    problems = " ".join(outcomes.failed_build_problems(pushed_and_synced, settings.phrases))
    assert "failed to build, yet its bucket changed: changes/a/index.html, index.html" in problems
    assert "failed to build, yet its branch was pushed: its head was c0ffee00, then deadbeef" in problems
    unbuilt = outcomes.failed_build_problems(a_session(before=before), settings.phrases)
    assert "instead of failing to build" in unbuilt[0]


def test_a_deployment_is_complete_no_empty_file_no_broken_link() -> None:
    page = '<a href="/changes/a/">a</a> <a href="/changes/b/">b</a> <a href="https://x.org/">x</a>'
    assert deployments.completeness_problems(build(), {"index.html": '<a href="/changes/a/">a</a>'}) == []
    problems = deployments.completeness_problems(build(size=0)[:1], {"index.html": page})
    assert problems == ["index.html is empty (0 bytes)",
                        "index.html links to 2 page(s) the bucket does not hold: /changes/a/, /changes/b/"]


PAGE = ('<html><head><title>Spring</title></head><body><h1>Hi</h1><dl class="config"><dt>k</dt><dd>ABC123</dd>'
        '</dl><ul class="changes"><li><a href="/changes/a/">Config different_key XYZ789</a></li></ul></body></html>')


def test_shows_means_the_element_the_instruction_names() -> None:
    assert contract.element_showing(["Add secret key ABC123 to config"], "ABC123") == contract.CONFIG_VALUE
    assert contract.element_showing(["Please update page title to \"Spring\""], "Spring") == contract.TITLE
    assert contract.element_showing(["Create site for client 7"], "Welcome to client 7") == contract.HEADING
    assert contract.element_showing(["Add header with text \"Hi\""], "Bye") is None
    assert shows_in(contract.CONFIG_VALUE, "ABC123").matches(PAGE)
    # In the change list only: any text on the page would have passed, the element does not.
    assert shows_text("XYZ789").matches(PAGE)
    assert not shows_in(contract.CONFIG_VALUE, "XYZ789").matches(PAGE)
    # Another thread's value is found only where its edit wrote it, and only as the whole of it.
    assert holds_in(contract.CONFIG_VALUE, "ABC123").matches(PAGE)
    assert not holds_in(contract.CONFIG_VALUE, "ABC12").matches(PAGE)


def test_a_page_a_browser_would_keep_hides_the_next_edit() -> None:
    page = "http://edit.wat-x-ada.webordinary.com.s3-website-us-west-2.amazonaws.com/"
    for quiet in ("", "no-cache", "max-age=60", "public, max-age=0, must-revalidate", "max-age=31536000, no-cache"):
        assert Visit(page, 200, "text/html", quiet).problems() == [], quiet
    assert Visit(page, 200, "text/html", "public, max-age=3600").problems() == [
        f"{page} is served with Cache-Control 'public, max-age=3600', so a browser that saw it keeps it for 3600 s "
        "without asking again and does not see the next edit"]
    assert "31536000 s (immutable: not even on a reload)" in Visit(
        page, 200, "text/html", "max-age=31536000, immutable").problems()[0]
