"""How the suite names what it creates: clients namespaced by run, buckets, queues, threads."""

from __future__ import annotations

import re
import secrets
import time

from lib.settings import Settings

# S3 bucket names: 3-63 chars, lowercase letters, digits, dots and hyphens.
_CLIENT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,30}$")
MAX_BUCKET_NAME = 63


class NamingError(ValueError):
    """A client name that cannot become a project id and bucket name."""


def client_id(settings: Settings, name: str) -> str:
    """The project id the suite uses for a client named in a scenario.

    With namespacing on, `amelia` becomes `wat-3f9a1c-amelia`: the run's prefix keeps parallel runs
    apart and tells cleanup which buckets are the suite's own.
    """
    if not _CLIENT_NAME.match(name):
        raise NamingError(
            f"client name {name!r} is not usable: use 1-31 lowercase letters, digits or hyphens, "
            "starting with a letter or digit"
        )
    project = f"{run_prefix(settings)}{name}" if settings.namespace_clients else name
    bucket = bucket_for(settings, project)
    if len(bucket) > MAX_BUCKET_NAME:
        raise NamingError(
            f"client name {name!r} makes the bucket name {bucket!r} ({len(bucket)} chars); "
            f"S3 allows {MAX_BUCKET_NAME}: use a shorter name"
        )
    return project


def run_prefix(settings: Settings) -> str:
    """The prefix of every project id this run creates, e.g. `wat-3f9a1c-`."""
    return f"{settings.name_prefix}-{settings.run_id}-"


def bucket_for(settings: Settings, project: str) -> str:
    return settings.bucket_pattern.format(client=project)


def input_queue_for(settings: Settings, project: str, user: str) -> str:
    return settings.input_queue_pattern.format(client=project, user=user)


def new_thread_id() -> str:
    """A thread id shaped like the real ones: `thread-<epoch ms>-<6 chars>`."""
    return f"thread-{int(time.time() * 1000)}-{secrets.token_hex(3)}"
