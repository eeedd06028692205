"""Deployment timings, from the container's log timestamps and the suite's clock."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import mean

from lib.expect import contract
from lib.records import Session
from lib.settings import Phrases, Settings


@dataclass(frozen=True)
class DeploymentMetrics:
    client: str
    thread_id: str
    build_s: float  # `Building Astro site` -> `Astro build successful` (container clock)
    sync_s: float  # `Deploying to S3` -> `S3 sync complete` (container clock)
    total_s: float  # email sent -> the session's outcome seen by the suite (suite clock)


@dataclass(frozen=True)
class Limits:
    build_s: float
    sync_s: float
    total_s: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        limits = settings.limits
        return cls(limits.metrics_build_limit_s, limits.metrics_sync_limit_s, limits.metrics_total_limit_s)


class MetricsError(AssertionError):
    pass


def measure(session: Session, phrases: Phrases) -> DeploymentMetrics:
    if session.outcome is None:
        raise MetricsError(f"{session.describe()} was not awaited, so its times are unknown")
    log = session.outcome.log

    def at(phrase: str) -> int:
        line = log.first(phrase)
        if line is None:
            raise MetricsError(f"{session.describe()} has no {phrase!r} line to time: {log.summary()}")
        return line.timestamp_ms

    return DeploymentMetrics(
        client=session.name,
        thread_id=session.thread_id or "?",
        build_s=(at(phrases.build_ok) - at(phrases.building)) / 1000,
        sync_s=(at(phrases.sync_ok) - at(phrases.deploying)) / 1000,
        total_s=(session.outcome.detected_at_ms - session.sent_at_ms) / 1000,
    )


def measure_deployments(sessions: list[Session], phrases: Phrases) -> tuple[list[DeploymentMetrics], list[str]]:
    """The times of every session that deployed; and each one not timed, with why (it ended otherwise)."""
    timed, untimed = [], []
    for session in sessions:
        if session.outcome is None:
            untimed.append(f"{session.describe()}: its end was not seen")
        elif session.outcome.kind != contract.DEPLOYED:
            untimed.append(f"{session.describe()}: it ended {session.outcome.describe()}")
        else:
            timed.append(measure(session, phrases))
    return timed, untimed


def averages(metrics: list[DeploymentMetrics]) -> dict[str, float]:
    return {
        "build_s": mean(m.build_s for m in metrics),
        "sync_s": mean(m.sync_s for m in metrics),
        "total_s": mean(m.total_s for m in metrics),
    }


def over_limits(metrics: list[DeploymentMetrics], limits: Limits) -> list[str]:
    avg = averages(metrics)
    return [
        f"average {name.removesuffix('_s')} time {avg[name]:.2f}s exceeds its limit of {getattr(limits, name):.0f}s"
        for name in ("build_s", "sync_s", "total_s")
        if avg[name] > getattr(limits, name)
    ]


def table(metrics: list[DeploymentMetrics], limits: Limits) -> str:
    """A plain-text table: one row per deployment, then averages against their limits."""
    rows = [f"{'deployment':<28} {'build':>8} {'sync':>8} {'total':>8}"]
    rows += [f"{m.thread_id:<28} {m.build_s:>7.2f}s {m.sync_s:>7.2f}s {m.total_s:>7.2f}s" for m in metrics]
    avg = averages(metrics)
    rows.append(f"{'average':<28} {avg['build_s']:>7.2f}s {avg['sync_s']:>7.2f}s {avg['total_s']:>7.2f}s")
    rows.append(f"{'limit':<28} {limits.build_s:>7.1f}s {limits.sync_s:>7.1f}s {limits.total_s:>7.1f}s")
    margin = margins(metrics, limits)
    rows.append(f"{'margin (limit / average)':<28} {margin['build_s']:>7.1f}x {margin['sync_s']:>7.1f}x "
                f"{margin['total_s']:>7.1f}x")
    return "\n".join(rows)


def margins(metrics: list[DeploymentMetrics], limits: Limits) -> dict[str, float]:
    """How many times each average fits in its limit (a limit many times what it measures can hardly fail)."""
    avg = averages(metrics)
    return {name: getattr(limits, name) / avg[name] if avg[name] else float("inf")
            for name in ("build_s", "sync_s", "total_s")}


def write_json(path: Path, metrics: list[DeploymentMetrics], limits: Limits, untimed: list[str] | None = None) -> dict:
    """Write the metrics document (deployments, averages, limits, the sessions not timed) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "deployments": [asdict(m) for m in metrics],
        "averages": averages(metrics) if metrics else {},
        "limits": asdict(limits),
        "margins": margins(metrics, limits) if metrics else {},
        "untimed": list(untimed or []),
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return document
