"""The ECS service `webordinary-edit-service`: hands each CLAIM_REQUEST from `webordinary-unclaimed` to an idle
container, starting one (an ECS task) when none is idle, as the service's scaling would. Under the
`claims-while-owning` fault it hands claims to a container that already owns a project, as the real
container's unclaimed-queue consumer does (generic-container.service.ts:94-147)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from sandbox import names
from sandbox.awsclients import Clients
from sandbox.container import Claim, Container
from sandbox.edit import Workspace


class Fleet(threading.Thread):
    def __init__(self, clients: Clients, new_container: Callable[[dict], Container], faults: frozenset[str],
                 stopping: threading.Event) -> None:
        super().__init__(name="edit-service", daemon=True)
        self.clients = clients
        self.new_container = new_container
        self.faults = faults
        self.stopping = stopping
        self.containers: list[Container] = []
        self._workspaces: list[Workspace] = []  # its containers', whose build servers and awscli stop with it
        self._lock = threading.Lock()

    def run(self) -> None:
        threading.Thread(target=self._stop_what_ecs_stopped, name="ecs-agent", daemon=True).start()
        url = self.clients.queue_url(names.UNCLAIMED_QUEUE)
        for message in self.clients.messages(url, self.stopping, "edit-service"):
            claim = _claim(message["Body"])
            if claim is not None:
                self._assign(claim)
            self.clients.delete(url, message)
        # The containers' warm build servers and awscli end with the edit service: none outlives the sandbox.
        for workspace in self._workspaces:
            workspace.stop_servers()

    def _assign(self, claim: Claim) -> None:
        with self._lock:
            alive = [c for c in self.containers if c.is_alive() and not c.stop_requested.is_set()]
            owning = [c for c in alive if not c.idle]
            idle = [c for c in alive if c.idle]
            if "claims-while-owning" in self.faults and owning:
                chosen = owning[0]
            elif idle:
                chosen = idle[0]
            else:
                chosen = self.new_container(self.clients.run_edit_task())
                self.containers.append(chosen)
                if all(w is not chosen.workspace for w in self._workspaces):
                    self._workspaces.append(chosen.workspace)
                chosen.start()
            chosen.offer(claim)

    def _stop_what_ecs_stopped(self) -> None:
        """A StopTask from outside (an operator, a deployment, a scale-in) stops its task's container, as the ECS
        agent does."""
        while not self.stopping.wait(1.0):
            with self._lock:
                running = {c.task_arn: c for c in self.containers if c.is_alive() and not c.stop_requested.is_set()}
            for arn in self.clients.stopped_tasks(list(running)):
                running[arn].request_stop()

    def forget(self, container: Container) -> None:
        with self._lock:
            if container in self.containers:
                self.containers.remove(container)


def _claim(body: str) -> Claim | None:
    try:
        request = json.loads(body)
    except json.JSONDecodeError:
        print(f"[edit-service] ignoring a claim request that is not JSON: {body[:80]!r}", flush=True)
        return None
    if not isinstance(request, dict) or request.get("type") != names.CLAIM_REQUEST:
        print(f"[edit-service] ignoring a message that is not a {names.CLAIM_REQUEST}", flush=True)
        return None
    return Claim(request["projectId"], request["userId"], request["queueUrl"])
