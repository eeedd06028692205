"""A visitor who keeps reading a site while it is redeployed: the home page and every page it links to, over
and over, each read noting which build each page came from (`<meta name="build">`). `aws s3 sync` uploads file
by file, so a reader can see a mix of two builds, or a link to a page not uploaded yet."""

from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlparse

from lib.records import Read, Readings

_BUILD = re.compile(r'<meta name="build" content="([^"]*)"')
_LINK = re.compile(r'href="([^"#?]+)"')


class ReadingVisitor(threading.Thread):
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
