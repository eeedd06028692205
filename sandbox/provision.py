"""The AWS resources WebOrdinary's infrastructure owns: tables, the claim queue, the log group.

Clients' input queues are created at onboarding (`lib.onboarding`), by the suite for its test clients."""

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
