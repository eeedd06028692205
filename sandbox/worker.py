"""One edit container: claims a project+user, processes its messages one at a time, releases when idle."""

from __future__ import annotations

import contextlib
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lib import contract
from lib.onboarding import dead_letter_queue_name
from sandbox import edit
from sandbox.cloudlog import ContainerLog
from sandbox.edit import Instruction, SyncCrash, Workspace

OWNERSHIP_TTL_S = 3600


class EditWorker(threading.Thread):
    def __init__(self, clients: Any, *, project_id: str, user_id: str, queue_url: str, workspaces: Path,
                 origin: Path, node_modules: Path, aws_endpoint: str, faults: frozenset[str],
                 idle_release_s: float, shared_bucket: Callable[[str], str], stopping: threading.Event) -> None:
        self.container_id = f"edit-{uuid.uuid4().hex[:12]}"
        super().__init__(name=self.container_id, daemon=True)
        self.clients = clients
        self.project_id = project_id
        self.user_id = user_id
        self.key = contract.project_key(project_id, user_id)
        self.queue_url = queue_url
        self.faults = faults
        self.idle_release_s = idle_release_s
        self.stopping = stopping
        self.log = ContainerLog(clients.logs, self.container_id)
        self.workspace = Workspace(workspaces / project_id / user_id / "test-repo", origin, node_modules,
                                   aws_endpoint, faults, self.log, shared_bucket)
        self.crashed: BaseException | None = None

    # -- ownership ---------------------------------------------------------------------------------------------
    def claim(self) -> bool:
        now_ms = int(time.time() * 1000)
        try:
            self.clients.dynamodb.put_item(
                TableName=contract.OWNERSHIP_TABLE,
                Item={
                    "projectKey": {"S": self.key},
                    "containerId": {"S": self.container_id},
                    "claimedAt": {"N": str(now_ms)},
                    "lastActivity": {"N": str(now_ms)},
                    "status": {"S": "active"},
                    "ttl": {"N": str(now_ms // 1000 + OWNERSHIP_TTL_S)},
                },
                ConditionExpression="attribute_not_exists(projectKey) OR #ttl < :now",
                ExpressionAttributeNames={"#ttl": "ttl"},
                ExpressionAttributeValues={":now": {"N": str(now_ms // 1000)}},
            )
        except self.clients.dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _touch(self) -> None:
        now_ms = int(time.time() * 1000)
        self.clients.dynamodb.update_item(
            TableName=contract.OWNERSHIP_TABLE,
            Key={"projectKey": {"S": self.key}},
            UpdateExpression="SET lastActivity = :now, #ttl = :ttl",
            ConditionExpression="containerId = :me",
            ExpressionAttributeNames={"#ttl": "ttl"},
            ExpressionAttributeValues={
                ":now": {"N": str(now_ms)},
                ":ttl": {"N": str(now_ms // 1000 + OWNERSHIP_TTL_S)},
                ":me": {"S": self.container_id},
            },
        )

    def release(self) -> None:
        # Conditional: a container never releases a claim that another one has taken over.
        with contextlib.suppress(self.clients.dynamodb.exceptions.ConditionalCheckFailedException):
            self.clients.dynamodb.delete_item(
                TableName=contract.OWNERSHIP_TABLE,
                Key={"projectKey": {"S": self.key}},
                ConditionExpression="containerId = :me",
                ExpressionAttributeValues={":me": {"S": self.container_id}},
            )

    # -- the loop ---------------------------------------------------------------------------------------------
    def set_status(self, status: str) -> None:
        """Keep the container's task status, as ECS would (the seed's `webordinary-containers` table)."""
        self.clients.dynamodb.put_item(
            TableName=contract.LEGACY_CONTAINERS_TABLE,
            Item={"containerId": {"S": self.container_id}, "status": {"S": status},
                  "projectKey": {"S": self.key}, "updatedAt": {"N": str(int(time.time() * 1000))}},
        )

    def run(self) -> None:
        self.set_status("running")
        try:
            self._loop()
        finally:
            self.set_status("stopped")

    def _loop(self) -> None:
        self.log(f"Claimed project {self.key}")
        idle_since = time.monotonic()
        try:
            while not self.stopping.is_set():
                messages = self._receive()
                if not messages:
                    if time.monotonic() - idle_since > self.idle_release_s:
                        self.log(f"Idle for {self.idle_release_s:.0f}s, releasing {self.key}")
                        break
                    continue
                for message in messages:
                    self._handle(message)
                idle_since = time.monotonic()
        except SyncCrash as crash:
            # The fault's point: the container dies without cleaning up, as an unhandled error would.
            self.crashed = crash
            print(f"[{self.log.stream}] container crashed: {crash}", flush=True)
            return
        self.release()

    def _receive(self) -> list[dict]:
        out_of_order = "out-of-order" in self.faults
        response = self.clients.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=10 if out_of_order else 1,
            WaitTimeSeconds=1,
            AttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        return list(reversed(messages)) if out_of_order else messages

    def _handle(self, message: dict) -> None:
        try:
            instruction = Instruction.parse(message["Body"])
        except ValueError as error:
            self.log(f"{contract.PHRASE_FAILED}: malformed message {message['MessageId']}: {error}")
            self._dead_letter(message)
            return
        self._touch()
        self._record_job(instruction, message)
        try:
            edit.process(instruction, self.workspace, self.log)
            self.log(contract.PHRASE_DONE)
        except SyncCrash:
            raise
        except Exception as error:  # the container survives anything one message does
            self.log(f"{contract.PHRASE_FAILED}: {error}")
            traceback.print_exc()
        self.clients.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        self.clients.dynamodb.delete_item(TableName=contract.ACTIVE_JOBS_TABLE,
                                          Key={"projectUserId": {"S": self.key}})

    def _record_job(self, instruction: Instruction, message: dict) -> None:
        now = int(time.time())
        self.clients.dynamodb.put_item(
            TableName=contract.ACTIVE_JOBS_TABLE,
            Item={
                "projectUserId": {"S": self.key},
                "messageId": {"S": instruction.message_id},
                "taskToken": {"S": "sandbox"},
                "receiptHandle": {"S": message["ReceiptHandle"]},
                "threadId": {"S": instruction.thread_id},
                "containerId": {"S": self.container_id},
                "startedAt": {"N": str(now)},
                "ttl": {"N": str(now + OWNERSHIP_TTL_S)},
            },
        )

    def _dead_letter(self, message: dict) -> None:
        name = self.queue_url.rsplit("/", 1)[-1]
        dlq = self.clients.sqs.get_queue_url(QueueName=dead_letter_queue_name(name))["QueueUrl"]
        group = message.get("Attributes", {}).get("MessageGroupId", self.key)
        self.clients.sqs.send_message(QueueUrl=dlq, MessageBody=message["Body"], MessageGroupId=group,
                                      MessageDeduplicationId=message["MessageId"])
        self.clients.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
