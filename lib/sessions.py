"""Start editing sessions the way the `email-processor` state machine does."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from lib import contract, naming
from lib.settings import Settings


class SessionError(ValueError):
    """A session that cannot be started as asked."""


@dataclass(frozen=True)
class Session:
    name: str  # the client as the scenario names it, e.g. "amelia"
    client: str  # its project id, e.g. "wat-3f9a1c-amelia"
    user: str
    thread_id: str
    instruction: str
    message_id: str
    sent_at_ms: int
    branch: str
    bucket: str


class SessionDriver:
    def __init__(self, clients: Any, settings: Settings) -> None:
        self.clients = clients
        self.settings = settings

    def start(self, name: str, instruction: str, thread_id: str | None = None) -> Session:
        """Send one instruction for client `name` on a new (or the given) thread."""
        if not instruction.strip():
            raise SessionError(f"the instruction for {name!r} is empty")
        s = self.settings
        client = naming.client_id(s, name)
        thread_id = thread_id or naming.new_thread_id()
        queue_url = self._input_queue(client)
        owned = self._owned(client)
        session = Session(
            name=name,
            client=client,
            user=s.user_id,
            thread_id=thread_id,
            instruction=instruction,
            message_id=f"acceptance-{uuid.uuid4().hex[:12]}",
            sent_at_ms=int(time.time() * 1000),
            branch=contract.branch_for_thread(thread_id),
            bucket=naming.bucket_for(s, client),
        )
        body = {
            "taskToken": f"acceptance-{uuid.uuid4().hex}",
            "messageId": session.message_id,
            "threadId": thread_id,
            "projectId": client,
            "userId": s.user_id,
            "text": instruction,
            "timestamp": session.sent_at_ms,
        }
        self.clients.sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=json.dumps(body),
            MessageGroupId=contract.project_key(client, s.user_id),
        )
        if not owned:
            self._claim_request(session, queue_url)
        return session

    def _input_queue(self, client: str) -> str:
        name = naming.input_queue_for(self.settings, client, self.settings.user_id)
        try:
            return self.clients.sqs.get_queue_url(QueueName=name)["QueueUrl"]
        except self.clients.sqs.exceptions.QueueDoesNotExist:
            raise SessionError(
                f"client {client!r} has no input queue {name!r}: it is not onboarded; a scenario onboards a "
                f"client with a step such as: Given client \"<name>\" has an edit site"
            ) from None

    def _owned(self, client: str) -> bool:
        item = self.clients.dynamodb.get_item(
            TableName=self.settings.ownership_table,
            Key={"projectKey": {"S": contract.project_key(client, self.settings.user_id)}},
            ConsistentRead=True,
        ).get("Item")
        return bool(item) and int(item.get("ttl", {}).get("N", "0")) > time.time()

    def _claim_request(self, session: Session, queue_url: str) -> None:
        url = self.clients.sqs.get_queue_url(QueueName=self.settings.unclaimed_queue)["QueueUrl"]
        claim = {
            "type": contract.CLAIM_REQUEST_TYPE,
            "projectId": session.client,
            "userId": session.user,
            "messageId": session.message_id,
            "threadId": session.thread_id,
            "queueUrl": queue_url,
            "timestamp": session.sent_at_ms,
        }
        self.clients.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(claim))
