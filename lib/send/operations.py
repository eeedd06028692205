"""What an operator does to the edit service, as a deployment or a scale-in does it: stop its tasks. Only on the
embedded AWS: against a real stack the suite enters only by email."""

from __future__ import annotations

from typing import Any

from lib.settings import Settings


def stop_task(ecs: Any, settings: Settings, task_id: str, reason: str) -> None:
    """Stop an edit container's ECS task: ECS sends its container SIGTERM (the real one then releases its project
    and exits: main.ts:15-22)."""
    if settings.system.target != "local":
        raise ValueError(f"the suite stops an edit container only on the embedded AWS (target local), not on "
                         f"target {settings.system.target!r}: against AWS it enters only by email")
    ecs.stop_task(cluster=settings.stack.ecs_cluster, task=task_id, reason=reason)
