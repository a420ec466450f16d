"""Find the pages someone can reach, from the app itself, and check each one.

From a start page the crawl follows every link on the site; then, for each GET
page in the app's URL map not reached yet, it fills the address with ids it
has seen in the addresses it followed (a service's id, a round's, ...). So a new
page is checked as soon as it exists, without anyone listing it. Each address
pattern is visited a bounded number of times, to keep the crawl quick.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from . import checks

MAX_PAGES = 140  # per person
PER_ENDPOINT = 2  # addresses of one pattern visited (two reviews, two rounds...)
NOT_PAGES = ("/static/", "/api/")
# Files to download, not pages to look at (their contents are checked in tests/test_exports.py).
DOWNLOAD = re.compile(r"\.(pdf|zip|json|jsonl|csv|png|svg)$")


@dataclass
class PageResult:
    url: str  # path and query
    endpoint: str | None
    status: int
    title: str
    problems: list = field(default_factory=list)  # (check, message)
    checked: bool = False  # False: visited for its title only


@dataclass
class Crawl:
    who: str
    pages: list = field(default_factory=list)

    def failures(self, *names: str, where=lambda result: True) -> list[str]:
        """``URL: check: message`` for every problem of the named checks."""
        return [f"{result.url}: {check}: {message}" for result in self.pages if where(result)
                for check, message in result.problems if check in names]

    def titles_not_unique(self) -> list[str]:
        """Pages (that answered 200) sharing a title with another page."""
        by_title: dict[str, list[str]] = {}
        for result in self.pages:
            path = result.url.split("?")[0]  # the same page filtered or sorted keeps its title
            if result.status == 200 and path not in by_title.get(result.title, []):
                by_title.setdefault(result.title, []).append(path)
        return [f"{', '.join(urls)}: the same title {title!r}" for title, urls in by_title.items() if len(urls) > 1]


def check_page(page, result: PageResult, shots: Path | None = None, shot_name: str = "") -> None:
    """Run every check on the page as loaded (at its current width), then narrow it and check again."""
    result.problems += [("axe", p) for p in checks.axe_violations(page)]
    result.problems += [("escaped markup", p) for p in checks.escaped_markup(page)]
    result.problems += [("structure", p) for p in checks.structure(page)]
    size = page.viewport_size
    if shots is not None:
        page.screenshot(path=str(shots / f"{shot_name}-1280.png"), full_page=True)
    result.problems += [("reflow", p) for p in checks.overflow(page, checks.ZOOMED)]
    result.problems += [("reflow", p) for p in checks.overflow(page, checks.NARROW)]
    if shots is not None:
        page.set_viewport_size({"width": 375, "height": 800})
        checks.settled(page)
        page.screenshot(path=str(shots / f"{shot_name}-375.png"), full_page=True)
    page.set_viewport_size(size)


def screenshots_folder() -> Path | None:
    """Where ``make screenshots`` wants pictures of each page (SCREENSHOTS_DIR), if anywhere."""
    folder = os.environ.get("SCREENSHOTS_DIR")
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


class Crawler:
    def __init__(self, live, page, who: str, slug: str, per_endpoint: int = PER_ENDPOINT):
        self.live, self.page, self.who, self.slug = live, page, who, slug
        self.per_endpoint = per_endpoint
        self.adapter = live.app.url_map.bind("127.0.0.1")
        self.seen_urls: set[str] = set()
        self.by_endpoint: dict[str, int] = {}
        self.values: dict[str, list] = {"slug": [slug]}  # URL argument -> values seen
        self.checked_kinds: set = set()  # endpoints, and error statuses, checked once
        self.queue: list[str] = []
        self.crawl = Crawl(who)
        self.shots = screenshots_folder()

    # --- addresses ----------------------------------------------------------------------------

    def _match(self, path: str):
        try:
            return self.adapter.match(urlsplit(path).path, method="GET")
        except (HTTPException, RequestRedirect):
            return None, {}

    def _wanted(self, url: str) -> str | None:
        """The path and query of a link worth following, or None."""
        parts = urlsplit(url)
        if parts.netloc and f"{parts.scheme}://{parts.netloc}" != self.live.url or not parts.path.startswith("/"):
            return None  # another site, or mailto: and tel:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(NOT_PAGES) or DOWNLOAD.search(parts.path) or path in self.seen_urls:
            return None
        slug = re.match(r"^/t/([^/]+)/", parts.path)
        if slug and slug.group(1) != self.slug:
            return None
        return path

    def _remember_values(self, arguments: dict) -> None:
        for name, value in arguments.items():
            known = self.values.setdefault(name, [])
            if value not in known:
                known.append(value)

    def _enqueue(self, url: str) -> None:
        path = self._wanted(url)
        if path is None or path in self.queue:
            return
        endpoint, arguments = self._match(path)
        if endpoint is not None:
            self._remember_values(arguments)
        self.queue.append(path)

    def _enough_of(self, endpoint) -> bool:
        return endpoint is not None and self.by_endpoint.get(endpoint, 0) >= self.per_endpoint

    def _from_url_map(self) -> list[str]:
        """Addresses of GET pages not visited yet, filled with values seen so far."""
        found = []
        for rule in self.live.app.url_map.iter_rules():
            if ("GET" not in rule.methods or rule.rule.startswith(NOT_PAGES) or rule.endpoint == "static"
                    or DOWNLOAD.search(rule.rule)):
                continue
            if self.by_endpoint.get(rule.endpoint):
                continue
            if not all(self.values.get(name) for name in rule.arguments):
                continue
            try:
                url = self.adapter.build(rule.endpoint, {name: self.values[name][0] for name in rule.arguments},
                                         method="GET")
            except Exception:  # a value of another kind (an id where a name is wanted)
                continue
            if url not in self.seen_urls:
                found.append(url)
        return found

    # --- visiting -----------------------------------------------------------------------------

    def run(self, start: list[str]) -> Crawl:
        for url in start:
            self._enqueue(url)
        while len(self.crawl.pages) < MAX_PAGES:
            if not self.queue:
                self.queue = [u for u in self._from_url_map() if u not in self.seen_urls]
                if not self.queue:
                    break
            self._visit(self.queue.pop(0))
        return self.crawl

    def _visit(self, path: str) -> None:
        self.seen_urls.add(path)
        if self._enough_of(self._match(path)[0]):
            return
        response = self.page.goto(self.live.at(path))
        landed = urlsplit(self.page.url)
        landed_path = landed.path + (f"?{landed.query}" if landed.query else "")
        endpoint = self._match(landed_path)[0]
        if landed_path != path:  # a redirect: consider where it led, once
            if landed_path in self.seen_urls or self._enough_of(endpoint):
                return
            self.seen_urls.add(landed_path)
        if "text/html" not in (response.headers.get("content-type") or ""):
            return
        self.by_endpoint[endpoint] = self.by_endpoint.get(endpoint, 0) + 1
        result = PageResult(landed_path, endpoint, response.status, self.page.title())
        self.crawl.pages.append(result)
        # The first page of each pattern is checked in full; a second is seen for its title only.
        # One error page is much like another: the first of each status is checked.
        kind = response.status if response.status >= 400 else endpoint
        if kind not in self.checked_kinds:
            self.checked_kinds.add(kind)
            result.checked = True
            name = f"{self.who}-{len(self.crawl.pages):02d}-{(endpoint or 'page').replace('.', '-')}"
            check_page(self.page, result, self.shots, name)
        for href in self.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            self._enqueue(href.split("#")[0])
        # A GET form (compare two reviews, a report as of a day) is a link its fields complete.
        for href in self.page.eval_on_selector_all("form[method=get i]", """forms => forms.map(form => {
                const url = new URL(form.getAttribute("action") || location.href, location.href);
                url.search = new URLSearchParams(new FormData(form)).toString();
                return url.href; })"""):
            self._enqueue(href)
