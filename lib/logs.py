"""The edit containers' CloudWatch log: find one session's lines and read its outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lib.settings import Settings

# CloudWatch filter syntax: only quoted phrases are safe (moto matches everything for `?`, `{`, `[`, `%`).
_UNSAFE_IN_PHRASE = ('"',)


class LogPatternError(ValueError):
    """A phrase that cannot be searched safely as a quoted CloudWatch filter."""


@dataclass(frozen=True)
class LogLine:
    timestamp_ms: int
    message: str
    stream: str

    @property
    def container_id(self) -> str:
        return self.stream.split("/", 1)[-1]

    def __str__(self) -> str:
        return f"{self.stream} @{self.timestamp_ms}: {self.message}"


# Outcomes of one session, as its log tells them.
DEPLOYED = "deployed"
SYNC_FAILED = "sync failed"
BUILD_FAILED = "build failed"
FAILED = "failed to process"
FINISHED_WITHOUT_SYNC = "finished without a sync result"


@dataclass
class SessionLog:
    """The lines one container wrote for one thread, from `Switched to thread ...` on."""

    thread_id: str
    lines: list[LogLine] = field(default_factory=list)
    settings: Settings | None = None
    detected_at_ms: int | None = None  # when the suite saw the outcome (its own clock)

    @property
    def container_id(self) -> str | None:
        return self.lines[0].container_id if self.lines else None

    def first(self, phrase: str) -> LogLine | None:
        return next((line for line in self.lines if line.message.startswith(phrase)), None)

    def _outcome_phrases(self) -> tuple[tuple[str, str], ...]:
        s = self.settings or Settings()
        return (
            (s.phrase_sync_ok, DEPLOYED),
            (s.phrase_sync_failed, SYNC_FAILED),
            (s.phrase_build_failed, BUILD_FAILED),
            (s.phrase_failed, FAILED),
            (s.phrase_done, FINISHED_WITHOUT_SYNC),
        )

    @property
    def outcome(self) -> str | None:
        """How the session ended, from the first outcome line in its log (None while it is still going)."""
        line = self.outcome_line
        if line is None:
            return None
        return next(outcome for phrase, outcome in self._outcome_phrases() if line.message.startswith(phrase))

    @property
    def outcome_line(self) -> LogLine | None:
        phrases = [phrase for phrase, _ in self._outcome_phrases()]
        return next((line for line in self.lines if line.message.startswith(tuple(phrases))), None)

    @property
    def finished(self) -> bool:
        s = self.settings or Settings()
        return bool(self.first(s.phrase_done) or self.first(s.phrase_failed))

    def summary(self, last: int = 6) -> str:
        if not self.lines:
            return f"no log line for thread {self.thread_id} yet"
        tail = self.lines[-last:]
        return " | ".join(line.message for line in tail)


class ContainerLogs:
    def __init__(self, logs_client: Any, settings: Settings) -> None:
        self.client = logs_client
        self.settings = settings
        # (thread, since) -> its `Switched to thread` line: found once, then only its stream is read.
        self._starts: dict[tuple[str, int], LogLine] = {}

    def find(self, phrase: str, since_ms: int, limit: int = 1000) -> list[LogLine]:
        """Every line containing `phrase` (case-sensitive) written since `since_ms`, oldest first."""
        if any(char in phrase for char in _UNSAFE_IN_PHRASE) or not phrase.strip():
            raise LogPatternError(f"cannot search the log for {phrase!r}: phrases must be non-empty, without '\"'")
        found: list[LogLine] = []
        kwargs: dict[str, Any] = {
            "logGroupName": self.settings.log_group,
            "filterPattern": f'"{phrase}"',
            "startTime": since_ms,
        }
        while len(found) < limit:
            page = self.client.filter_log_events(**kwargs)
            found += [LogLine(e["timestamp"], e["message"], e["logStreamName"]) for e in page.get("events", [])]
            token = page.get("nextToken")
            if not token:
                break
            kwargs["nextToken"] = token
        return sorted(found, key=lambda line: line.timestamp_ms)

    def stream_lines(self, stream: str, since_ms: int) -> list[LogLine]:
        lines: list[LogLine] = []
        kwargs: dict[str, Any] = {
            "logGroupName": self.settings.log_group,
            "logStreamName": stream,
            "startTime": since_ms,
            "startFromHead": True,
        }
        while True:
            page = self.client.get_log_events(**kwargs)
            lines += [LogLine(e["timestamp"], e["message"], stream) for e in page.get("events", [])]
            token = page.get("nextForwardToken")
            if not page.get("events") or token == kwargs.get("nextToken"):
                return lines
            kwargs["nextToken"] = token

    def session(self, thread_id: str, since_ms: int) -> SessionLog:
        """The lines of the first session of `thread_id` that started after `since_ms`."""
        start = self._starts.get((thread_id, since_ms))
        if start is None:
            switched_prefix = self.settings.phrase_switched.split("{thread_id}")[0] + thread_id
            starts = [
                line for line in self.find(switched_prefix, since_ms)
                if line.message.startswith(switched_prefix + " ") or line.message == switched_prefix
            ]
            if starts:
                start = self._starts[(thread_id, since_ms)] = starts[0]
        log = SessionLog(thread_id, settings=self.settings)
        if start is None:
            return log
        next_switch = self.settings.phrase_switched.split("{thread_id}")[0]
        for line in self.stream_lines(start.stream, start.timestamp_ms):
            if log.lines and line.message.startswith(next_switch):
                break
            if line.timestamp_ms >= start.timestamp_ms and (log.lines or line == start):
                log.lines.append(line)
            if log.finished:
                break
        return log
