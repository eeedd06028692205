"""A container's log as the real one writes it: NestJS's console logger, to stdout and (as the awslogs driver
would) to CloudWatch Logs stream `edit/<container name>/<task id>`.

`[Nest] <pid>  - <date, time>     LOG [<Context>] <message>`, with ANSI colours unless NO_COLOR is set.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from datetime import datetime
from typing import Any

from sandbox import names

_COLOURS = {"LOG": "\x1b[32m", "WARN": "\x1b[33m", "ERROR": "\x1b[31m", "DEBUG": "\x1b[95m"}
_YELLOW = "\x1b[33m"
_RESET = "\x1b[39m"


def nest_line(level: str, context: str, message: str, *, pid: int, when: float, colour: bool) -> str:
    stamp = datetime.fromtimestamp(when).strftime("%m/%d/%Y, %I:%M:%S %p")
    if not colour:
        return f"[Nest] {pid}  - {stamp}     {level:>5} [{context}] {message}"
    c = _COLOURS.get(level, "")
    return (f"{c}[Nest] {pid}  - {_RESET}{stamp}     {c}{level:>5}{_RESET} {_YELLOW}[{context}]{_RESET} "
            f"{c}{message}{_RESET}")


class ContainerLog:
    """One container's logger. `log(context, message)` writes a LOG line; `warn`/`error` their levels."""

    def __init__(self, logs_client: Any, task_id: str, pid: int) -> None:
        self._logs = logs_client
        self.stream = names.log_stream(task_id)
        self.pid = pid
        self.colour = not os.environ.get("NO_COLOR")
        self._lock = threading.Lock()
        self._last_ms = 0
        self._logs.create_log_stream(logGroupName=names.LOG_GROUP, logStreamName=self.stream)

    def __call__(self, context: str, message: str, level: str = "LOG") -> None:
        with self._lock:
            # Strictly increasing timestamps keep the order of lines written in the same millisecond.
            now = max(int(time.time() * 1000), self._last_ms + 1)
            self._last_ms = now
            line = nest_line(level, context, message, pid=self.pid, when=now / 1000, colour=self.colour)
            self._logs.put_log_events(logGroupName=names.LOG_GROUP, logStreamName=self.stream,
                                      logEvents=[{"timestamp": now, "message": line}])
        print(f"{self.stream} {line}", file=sys.stdout, flush=True)

    def warn(self, context: str, message: str) -> None:
        self(context, message, "WARN")

    def error(self, context: str, message: str) -> None:
        self(context, message, "ERROR")
