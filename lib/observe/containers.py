"""Is an edit container up? ECS is the truthful answer (the repo's tests/scripts/monitor.sh): DescribeTasks on
the cluster, the task id taken from the container's log stream name (`edit/<container>/<task id>`)."""

from __future__ import annotations

from typing import Any

from lib.settings import Settings

RUNNING = "RUNNING"


def task_status(ecs: Any, settings: Settings, task_id: str) -> str:
    """The task's lastStatus (PROVISIONING, PENDING, RUNNING, DEACTIVATING, STOPPING, STOPPED), or MISSING."""
    response = ecs.describe_tasks(cluster=settings.ecs_cluster, tasks=[task_id])
    tasks = response.get("tasks", [])
    return tasks[0]["lastStatus"] if tasks else "MISSING"


def stopped_reason(ecs: Any, settings: Settings, task_id: str) -> str:
    tasks = ecs.describe_tasks(cluster=settings.ecs_cluster, tasks=[task_id]).get("tasks", [])
    return (tasks[0].get("stoppedReason") or "no reason given") if tasks else "no such task"
