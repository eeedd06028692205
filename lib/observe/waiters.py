"""Tenacity waiters with a deadline that say, on time-out, what they waited for and what they last saw."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from tenacity import RetryCallState, RetryError, Retrying, retry_if_result, stop_before_delay, wait_exponential_jitter

T = TypeVar("T")
log = logging.getLogger("webordinary.wait")

# Polls start at ~50 ms and back off to a ceiling: a local event is seen within a few hundred ms.
# On real AWS raise the ceiling (setting poll_max_s): CloudWatch Logs allows 5 FilterLogEvents a second.
FIRST_POLL_S = 0.05
MAX_POLL_S = 0.5


class WaitTimeout(AssertionError):
    """A waiter's deadline passed; the message says what was awaited and what was last seen."""


Progress = Callable[[str], None]


def _default_progress(message: str) -> None:
    log.info(message)


def wait_until(
    what: str,
    probe: Callable[[], T],
    done: Callable[[T], bool],
    deadline_s: float,
    *,
    describe: Callable[[T], str] = repr,
    progress: Progress | None = None,
    progress_every_s: float = 5.0,
    first_poll_s: float = FIRST_POLL_S,
    max_poll_s: float = MAX_POLL_S,
) -> T:
    """Call `probe` until `done(result)`; return that result, or raise WaitTimeout after `deadline_s`.

    `describe` turns the last result into evidence for the time-out message and progress lines.
    """
    report = progress or _default_progress
    started = time.monotonic()
    last_report = [started]
    last_seen = [""]

    def before_sleep(state: RetryCallState) -> None:
        now = time.monotonic()
        if now - last_report[0] >= progress_every_s:
            last_report[0] = now
            seen = describe(state.outcome.result()) if state.outcome and not state.outcome.failed else "-"
            # Say what is new; a repeat of the whole state every few seconds buries it.
            news = "no change" if seen == last_seen[0] else f"now: {seen}"
            last_seen[0] = seen
            report(f"waiting {now - started:.0f}s/{deadline_s:.0f}s for {what}; {news}")

    retrying = Retrying(
        retry=retry_if_result(lambda result: not done(result)),
        wait=wait_exponential_jitter(multiplier=first_poll_s, max=max_poll_s, jitter=first_poll_s),
        stop=stop_before_delay(deadline_s),
        before_sleep=before_sleep,
    )
    try:
        return retrying(probe)
    except RetryError as error:
        last = error.last_attempt
        seen = describe(last.result()) if not last.failed else f"error {last.exception()!r}"
        raise WaitTimeout(
            f"timed out after {time.monotonic() - started:.1f}s waiting for {what}; last seen: {seen}"
        ) from None
