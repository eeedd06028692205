"""The AWS resources WebOrdinary's infrastructure would own: tables, queues, the log group."""

from __future__ import annotations

import contextlib
from typing import Any

from lib import contract


def provision_platform(clients: Any) -> None:
    """Create the shared tables, the claim queue and the log group (idempotent)."""
    ddb = clients.dynamodb
    existing = set(ddb.list_tables()["TableNames"])
    for table, key in (
        (contract.OWNERSHIP_TABLE, "projectKey"),
        (contract.ACTIVE_JOBS_TABLE, "projectUserId"),
        (contract.LEGACY_CONTAINERS_TABLE, "containerId"),
    ):
        if table not in existing:
            ddb.create_table(
                TableName=table,
                KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
    clients.sqs.create_queue(QueueName=contract.UNCLAIMED_QUEUE)
    with contextlib.suppress(clients.logs.exceptions.ResourceAlreadyExistsException):
        clients.logs.create_log_group(logGroupName=contract.LOG_GROUP)


def dead_letter_queue_name(input_queue: str) -> str:
    return input_queue.removesuffix(".fifo") + "-dlq.fifo"


def provision_client(clients: Any, client: str, user: str) -> str:
    """Create a project+user's FIFO input queue and its dead-letter queue, as onboarding does.
    Returns the input queue's URL."""
    name = contract.INPUT_QUEUE_PATTERN.format(client=client, user=user)
    fifo = {"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "300"}
    clients.sqs.create_queue(QueueName=dead_letter_queue_name(name), Attributes=fifo)
    return clients.sqs.create_queue(QueueName=name, Attributes=fifo)["QueueUrl"]
