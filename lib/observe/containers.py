"""Is an edit container up, and does it still serve the projects it owns? ECS is the truthful answer to the first
(the repo's tests/scripts/monitor.sh): DescribeTasks on the cluster, the task id taken from the container's log
stream name (`edit/<container>/<task id>`). The ownership table answers the second."""

from __future__ import annotations

from typing import Any

from lib import naming
from lib.records import ActiveJob, LogLine, Ownership
from lib.settings import Settings

RUNNING = "RUNNING"


def task_status(ecs: Any, settings: Settings, task_id: str) -> str:
    """The task's lastStatus (PROVISIONING, PENDING, RUNNING, DEACTIVATING, STOPPING, STOPPED), or MISSING."""
    response = ecs.describe_tasks(cluster=settings.stack.ecs_cluster, tasks=[task_id])
    tasks = response.get("tasks", [])
    return tasks[0]["lastStatus"] if tasks else "MISSING"


def task_of(container_id: str, lines: list[LogLine]) -> str | None:
    """The ECS task a container id runs in: the task of the log stream where the container named itself (it logs
    its id as it starts: generic-container.service.ts:60)."""
    return next((line.task_id for line in lines if container_id in line.message), None)


def idle_tasks(ecs: Any, dynamodb: Any, settings: Settings, lines: list[LogLine], quiet_since_ms: int) -> list[str]:
    """The edit service's RUNNING tasks whose container owns no project, works on no message (by the ownership and
    active-job tables, a container's task told by its log stream) and has logged nothing since `quiet_since_ms`: a
    container between an interrupt's release and its next message owns nothing and holds no job, but it talks."""
    running = [arn.rsplit("/", 1)[-1] for page in ecs.get_paginator("list_tasks").paginate(
        cluster=settings.stack.ecs_cluster, desiredStatus="RUNNING") for arn in page.get("taskArns", [])]
    busy = set()
    for table in (settings.stack.ownership_table, settings.stack.active_jobs_table):
        for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
            busy |= {task_of(_text(row, "containerId"), lines) for row in page.get("Items", [])}
    busy |= {line.task_id for line in lines if line.timestamp_ms >= quiet_since_ms}
    return [task for task in running if task not in busy]


def stopped_reason(ecs: Any, settings: Settings, task_id: str) -> str:
    tasks = ecs.describe_tasks(cluster=settings.stack.ecs_cluster, tasks=[task_id]).get("tasks", [])
    return (tasks[0].get("stoppedReason") or "no reason given") if tasks else "no such task"


def _row(dynamodb: Any, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    return dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def _text(row: dict[str, Any], name: str) -> str:
    return str(row.get(name, {}).get("S", ""))


def _number(row: dict[str, Any], name: str) -> int:
    return int(row.get(name, {}).get("N", "0"))


def ownership(dynamodb: Any, settings: Settings, project: str) -> Ownership | None:
    """The project+user's ownership row now, or None: nobody owns it."""
    row = _row(dynamodb, settings.stack.ownership_table, {"projectKey": {"S": naming.project_key(settings, project)}})
    return Ownership(_text(row, "containerId"), _number(row, "lastActivity"), _number(row, "ttl"),
                     _number(row, "claimedAt")) if row else None


def active_job(dynamodb: Any, settings: Settings, project: str) -> ActiveJob | None:
    """The project+user's active job now, or None: no container says it is working on a message of it."""
    key = {"projectUserId": {"S": naming.project_key(settings, project)}}
    row = _row(dynamodb, settings.stack.active_jobs_table, key)
    return ActiveJob(_text(row, "messageId"), _text(row, "threadId"), _text(row, "containerId")) if row else None


def later_claims(mine: dict, owners_rows: list[dict]) -> list[str]:
    """The projects an owner claimed after the project of `mine` (ownership rows as DynamoDB items). Owning
    several is not itself a stall: the container serves the project it claimed last (its queue URL is replaced
    by each claim, generic-container.service.ts:94-147), so only a later claim leaves this project unserved."""
    def claimed(row: dict) -> int:
        return int(row.get("claimedAt", {}).get("N", "0"))

    return sorted(r["projectKey"]["S"] for r in owners_rows
                  if r["projectKey"] != mine.get("projectKey") and claimed(r) > claimed(mine))


def unserved(dynamodb: Any, settings: Settings, client_name: str, project: str) -> str | None:
    """Why the project's queue is no longer read although a container owns it (its owner claimed another project
    after it), or None. Its next email is routed to that owner and never claimed again: it cannot end."""
    key = {"S": naming.project_key(settings, project)}
    row = dynamodb.get_item(TableName=settings.stack.ownership_table, Key={"projectKey": key},
                            ConsistentRead=True).get("Item", {})
    owner = row.get("containerId", {}).get("S")
    if not owner:
        return None
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=settings.stack.ownership_table, FilterExpression="containerId = :c",
        ExpressionAttributeValues={":c": {"S": owner}}, ConsistentRead=True)
    rows = [row for page in pages for row in page.get("Items", [])]
    later = later_claims(row, rows)
    if not later:
        return None
    return (f"{client_name}'s owner {owner} claimed {', '.join(later)} after it: a container polls the queue of the "
            f"project it claimed last, so this one's is no longer served")
