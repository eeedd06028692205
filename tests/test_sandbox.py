"""The sandbox honours the edit container's contract (webordinary-contract.md)."""

from __future__ import annotations

from lib import contract
from lib.logs import DEPLOYED
from lib.pipeline import Pipeline


def test_one_session_is_built_deployed_pushed_and_logged_in_order(pipeline: Pipeline) -> None:
    pipeline.give_edit_site("olga")
    session = pipeline.start_session("olga", 'Add header with text "Olga\'s Orchard"')
    log = pipeline.wait_for_finish(session)
    assert log.outcome == DEPLOYED
    messages = [line.message for line in log.lines]
    expected = [
        f"Switched to thread {session.thread_id} (branch: {session.branch})",
        contract.PHRASE_EXECUTING,
        contract.PHRASE_COMMITTING,
        contract.PHRASE_BUILDING,
        contract.PHRASE_BUILD_OK,
        contract.PHRASE_DEPLOYING,
        "✅ S3 sync complete: 2 uploaded, 0 deleted",
        f"🌐 Site updated at https://{session.bucket}",
        contract.PHRASE_PUSHING,
        f"Pushed branch {session.branch} successfully",
        contract.PHRASE_DONE,
    ]
    assert messages == expected
    assert log.container_id and log.lines[0].stream == f"edit/{log.container_id}"
    assert "Olga&#39;s Orchard" in pipeline.page("olga")


def test_the_commit_follows_the_contract_and_is_readable_through_pygithub(pipeline: Pipeline) -> None:
    pipeline.give_edit_site("pavel")
    session = pipeline.start_session("pavel", "please update page title to \"Pavel's Pies\"")
    pipeline.wait_for_finish(session)
    commits = pipeline.repository.get_git_commits(session.branch)
    head = commits[0]
    assert head.subject == f"Update page title to \"Pavel's Pies\" (1 file) [{session.thread_id[:8]}]"
    assert head.message.endswith(f"Session: {session.thread_id}\nUser: {session.user}")
    assert head.author == "WebOrdinary Container <container@webordinary.com>"
    assert commits[-1].subject == "Initial site"
    assert pipeline.repository.branch_exists(session.branch)
    assert not pipeline.repository.branch_exists("thread-never-made")
