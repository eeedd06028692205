"""The `email-processor` state machine's executions: which one an email started, what thread the system gave
it, and how it ended. Read only; the suite never starts or stops one."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cached_property
from typing import Any

from lib.expect import contract
from lib.records import Execution, Intake
from lib.settings import Settings


class StateMachineMissing(LookupError):
    """The target has no state machine of the configured name."""


class Executions:
    def __init__(self, sfn: Any, settings: Settings) -> None:
        self.sfn = sfn
        self.settings = settings
        self._by_key: dict[str, str] = {}  # email key -> execution arn, once found
        self._keys: dict[str, str] = {}  # execution arn -> the email key in its input (inputs never change)

    @cached_property
    def machine_arn(self) -> str:
        for page in self.sfn.get_paginator("list_state_machines").paginate():
            for machine in page["stateMachines"]:
                if machine["name"] == self.settings.stack.state_machine:
                    return machine["stateMachineArn"]
        raise StateMachineMissing(f"no state machine named {self.settings.stack.state_machine!r}")

    @cached_property
    def definition(self) -> dict[str, Any]:
        """The state machine's definition as deployed (read once: a run never redeploys it)."""
        text = self.sfn.describe_state_machine(stateMachineArn=self.machine_arn)["definition"]
        return _json_object(text)

    def for_email(self, bucket: str, key: str, since: datetime) -> Execution | None:
        """The execution the intake started for this email object (matched by its input), or None yet."""
        arn = self._by_key.get(key)
        if arn is not None:
            return self.describe(arn)
        # The proposal names an execution after the message id (the object's name): try that first, then list.
        guess = self.machine_arn.replace(":stateMachine:", ":execution:") + ":" + contract.execution_name(
            key.rsplit("/", 1)[-1])
        found = self._match([guess], bucket, key)
        if found is not None:
            return found
        candidates: list[str] = []
        for page in self.sfn.get_paginator("list_executions").paginate(stateMachineArn=self.machine_arn):
            candidates += [e["executionArn"] for e in page["executions"] if e["startDate"] >= since]
        return self._match(candidates, bucket, key)

    def _match(self, candidates: list[str], bucket: str, key: str) -> Execution | None:
        for candidate in dict.fromkeys(candidates):
            if self._keys.get(candidate, key) != key:
                continue
            try:
                described = self.describe(candidate)
            except self.sfn.exceptions.ExecutionDoesNotExist:
                continue
            self._keys[candidate] = str(described.input.get("key"))
            if described.input.get("key") == key and described.input.get("bucket", bucket) == bucket:
                self._by_key[key] = candidate
                return described
        return None

    def describe(self, arn: str) -> Execution:
        d = self.sfn.describe_execution(executionArn=arn)
        try:
            document = json.loads(d.get("input") or "{}")
        except json.JSONDecodeError:
            document = {}
        return Execution(arn=arn, name=d["name"], status=d["status"], started=d["startDate"],
                         stopped=d.get("stopDate"), input=document if isinstance(document, dict) else {},
                         output=d.get("output"), error=d.get("error"), cause=d.get("cause"))

    def thread_id(self, arn: str) -> str | None:
        """The thread the system gave the email: the first `threadId` in the execution's history (ParseEmail's
        result, or the message it sent to the container's queue)."""
        events: list[dict] = []
        for page in self.sfn.get_paginator("get_execution_history").paginate(executionArn=arn):
            events += page["events"]
        for event in events:
            for key, details in event.items():
                if key.endswith("EventDetails") and isinstance(details, dict):
                    for field in ("output", "input", "parameters"):
                        found = _find_thread(details.get(field))
                        if found:
                            return found
        return None

    def history(self, arn: str) -> list[dict[str, Any]]:
        return [event for page in self.sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
                for event in page["events"]]

    def intake(self, execution: Execution) -> Intake | None:
        """What the state machine made of the email, once it has entered a routing state; None before."""
        parsed: dict[str, Any] = {}
        owner_found: bool | None = None
        checked_ms: int | None = None
        active_job: dict[str, Any] | None = None
        active_job_checked_ms: int | None = None
        for event in self.history(execution.arn):
            entered = (event.get("stateEnteredEventDetails") or {}).get("name")
            exited = event.get("stateExitedEventDetails") or {}
            at_ms = int(event["timestamp"].timestamp() * 1000)
            if entered == contract.STATE_CHECK_OWNERSHIP:
                checked_ms = at_ms
            elif entered in (contract.ROUTE_OWNED, contract.ROUTE_UNOWNED):
                return Intake(str(execution.input.get("messageId") or ""), parsed, owner_found, checked_ms,
                              entered, active_job, active_job_checked_ms)
            if exited.get("name") == contract.STATE_PARSE_EMAIL:
                parsed = _json_object(exited.get("output"))
            elif exited.get("name") == contract.STATE_CHECK_OWNERSHIP:
                found = _json_object(exited.get("output")).get("ownership")
                owner_found = isinstance(found, dict) and bool(found.get("Item"))
            elif exited.get("name") == contract.STATE_CHECK_ACTIVE_JOB:
                found = _json_object(exited.get("output")).get("activeJobCheck")
                if isinstance(found, dict) and isinstance(found.get("Payload"), dict):  # lambda:invoke's wrapping
                    found = found["Payload"]
                active_job, active_job_checked_ms = (found if isinstance(found, dict) else {}), at_ms
        return None

    def task_failure_cause(self, arn: str, error: str) -> str | None:
        """The cause a container gave with the task failure `error` (a caught PREEMPTED, say): the state machine
        may end with a cause of its own, so it is read from the history."""
        for event in self.history(arn):
            details = event.get("taskFailedEventDetails") or {}
            if details.get("error") == error:
                return str(details.get("cause") or "")
        return None

    def current_state(self, arn: str) -> str:
        """The state the execution entered last and the last thing that happened there (for a report of where it
        is stuck), e.g. `SendToProjectQueue (TaskSubmitted)`."""
        events = self.history(arn)
        entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
        return f"{entered[-1]} ({events[-1]['type']})" if entered else "?"

    def path(self, arn: str) -> str:
        """The states the execution went through, in order, each with how a task of it failed or timed out, e.g.
        `ParseEmail > CheckOwnership > RouteToProjectQueue (TaskTimedOut) > HandleTimeout`."""
        steps: list[str] = []
        for event in self.history(arn):
            if "stateEnteredEventDetails" in event:
                steps.append(event["stateEnteredEventDetails"]["name"])
            elif steps and event["type"].endswith(("TimedOut", "Failed")) and event["type"] != "ExecutionFailed":
                details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
                error = details.get("error", "") if isinstance(details, dict) else ""
                steps[-1] += f" ({event['type']}{': ' + error if error else ''})"
        return " > ".join(steps) or "no state entered"


def _json_object(text: object) -> dict[str, Any]:
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _find_thread(text: object) -> str | None:
    if not isinstance(text, str) or "threadId" not in text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return _search(value)


def _search(value: object) -> str | None:
    if isinstance(value, dict):
        if isinstance(value.get("threadId"), str):
            return value["threadId"]
        for nested in value.values():
            found = _find_thread(nested) if isinstance(nested, str) else _search(nested)
            if found:
                return found
    if isinstance(value, list):
        for item in value:
            found = _search(item)
            if found:
                return found
    return None
