"""PyHamcrest matchers for what a person sees on a deployed page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hamcrest.core.base_matcher import BaseMatcher
from hamcrest.core.description import Description

from lib.expect import contract


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.headings: list[str] = []
        self.text: list[str] = []
        self.config_values: list[str] = []  # the <dd>s of <dl class="config">
        self.timestamp = ""  # <p class="timestamp">
        self._in: list[str] = []
        self._classes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._in.append(tag)
        self._classes.append(dict(attrs).get("class") or "")
        if tag in ("h1", "h2", "h3"):
            self.headings.append("")
        if tag == "dd" and "config" in self._classes:
            self.config_values.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                self._classes.pop()
            self._classes.pop()

    def handle_data(self, data: str) -> None:
        if "title" in self._in:
            self.title += data
        if "dd" in self._in and "config" in self._classes and self.config_values:
            self.config_values[-1] += data
        if "timestamp" in self._classes:
            self.timestamp += data
        if self._in and self._in[-1] in ("h1", "h2", "h3") and self.headings:
            self.headings[-1] += data
        if "script" not in self._in and "style" not in self._in:
            self.text.append(data)


def parse_page(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    return parsed


# What HTML collapses and a browser shows as one space: ASCII whitespace only (a no-break space, an ideographic
# space are characters a writer chose, shown as written).
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


def collapsed(text: str) -> str:
    """Text as a browser lays it out: runs of HTML whitespace as one space, none at either end."""
    return _HTML_SPACE.sub(" ", text).strip(" ")


def visible_text(page: str) -> str:
    """The page's text as a reader sees it: entities decoded, HTML whitespace collapsed."""
    return collapsed(" ".join(parse_page(page).text))


class _PageMatcher(BaseMatcher[str]):
    def __init__(self, what: str, expected: str) -> None:
        self.what = what
        self.expected = expected

    def describe_to(self, description: Description) -> None:
        description.append_text(f"a page {self.what} ").append_description_of(self.expected)


class _HasTitle(_PageMatcher):
    def _matches(self, page: str) -> bool:
        return collapsed(parse_page(page).title) == self.expected

    def describe_mismatch(self, page: str, description: Description) -> None:
        description.append_text("its title is ").append_description_of(collapsed(parse_page(page).title))


class _HasHeading(_PageMatcher):
    def _matches(self, page: str) -> bool:
        return self.expected in [collapsed(h) for h in parse_page(page).headings]

    def describe_mismatch(self, page: str, description: Description) -> None:
        headings = [collapsed(h) for h in parse_page(page).headings]
        description.append_text("its headings are ").append_description_of(headings)


class _ShowsText(_PageMatcher):
    def _matches(self, page: str) -> bool:
        return self.expected in visible_text(page)

    def describe_mismatch(self, page: str, description: Description) -> None:
        text = visible_text(page)
        description.append_text("its text is ").append_description_of(text[:300])


def has_title(title: str) -> BaseMatcher[str]:
    """The page's <title> is exactly `title` (as a browser lays it out)."""
    return _HasTitle("titled", collapsed(title))


def has_heading(text: str) -> BaseMatcher[str]:
    """One of the page's headings (h1-h3) reads exactly `text`."""
    return _HasHeading("with the heading", collapsed(text))


def shows_text(text: str) -> BaseMatcher[str]:
    """The page's visible text contains `text`, as written: what a client writes is what a reader reads, an `&amp;`
    included."""
    return _ShowsText("showing", collapsed(text))


def _element_texts(page: str, element: str) -> list[str]:
    parsed = parse_page(page)
    found = {contract.HEADING: parsed.headings, contract.TITLE: [parsed.title],
             contract.CONFIG_VALUE: parsed.config_values, contract.TIMESTAMP: [parsed.timestamp]}[element]
    return [collapsed(text) for text in found]


class _ShowsIn(_PageMatcher):
    def __init__(self, element: str, expected: str) -> None:
        super().__init__(f"showing in {element}", expected)
        self.element = element

    def _matches(self, page: str) -> bool:
        return any(self.expected in text for text in _element_texts(page, self.element))

    def describe_mismatch(self, page: str, description: Description) -> None:
        description.append_text(f"{self.element} reads ").append_description_of(_element_texts(page, self.element))
        if self.expected in visible_text(page):
            description.append_text(" (the value is elsewhere on the page, where a visitor would not look for it)")


class _HoldsIn(_ShowsIn):
    def _matches(self, page: str) -> bool:
        return any(self.expected == text for text in _element_texts(page, self.element))


def holds_in(element: str, text: str) -> BaseMatcher[str]:
    """The element an instruction writes reads exactly `text`: what that instruction, and nothing else, put there."""
    return _HoldsIn(element, collapsed(text))


def shows_in(element: str, text: str) -> BaseMatcher[str]:
    """The element an instruction writes (lib.expect.contract.EFFECTS) holds `text`."""
    return _ShowsIn(element, collapsed(text))
