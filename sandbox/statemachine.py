"""The `email-processor` state machine, as the proposal defines it (refactor_authority/REFACTOR_PROPOSAL.md of
jscotthorn/webordinary; docs/contract.md#state-machine-states), run by moto's Step Functions engine.

moto cannot run lambdas here, so each lambda state is a `sqs:sendMessage.waitForTaskToken` to the sandbox's
lambda queue, answered by `sandbox.lambdas` with SendTaskSuccess: the execution's history and output read as
on AWS. Where this machine differs from the proposal (docs/sandbox.md, "Where the sandbox differs from the real
system"):
- an interrupted session ends FAILED with error PREEMPTED (the proposal's InterruptionComplete is a Succeed);
- no attachments branch (the suite sends plain-text emails);
- ParseEmail also returns the project's `repoUrl`, as the deployed stack's project config does.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox import names

HEARTBEAT_S = 60
TIMEOUT_S = 3600


def _lambda(function: str, lambda_queue_url: str, result_path: str | None, next_state: str | None) -> dict:
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": lambda_queue_url,
                       "MessageBody": {"function": function, "input.$": "$", "taskToken.$": "$$.Task.Token"}},
        "ResultPath": result_path,
    }
    state.update({"Next": next_state} if next_state else {"End": True})
    return state


def _send_to_project_queue(catch: bool) -> dict:
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "HeartbeatSeconds": HEARTBEAT_S,
        "TimeoutSeconds": TIMEOUT_S,
        "Parameters": {
            "QueueUrl.$": "$.queueUrl",
            "MessageGroupId.$": "$.projectKey",
            "MessageDeduplicationId.$": "$.messageId",
            "MessageBody": {
                "taskToken.$": "$$.Task.Token",
                "messageId.$": "$.messageId",
                "instruction.$": "$.body",
                "threadId.$": "$.threadId",
                "attachments": [],
                "projectId.$": "$.projectId",
                "userId.$": "$.userId",
                "repoUrl.$": "$.repoUrl",
            },
        },
        "End": True,
    }
    if catch:
        state["Catch"] = _catches()
    return state


def _catches() -> list[dict]:
    return [
        {"ErrorEquals": ["PREEMPTED"], "ResultPath": "$.error", "Next": "HandleInterruption"},
        {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "HandleTimeout"},
    ]


def definition(lambda_queue_url: str, faults: frozenset[str] = frozenset()) -> str:
    # Under ownership-misread, the lookup key lacks the user: no row is ever found.
    owner_key = "$.projectId" if "ownership-misread" in faults else "$.projectKey"
    states = {
        "ParseEmail": {**_lambda("parse-email", lambda_queue_url, "$", "CheckOwnership"),
                       "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ParseFailure"}]},
        "ParseFailure": {"Type": "Fail", "Error": "IntakeProcessingFailed", "Cause": "the email could not be parsed"},
        "CheckOwnership": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {"TableName": names.OWNERSHIP_TABLE, "Key": {"projectKey": {"S.$": owner_key}},
                           "ConsistentRead": True},
            "ResultPath": "$.ownership",
            "Next": "CheckActiveJob",
        },
        "CheckActiveJob": _lambda("check-active-job", lambda_queue_url, "$.activeJobCheck", "DetermineRouting"),
        "DetermineRouting": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.ownership.Item", "IsPresent": True, "Next": "RouteToProjectQueue"}],
            "Default": "RouteToQueuesWithClaim",
        },
        "RouteToProjectQueue": {**_send_to_project_queue(catch=True), "End": False, "Next": "Complete"},
        "RouteToQueuesWithClaim": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "SendToProjectQueue", "States": {"SendToProjectQueue": _send_to_project_queue(False)}},
                {"StartAt": "RateLimitedClaimRequest",
                 "States": {"RateLimitedClaimRequest": _lambda("rate-limited-claim", lambda_queue_url,
                                                               "$.claim", None)}},
            ],
            "OutputPath": "$[0]",
            "Catch": _catches(),
            "Next": "Complete",
        },
        "HandleInterruption": _lambda("record-interruption", lambda_queue_url, "$.interruptionRecord",
                                      "Interrupted"),
        "Interrupted": {"Type": "Fail", "Error": "PREEMPTED", "Cause": "Interrupted by a newer message"},
        "HandleTimeout": {"Type": "Fail", "Error": "ProcessingTimeout", "Cause": "no callback in time"},
        "Complete": {"Type": "Succeed"},
    }
    for state in (states["RouteToProjectQueue"],):
        state.pop("End")
    return json.dumps({"Comment": "WebOrdinary email processor (sandbox)", "StartAt": "ParseEmail",
                       "States": states})
