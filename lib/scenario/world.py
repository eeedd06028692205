"""What the steps share, as one typed object: the target, the scenario's state, and the helpers bound to them.

`features/environment.py` makes one per run and gives it a fresh ScenarioState per scenario."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lib.observe.sessions import SessionObserver
from lib.records import Client
from lib.resources.client_resources import CleanupReport
from lib.resources.onboarding import Onboarding
from lib.scenario.state import ScenarioState
from lib.scenario.target import Target


@dataclass
class World:
    target: Target
    onboarding: Onboarding
    observer: SessionObserver
    scenario: ScenarioState
    reports_dir: Path = Path("reports")  # where this behave process writes its reports (metrics.json, screenshots)
    scenarios_started: int = 0  # numbers each scenario's scope (s1, s2, ...), so no two share a project
    infrastructure_fault: str = ""  # an endpoint that failed beyond its retries: nothing more is judged or read

    @classmethod
    def start(cls, target: Target, reports_dir: Path = Path("reports")) -> World:
        world = cls(target, Onboarding(target.aws, target.settings), SessionObserver(target),
                    ScenarioState(scope="s0"), reports_dir)
        world.observer.siblings = lambda session: world.scenario.same_thread(session)
        world.observer.peers = lambda session: [s for s in world.scenario.sessions_of(session.name) if s is not session]
        return world

    def new_scenario(self) -> ScenarioState:
        """A fresh scenario: its own scope, so a client's name means a new client whatever earlier ones did."""
        self.scenarios_started += 1
        self.scenario = ScenarioState(scope=f"s{self.scenarios_started}")
        return self.scenario

    def onboard(self, name: str, *, with_site: bool = True) -> Client:
        return self.onboarding.onboard(self.scenario.clients, self.scenario.scope, name, with_site=with_site)

    def clean_up(self) -> CleanupReport:
        """Remove what the scenario created; a visitor still reading a site stops first."""
        for reader in self.scenario.readers.values():
            reader.finish()
        self.scenario.readers.clear()
        return self.onboarding.clean_up([s.email_key for s in self.scenario.sessions])

    def remove_leftovers(self) -> CleanupReport:
        return self.onboarding.remove_leftovers()


def world(context: Any) -> World:
    """The World that environment.py put on behave's context (typed, for editors following a step)."""
    found: World = context.world
    return found
