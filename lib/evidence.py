"""What a reader of the report wants to see for a scenario: deployed files, branch heads, container logs."""

from __future__ import annotations

import time
from typing import Any

from lib.logs import SessionLog
from lib.sessions import Session


def collect(pipeline: Any, clients: list[str], sessions: list[Session], outcomes: dict[str, SessionLog],
            metrics: dict | None = None) -> dict[str, Any]:
    """Plain data (JSON-ready) about a scenario's clients and sessions. Never raises: evidence is best effort,
    and an error while collecting it is shown as evidence too."""
    evidence: dict[str, Any] = {"sites": [], "branches": [], "sessions": []}
    now = time.time()
    for client in dict.fromkeys(clients):
        bucket = pipeline.bucket_of(client)
        try:
            objects = [{"key": o.key, "size": o.size, "age_s": now - o.last_modified.timestamp()}
                       for o in pipeline.deployed_objects(client)]
        except Exception as error:  # a missing bucket is a fact worth showing
            objects = []
            bucket = f"{bucket} ({type(error).__name__})"
        evidence["sites"].append({"client": client, "bucket": bucket, "objects": objects})
    for session in sessions:
        try:
            head = pipeline.repository.latest_commit(session.branch)
        except Exception as error:
            head = None
            subject = f"unreadable: {type(error).__name__}"
        else:
            subject = head.subject if head else "branch not found"
        evidence["branches"].append({"thread_id": session.thread_id, "branch": session.branch,
                                     "sha": head.sha if head else "", "subject": subject})
        log = outcomes.get(session.thread_id)
        if log is None:
            try:
                log = pipeline.session_log(session)
            except Exception:
                log = SessionLog(session.thread_id)
        evidence["sessions"].append({
            "client": session.name, "thread_id": session.thread_id, "outcome": log.outcome,
            "lines": [f"{time.strftime('%H:%M:%S', time.gmtime(line.timestamp_ms / 1000))}."
                      f"{line.timestamp_ms % 1000:03d} {line.stream}: {line.message}" for line in log.lines],
        })
    if metrics:
        evidence["metrics"] = metrics
    return evidence
