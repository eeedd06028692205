"""What a reader of the report wants to see for a scenario: deployed files, branch heads, how each session
ended (its execution) and the container's log for it."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

from lib.expect import contract
from lib.judge import metrics
from lib.observe import sites
from lib.scenario import verdicts
from lib.scenario.world import World


def collect(world: World, screenshots: Path | None = None) -> dict[str, Any]:
    """Plain data (JSON-ready) about a scenario's clients and sessions, and with `screenshots` (a folder) a
    screenshot of each client's site as a visitor sees it. Never raises: evidence is best effort, and an error
    while collecting it is shown as evidence too."""
    scenario = world.scenario
    s3 = world.target.aws.s3
    evidence: dict[str, Any] = {"sites": [], "branches": [], "sessions": []}
    now = time.time()
    for client in scenario.clients.values():
        bucket = client.bucket
        try:
            objects = [{"key": o.key, "size": o.size, "age_s": now - o.last_modified.timestamp()}
                       for o in sites.list_objects(s3, bucket)]
        except Exception as error:  # a missing bucket is a fact worth showing
            objects = []
            bucket = f"{bucket} ({type(error).__name__})"
        evidence["sites"].append({"client": client.name, "bucket": bucket, "objects": objects})
    for thread_id in dict.fromkeys(s.thread_id for s in scenario.sessions if s.thread_id):
        branch = contract.branch_for_thread(thread_id)
        try:
            head = world.target.repository.latest_commit(branch)
        except Exception as error:
            head, subject = None, f"unreadable: {type(error).__name__}"
        else:
            subject = head.subject if head else "branch not found"
        evidence["branches"].append({"thread_id": thread_id, "branch": branch, "sha": head.sha if head else "",
                                     "subject": subject})
    phrases = world.target.settings.phrases
    for session in scenario.sessions:
        outcome = session.outcome
        lines = outcome.log.lines if outcome else []
        times: dict[str, float] = {}
        if outcome is not None and outcome.kind == contract.DEPLOYED:
            with contextlib.suppress(metrics.MetricsError):  # a deployment without its lines is shown, not timed
                measured = metrics.measure(session, phrases)
                times = {"build_s": measured.build_s, "sync_s": measured.sync_s}
        evidence["sessions"].append({
            "client": session.name, "thread_id": session.thread_id or f"(email {session.email_key})",
            "outcome": f"{outcome.kind} ({outcome.detail})" if outcome else None, "times": times,
            "lines": [f"{time.strftime('%H:%M:%S', time.gmtime(line.timestamp_ms / 1000))}."
                      f"{line.timestamp_ms % 1000:03d} {line.stream}: {line.message}" for line in lines],
        })
    if scenario.metrics:
        evidence["metrics"] = scenario.metrics
    if scenario.atomicity:
        evidence["atomicity"] = scenario.atomicity
    if screenshots is not None:
        evidence["screenshots"] = _screenshots(world, screenshots)
    return evidence


def _screenshots(world: World, folder: Path) -> list[dict[str, str]]:
    """The site of each client whose latest edit was deployed, as a visitor sees it, saved as PNG."""
    shots = []
    for name, client in world.scenario.clients.items():
        mine = world.scenario.sessions_of(name)
        if not (client.has_site and mine and mine[-1].outcome and mine[-1].outcome.kind == contract.DEPLOYED):
            continue
        try:
            seen = verdicts.visit(world, name)
        except Exception as error:  # no browser, a page that does not load: said in the evidence
            shots.append({"client": name, "error": f"{type(error).__name__}: {str(error).splitlines()[0]}"})
            continue
        if seen.screenshot:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{world.target.settings.run.run_id}-{world.scenario.scope}-{name}.png"
            path.write_bytes(seen.screenshot)
            shots.append({"client": name, "file": f"{folder.name}/{path.name}", "url": seen.url})
        else:
            shots.append({"client": name, "error": "; ".join(seen.problems()) or "no screenshot"})
    return shots
