"""The system under test as one object per run: its settings and the connections the suite reads it through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lib.act.instructions import Grammar
from lib.aws import AwsClients
from lib.observe.executions import Executions
from lib.observe.logs import LogTail
from lib.observe.repository import SiteRepository
from lib.observe.visitor import Browser
from lib.settings import Settings

Progress = Callable[[str], None]


@dataclass
class Target:
    settings: Settings
    grammar: Grammar = field(default_factory=Grammar)
    progress: Progress | None = None
    # Whether what runs the edits is the real WebOrdinary (a stack on AWS, or its container on the embedded AWS)
    # rather than the sandbox's stand-ins: its known faults (lib/known_faults.py) are then recorded as known.
    real_system: bool = False
    # Every awaited outcome: the execution's end and when the suite saw it (for the detection benchmark).
    detections: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.aws = AwsClients(self.settings)

    @cached_property
    def repository(self) -> SiteRepository:
        return SiteRepository(self.settings)

    @cached_property
    def logs(self) -> LogTail:
        return LogTail(self.aws.logs, self.settings)

    @cached_property
    def browser(self) -> Browser:
        return Browser(self.settings.browser, self.settings.website_proxy)

    def site_url(self, bucket: str) -> str:
        """Where a visitor reaches this bucket's site (S3 website hosting)."""
        return self.settings.website_url_pattern.format(bucket=bucket)

    @cached_property
    def executions(self) -> Executions:
        return Executions(self.aws.sfn, self.settings)

    def say(self, message: str) -> None:
        """Tell the person watching the run (through the progress channel, past output capture)."""
        (self.progress or print)(message)

    def wait_options(self) -> dict[str, Any]:
        return {"progress": self.progress, "progress_every_s": self.settings.progress_interval_s,
                "max_poll_s": self.settings.poll_max_s}
