"""The state machine's lambda states, played by the sandbox (moto cannot run lambdas here): each waits as a
`sqs:sendMessage.waitForTaskToken` on the lambda queue and is answered with SendTaskSuccess or SendTaskFailure.

- parse-email: reads the email from S3; project and user from the recipient, the thread from the headers,
  the instruction from the body; the project's input queue and repository.
- check-active-job (sendInterrupt: true): when the project+user has an active job, sends an interrupt.
- rate-limited-claim: at most one CLAIM_REQUEST per project+user per claim interval.
- record-interruption: records that a session was preempted.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sandbox import emails, names
from sandbox.awsclients import Clients
from sandbox.faults import CLAIM_WINDOW_FACTOR


class LambdaError(Exception):
    """A lambda's failure: its name becomes the task's error."""


class Lambdas(threading.Thread):
    def __init__(self, clients: Clients, queue_url: str, repo_url: str, recipient_rule: str,
                 claim_interval_s: float, stopping: threading.Event, faults: frozenset[str] = frozenset()) -> None:
        super().__init__(name="lambdas", daemon=True)
        self.clients = clients
        self.faults = faults
        self.queue_url = queue_url
        self.repo_url = repo_url
        self.rule = emails.recipient_pattern(recipient_rule)
        self.claim_interval_s = claim_interval_s * (CLAIM_WINDOW_FACTOR if "claim-window-exceeds-idle" in faults else 1)
        self.stopping = stopping
        self.threads = emails.ThreadBook()
        self._last_claim: dict[str, float] = {}
        self._first_queue_url: str | None = None  # under intake-stale-queue
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="lambda")
        self.functions: dict[str, Callable[[dict], dict]] = {
            "parse-email": self.parse_email,
            "check-active-job": self.check_active_job,
            "rate-limited-claim": self.rate_limited_claim,
            "record-interruption": self.record_interruption,
        }

    def run(self) -> None:
        for message in self.clients.messages(self.queue_url, self.stopping, "lambdas"):
            self.clients.delete(self.queue_url, message)
            self._pool.submit(self._invoke, json.loads(message["Body"]))
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _invoke(self, request: dict) -> None:
        sfn = self.clients.sfn
        token = request["taskToken"]
        try:
            output = self.functions[request["function"]](request["input"])
        except Exception as error:
            print(f"[lambdas] {request['function']} failed: {error}", flush=True)
            name, cause = type(error).__name__, str(error)[:32768]
            self._answer(lambda: sfn.send_task_failure(taskToken=token, error=name, cause=cause))
            return
        self._answer(lambda: sfn.send_task_success(taskToken=token, output=json.dumps(output)))

    @staticmethod
    def _answer(call: Callable[[], Any]) -> None:
        try:
            call()
        except Exception as error:  # the execution ended meanwhile (e.g. a Parallel branch failed)
            print(f"[lambdas] callback not taken: {error}", flush=True)

    # -- the functions ----------------------------------------------------------------------------------------
    def parse_email(self, event: dict) -> dict:
        raw = self.clients.s3.get_object(Bucket=event["bucket"], Key=event["key"])["Body"].read()
        try:
            email = emails.parse(raw, self.rule, self.threads, "intake-reply-new-thread" not in self.faults,
                                 decode="intake-ignores-charset" not in self.faults)
        except emails.EmailError as error:
            raise LambdaError(str(error)) from None
        queue_url = self.clients.queue_url(names.input_queue(email.project, email.user))
        if "intake-stale-queue" in self.faults:
            queue_url = self._first_queue_url = self._first_queue_url or queue_url
        user = email.user
        if "intake-user-from-sender" in self.faults:
            user = email.sender.rsplit("<", 1)[-1].split("@", 1)[0].lower()
        return {
            "bucket": event["bucket"], "key": event["key"], "messageId": event["messageId"],
            "threadId": email.thread_id, "projectId": email.project, "userId": user,
            "projectKey": names.project_key(email.project, user),
            "queueUrl": queue_url,
            "subject": email.subject, "from": email.sender, "body": email.body, "repoUrl": self.repo_url,
        }

    def check_active_job(self, state: dict) -> dict:
        job = self.clients.dynamodb.get_item(TableName=names.ACTIVE_JOBS_TABLE, ConsistentRead=True,
                                             Key={"projectUserId": {"S": state["projectKey"]}}).get("Item")
        if not job:
            return {"hasActiveJob": False, "interruptSent": False}
        newer = job["threadId"]["S"] if "interrupt-names-old-thread" in self.faults else state["threadId"]
        interrupt = {
            "type": "INTERRUPT", "projectId": state["projectId"], "userId": state["userId"],
            "oldMessageId": job["messageId"]["S"], "newMessageId": state["messageId"],
            "interruptingMessageId": state["messageId"], "newThreadId": newer,
            "reason": f"New message in thread {newer}", "timestamp": int(time.time() * 1000),
        }
        url = self.clients.queue_url(names.interrupt_queue(state["projectId"], state["userId"]))
        try:
            self.clients.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(interrupt))
        except self.clients.sqs.exceptions.QueueDoesNotExist:
            return {"hasActiveJob": True, "interruptSent": False, "reason": "no interrupt queue"}
        return {"hasActiveJob": True, "interruptSent": True, "activeMessageId": job["messageId"]["S"]}

    def rate_limited_claim(self, state: dict) -> dict:
        key = state["projectKey"]
        now = time.time()
        with self._lock:
            if now - self._last_claim.get(key, float("-inf")) < self.claim_interval_s:
                return {"claimSent": False, "reason": "rate limited"}
            self._last_claim[key] = now
        request = {"type": names.CLAIM_REQUEST, "projectId": state["projectId"], "userId": state["userId"],
                   "messageId": state["messageId"], "threadId": state["threadId"], "queueUrl": state["queueUrl"],
                   "timestamp": int(now * 1000)}
        url = self.clients.queue_url(names.UNCLAIMED_QUEUE)
        self.clients.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(request))
        return {"claimSent": True}

    def record_interruption(self, state: dict) -> dict:
        return {"messageId": state.get("messageId"), "threadId": state.get("threadId"),
                "interruptedAt": int(time.time() * 1000)}
