"""Helpers for tests that drive a sandbox directly (no behave)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lib.pipeline import Pipeline, TargetHooks

from lib.settings import Settings
from sandbox import interpreter
from sandbox.process import SandboxProcess


@contextmanager
def running_sandbox(log_dir: Path, fault: str = "", extra_args: tuple[str, ...] = (),
                    validate: bool = True) -> Iterator[tuple[Pipeline, SandboxProcess]]:
    """A sandbox process (with the given fault switches) and a pipeline pointed at it."""
    environ = {**os.environ, "WEBORDINARY_SANDBOX_FAULT": fault}
    process = SandboxProcess(log_dir / f"sandbox-{fault or 'clean'}.log", environ=environ, extra_args=extra_args)
    endpoints = process.start()
    try:
        settings = Settings(aws_endpoint_url=endpoints["aws_endpoint_url"],
                            github_api_url=endpoints["github_api_url"], deployment_timeout_s=60)
        hooks = TargetHooks(validate_instruction=interpreter.find_form) if validate else TargetHooks()
        pipeline = Pipeline(settings, hooks)
        yield pipeline, process
        pipeline.clean_up()
    finally:
        process.stop()
