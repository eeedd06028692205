"""The edit containers' CloudWatch log, read once per tick for every session at once.

Each event is a NestJS console line (`[Nest] <pid>  - <time>     LOG [<Context>] <message>`, coloured unless
NO_COLOR): the suite strips the colour codes and the prefix (setting `log_line_pattern`) and matches phrases
against the message. A session's lines are those of one stream from its `Switched to thread` line on.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from lib.records import LogLine, SessionLog
from lib.settings import Settings

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Log lines can carry timestamps a little before the suite's clock says the email was sent.
CLOCK_SKEW_MS = 2000


def parse_message(raw: str, pattern: re.Pattern[str]) -> tuple[str, str, str]:
    """(context, message, level) of a raw event; a line that does not match the pattern is kept whole, and a
    pattern without a `level` group leaves the level unknown ("")."""
    text = _ANSI.sub("", raw).rstrip("\n")
    found = pattern.match(text)
    if not found:
        return "", text, ""
    return found["context"], found["message"], found.groupdict().get("level") or ""


class LogTail:
    """Every event of the log group since the run began, refreshed at most once per tick however many sessions
    wait: one FilterLogEvents poll (and its pages) serves them all. Throttling stretches the tick."""

    def __init__(self, logs_client: Any, settings: Settings, since_ms: int | None = None) -> None:
        self.client = logs_client
        self.settings = settings
        self.pattern = re.compile(settings.stack.log_line_pattern, re.DOTALL)
        self.since_ms = since_ms if since_ms is not None else int(time.time() * 1000) - CLOCK_SKEW_MS
        self.interval_s = min(settings.timing.poll_max_s, 1.0)
        self.polls = 0
        self._lines: list[LogLine] = []
        self._seen: set[str] = set()
        self._last_poll = 0.0
        self._cursor_ms = self.since_ms
        self._lock = threading.Lock()
        self._throttled_until = 0.0
        # Switched-lines already given to a session, so that two sessions of one thread get one each.

    def refresh(self) -> list[LogLine]:
        with self._lock:
            now = time.monotonic()
            if now - self._last_poll >= self.interval_s and now >= self._throttled_until:
                self._poll()
                self._last_poll = time.monotonic()
            return list(self._lines)

    def _poll(self) -> None:
        kwargs: dict[str, Any] = {"logGroupName": self.settings.stack.log_group,
                                  "startTime": self._cursor_ms - CLOCK_SKEW_MS}
        fresh: list[LogLine] = []
        try:
            while True:
                self.polls += 1
                page = self.client.filter_log_events(**kwargs)
                for event in page.get("events", []):
                    key = event.get("eventId") or f"{event['logStreamName']}@{event['timestamp']}:{event['message']}"
                    if key in self._seen:
                        continue
                    self._seen.add(key)
                    context, message, level = parse_message(event["message"], self.pattern)
                    fresh.append(LogLine(event["timestamp"], message, event["logStreamName"], context, key, level))
                token = page.get("nextToken")
                if not token:
                    break
                kwargs["nextToken"] = token
        except self.client.exceptions.ClientError as error:
            if error.response["Error"]["Code"] not in ("ThrottlingException", "ServiceUnavailableException"):
                raise
            self.interval_s = min(self.interval_s * 2, 5.0)  # back off; the next tick reads what was missed
            self._throttled_until = time.monotonic() + self.interval_s
        if fresh:
            self._lines = sorted(self._lines + fresh, key=lambda line: (line.timestamp_ms, line.stream))
            self._cursor_ms = max(self._cursor_ms, max(line.timestamp_ms for line in fresh))

    def session(self, thread_id: str, since_ms: int, rank: int = 0) -> SessionLog:
        """The lines of the `rank`-th session (from 0) of `thread_id` handled since `since_ms`: from its
        `Switched to thread` line to the next session's on the same stream. A container handles a thread's
        messages one after the other, so the rank is the order in which the thread's sessions ended."""
        lines = self.refresh()
        prefix = self.settings.phrases.switched.split("{thread_id}")[0]
        opening = prefix + thread_id
        starts = [line for line in lines if line.timestamp_ms >= since_ms - CLOCK_SKEW_MS
                  and line.message.startswith(opening) and line.message[len(opening):][:1] in (" ", "")]
        log = SessionLog(thread_id)
        if rank >= len(starts):
            return log
        start = starts[rank]
        for line in lines:
            if line.stream != start.stream or line.timestamp_ms < start.timestamp_ms:
                continue
            if log.lines and line.message.startswith(prefix):
                log.cut_by = line
                break
            log.lines.append(line)
        return log

    def find(self, phrase: str, since_ms: int) -> list[LogLine]:
        """Every line whose message contains `phrase`, written since `since_ms`."""
        return [line for line in self.refresh() if line.timestamp_ms >= since_ms and phrase in line.message]
