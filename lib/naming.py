"""How the suite names what it creates: test clients namespaced by run and scenario, their buckets, queues and
emails."""

from __future__ import annotations

import difflib
import re
import uuid
from collections.abc import Iterable

from lib.expect import contract
from lib.settings import Settings

# S3 bucket names: 3-63 chars, lowercase letters, digits, dots and hyphens.
_CLIENT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,30}$")
MAX_BUCKET_NAME = 63


class NamingError(ValueError):
    """A client name that cannot become a project id and bucket name."""


# The longest scope a scenario gets (s1, s2, ... up to s9999): a name must fit the bucket name with it.
WIDEST_SCOPE = "s9999"


def client_id(settings: Settings, name: str, scope: str = "") -> str:
    """The project id the suite uses for a client named in a scenario (a name check_client_name has accepted).

    With namespacing on, `amelia` in the scenario with scope `s2` becomes `wat-3f9a1c-s2-amelia`: the run's
    prefix keeps parallel runs apart and tells cleanup what is the suite's own; the scope makes every scenario
    start from fresh clients, whatever earlier scenarios did with the same name.
    """
    return f"{run_prefix(settings)}{scope + '-' if scope else ''}{name}" if settings.run.namespace_clients else name


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """ "; did you mean 'bruno'?" for a name close to one the scenario introduced, else ""."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_client_name(name: str, settings: Settings) -> None:
    """The one check of a scenario's client name, at the door (lib/scenario/inputs.py): it must be able to become
    part of a bucket name, and the bucket name it makes in any scenario of this run must fit S3's 63 characters."""
    if not _CLIENT_NAME.match(name):
        raise NamingError(
            f"client name {name!r} is not usable: use 1-31 lowercase letters, digits or hyphens, "
            "starting with a letter or digit"
        )
    bucket = bucket_for(settings, client_id(settings, name, WIDEST_SCOPE))
    if len(bucket) > MAX_BUCKET_NAME:
        raise NamingError(f"client name {name!r} makes the bucket name {bucket!r} ({len(bucket)} chars); "
                          f"S3 allows {MAX_BUCKET_NAME}: use a shorter name")


def run_prefix(settings: Settings) -> str:
    """The prefix of every project id this run creates, e.g. `wat-3f9a1c-`."""
    return f"{settings.run.name_prefix}-{settings.run.run_id}-"


def suite_prefix(settings: Settings) -> str:
    """The prefix of every project id the suite creates, whatever the run: `wat-`."""
    return f"{settings.run.name_prefix}-"


def bucket_for(settings: Settings, project: str) -> str:
    return settings.stack.bucket_pattern.format(client=project)


def input_queue_for(settings: Settings, project: str) -> str:
    return settings.stack.input_queue_pattern.format(client=project, user=settings.run.user_id)


def dead_letter_queue_for(settings: Settings, project: str) -> str:
    return input_queue_for(settings, project).removesuffix(".fifo") + "-dlq.fifo"


def interrupt_queue_for(settings: Settings, project: str) -> str:
    return settings.stack.interrupt_queue_pattern.format(client=project, user=settings.run.user_id)


def project_key(settings: Settings, project: str) -> str:
    """The ownership table's key of a client's project for this run's user
    (docs/contract.md#claiming-and-bookkeeping)."""
    return contract.project_key(project, settings.run.user_id)


def email_key(settings: Settings, project: str) -> str:
    """Where a test email goes in the email bucket: under the prefix, named by its project (so it is ours)."""
    return f"{settings.stack.email_prefix}{project}-{uuid.uuid4().hex[:12]}.eml"
