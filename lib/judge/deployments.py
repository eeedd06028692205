"""Is a client's bucket exactly the build its latest deployment synced?"""

from __future__ import annotations

import re

from lib.records import DeployedObject, SessionLog
from lib.settings import Phrases

_SYNC_COUNTS = re.compile(r"(\d+) uploaded, (\d+) deleted")


def latest_build_problems(objects: list[DeployedObject], log: SessionLog, phrases: Phrases) -> list[str]:
    """Why the bucket is not exactly the build this session deployed (empty when it is).

    `aws s3 sync` re-uploads every file of a fresh build, so after this session's sync every object must be at
    least as new as its `Deploying to S3` line, and their number must equal the uploads.
    """
    deploying = log.first(phrases.deploying)
    synced = log.first(phrases.sync_ok)
    if not deploying or not synced:
        return [f"thread {log.thread_id} has no completed sync in its log: {log.summary()}"]
    counts = _SYNC_COUNTS.search(synced.message)
    problems: list[str] = []
    # S3 keeps whole seconds; allow for that and for a little clock skew.
    since_s = deploying.timestamp_ms / 1000 - 1.0
    stale = [o for o in objects if o.last_modified.timestamp() < since_s]
    if stale:
        problems.append(f"{len(stale)} object(s) older than this deployment: "
                        + ", ".join(f"{o.key} ({o.last_modified:%H:%M:%S})" for o in stale[:8]))
    if counts and int(counts[1]) != len(objects):
        problems.append(f"the sync uploaded {counts[1]} file(s) but the bucket holds {len(objects)}")
    if not objects:
        problems.append("the bucket is empty")
    return problems


def completeness_problems(objects: list[DeployedObject], pages: dict[str, str]) -> list[str]:
    """A deployment a visitor can use: no empty file, and every local link of the given pages (key -> HTML)
    leads to an object in the bucket."""
    problems = [f"{o.key} is empty (0 bytes)" for o in objects if o.size == 0]
    keys = {o.key for o in objects}
    for key, page in pages.items():
        missing = sorted({link for link in local_links(page) if key_for_link(link) not in keys})
        if missing:
            problems.append(f"{key} links to {len(missing)} page(s) the bucket does not hold: {', '.join(missing[:5])}")
    return problems


def local_links(page: str) -> list[str]:
    """The page's links within the site (`href`/`src` starting with one `/`)."""
    return [link for link in re.findall(r"""(?:href|src)=["']([^"'#?]+)""", page)
            if link.startswith("/") and not link.startswith("//")]


def key_for_link(link: str) -> str:
    """The object a site link is served from: `/changes/abc/` is `changes/abc/index.html` (static hosting)."""
    path = link.lstrip("/")
    if not path or path.endswith("/"):
        return path + "index.html"
    return path if "." in path.rsplit("/", 1)[-1] else path + "/index.html"
