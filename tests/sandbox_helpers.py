"""Helpers for tests that drive a sandbox directly (no behave): a World pointed at a running sandbox."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lib.expect.instructions import Grammar
from lib.scenario.state import ScenarioState
from lib.scenario.target import Target
from lib.scenario.world import World
from lib.settings import Settings
from sandbox.process import SandboxProcess

_scopes = itertools.count(1)


@contextmanager
def running_sandbox(log_dir: Path, fault: str = "",
                    extra_args: tuple[str, ...] = ()) -> Iterator[tuple[World, SandboxProcess]]:
    """A sandbox process (with the given fault switches) and a World pointed at it."""
    environ = {**os.environ, "WEBORDINARY_SANDBOX_FAULT": fault}
    process = SandboxProcess(log_dir / f"sandbox-{fault or 'clean'}.log", environ=environ, extra_args=extra_args)
    endpoints = process.start()
    try:
        settings = Settings().on_local_endpoints(endpoints, deployment_timeout_s=60)
        world = World.start(Target(settings, grammar=Grammar.from_published(endpoints["instructions"])))
        yield world, process
        world.clean_up()
    finally:
        process.stop()


def fresh(world: World) -> World:
    """The same sandbox with a new scenario: fresh clients, whatever other tests did."""
    world.clean_up()
    world.scenario = ScenarioState(scope=f"t{next(_scopes)}")
    return world
