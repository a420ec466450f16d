"""Every page each kind of person can reach, checked in the browser: WCAG A and AA by axe-core,
no markup shown as text, no sideways scrolling at 320 px or at 200% zoom, a unique title,
one <h1> and a main landmark. A failure names each page and rule, to open and fix.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .browse import sign_in
from .checks import AXE
from .crawl import DOWNLOAD, Crawler
from .seed import seed_trust

PEOPLE = ["admin", "staff", "service_user", "viewer", "visitor"]  # visitor: no account, an invitation link


@pytest.fixture(scope="session")
def seeded(live):
    return seed_trust(live.app)


@pytest.fixture(scope="session")
def crawls():
    return {}


@pytest.fixture
def crawl_of(live, seeded, browser, crawls):
    """crawl_of(who) -> the crawl of everything ``who`` can reach (made once per engine)."""

    def get(who: str):
        key = (live.engine, who)
        if key not in crawls:
            crawls[key] = _crawl(live, seeded, browser, who)
        return crawls[key]

    return get


def _crawl(live, seeded, browser, who: str):
    trust = seeded.trust
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(path=str(AXE))  # once for every page, rather than sent to each
    try:
        page = context.new_page()
        base = f"/t/{trust.slug}"
        if who == "visitor":
            links = [f"{base}/indicators/i/{token}" for token in seeded.invitation_tokens]
            # Short addresses (/i/ABCD-2345): one that leads to a link, and one that leads nowhere.
            short = [f"/i/{token.split('.', 1)[0]}" for token in seeded.invitation_tokens if "." in token][:1]
            start = [f"{base}/indicators/i/not-a-link", "/no-such-page", *links, save_for_later(page, live, links[0]),
                     *short, "/i/ABCD-2345", "/sign-in", f"{base}/", f"{base}/set-password/{seeded.password_link}",
                     f"{base}/set-password/{'not-a-link' * 3}"]
        else:
            sign_in(page, live, trust.people[who])
            start = [f"{base}/services/999999", f"{base}/no-such-page", "/"]
        return Crawler(live, page, who, trust.slug).run(start)
    finally:
        context.close()


def save_for_later(page, live, link: str) -> str:
    """Open an invitation link, start, press "Save and come back later"; the address of the page it leads to."""
    page.goto(live.at(link))
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_url("**/saved")
    return urlsplit(page.url).path


def _message(failures: list[str]) -> str:
    return f"{len(failures)} problem(s):\n" + "\n".join(failures)


def _not_a_report(result) -> bool:
    return not (result.endpoint or "").startswith("reports.")


@pytest.mark.parametrize("who", PEOPLE)
def test_no_accessibility_violations(crawl_of, who):
    failures = crawl_of(who).failures("axe")
    assert not failures, _message(failures)


@pytest.mark.parametrize("who", PEOPLE)
def test_no_markup_shown_as_text(crawl_of, who):
    failures = crawl_of(who).failures("escaped markup", where=_not_a_report)
    assert not failures, _message(failures)


@pytest.mark.parametrize("who", ["admin", "staff", "service_user", "viewer"])
def test_reports_show_no_markup_as_text(crawl_of, who):
    crawl = crawl_of(who)
    assert any(not _not_a_report(result) for result in crawl.pages), "the crawl found no report"
    failures = crawl.failures("escaped markup", where=lambda result: not _not_a_report(result))
    assert not failures, _message(failures)


@pytest.mark.parametrize("who", PEOPLE)
def test_no_sideways_scrolling_when_narrow_or_zoomed(crawl_of, who):
    failures = crawl_of(who).failures("reflow")
    assert not failures, _message(failures)


@pytest.mark.parametrize("who", PEOPLE)
def test_each_page_has_a_unique_title_one_heading_and_a_main_landmark(crawl_of, who):
    crawl = crawl_of(who)
    failures = crawl.failures("structure") + crawl.titles_not_unique()
    assert not failures, _message(failures)


def test_the_crawl_reaches_every_page(live, crawl_of):
    """Every page in the URL map was reached by someone, so a new page cannot go unchecked."""
    reached = {result.endpoint for who in PEOPLE for result in crawl_of(who).pages}
    pages = {rule.endpoint for rule in live.app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.rule.startswith(("/api/", "/static/"))
             and not DOWNLOAD.search(rule.rule)}
    assert pages - reached == set()
    for who in PEOPLE:
        ok = [result for result in crawl_of(who).pages if result.status == 200]
        assert len(ok) >= 3, f"{who} reached only {[r.url for r in ok]}"
