"""Is an edit container up? Read from the tables the platform keeps."""

from __future__ import annotations

import time
from typing import Any

from lib.settings import Settings

LIVE_STATUSES = ("running", "starting")


def get_container_status(dynamodb: Any, settings: Settings, container_id: str) -> str:
    """The container's status: from the task-status table when it has a row (the seed's
    `webordinary-containers`, which the sandbox keeps like ECS task states), else from the ownership row
    (`running` while it holds a live claim), else `unknown`."""
    row = dynamodb.get_item(
        TableName=settings.legacy_containers_table, Key={"containerId": {"S": container_id}}, ConsistentRead=True
    ).get("Item")
    if row and "status" in row:
        return row["status"]["S"]
    owned = dynamodb.scan(
        TableName=settings.ownership_table,
        FilterExpression="containerId = :id",
        ExpressionAttributeValues={":id": {"S": container_id}},
    ).get("Items", [])
    for item in owned:
        if item.get("status", {}).get("S") == "active" and int(item.get("ttl", {}).get("N", "0")) > time.time():
            return "running"
    return "unknown"
