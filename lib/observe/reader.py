"""A visitor who keeps reading a site while it is redeployed: the home page and every page it links to, over
and over, each read noting which build each page came from (`<meta name="build">`). `aws s3 sync` uploads file
by file, so a reader can see a mix of two builds, or a link to a page not uploaded yet."""

from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlparse

_BUILD = re.compile(r'<meta name="build" content="([^"]*)"')
_LINK = re.compile(r'href="([^"#?]+)"')


@dataclass(frozen=True)
class Read:
    started_ms: int
    ended_ms: int
    builds: frozenset[str]  # the builds its pages came from
    missing: tuple[str, ...]  # linked pages that did not answer

    @property
    def mixed(self) -> bool:
        return len(self.builds) > 1 or bool(self.missing)


@dataclass
class Readings:
    reads: list[Read] = field(default_factory=list)

    @property
    def mixed(self) -> list[Read]:
        return [read for read in self.reads if read.mixed]

    def mixed_ms(self) -> int:
        """From the start of the first mixed read to the end of the last (0 when none was mixed)."""
        mixed = self.mixed
        return mixed[-1].ended_ms - mixed[0].started_ms if mixed else 0

    def builds_seen(self) -> int:
        return len({build for read in self.reads for build in read.builds})

    def summary(self) -> dict[str, int]:
        return {"reads": len(self.reads), "mixed_reads": len(self.mixed), "mixed_ms": self.mixed_ms(),
                "builds_seen": self.builds_seen()}


class Reader(threading.Thread):
    def __init__(self, url: str, proxy: str = "") -> None:
        super().__init__(name=f"reader {url}", daemon=True)
        self.url = url
        self.readings = Readings()
        self._stopping = threading.Event()
        self._open = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy} if proxy else {})).open

    def run(self) -> None:
        while not self._stopping.is_set():
            self.readings.reads.append(self._read())

    def finish(self) -> Readings:
        self._stopping.set()
        self.join(timeout=30)
        return self.readings

    def _get(self, url: str) -> str | None:
        try:
            with self._open(url, timeout=10) as answer:
                return answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError:
            return None

    def _read(self) -> Read:
        started = int(time.time() * 1000)
        home = self._get(self.url) or ""
        builds = set(_BUILD.findall(home))
        missing = []
        for link in dict.fromkeys(_LINK.findall(home)):
            target = urljoin(self.url, link)
            if urlparse(target).netloc != urlparse(self.url).netloc:
                continue
            page = self._get(target)
            if page is None:
                missing.append(link)
            else:
                builds.update(_BUILD.findall(page))
        return Read(started, int(time.time() * 1000), frozenset(builds), tuple(missing))
