"""A timeout inside a Parallel branch, on moto's Step Functions engine alone (a ThreadedMotoServer, no sandbox).

AWS fails the branch's Task with `States.Timeout` (a missed heartbeat too: `States.Timeout` matches it, as does
`States.HeartbeatTimeout`), and the Parallel state fails with that error, so the Parallel's Catch on `States.Timeout`
(or `States.ALL`) is taken. moto 5.2.6 instead wraps the branch's error in a CustomErrorName, which refuses names
starting with `States.`: the Parallel fails with `States.Runtime` (ValueError), a path production cannot take.
The email-processor machine's `RouteToQueuesWithClaim` (sandbox/statemachine.py) is such a Parallel;
sandbox/moto_patches.py, applied here as by the sandbox, makes moto do as AWS does.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests

from sandbox import moto_patches, names

pytestmark = pytest.mark.sandbox  # a moto server and executions that wait 1 s each: seconds

ROLE_ARN = f"arn:aws:iam::{names.ACCOUNT_ID}:role/moto-parallel-timeout"


@pytest.fixture(scope="module")
def sfn_and_queue() -> Iterator[tuple[Any, str]]:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto_patches.apply()  # as the sandbox does before its server starts
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto's service integrations call localhost:$MOTO_PORT: set before the first execution.
    old_port = os.environ.get("MOTO_PORT")
    os.environ["MOTO_PORT"] = str(port)
    try:
        requests.post(f"{endpoint}/moto-api/config", json={"stepfunctions": {"execute_state_machine": True}},
                      timeout=10).raise_for_status()
        session = boto3.session.Session(region_name=names.REGION, aws_access_key_id="sandbox",
                                        aws_secret_access_key="sandbox")
        queue_url = session.client("sqs", endpoint_url=endpoint).create_queue(QueueName="claims")["QueueUrl"]
        yield session.client("stepfunctions", endpoint_url=endpoint), queue_url
    finally:
        if old_port is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = old_port
        server.stop()


def _machine(queue_url: str, timing: dict[str, int], catch: list[str]) -> str:
    """A Parallel whose one branch waits for a task token that never comes; its Catch leads to HandleTimeout."""
    wait = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", **timing,
            "Parameters": {"QueueUrl": queue_url, "MessageBody": {"taskToken.$": "$$.Task.Token"}}, "End": True}
    return json.dumps({"StartAt": "RouteWithClaim", "States": {
        "RouteWithClaim": {"Type": "Parallel", "Branches": [{"StartAt": "Claim", "States": {"Claim": wait}}],
                           "Catch": [{"ErrorEquals": catch, "ResultPath": "$.error", "Next": "HandleTimeout"}],
                           "Next": "Complete"},
        "HandleTimeout": {"Type": "Pass", "Next": "Complete"},
        "Complete": {"Type": "Succeed"},
    }})


@pytest.mark.parametrize(("timing", "catch"), [
    ({"TimeoutSeconds": 1}, ["States.Timeout"]),
    ({"TimeoutSeconds": 1}, ["States.ALL"]),
    ({"HeartbeatSeconds": 1, "TimeoutSeconds": 30}, ["States.Timeout"]),
], ids=["timeout-caught-by-States.Timeout", "timeout-caught-by-States.ALL", "heartbeat-caught-by-States.Timeout"])
def test_a_timeout_in_a_parallel_branch_takes_the_parallels_catch(
        sfn_and_queue: tuple[Any, str], timing: dict[str, int], catch: list[str]) -> None:
    sfn, queue_url = sfn_and_queue
    name = f"parallel-{'-'.join(f'{k}{v}' for k, v in timing.items())}-{catch[0]}".replace(".", "-")
    arn = sfn.create_state_machine(name=name, definition=_machine(queue_url, timing, catch),
                                   roleArn=ROLE_ARN)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    deadline = time.monotonic() + 30
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline, f"still RUNNING after 30 s with {timing}"
        time.sleep(0.2)  # moto's engine runs the execution in its own thread: nothing to wait on but its status
    events = sfn.get_execution_history(executionArn=execution)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    failures = [e.get("executionFailedEventDetails") for e in events if e["type"] == "ExecutionFailed"]
    assert (described["status"], entered) == ("SUCCEEDED", ["RouteWithClaim", "Claim", "HandleTimeout",
                                                            "Complete"]), failures
    assert json.loads(described["output"])["error"]["Error"] == "States.Timeout"


def test_the_patch_lets_only_catchable_predefined_errors_leave_a_branch() -> None:
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branches_decl

    assert moto_patches.apply() and moto_patches.apply()  # idempotent
    name = branches_decl.CustomErrorName
    assert [type(name(error_name=e)) for e in ("States.Timeout", "States.HeartbeatTimeout", "States.TaskFailed")] == [
        StatesErrorName] * 3
    assert type(name(error_name="PREEMPTED")) is CustomErrorName and name(error_name=None).error_name is None
    for terminal in ("States.Runtime", "States.DataLimitExceeded", "States.ALL", "States.NoSuchError"):
        with pytest.raises(ValueError, match=r"MUST NOT begin with the prefix 'States\.'"):
            name(error_name=terminal)  # as moto 5.2.6 does: the execution ends States.Runtime


def test_the_patch_is_skipped_with_a_warning_where_motos_code_changed(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branches_decl

    monkeypatch.setattr(branches_decl, "CustomErrorName", CustomErrorName)
    monkeypatch.setattr(moto_patches, "_CALL", "CustomErrorName(error_name=exit_error_name, renamed=True)")
    assert moto_patches.apply() is False
    assert branches_decl.CustomErrorName is CustomErrorName
    assert "not patched" in caplog.text and moto_patches.WRITTEN_FOR_MOTO in caplog.text
