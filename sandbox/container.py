"""One edit container (an ECS task): claims a project+user, processes its messages one at a time with
heartbeats and callbacks to Step Functions, honours interrupts, releases when idle (then stops, as a
scale-in would)."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import queue
import secrets
import string
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox import edit, names
from sandbox.awsclients import Clients
from sandbox.edit import Instruction, Interrupt, Interrupted, Result, SyncCrash, Workspace
from sandbox.nestlog import ContainerLog

GENERIC = "GenericContainerService"
CALLBACKS = "StepFunctionsCallbackService"
VISIBILITY = "VisibilityExtensionService"
# How long a client's queue must stop growing before the `out-of-order` fault takes its batch: longer than the
# gap between the emails of a burst (0.5 s in @switching) even when a loaded machine staggers their executions.
OUT_OF_ORDER_SETTLE_S = 3.0
PROJECT_POLL_WAIT_S = 1  # its long poll of the project queue (the real one waits 20 s: it has no other way to stop)


def new_container_id() -> str:
    """`container-<epoch ms>-<7 base-36 chars>` (generic-container.service.ts:392)."""
    alphabet = string.ascii_lowercase + string.digits
    return f"container-{int(time.time() * 1000)}-{''.join(secrets.choice(alphabet) for _ in range(7))}"


@dataclass(frozen=True)
class Claim:
    project_id: str
    user_id: str
    queue_url: str

    @property
    def key(self) -> str:
        return names.project_key(self.project_id, self.user_id)


class Container(threading.Thread):
    def __init__(self, clients: Clients, task: dict, workspace: Workspace, faults: frozenset[str],
                 idle_release_s: float, stopping: threading.Event, on_exit: Callable[[Container], None]) -> None:
        self.container_id = new_container_id()
        super().__init__(name=self.container_id, daemon=True)
        self.clients = clients
        self.task_arn = task["taskArn"]
        self.workspace = workspace
        self.faults = faults
        self.idle_release_s = idle_release_s
        self.stopping = stopping
        self.on_exit = on_exit
        self.log = ContainerLog(clients.logs, self.task_arn.rsplit("/", 1)[-1], pid=os.getpid())
        self.claims: queue.Queue[Claim] = queue.Queue()
        self.owned: Claim | None = None  # whose queue it polls
        self.promised = False  # a claim was handed to it and not yet tried
        self.holds_claim = False  # whether its ownership row is in place
        self.handled_twice: set[str] = set()  # under the process-twice fault
        self.received = 0  # messages taken from project queues (drops-a-message drops the second)
        self.crashed: BaseException | None = None
        self.stopping_after_release = False  # released when idle: it stops (a scale-in)
        self.current_thread: str | None = None  # the thread it switched to last (the real one's currentSessionId)
        self.stop_requested = threading.Event()  # its task was stopped through ECS: SIGTERM, as the agent sends

    @property
    def idle(self) -> bool:
        """Neither serving a project nor about to take one (a claim handed over and not yet tried)."""
        return self.owned is None and not self.promised

    # -- ownership ---------------------------------------------------------------------------------------------
    def offer(self, claim: Claim) -> None:
        self.promised = True
        self.claims.put(claim)

    def _claim(self, claim: Claim) -> bool:
        now_ms = int(time.time() * 1000)
        try:
            self.clients.dynamodb.put_item(
                TableName=names.OWNERSHIP_TABLE,
                Item={"projectKey": {"S": claim.key}, "containerId": {"S": self.container_id},
                      "claimedAt": {"N": str(now_ms)}, "lastActivity": {"N": str(now_ms)},
                      "status": {"S": "active"}, "ttl": {"N": str(now_ms // 1000 + names.OWNERSHIP_TTL_S)}},
                ConditionExpression="attribute_not_exists(projectKey) OR #ttl < :now",
                ExpressionAttributeNames={"#ttl": "ttl"},
                ExpressionAttributeValues={":now": {"N": str(now_ms // 1000)}},
            )
        except self.clients.dynamodb.exceptions.ConditionalCheckFailedException:
            self.log(GENERIC, f"Project {claim.key} already claimed by another container")
            return False
        self.log(GENERIC, f"Successfully claimed {claim.project_id}/{claim.user_id}")
        self.owned, self.holds_claim = claim, True
        self.log(GENERIC, f"Starting to poll {claim.queue_url}")
        return True

    def _touch(self) -> None:
        assert self.owned is not None
        if "stale-ownership" in self.faults:
            return
        now_ms = int(time.time() * 1000)
        with contextlib.suppress(self.clients.dynamodb.exceptions.ConditionalCheckFailedException):
            self.clients.dynamodb.update_item(
                TableName=names.OWNERSHIP_TABLE, Key={"projectKey": {"S": self.owned.key}},
                UpdateExpression="SET lastActivity = :now, #ttl = :ttl", ConditionExpression="containerId = :me",
                ExpressionAttributeNames={"#ttl": "ttl"},
                ExpressionAttributeValues={":now": {"N": str(now_ms)},
                                           ":ttl": {"N": str(now_ms // 1000 + self._ownership_ttl_s)},
                                           ":me": {"S": self.container_id}},
            )

    @property
    def _ownership_ttl_s(self) -> int:
        return 60 if "short-ownership-ttl" in self.faults else names.OWNERSHIP_TTL_S

    def _release(self) -> None:
        if self.owned is None or not self.holds_claim:
            return
        self.log(GENERIC, f"Releasing ownership of {self.owned.key}")
        if "release-keeps-row" in self.faults and self.stopping_after_release:
            self.holds_claim = False
            return
        # Conditional: a container never releases a claim that another one has taken over.
        with contextlib.suppress(self.clients.dynamodb.exceptions.ConditionalCheckFailedException):
            self.clients.dynamodb.delete_item(
                TableName=names.OWNERSHIP_TABLE, Key={"projectKey": {"S": self.owned.key}},
                ConditionExpression="containerId = :me", ExpressionAttributeValues={":me": {"S": self.container_id}},
            )
        self.holds_claim = False

    # -- the loop ---------------------------------------------------------------------------------------------
    def run(self) -> None:
        self._boot()
        reason = "scale-in after idle release"
        try:
            self._loop()
        except SyncCrash as crash:
            # The fault's point: the container dies without cleaning up, as an unhandled error would.
            self.crashed = crash
            reason = f"Essential container in task exited: {crash}"
            print(f"[{self.log.stream}] container crashed: {crash}", flush=True)
        except Exception as error:
            reason = f"Essential container in task exited: {error}"
            traceback.print_exc()
        finally:
            self.on_exit(self)
            if not self.stop_requested.is_set():  # ECS keeps the reason it was given
                with contextlib.suppress(Exception):
                    self.clients.ecs.stop_task(cluster=names.CLUSTER, task=self.task_arn, reason=reason)

    def _boot(self) -> None:
        """What the real container states as it starts: its id as its service is made
        (generic-container.service.ts:60), then its configuration (main.ts:25-36)."""
        self.log(GENERIC, f"Generic container initialized with ID: {self.container_id}")
        for line in ("Generic container started with Step Functions integration",
                     f"- Workspace: {self.workspace.root}", f"- Region: {names.REGION}",
                     f"- Account: {names.ACCOUNT_ID}",
                     f"- Unclaimed Queue: {self.clients.queue_url(names.UNCLAIMED_QUEUE)}",
                     f"- Ownership Table: {names.OWNERSHIP_TABLE}",
                     f"- Active Jobs Table: {'' if 'boot-default-table' in self.faults else names.ACTIVE_JOBS_TABLE}",
                     "", "Container is now polling the unclaimed queue for work...",
                     "When a project+user is claimed, it will poll their specific FIFO queue.",
                     f"Container will release ownership after {self.idle_release_s / 60:g} minutes of inactivity."):
            self.log("Bootstrap", line)

    def request_stop(self) -> None:
        """As ECS stops a task: the stand-in finishes the message in hand, then shuts down as the real container
        does on SIGTERM (main.ts:15-22, generic-container.service.ts:63-70): it releases its project and exits."""
        self.stop_requested.set()

    def _shut_down(self) -> None:
        self.log("Bootstrap", "Shutting down gracefully...")
        self.log(GENERIC, "Shutting down generic container...")
        self._release()

    def _loop(self) -> None:
        idle_since = time.monotonic()
        while not self.stopping.is_set():
            if self.stop_requested.is_set():
                self._shut_down()
                return
            # Idle, it waits for a claim; serving a project, it only looks (the edit service hands a claim to
            # an owning container under the `claims-while-owning` fault alone).
            with contextlib.suppress(queue.Empty):
                claim = self.claims.get(timeout=0.5) if self.owned is None else self.claims.get_nowait()
                self.log(GENERIC, f"Received claim request for {claim.project_id}/{claim.user_id}")
                if (self.owned is None or "claims-while-owning" in self.faults) and self._claim(claim):
                    idle_since = time.monotonic()
                self.promised = not self.claims.empty()
            if self.owned is None:
                continue
            messages = self._receive()
            if messages and "handles-at-once" in self.faults:
                workers = [threading.Thread(target=self._handle, args=(m,), daemon=True) for m in messages]
                for worker in workers:
                    worker.start()
                for worker in workers:
                    worker.join()
                idle_since = time.monotonic()
            elif messages:
                url = self.owned.queue_url
                for n, message in enumerate(messages):
                    if self.owned is None:  # it lost the project mid-batch: the rest is for the new owner
                        for left in messages[n:]:
                            self.clients.sqs.change_message_visibility(
                                QueueUrl=url, ReceiptHandle=left["ReceiptHandle"], VisibilityTimeout=0)
                        break
                    self._handle(message)
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > self.idle_release_s:
                self.log(GENERIC, f"Container idle for {self.idle_release_s / 60:.0f} minutes, releasing ownership")
                self.stopping_after_release = True
                self._release()
                return

    def _receive(self) -> list[dict]:
        assert self.owned is not None
        out_of_order = "out-of-order" in self.faults
        batch = out_of_order or "handles-at-once" in self.faults
        if batch:
            self._await_settled_queue()
        response = self.clients.sqs.receive_message(QueueUrl=self.owned.queue_url,
                                                    MaxNumberOfMessages=10 if batch else 1,
                                                    WaitTimeSeconds=PROJECT_POLL_WAIT_S, AttributeNames=["All"])
        messages = response.get("Messages", [])
        return list(reversed(messages)) if out_of_order else messages

    def _await_settled_queue(self) -> None:
        """Under `out-of-order` and `handles-at-once`: wait, as a batching consumer would, until the queue stops
        growing, so that every email of a burst is waiting when the batch is taken (taken one by one as they land,
        the order would survive and nothing would be handled at once: the faults would not show)."""
        assert self.owned is not None
        url, last, changed = self.owned.queue_url, -1, time.monotonic()
        while not self.stopping.is_set() and time.monotonic() - changed < OUT_OF_ORDER_SETTLE_S:
            count = int(self.clients.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
                "ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"])
            if count == 0:
                return
            if count != last:
                last, changed = count, time.monotonic()
            self.stopping.wait(0.25)

    # -- one message ------------------------------------------------------------------------------------------
    def _handle(self, message: dict) -> None:
        assert self.owned is not None
        try:
            data = json.loads(message["Body"])
            instruction = Instruction.parse(data)
        except ValueError as error:  # JSONDecodeError is a ValueError
            self.log.error("MessageProcessor", f"Failed to process message: malformed message "
                                               f"{message['MessageId']}: {error}")
            self._dead_letter(message)
            return
        self.received += 1
        if "drops-a-message" in self.faults and self.received == 2:
            # The real handler's early return when it believes it is busy; its poller then deletes the message.
            self.log("MessageProcessor", f"Received Step Functions message for {instruction.project_id}#"
                                         f"{instruction.user_id}")
            self.log.warn("MessageProcessor", "Already processing a message, this should not happen with FIFO")
            self._delete_message(message)
            return
        if not self.holds_claim and not self._claim(self.owned):
            # After an interrupt it released the project; someone else has it now: hand the message back.
            self.clients.sqs.change_message_visibility(QueueUrl=self.owned.queue_url,
                                                       ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
            self.owned = None
            return
        token = data["taskToken"]
        key = names.project_key(instruction.project_id, instruction.user_id)
        self.log("MessageProcessor", f"Received Step Functions message for {key}")
        self.log("MessageProcessor", f"Task token: {token[:20]}...")
        self._touch()
        self._record_job(instruction, message, token)
        self.log("ActiveJobService", f"Registered active job for {key}")
        self.log(CALLBACKS, f"Starting heartbeat for task token (every {names.HEARTBEAT_EVERY_S:.0f}s)")
        if "releases-while-working" in self.faults:
            self._release()
        interrupt = Interrupt()
        done, beats = threading.Event(), threading.Event()  # the session's end; the heartbeat's
        helpers = [threading.Thread(target=self._heartbeats, args=(token, beats), daemon=True),
                   threading.Thread(target=self._watch_interrupts, args=(instruction, interrupt, done), daemon=True)]
        for helper in helpers:
            helper.start()
        result = Result(previous_thread=self.current_thread)
        result.report = lambda: self._succeed(token, instruction, message, result, beats)
        try:
            try:
                edit.process(instruction, self.workspace, self.log, interrupt, result)
                interrupt.close()
                result.report_now()  # unless a fault already did
            except (Interrupted, SyncCrash):
                raise
            except Exception as error:  # the container survives anything one message does
                interrupt.close()  # one that came before the error ended the session; a later one is the next's
                self.log.error("MessageProcessor", f"Failed to process message: {error}")
                name = getattr(error, "error_name", "") or type(error).__name__ or "ProcessingError"
                cause = str(error)[:32768]
                self._callback("failure", lambda: self.clients.sfn.send_task_failure(taskToken=token, error=name,
                                                                                      cause=cause), beats)
        except Interrupted as stop:
            done.set()
            self._preempted(token, instruction, message, result, stop, beats)
            return
        finally:
            done.set()
            if result.branch:  # message-processor.service.ts:284: set once the switch is done, whatever follows
                self.current_thread = instruction.thread_id
            if "heartbeat-never-stopped" not in self.faults:
                beats.set()  # silently: a callback stopped it, or the container is dying
        # message-processor.service.ts:145-151: the job cleared (its heartbeat stopped with the callback), then the
        # consumer deletes the message
        self._clear_job()
        if "process-twice" in self.faults and message["MessageId"] not in self.handled_twice:
            # Its delete "failed": the message comes back and is handled again (its callback then fails).
            self.handled_twice.add(message["MessageId"])
            self.clients.sqs.change_message_visibility(QueueUrl=self.owned.queue_url,
                                                       ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
            return
        self._delete_message(message)

    def _succeed(self, token: str, instruction: Instruction, message: dict, result: Result,
                 beats: threading.Event) -> None:
        site_of = "amelia" if "wrong-site-url" in self.faults else instruction.project_id
        files = [] if "files-after-commit" in self.faults else result.files_changed
        message_id = message["MessageId"] if "callback-queue-message-id" in self.faults else instruction.message_id
        output = {"success": True, "messageId": message_id, "summary": result.summary,
                  "filesChanged": files, "siteUrl": f"https://{names.bucket(site_of)}",
                  "buildSuccess": result.build_success, "deploySuccess": result.deploy_success}
        if "callback-extra-field" in self.faults:
            output["branch"] = result.branch
        if self._callback("success", lambda: self.clients.sfn.send_task_success(
                taskToken=token, output=json.dumps(output)), beats):
            self.log("MessageProcessor", "Successfully processed message and sent callback")

    def _preempted(self, token: str, instruction: Instruction, message: dict, result: Result,
                   stop: Interrupted, beats: threading.Event) -> None:
        """message-processor.service.ts:157-194: save partial work, unblock the FIFO queue, report PREEMPTED,
        clear the job; then release ownership and go on polling (generic-container.service.ts:379-384)."""
        self.log.warn("MessageProcessor", f"Processing interrupt: New message in thread {stop.new_thread_id}")
        path = self.workspace.path_for(instruction.project_id, instruction.user_id)
        if result.branch:
            try:
                if self.workspace.save_partial_work(path, result.branch, instruction.thread_id):
                    self.log(edit.GIT_SERVICE, f"Pushed branch {result.branch} successfully")
            except Exception as error:
                self.log.error("MessageProcessor", f"Could not save partial work: {error}")
        self._delete_message(message)
        self.log(VISIBILITY, "Deleted message from queue (unblocking FIFO)")
        self._callback("failure", lambda: self.clients.sfn.send_task_failure(
            taskToken=token, error="PREEMPTED", cause=f"Interrupted by new message in thread {stop.new_thread_id}"),
            beats)
        self._clear_job()
        self.log("MessageProcessor", "Interrupt handling complete, FIFO queue unblocked")
        self.log.warn(GENERIC, "Handling interrupt, releasing ownership and resuming polling")
        self._release()
        if "stranded-after-interrupt" in self.faults:
            self.owned = None  # back to the claim queue only, as the real one: its project's queue is left unread

    def _callback(self, kind: str, call: Callable[[], Any], beats: threading.Event) -> bool:
        """Send the task's success or failure, its heartbeat stopped first (stepfunctions-callback.service.ts:45-105).
        """
        if not beats.is_set() and "heartbeat-never-stopped" not in self.faults:
            beats.set()
            self.log(CALLBACKS, "Stopped heartbeat")
        try:
            call()
        except Exception as error:
            self.log.error(CALLBACKS, f"Failed to send task {kind}: {error}")
            return False
        self.log(CALLBACKS, f"Task {kind} sent to Step Functions")
        return True

    def _heartbeats(self, token: str, done: threading.Event) -> None:
        while True:
            with contextlib.suppress(Exception):
                self.clients.sfn.send_task_heartbeat(taskToken=token)
            if done.wait(names.HEARTBEAT_EVERY_S):
                return

    def _watch_interrupts(self, instruction: Instruction, interrupt: Interrupt, done: threading.Event) -> None:
        """One session's interrupt poller. Its last long poll may outlive the session: what it takes then belongs
        to the container's next session, so it is handed back (visible at once), never deleted (issue 37). The real
        container has one poller per claim instead (generic-container.service.ts:228-285); per session, the
        stand-in needs no bookkeeping of which session is current."""
        url = self.clients.queue_url(names.interrupt_queue(instruction.project_id, instruction.user_id))
        sqs = self.clients.sqs
        while not done.is_set():
            try:
                messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1).get(
                    "Messages", [])
            except Exception:
                done.wait(1)
                continue
            if not messages and "interrupt-poll-errors" in self.faults:
                self.log.error(GENERIC, "Error polling interrupt queue: Cannot read properties of undefined "
                                        "(reading '0')")
            for message in messages:
                body = json.loads(message["Body"])
                # An interrupt sent for the job before this one names this very message as the new one.
                if body.get("interruptingMessageId") == instruction.message_id:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    continue
                announce = functools.partial(self.log.warn, GENERIC, f"Received interrupt: {body.get('reason', '')}")
                if done.is_set() or not interrupt.trigger(body.get("newThreadId", "?"), announce):
                    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"],
                                                  VisibilityTimeout=0)
                    return
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                return

    def _delete_message(self, message: dict) -> None:
        assert self.owned is not None
        with contextlib.suppress(Exception):
            self.clients.sqs.delete_message(QueueUrl=self.owned.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def _record_job(self, instruction: Instruction, message: dict, token: str) -> None:
        now = int(time.time())
        self.clients.dynamodb.put_item(TableName=names.ACTIVE_JOBS_TABLE, Item={
            "projectUserId": {"S": names.project_key(instruction.project_id, instruction.user_id)},
            "messageId": {"S": instruction.message_id}, "taskToken": {"S": token},
            "receiptHandle": {"S": message["ReceiptHandle"]}, "threadId": {"S": instruction.thread_id},
            "containerId": {"S": self.container_id}, "startedAt": {"N": str(now)},
            "ttl": {"N": str(now + names.OWNERSHIP_TTL_S)}})

    def _clear_job(self) -> None:
        assert self.owned is not None
        self.clients.dynamodb.delete_item(TableName=names.ACTIVE_JOBS_TABLE,
                                          Key={"projectUserId": {"S": self.owned.key}})
        self.log("ActiveJobService", f"Cleared active job for {self.owned.key}")

    def _dead_letter(self, message: dict) -> None:
        """Move a message the container cannot read to the queue's dead-letter queue (its redrive policy)."""
        assert self.owned is not None
        sqs = self.clients.sqs
        url = self.owned.queue_url
        policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"].get(
            "RedrivePolicy")
        if policy:
            dlq = self.clients.queue_url(json.loads(policy)["deadLetterTargetArn"].rsplit(":", 1)[-1])
            group = message.get("Attributes", {}).get("MessageGroupId", self.owned.key)
            sqs.send_message(QueueUrl=dlq, MessageBody=message["Body"], MessageGroupId=group,
                             MessageDeduplicationId=message["MessageId"])
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
