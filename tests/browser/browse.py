"""What a person does in the browser, step by step, shared by the journeys and the crawl."""
from __future__ import annotations

from core.testing import Person


def sign_in(page, live, person: Person) -> None:
    """Sign in from the sign-in page as a person would: type the details, press the button."""
    page.goto(live.at("/sign-in"))
    page.get_by_label("E-mail address").fill(person.email)
    page.get_by_role("textbox", name="Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)


def main_text(page) -> str:
    return page.locator("main").inner_text()
