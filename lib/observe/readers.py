"""The readers of the system under test, built once per run and handed down to every reader and waiter: its
settings, its AWS services, its executions, its log, its repository and a visitor's browser."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lib.aws import Aws
from lib.observe.executions import Executions
from lib.observe.logs import LogTail
from lib.observe.repository import SiteRepository
from lib.observe.visitor import Browser
from lib.settings import Settings

Progress = Callable[[str], None]


@dataclass
class Readers:
    settings: Settings
    progress: Progress | None = None
    # Every awaited outcome: the execution's end and when the suite saw it (for the detection benchmark).
    detections: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.aws = Aws(self.settings)
        # From the run's start, not from the first read: a session whose lines were written before anything read the
        # log (emails sent a while before the first wait) would have no lines at all.
        self.logs = LogTail(self.aws.logs, self.settings)

    @cached_property
    def repository(self) -> SiteRepository:
        return SiteRepository(self.settings)

    @cached_property
    def browser(self) -> Browser:
        return Browser.shared(self.settings.system.browser, self.settings.system.website_proxy)

    @cached_property
    def executions(self) -> Executions:
        return Executions(self.aws.sfn, self.settings)

    def site_url(self, bucket: str) -> str:
        """Where a visitor reaches this bucket's site (S3 website hosting)."""
        return self.settings.system.website_url_pattern.format(bucket=bucket)

    def say(self, message: str) -> None:
        """Tell the person watching the run (through the progress channel, past output capture)."""
        (self.progress or print)(message)

    def wait_options(self) -> dict[str, Any]:
        return {"progress": self.progress, "progress_every_s": self.settings.timing.progress_interval_s,
                "max_poll_s": self.settings.timing.poll_max_s}
