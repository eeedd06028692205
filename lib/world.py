"""What the steps share, as one typed object: the target, the scenario's state, and the helpers bound to them.

`features/environment.py` makes one per run and gives it a fresh ScenarioState per scenario."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lib.observe.sessions import SessionObserver
from lib.resources.test_clients import TestClients
from lib.scenario import ScenarioState
from lib.target import Target


@dataclass
class World:
    target: Target
    clients: TestClients
    observer: SessionObserver
    scenario: ScenarioState
    scenarios_started: int = 0  # numbers each scenario's scope (s1, s2, ...), so no two share a project
    infrastructure_fault: str = ""  # an endpoint that failed beyond its retries: nothing more is judged or read

    @classmethod
    def start(cls, target: Target) -> World:
        world = cls(target, TestClients(target), SessionObserver(target), ScenarioState(scope="s0"))
        world.observer.siblings = lambda session: world.scenario.same_thread(session)
        world.observer.peers = lambda session: [s for s in world.scenario.sessions_of(session.name) if s is not session]
        return world


def world(context: Any) -> World:
    """The World that environment.py put on behave's context (typed, for editors following a step)."""
    found: World = context.world
    return found
