"""The email intake: hears of each new object under `emails/` (an S3 event, as on AWS) and starts one execution
of `email-processor` for it. The execution's name comes from the message id, so a repeated event is ignored."""

from __future__ import annotations

import json
import re
import threading
from urllib.parse import unquote_plus

from sandbox import names
from sandbox.awsclients import Clients


def execution_name(message_id: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "-", message_id)[:80]


class EmailIntake(threading.Thread):
    def __init__(self, clients: Clients, intake_queue_url: str, machine_arn: str, stopping: threading.Event) -> None:
        super().__init__(name="email-intake", daemon=True)
        self.clients = clients
        self.queue_url = intake_queue_url
        self.machine_arn = machine_arn
        self.stopping = stopping

    def run(self) -> None:
        for message in self.clients.messages(self.queue_url, self.stopping, "email-intake"):
            for bucket, key in _objects(message["Body"]):
                self.start_execution(bucket, key)
            self.clients.delete(self.queue_url, message)

    def start_execution(self, bucket: str, key: str) -> None:
        message_id = key.rsplit("/", 1)[-1]
        document = {"bucket": bucket, "key": key, "messageId": message_id, "mapMaxConcurrency": 1, "emailDLQUrl": ""}
        try:
            self.clients.sfn.start_execution(stateMachineArn=self.machine_arn, name=execution_name(message_id),
                                             input=json.dumps(document))
            print(f"[email-intake] started {execution_name(message_id)} for s3://{bucket}/{key}", flush=True)
        except self.clients.sfn.exceptions.ExecutionAlreadyExists:
            print(f"[email-intake] {key} already has its execution; ignored", flush=True)


def _objects(body: str) -> list[tuple[str, str]]:
    event = json.loads(body)
    found = []
    for record in event.get("Records", []):  # the first message is an s3:TestEvent without records
        if record.get("eventName", "").startswith("ObjectCreated") and record.get("s3"):
            key = unquote_plus(record["s3"]["object"]["key"])  # URL-encoded in the record, as on AWS
            if key.startswith(names.EMAIL_PREFIX):
                found.append((record["s3"]["bucket"]["name"], key))
    return found
