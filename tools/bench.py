"""Benchmark the suite against one embedded sandbox, and print the figures issue 14 asks for:

- the `@s3` suite's wall time, one session's wall time, and their ratio (the suite's cost in single sessions);
- the time from each outcome (an execution's end) to the suite seeing it, p50 and max;
- the requests the suite made per verified deployment, by service (counted by the sandbox's fronts, so retries
  count too);
- for 1, 5, 10 and 20 clients deploying at once: wall time, its growth, and requests per deployment;
- one session's stages (entry, build, sync, push, callback), cold and warm.

A verified deployment is one whose execution the suite saw end and whose bucket it found to be exactly that build.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib import (  # noqa: E402
    actions,
    expectations,
    verdicts,
)
from lib.instructions import Grammar  # noqa: E402
from lib.observe.logs import SessionLog  # noqa: E402
from lib.scenario import ScenarioState, Session  # noqa: E402
from lib.settings import Settings  # noqa: E402
from lib.target import Target  # noqa: E402
from lib.world import World  # noqa: E402
from sandbox.front import COUNTS_PATH  # noqa: E402
from sandbox.process import SandboxProcess  # noqa: E402

REPORTS = ROOT / "reports" / "bench"
GOAL_RATIO = 8.0
GOAL_P50_MS = 100.0
SERVICES = ("logs", "s3", "states", "github", "sqs", "dynamodb", "ecs")


class Requests:
    """The suite's requests as the sandbox's fronts counted them, by service."""

    def __init__(self, endpoints: dict[str, str]) -> None:
        self.urls = [endpoints["aws_endpoint_url"], endpoints["github_api_url"]]

    def now(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for url in self.urls:
            with urllib.request.urlopen(url + COUNTS_PATH, timeout=10) as answer:
                total.update(json.loads(answer.read())["requests"])
        return total


def per_deployment(spent: Counter[str], deployments: int) -> str:
    if not deployments:
        return "no verified deployment"
    cells = [f"{s} {spent.get(s, 0) / deployments:.1f}" for s in SERVICES if spent.get(s)]
    return f"{sum(spent.values()) / deployments:.1f} requests per deployment ({', '.join(cells)})"


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


def deploy_at_once(world: World, names: list[str], instruction: str) -> tuple[float, list[Session]]:
    """Each client sends one email at the same moment; returns the wall time until every deployment is verified."""
    for name in names:
        world.onboard(name)
    started = time.monotonic()
    batch = [actions.send(world, n, instruction.format(i=i)) for i, n in enumerate(names)]
    world.observer.await_outcomes(batch)
    problems = [p for s in batch if not (s.outcome and s.outcome.kind == expectations.DEPLOYED)
                for p in [f"{s.name}: {s.outcome.kind if s.outcome else 'no outcome'}"]]
    problems += verdicts.exact_build_problems(world, batch)
    if problems:
        raise SystemExit("bench: a deployment was not verified: " + "; ".join(problems))
    return time.monotonic() - started, batch


def run_suite(sandbox: SandboxProcess) -> tuple[float, int, list[float]]:
    results = REPORTS / "suite.json"
    env = {**os.environ, **sandbox.attach_environment()}
    command = [str(Path(sys.executable).parent / "behave"), "--tags=@s3", "--no-junit",
               "-f", "json", "-o", str(results), "-D", f"reports_dir={REPORTS}"]
    started = time.monotonic()
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    if run.returncode != 0:
        (REPORTS / "console.txt").write_text(run.stdout + run.stderr)
        print(f"  the suite FAILED (exit {run.returncode}); its console: {REPORTS / 'console.txt'}")
    detections = json.loads((REPORTS / "detections.json").read_text())
    latencies = [d["detected_ms"] - d["ended_ms"] for d in detections]
    deployed = sum(d["outcome"] == expectations.DEPLOYED for d in detections)
    return wall, deployed, latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="1,5,10,20", help="client counts deploying at once")
    parser.add_argument("--no-suite", action="store_true", help="skip the suite run (the sandbox figures only)")
    args = parser.parse_args(argv)
    REPORTS.mkdir(parents=True, exist_ok=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WEBORDINARY_SANDBOX_")}
    process = SandboxProcess(REPORTS / "sandbox.log", environ=environ)
    endpoints = process.start()
    requests = Requests(endpoints)
    try:
        settings = Settings().on_local_endpoints(endpoints, deployment_timeout_s=600)
        world = World.start(Target(settings, grammar=Grammar.from_published(endpoints["instructions"])))
        world.scenario = ScenarioState(scope="b")

        print("one session (one client, one email, its deployment verified); the first clones the site")
        session_walls = []
        for round_name in ("cold", "warm"):
            if round_name == "cold":
                world.onboard("solo")
            before = requests.now()
            started = time.monotonic()
            actions.send_in_turn(world, "solo",
                                 [("", f'Add header with text "{round_name}"')])
            session = world.scenario.sessions[-1]
            problems = verdicts.exact_build_problems(world, [session])
            wall = time.monotonic() - started
            session_walls.append(wall)
            cells = "  ".join(f"{k} {v:5.2f}s" for k, v in stages(session).items())
            verdict = f"  NOT VERIFIED: {'; '.join(problems)}" if problems else ""
            print(f"  {round_name:<5} {wall:5.2f}s wall ({cells}){verdict}")
            print(f"        {per_deployment(requests.now() - before, 1)}")
        session_wall = session_walls[0]

        print("clients deploying at once (emails sent together -> every deployment verified)")
        first = 0.0
        for count in (int(n) for n in args.clients.split(",")):
            before = requests.now()
            wall, _ = deploy_at_once(world, [f"at{count}-{i}" for i in range(count)], "Create site for client {i}")
            first = first or wall / count
            print(f"  {count:>2} client(s): {wall:6.2f}s wall, {wall / count:5.2f}s per client "
                  f"({wall / count / first:4.2f}x the first row's); {per_deployment(requests.now() - before, count)}")
        world.clean_up()

        if not args.no_suite:
            # On a sandbox of its own, as `make acceptance` runs it: the rounds above leave state behind.
            process.stop()
            process = SandboxProcess(REPORTS / "sandbox-suite.log", environ=environ)
            requests = Requests(process.start())
            before = requests.now()
            wall, deployed, latencies = run_suite(process)
            print(f"the @s3 suite: {wall:.1f}s wall; one session {session_wall:.2f}s; ratio {wall / session_wall:.1f} "
                  f"single sessions (goal {GOAL_RATIO:.0f})")
            if latencies:
                print(f"  detection, execution's end -> the suite sees it, over {len(latencies)} outcomes: "
                      f"p50 {statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms "
                      f"(goal p50 {GOAL_P50_MS:.0f} ms)")
            print(f"  {per_deployment(requests.now() - before, deployed)} over {deployed} deployments")
    finally:
        process.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
