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


def test_an_email_the_intake_never_takes_in_is_named_at_the_intakes_deadline_not_at_the_time_out() -> None:
    """issue 33: a stand-in that ignores the suite's emails (mutant 58 of sandbox/intake.py) was caught only by the
    outcome's two-minute time-out; the intake's own deadline names it."""
    import time
    from types import SimpleNamespace

    from lib.observe.sessions import SessionObserver
    from lib.records import Client, Session
    from lib.settings import Settings

    observer = SessionObserver(SimpleNamespace(settings=Settings()))  # type: ignore[arg-type]
    client = Client("olga", "wat-x-olga", "edit.wat-x-olga.webordinary.com")
    now_ms = int(time.time() * 1000)
    fresh = Session(client, "Add header with text \"Hi\"", "emails/wat-x-olga-1.eml", "<m>", now_ms)
    assert observer._not_taken_in(fresh) is None
    late = Session(client, "Add header with text \"Hi\"", "emails/wat-x-olga-2.eml", "<m>", now_ms - 31_000)
    found = observer._not_taken_in(late)
    assert found is not None and found.startswith("the intake took no notice of its email: 31 s after it landed")
    assert "has no execution wat-x-olga-2-eml" in found
