"""Benchmark the sandbox: per-stage timings of one session, and wall time for 1, 3 and 10 clients at once.

Stages come from the container's log timestamps: claim (email sent -> `Claimed project`), git (claimed ->
`Switched to thread`, plus `Committing` -> `Building`), build, sync and push.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.logs import DEPLOYED, SessionLog  # noqa: E402
from lib.pipeline import Pipeline, TargetHooks  # noqa: E402
from lib.sessions import Session  # noqa: E402

from lib import contract  # noqa: E402
from lib.settings import Settings  # noqa: E402
from sandbox import interpreter  # noqa: E402
from sandbox.process import SandboxProcess  # noqa: E402


def between(log: SessionLog, start: str, end: str) -> float:
    a, b = log.first(start), log.first(end)
    return (b.timestamp_ms - a.timestamp_ms) / 1000 if a and b else float("nan")


def stages(pipeline: Pipeline, session: Session, log: SessionLog) -> dict[str, float]:
    claimed = pipeline.logs.find("Claimed project " + contract.project_key(session.client, session.user),
                                 session.sent_at_ms - 2000)
    switched = log.lines[0].timestamp_ms
    # A warm container already owns the project: no claim, and git starts when the email was sent.
    ready = claimed[0].timestamp_ms if claimed else session.sent_at_ms
    claim_s = (ready - session.sent_at_ms) / 1000
    git_s = (switched - ready) / 1000 + between(log, contract.PHRASE_COMMITTING, contract.PHRASE_BUILDING)
    return {
        "claim": claim_s,
        "git": git_s,
        "build": between(log, contract.PHRASE_BUILDING, contract.PHRASE_BUILD_OK),
        "sync": between(log, contract.PHRASE_DEPLOYING, contract.PHRASE_SYNC_OK),
        "push": between(log, contract.PHRASE_PUSHING, "Pushed branch"),
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
                            github_api_url=endpoints["github_api_url"], deployment_timeout_s=600)
        pipeline = Pipeline(settings, TargetHooks(validate_instruction=interpreter.find_form))
        print("per-stage timings of one session (first use of a workspace: clone included)")
        for round_name in ("cold", "warm"):
            pipeline.give_edit_site("solo")
            session = pipeline.start_session("solo", f'Add header with text "Bench {round_name}"')
            log = pipeline.wait_for_finish(session)
            assert log.outcome == DEPLOYED, log.summary()
            timing = stages(pipeline, session, log)
            total = (log.lines[-1].timestamp_ms - session.sent_at_ms) / 1000
            cells = "  ".join(f"{k} {v:5.2f}s" for k, v in timing.items())
            print(f"  {round_name:<5} {cells}  total {total:5.2f}s")
        print("wall time for N clients deploying at once (email sent -> last deployment seen)")
        for count in (int(n) for n in args.clients.split(",")):
            names = [f"bench{count}-{i}" for i in range(count)]
            for name in names:
                pipeline.give_edit_site(name)
            started = time.monotonic()
            sessions = [pipeline.start_session(n, f"Create site for client {i}") for i, n in enumerate(names)]
            logs = pipeline.wait_for_outcomes(sessions)
            wall = time.monotonic() - started
            assert all(log.outcome == DEPLOYED for log in logs), [log.summary() for log in logs]
            builds = [between(log, contract.PHRASE_BUILDING, contract.PHRASE_BUILD_OK) for log in logs]
            print(f"  {count:>2} client(s): {wall:6.2f}s wall, build {min(builds):.2f}-{max(builds):.2f}s")
        pipeline.clean_up()
    finally:
        process.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
