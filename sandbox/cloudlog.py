"""The container's log: every line to CloudWatch Logs stream `edit/{containerId}` and to stdout."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from lib import contract


class ContainerLog:
    def __init__(self, logs_client: Any, container_id: str) -> None:
        self._logs = logs_client
        self.stream = f"{contract.LOG_STREAM_PREFIX}/{container_id}"
        self._lock = threading.Lock()
        self._last_ms = 0
        self._logs.create_log_stream(logGroupName=contract.LOG_GROUP, logStreamName=self.stream)

    def __call__(self, message: str) -> None:
        with self._lock:
            # Strictly increasing timestamps keep the order of lines written in the same millisecond.
            now = max(int(time.time() * 1000), self._last_ms + 1)
            self._last_ms = now
            self._logs.put_log_events(
                logGroupName=contract.LOG_GROUP,
                logStreamName=self.stream,
                logEvents=[{"timestamp": now, "message": message}],
            )
        print(f"[{self.stream}] {message}", file=sys.stdout, flush=True)
