"""Onboard a test client the way the platform does: its FIFO input queue and that queue's dead-letter queue.

Queues the suite creates carry the run's tag, like its buckets, and are removed with them.
"""

from __future__ import annotations

import json
from typing import Any

from lib import naming
from lib.settings import Settings

VISIBILITY_TIMEOUT_S = 300
MAX_RECEIVES = 3


def dead_letter_queue_name(input_queue: str) -> str:
    return input_queue.removesuffix(".fifo") + "-dlq.fifo"


def onboard_client(sqs: Any, settings: Settings, client: str) -> str:
    """Create (or reuse) the client's input queue and dead-letter queue; returns the input queue's URL."""
    name = naming.input_queue_for(settings, client, settings.user_id)
    tags = {settings.tag_key: settings.run_id}
    fifo = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    dlq_url = sqs.create_queue(QueueName=dead_letter_queue_name(name), Attributes=fifo, tags=tags)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attributes = {
        **fifo,
        "VisibilityTimeout": str(VISIBILITY_TIMEOUT_S),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVES)}),
    }
    return sqs.create_queue(QueueName=name, Attributes=attributes, tags=tags)["QueueUrl"]


def queue_is_ours(sqs: Any, settings: Settings, url: str, run_id: str | None = None) -> bool:
    """True only for a queue with the suite's name prefix and tag (of `run_id`, or of any run when None)."""
    name = url.rsplit("/", 1)[-1]
    prefix = settings.input_queue_pattern.split("{client}")[0] + settings.name_prefix + "-"
    if not name.startswith(prefix):
        return False
    tag = sqs.list_queue_tags(QueueUrl=url).get("Tags", {}).get(settings.tag_key)
    return tag is not None and (run_id is None or tag == run_id)


def offboard_clients(sqs: Any, settings: Settings, clients: list[str]) -> list[str]:
    """Delete the input and dead-letter queues of these clients that this run created; returns their names."""
    deleted = []
    for client in clients:
        name = naming.input_queue_for(settings, client, settings.user_id)
        for queue in (name, dead_letter_queue_name(name)):
            try:
                url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
            except sqs.exceptions.QueueDoesNotExist:
                continue
            if queue_is_ours(sqs, settings, url, settings.run_id):
                sqs.delete_queue(QueueUrl=url)
                deleted.append(queue)
    return deleted

