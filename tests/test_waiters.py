from __future__ import annotations

import time

import pytest

from lib.observe.waiters import WaitTimeout, wait_until


def test_returns_as_soon_as_done() -> None:
    calls = iter(range(100))
    assert wait_until("three", lambda: next(calls), lambda n: n >= 3, 5) == 3


def test_time_out_says_what_was_awaited_and_what_was_last_seen() -> None:
    started = time.monotonic()
    with pytest.raises(WaitTimeout, match=r"waiting for the moon; last seen: cheese #\d+"):
        counter = iter(range(10_000))
        wait_until("the moon", lambda: next(counter), lambda n: False, 0.5, describe=lambda n: f"cheese #{n}")
    assert time.monotonic() - started < 1.0  # stop_before_delay: the deadline holds


def test_progress_is_reported_while_waiting() -> None:
    lines: list[str] = []
    with pytest.raises(WaitTimeout):
        wait_until("x", lambda: 0, lambda n: False, 1.2, progress=lines.append, progress_every_s=0.3)
    assert lines and lines[0].startswith("waiting ") and "for x; now: 0" in lines[0]
