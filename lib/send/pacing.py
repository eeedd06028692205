"""The pace a person keeps between emails ("0.5 seconds apart"): part of the stimulus, not a wait for anything."""

from __future__ import annotations

import time


def after_gap(previous_sent_ms: int, gap_s: float) -> None:
    """Return once `gap_s` has passed since the previous email was sent."""
    time.sleep(max(0.0, gap_s - (time.time() - previous_sent_ms / 1000)))  # sleep-ok: the scenario's own pace
