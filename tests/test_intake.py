"""What the pipeline made of an email, against what the scenario sent: each misreading named in a sentence."""

from __future__ import annotations

from typing import Any

from lib.expect import contract
from lib.judge import intake
from lib.records import Intake, Ownership

SENT = intake.Sent(project="wat-x-ada", user="acceptance", queue="webordinary-input-wat-x-ada-acceptance.fifo",
                   others={"thread-2": "ada's thread thread-2 ('edit 2')"})
QUEUE_URL = "http://localhost:1/123456789012/webordinary-input-wat-x-ada-acceptance.fifo"
CHECKED_MS = 1_764_604_800_000  # 16:00:00.000 UTC


def read(route: str = contract.ROUTE_UNOWNED, owner_found: bool | None = False, **changed: Any) -> Intake:
    parsed = {"projectId": "wat-x-ada", "userId": "acceptance", "threadId": "thread-1", "queueUrl": QUEUE_URL,
              "messageId": "m-1", **changed}
    return Intake("m-1", parsed, owner_found, CHECKED_MS, route)


def test_an_email_read_as_it_was_sent_has_no_problem() -> None:
    assert intake.problems("ada's email", SENT, read(), None) == []
    assert intake.problems("ada's email", SENT, read(contract.ROUTE_OWNED, True),
                           Ownership("c-1", 0, 0, CHECKED_MS - 60_000)) == []


def test_each_field_the_pipeline_misread_is_named_with_what_the_email_says() -> None:
    said = intake.problems("ada's email", SENT, read(userId="product-owner", queueUrl=QUEUE_URL.replace("ada", "bo"),
                                                     messageId="m-9"), None)
    assert said == [
        "the pipeline read userId 'product-owner' from ada's email, whose recipient names 'acceptance'",
        "the pipeline routed ada's email to the queue 'webordinary-input-wat-x-bo-acceptance.fifo', not its "
        "project's 'webordinary-input-wat-x-ada-acceptance.fifo'",
        "the pipeline parsed ada's email as message 'm-9', but its execution was started for 'm-1'",
    ]


def test_a_reply_must_join_the_thread_it_answers_and_a_new_email_no_other_thread() -> None:
    reply = intake.Sent(SENT.project, SENT.user, SENT.queue, replied_thread="thread-0")
    assert intake.problems("ada's reply", reply, read(), None) == [
        "the pipeline gave ada's reply, a reply, the thread 'thread-1', not the thread of the email it answers "
        "(thread-0)"]
    assert intake.problems("ada's reply", reply, read(threadId="thread-0"), None) == []
    assert intake.problems("ada's email", SENT, read(threadId="thread-2"), None) == [
        "the pipeline put ada's email, a new email, in the thread thread-2, which is ada's thread thread-2 "
        "('edit 2')'s"]


def test_the_route_follows_the_ownership_the_pipeline_found_and_the_row_that_existed_then() -> None:
    owned_since_before = Ownership("c-1", 0, 0, CHECKED_MS - 5_000)
    assert intake.problems("ada's email", SENT, read(owner_found=False), owned_since_before) == [
        "the pipeline routed ada's email by RouteToQueuesWithClaim (a new claim) as if wat-x-ada had no owner, but "
        "c-1 had owned it since 15:59:55.000, before CheckOwnership looked at 16:00:00.000"]
    claimed_after = Ownership("c-1", 0, 0, CHECKED_MS + 200)  # claimed by this very email's claim: no problem
    assert intake.problems("ada's email", SENT, read(owner_found=False), claimed_after) == []
    assert intake.problems("ada's email", SENT, read(contract.ROUTE_UNOWNED, True), None) == [
        "the pipeline found an owner of wat-x-ada and still routed ada's email by RouteToQueuesWithClaim (a new "
        "claim)"]
    assert intake.problems("ada's email", SENT, read(contract.ROUTE_OWNED, False), None) == [
        "the pipeline found no owner of wat-x-ada and routed ada's email by RouteToProjectQueue, as if it were "
        "owned"]
