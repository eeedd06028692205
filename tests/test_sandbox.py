"""The sandbox honours the edit container's contract (webordinary-contract.md)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from github import Github
from lib.logs import BUILD_FAILED, DEPLOYED, SYNC_FAILED
from lib.pipeline import Pipeline
from lib.waiters import wait_until

from lib import contract, naming
from sandbox.edit import aws_cli
from tests.sandbox_helpers import running_sandbox


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


def _ownership(pipeline: Pipeline, client: str) -> dict:
    return pipeline.clients.dynamodb.get_item(
        TableName=contract.OWNERSHIP_TABLE,
        Key={"projectKey": {"S": contract.project_key(client, pipeline.settings.user_id)}},
    ).get("Item", {})


def test_one_container_claims_a_client_and_handles_its_messages_in_fifo_order(pipeline: Pipeline) -> None:
    pipeline.give_edit_site("quinn")
    sessions = [pipeline.start_session("quinn", f'Update page title to "Q{i}"') for i in range(3)]
    logs = [pipeline.wait_for_finish(s) for s in sessions]
    containers = {log.container_id for log in logs}
    assert len(containers) == 1, containers
    starts = [log.lines[0].timestamp_ms for log in logs]
    assert starts == sorted(starts)
    row = _ownership(pipeline, sessions[0].client)
    assert row["containerId"]["S"] == logs[0].container_id
    assert row["status"]["S"] == "active"
    now_s = time.time()
    assert now_s + 3500 < int(row["ttl"]["N"]) <= now_s + 3601
    assert int(row["lastActivity"]["N"]) >= sessions[-1].sent_at_ms - 2000
    assert pipeline.container_status(logs[0].container_id) == "running"
    assert "<title>Q2</title>" in pipeline.page("quinn")


def test_different_clients_are_processed_concurrently_by_different_containers(pipeline: Pipeline) -> None:
    for name in ("rosa", "sven"):
        pipeline.give_edit_site(name)
    sessions = [pipeline.start_session(n, f"Create site for client {i}") for i, n in enumerate(("rosa", "sven"))]
    logs = [pipeline.wait_for_finish(s) for s in sessions]
    assert logs[0].container_id != logs[1].container_id
    spans = [(log.first(contract.PHRASE_BUILDING).timestamp_ms, log.first(contract.PHRASE_BUILD_OK).timestamp_ms)
             for log in logs]
    assert spans[0][0] < spans[1][1] and spans[1][0] < spans[0][1], f"builds did not overlap: {spans}"


def test_an_active_job_row_is_kept_while_the_container_works(pipeline: Pipeline) -> None:
    pipeline.give_edit_site("tara")
    session = pipeline.start_session("tara", 'Add header with text "Busy"')
    key = {"projectUserId": {"S": contract.project_key(session.client, session.user)}}
    row = wait_until("an active job row", lambda: pipeline.clients.dynamodb.get_item(
        TableName=contract.ACTIVE_JOBS_TABLE, Key=key).get("Item"), bool, 30)
    assert row["threadId"]["S"] == session.thread_id and row["messageId"]["S"] == session.message_id
    pipeline.wait_for_finish(session)
    assert "Item" not in pipeline.clients.dynamodb.get_item(TableName=contract.ACTIVE_JOBS_TABLE, Key=key)


def test_a_missing_bucket_fails_the_sync_but_the_container_pushes_and_carries_on(pipeline: Pipeline) -> None:
    pipeline.onboard_without_site("ursula")
    failed = pipeline.start_session("ursula", "Test S3 failure handling")
    log = pipeline.wait_for_finish(failed)
    assert log.outcome == SYNC_FAILED
    assert log.first(contract.PHRASE_SYNC_FAILED).message.startswith("S3 sync failed with code ")
    assert pipeline.repository.branch_exists(failed.branch)
    pipeline.give_edit_site("ursula")
    again = pipeline.start_session("ursula", 'Add header with text "Back"')
    assert pipeline.wait_for_finish(again).outcome == DEPLOYED
    assert pipeline.wait_for_finish(again).container_id == log.container_id


def test_a_failed_build_skips_sync_and_push_and_the_container_carries_on(pipeline: Pipeline) -> None:
    pipeline.give_edit_site("viktor")
    broken = pipeline.start_session("viktor", "Add broken page oops")
    log = pipeline.wait_for_finish(broken)
    assert log.outcome == BUILD_FAILED
    assert "Could not resolve" in log.first(contract.PHRASE_BUILD_FAILED).message
    assert log.first(contract.PHRASE_DEPLOYING) is None and log.first(contract.PHRASE_PUSHING) is None
    assert not pipeline.repository.branch_exists(broken.branch)
    fixed = pipeline.start_session("viktor", 'Add header with text "Fixed"')
    assert pipeline.wait_for_finish(fixed).outcome == DEPLOYED


def test_an_uninterpretable_instruction_names_itself_and_the_supported_forms(pipeline: Pipeline) -> None:
    pipeline.give_edit_site("wanda")
    session = pipeline.start_session("wanda", "Make it pop")
    log = pipeline.wait_for_finish(session)
    failure = log.first(contract.PHRASE_FAILED)
    assert failure is not None and "'Make it pop'" in failure.message
    assert 'Add header with text "' in failure.message
    nxt = pipeline.start_session("wanda", 'Add header with text "Popped"')
    assert pipeline.wait_for_finish(nxt).outcome == DEPLOYED


@pytest.mark.parametrize("body", ["not json at all", json.dumps({"projectId": "x", "text": "hi"})])
def test_a_malformed_message_is_logged_and_dead_lettered(pipeline: Pipeline, body: str) -> None:
    pipeline.give_edit_site("xenia")
    warm = pipeline.start_session("xenia", 'Add header with text "Warm"')
    pipeline.wait_for_finish(warm)
    sqs = pipeline.clients.sqs
    queue = naming.input_queue_for(pipeline.settings, warm.client, warm.user)
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    sent_ms = int(time.time() * 1000)
    sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=contract.project_key(warm.client, warm.user))
    found = wait_until("the malformed message's log line",
                       lambda: pipeline.logs.find("Failed to process message: malformed message", sent_ms - 2000),
                       bool, 30)
    assert found[-1].container_id == pipeline.session_log(warm).container_id
    dlq = sqs.get_queue_url(QueueName=queue.removesuffix(".fifo") + "-dlq.fifo")["QueueUrl"]
    dead = wait_until("the dead-letter queue to hold it", lambda: sqs.receive_message(
        QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []), bool, 15)
    assert dead[0]["Body"] == body
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=dead[0]["ReceiptHandle"])  # unlocks the FIFO group
    after = pipeline.start_session("xenia", 'Add header with text "Still here"')
    assert pipeline.wait_for_finish(after).outcome == DEPLOYED


def test_switching_threads_commits_leftover_work_on_the_old_branch(shared_sandbox: tuple) -> None:
    pipeline, process = shared_sandbox
    pipeline.give_edit_site("yusuf")
    first = pipeline.start_session("yusuf", 'Add header with text "One"')
    pipeline.wait_for_finish(first)
    workspace = process.state_dir / "workspaces" / first.client / first.user / "test-repo"
    (workspace / "src" / "data" / "leftover.txt").write_text("work in progress\n")  # as an interrupt leaves it
    second = pipeline.start_session("yusuf", 'Add header with text "Two"')
    pipeline.wait_for_finish(second)
    subjects = subprocess.run(["git", "log", "--format=%s", "-n1", first.branch], cwd=workspace,
                              capture_output=True, text=True, check=True).stdout.strip()
    assert subjects == f"Switching threads [{first.thread_id[:8]}]"
    assert "leftover" not in pipeline.page("yusuf") and "Two" in pipeline.page("yusuf")


def test_github_facade_pages_commits_like_github(pipeline: Pipeline) -> None:
    pipeline.give_edit_site("zora")
    for i in range(3):
        pipeline.start_session("zora", f'Update page title to "Z{i}"', thread_id="thread-zora-shared")
    # Three messages of one thread: the log cannot tell them apart, the branch's commits can.
    commits = wait_until("three commits on thread-zora-shared",
                         lambda: pipeline.repository.get_git_commits("thread-zora-shared", limit=50),
                         lambda found: len(found) >= 4, 60, describe=lambda found: [c.subject for c in found])
    assert [c.subject.split(" (")[0] for c in commits[:3]] == [f'Update page title to "Z{i}"' for i in (2, 1, 0)]
    two_per_page = Github(base_url=pipeline.settings.github_api_url, per_page=2)
    paged = list(two_per_page.get_repo(pipeline.settings.repository).get_commits(sha="thread-zora-shared"))
    assert [c.sha for c in paged] == [c.sha for c in commits]
    assert "thread-zora-shared" in pipeline.repository.branches()


def test_an_idle_container_releases_its_claim_and_stops(tmp_path: Path) -> None:
    with running_sandbox(tmp_path, extra_args=("--idle-release", "2")) as (pipeline, _):
        pipeline.give_edit_site("idris")
        session = pipeline.start_session("idris", 'Add header with text "Idle soon"')
        log = pipeline.wait_for_finish(session)
        released = pipeline.wait_for_log(f"Idle for 2s, releasing {session.client}#{session.user}", session.sent_at_ms)
        assert released[0].container_id == log.container_id
        row = wait_until("the ownership row to go", lambda: _ownership(pipeline, session.client), lambda r: not r, 10)
        assert row == {}
        assert wait_until("the container to stop", lambda: pipeline.container_status(log.container_id),
                          lambda status: status == "stopped", 10) == "stopped"
        again = pipeline.start_session("idris", 'Add header with text "Claimed again"')  # a new claim request
        assert pipeline.wait_for_finish(again).container_id != log.container_id


def test_a_person_can_inspect_the_sandbox_with_the_aws_cli(pipeline: Pipeline) -> None:
    bucket = pipeline.give_edit_site("anouk")
    session = pipeline.start_session("anouk", 'Add header with text "Hello"')
    pipeline.wait_for_finish(session)
    assert pipeline.wait_for_branch(session.branch)
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-west-2"}
    listing = subprocess.run([aws_cli(), "--endpoint-url", pipeline.settings.aws_endpoint_url, "s3", "ls",
                              f"s3://{bucket}/"], capture_output=True, text=True, env=env, check=True).stdout
    assert "index.html" in listing and "PRE changes/" in listing
