"""boto3 clients for the sandbox's own moto server (fixed fake keys: a developer's real ones never reach it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import cached_property
from typing import Any

import boto3
from botocore.config import Config

from sandbox import names

_CONFIG = Config(retries={"max_attempts": 8, "mode": "standard"}, s3={"addressing_style": "path"},
                 max_pool_connections=64)


class Clients:
    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self._session = boto3.session.Session(region_name=names.REGION, aws_access_key_id="sandbox",
                                              aws_secret_access_key="sandbox")

    def client(self, service: str) -> Any:
        return self._session.client(service, endpoint_url=self.endpoint, config=_CONFIG)

    @cached_property
    def s3(self) -> Any:
        return self.client("s3")

    @cached_property
    def sqs(self) -> Any:
        return self.client("sqs")

    @cached_property
    def logs(self) -> Any:
        return self.client("logs")

    @cached_property
    def dynamodb(self) -> Any:
        return self.client("dynamodb")

    @cached_property
    def sfn(self) -> Any:
        return self.client("stepfunctions")

    @cached_property
    def ecs(self) -> Any:
        return self.client("ecs")

    def run_edit_task(self) -> dict:
        """A new task record of the edit service in ECS (RUNNING), as the service's scaling starts one."""
        return self.ecs.run_task(cluster=names.CLUSTER, taskDefinition=names.TASK_FAMILY, startedBy=names.SERVICE,
                                 count=1, launchType="FARGATE")["tasks"][0]

    def stopped_tasks(self, arns: list[str]) -> set[str]:
        """Those of the edit service's tasks that ECS was asked to stop (StopTask), as the ECS agent learns it: the
        agent then stops the task's container (SIGTERM, then SIGKILL after the task's grace). When ECS cannot
        be read (moto going down at the end of a run): none."""
        if not arns:
            return set()
        try:
            tasks = self.ecs.describe_tasks(cluster=names.CLUSTER, tasks=arns)["tasks"]
        except Exception as error:
            print(f"[edit-service] could not read the tasks' status: {error}", flush=True)
            return set()
        return {task["taskArn"] for task in tasks if task.get("desiredStatus") == "STOPPED"}

    def queue_url(self, name: str) -> str:
        return f"{self.endpoint}/{names.ACCOUNT_ID}/{name}"

    def messages(self, url: str, stopping: threading.Event, who: str) -> Iterator[dict]:
        """Every message of a queue (long-polled) until `stopping`; the caller deletes what it has handled."""
        while not stopping.is_set():
            try:
                found = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            except Exception as error:  # moto going down at the end of a run
                if not stopping.is_set():
                    print(f"[{who}] cannot read {url.rsplit('/', 1)[-1]}: {error}", flush=True)
                continue
            yield from found.get("Messages", [])

    def delete(self, url: str, message: dict) -> None:
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
