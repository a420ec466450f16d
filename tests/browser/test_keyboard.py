"""The keyboard alone: every step reachable with Tab, Shift+Tab, Enter, Space and the arrow keys,
focus always visible, the skip link, and the phone menu closing with Escape.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.testing import new_tenant

from .browse import sign_in
from .checks import focus_visible, settled

MAX_TABS = 60  # more presses than this to reach something is a problem in itself


@pytest.fixture
def trust(live):
    return new_tenant(live.app, "Keyboard NHS Trust", services=("Oak Day Centre",))


def focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        return {tag: el.tagName.toLowerCase(), id: el.id, name: el.name || "", type: el.type || "",
                text: (el.innerText || el.value || "").trim(), label: el.labels && el.labels[0]
                      ? el.labels[0].innerText.trim() : ""};
    }""")


def tab_to(page, wanted, unseen_focus: list, key: str = "Tab") -> dict:
    """Press Tab until ``wanted(focused element)``; each element passed must show its focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        now = focused(page)
        if not focus_visible(page):
            unseen_focus.append(now)
        if wanted(now):
            return now
    raise AssertionError(f"{MAX_TABS} presses of {key} did not reach it; last: {now}")


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(live, page):
    page.goto(live.at("/sign-in"))
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["text"] == "Skip to main content", first
    assert focus_visible(page)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "maincontent"


def test_signing_in_and_adding_a_service_with_the_keyboard_alone(live, trust, page):
    unseen = []
    admin = trust.people["admin"]
    page.goto(live.at("/sign-in"))
    tab_to(page, lambda el: el["id"] == "email", unseen)
    page.keyboard.type(admin.email)
    tab_to(page, lambda el: el["id"] == "password", unseen)
    page.keyboard.type(admin.password)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("What's next for you")  # then the dashboard

    # past the dashboard by its own link, as a keyboard user would
    tab_to(page, lambda el: el["text"] == "Go to the list of services", unseen)
    page.keyboard.press("Enter")
    tab_to(page, lambda el: el["text"] == "Add a service", unseen)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Add a service")
    tab_to(page, lambda el: el["id"] == "name", unseen)
    page.keyboard.type("Aspen Crisis House")
    tab_to(page, lambda el: el["name"] == "kind", unseen)
    # Arrow keys move through the choices and choose as they go.
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    assert focused(page)["label"] == "Crisis or home treatment team"
    page.keyboard.press("Space")
    tab_to(page, lambda el: el["id"] == "description", unseen)
    tab_to(page, lambda el: el["id"] == "name", unseen, key="Shift+Tab")  # back up to check the name
    assert page.locator("#name").input_value() == "Aspen Crisis House"
    tab_to(page, lambda el: el["text"] == "Add service", unseen)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Aspen Crisis House")
    expect(page.locator("main")).to_contain_text("Crisis or home treatment team")
    assert not unseen, f"focus not visible on: {unseen}"


def test_escape_closes_the_phone_menu_and_focus_returns_to_its_button(live, trust, new_page):
    page = new_page(width=375, height=812)
    sign_in(page, live, trust.people["admin"])
    settled(page)
    toggle = page.locator(".nhsuk-header__menu-toggle")
    expect(toggle).to_be_visible()  # at 375 px the admin's sections do not all fit: some go in the menu
    unseen = []
    tab_to(page, lambda el: "nhsuk-header__menu-toggle" in page.evaluate("document.activeElement.className"),
           unseen)
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('.nhsuk-header__menu-list')"), focused(page)
    assert focus_visible(page)
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("() => document.activeElement.classList.contains('nhsuk-header__menu-toggle')"), \
        focused(page)
    assert not unseen, f"focus not visible on: {unseen}"
