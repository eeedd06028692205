"""Benchmark the sandbox: per-stage timings of one session, and wall time for N clients deploying at once.

Stages come from the container's log timestamps: entry (email put -> `Switched to thread`: intake, state
machine, claim, clone or fetch), build, sync and push; and the callback (last line -> execution's end).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib import expectations  # noqa: E402
from lib.act import sending  # noqa: E402
from lib.act.instructions import Grammar  # noqa: E402
from lib.observe.logs import SessionLog  # noqa: E402
from lib.scenario import ScenarioState, Session  # noqa: E402
from lib.settings import Settings  # noqa: E402
from lib.target import Target  # noqa: E402
from lib.world import World  # noqa: E402
from sandbox.process import SandboxProcess  # noqa: E402


def between(log: SessionLog, start: str, end: str) -> float:
    a, b = log.first(start), log.first(end)
    return (b.timestamp_ms - a.timestamp_ms) / 1000 if a and b else float("nan")


def stages(session: Session) -> dict[str, float]:
    assert session.outcome is not None
    log = session.outcome.log
    return {
        "entry": (log.lines[0].timestamp_ms - session.sent_at_ms) / 1000,
        "build": between(log, expectations.PHRASE_BUILDING, expectations.PHRASE_BUILD_OK),
        "sync": between(log, expectations.PHRASE_DEPLOYING, expectations.PHRASE_SYNC_OK),
        "push": between(log, "Step 5/5", "Pushed branch"),
        "callback": (session.outcome.ended_at_ms - log.lines[-1].timestamp_ms) / 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", default="1,3,10", help="client counts to deploy at once")
    args = parser.parse_args(argv)
    process = SandboxProcess(ROOT / "reports" / "bench-sandbox.log",
                             environ={k: v for k, v in os.environ.items() if k != "WEBORDINARY_SANDBOX_FAULT"})
    endpoints = process.start()
    try:
        settings = Settings(aws_endpoint_url=endpoints["aws_endpoint_url"],
                            github_api_url=endpoints["github_api_url"], github_request_gap_s=0,
                            deployment_timeout_s=600)
        world = World.start(Target(settings, Grammar.from_published(endpoints["instructions"])))
        world.scenario = ScenarioState(scope="b")
        world.clients.onboard(world.scenario, "solo")
        print("per-stage timings of one session (the first one clones the site)")
        for round_name in ("cold", "warm"):
            edit = ("", f'Add header with text "{round_name}"')
            sending.send_in_turn(world.target, world.observer, world.scenario, "solo", [edit])
            session = world.scenario.sessions[-1]
            assert session.outcome is not None
            total = (session.outcome.ended_at_ms - session.sent_at_ms) / 1000
            cells = "  ".join(f"{k} {v:5.2f}s" for k, v in stages(session).items())
            print(f"  {round_name:<5} {cells}  total {total:5.2f}s")
        print("wall time for N clients deploying at once (emails sent -> last execution seen ended)")
        for count in (int(n) for n in args.clients.split(",")):
            names = [f"bench{count}-{i}" for i in range(count)]
            for name in names:
                world.clients.onboard(world.scenario, name)
            started = time.monotonic()
            batch = [sending.send(world.target, world.scenario, n, f"Create site for client {i}")
                     for i, n in enumerate(names)]
            world.observer.await_outcomes(batch)
            wall = time.monotonic() - started
            assert all(s.outcome and s.outcome.kind == expectations.DEPLOYED for s in batch)
            builds = [stages(s)["build"] for s in batch]
            print(f"  {count:>2} client(s): {wall:6.2f}s wall, build {min(builds):.2f}-{max(builds):.2f}s")
        world.clients.clean_up(world.scenario)
    finally:
        process.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
