"""How many messages a queue holds: waiting, and in flight (received, not yet deleted). Read only."""

from __future__ import annotations

from typing import Any


def counts(sqs: Any, name: str) -> tuple[int, int] | None:
    """(waiting, in flight) of a queue, or None when it does not exist."""
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        return None
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])
