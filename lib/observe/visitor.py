"""What a visitor sees: a client's site through its website endpoint, in a real headless Chromium (Playwright
driving the system's Chromium, so nothing is downloaded at run time). One browser per run, opened on first use.

Playwright rather than Selenium: it drives the Chromium that Debian ships without a matching driver package,
and it reports every response the page caused (status and Content-Type), which is what "no broken link or
missing asset" needs."""

from __future__ import annotations

import atexit
import contextlib
import os
import urllib.error
import urllib.request
from typing import Any, ClassVar
from urllib.parse import urljoin, urlparse

from lib.records import Visit

# As root and on a closed network Chromium needs these (field notes: background networking is refused).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
VIEWPORT = {"width": 1000, "height": 700}


class BrowserUnavailable(RuntimeError):
    """No browser to look with; the message says what to install."""


class SiteUnreachable(RuntimeError):
    """A client's website address cannot be reached from here at all: a setting, not WebOrdinary's doing."""


def unreachable(url: str, proxy: str) -> str | None:
    """Why a visitor here cannot reach `url` at all (one sentence naming the settings), or None when it answers
    anything, even an error page."""
    handlers = [urllib.request.ProxyHandler({"http": proxy} if proxy else {})]
    try:
        with urllib.request.build_opener(*handlers).open(url, timeout=10):
            return None
    except urllib.error.HTTPError:
        return None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return (f"{url} cannot be reached ({reason}) {'through ' + proxy if proxy else 'without a proxy'}: set "
                "website_proxy to the proxy that serves the clients' sites (a sandbox publishes its own in its "
                "endpoints file), or website_url_pattern to an address this machine reaches")


def unavailable(executable: str) -> str | None:
    """Why no browser can be used here (one line naming what to install), or None."""
    if os.access(executable, os.X_OK):
        return None
    return (f"no browser at {executable}: install Debian's chromium (apt-get install chromium) for what a visitor "
            "sees and the screenshots, or set `browser` to a Chromium")


class Browser:
    _shared: ClassVar[dict[tuple[str, str], Browser]] = {}

    @classmethod
    def shared(cls, executable: str, proxy: str = "") -> Browser:
        """One browser per process for these settings, opened on first use and closed when the process ends: a
        behavex worker runs many scenarios, each a behave run of its own, and a browser started per scenario cost
        more CPU than the scenarios' own checks (a Chromium with a dozen processes, and Playwright's driver)."""
        key = (executable, proxy)
        if key not in cls._shared:
            if not cls._shared:
                atexit.register(cls._close_shared)
            cls._shared[key] = cls(executable, proxy)
        return cls._shared[key]

    @classmethod
    def _close_shared(cls) -> None:
        for browser in cls._shared.values():
            with contextlib.suppress(Exception):  # the process is ending: a browser already gone is fine
                browser.close()

    def __init__(self, executable: str, proxy: str = "") -> None:
        self.executable = executable
        self.proxy = proxy
        self._playwright: Any = None
        self._browser: Any = None
        self._page: Any = None
        self._devtools: Any = None

    def _open(self) -> Any:
        if self._browser is None:
            reason = unavailable(self.executable)
            if reason:
                raise BrowserUnavailable(reason)
            from playwright.sync_api import sync_playwright  # loaded only when a visitor is needed

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=self.executable, args=CHROMIUM_ARGS,
                proxy={"server": self.proxy} if self.proxy else None)
        return self._browser

    def _fresh_page(self) -> Any:
        """The visitor's tab, as a new visitor's: one page kept for every visit (a new browser context spawned a
        renderer process each time, half a CPU second a visit), with no cookie, cache or storage of the last."""
        if self._page is None:
            context = self._open().new_context(viewport=VIEWPORT, accept_downloads=False)
            self._page = context.new_page()
            self._devtools = context.new_cdp_session(self._page)
        else:
            self._page.context.clear_cookies()
            self._devtools.send("Network.clearBrowserCache")
            self._devtools.send("Network.clearBrowserCookies")
            self._page.goto("about:blank")
            self._page.evaluate("() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) {} }")
        return self._page

    def visit(self, url: str) -> Visit:
        """Load the page as a new visitor would; check every link and asset of it (same site) answers and is what
        it claims to be; take a screenshot of the whole page."""
        visit = Visit(url, *self._fetch(url))
        if visit.problems():
            return visit
        page = self._fresh_page()
        failed: list[str] = []

        def on_response(response: Any) -> None:
            if response.status >= 400:
                failed.append(f"{response.url} ({response.status})")

        def on_failure(request: Any) -> None:
            failed.append(f"{request.url} ({request.failure})")

        page.on("response", on_response)
        page.on("requestfailed", on_failure)
        try:
            page.goto(url, wait_until="load")
            visit.title = page.title()
            visit.headings = [text.strip() for text in page.locator("h1, h2, h3").all_inner_texts()]
            visit.text = page.inner_text("body")
            links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
            for link in sorted({urljoin(url, link).split("#")[0] for link in links}):
                if urlparse(link).netloc != urlparse(url).netloc:
                    continue  # another site's link is not this deployment's to keep
                status, kind, _ = self._fetch(link)
                if status >= 400:
                    failed.append(f"{link} ({status})")
                elif link.endswith("/") and not kind.startswith("text/html"):
                    failed.append(f"{link} (served as {kind or 'no Content-Type'})")
            visit.broken = failed
            visit.screenshot = page.screenshot(full_page=True)
            return visit
        finally:
            page.remove_listener("response", on_response)
            page.remove_listener("requestfailed", on_failure)

    def _fetch(self, url: str) -> tuple[int, str, str]:
        """(status, Content-Type, Cache-Control) of a plain GET, redirects followed, as a browser would."""
        handlers = [urllib.request.ProxyHandler({"http": self.proxy} if self.proxy else {})]
        try:
            with urllib.request.build_opener(*handlers).open(url, timeout=15) as answer:
                return answer.status, answer.headers.get("Content-Type", ""), answer.headers.get("Cache-Control", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", ""), error.headers.get("Cache-Control", "")
        except (urllib.error.URLError, OSError):
            raise SiteUnreachable(unreachable(url, self.proxy) or f"{url} cannot be reached") from None

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._playwright.stop()
            self._browser = self._playwright = self._page = self._devtools = None
