"""A service user answers through an invitation link on a phone, as they would: one question a page,
saving halfway and finishing on another phone with the code, then finding the link closed."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from core.testing import new_tenant

from .browse import sign_in
from .checks import axe_violations, overflow
from .test_journeys import answer_question, choose, heading


def test_answering_through_a_link_on_a_phone_then_the_link_closes(live, new_page):
    trust = new_tenant(live.app, "Voice NHS Foundation Trust", services=("Oak Day Centre",))
    staff = new_page()
    sign_in(staff, live, trust.people["staff"])
    staff.goto(live.at(f"/t/{trust.slug}/indicators/rounds/new"))
    staff.get_by_label("Which service are you evaluating?").select_option(label="Oak Day Centre")
    staff.get_by_role("button", name="Start the round").click()
    staff.get_by_role("link", name="make an invitation link").click()
    choose(staff, "Who is this link for?", "Service users")
    staff.get_by_label("Name for this link (optional)").fill("Tuesday drop-in")
    staff.get_by_role("button", name="Make the link").click()
    link = staff.get_by_label("The link").input_value()
    short = staff.get_by_label("The short address, to type from paper or read out").input_value()
    assert re.fullmatch(r"http://[^/]+/i/[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", short), short
    expect(staff.get_by_role("img", name=re.compile("^QR code for the invitation"))).to_be_visible()
    expect(staff.get_by_role("button", name="Copy the link")).to_be_visible()  # shown where copying works
    assert axe_violations(staff) == []

    # The printed sheet: the QR code and the short address, large.
    with staff.expect_popup() as opened:
        staff.get_by_role("button", name="Make the printable sheet").click()
    sheet = opened.value
    sheet.wait_for_load_state()
    expect(sheet.locator(".app-sheet__short")).to_have_text(short.split("://", 1)[1])
    box = sheet.locator(".app-sheet__qr svg").bounding_box()
    assert box["width"] == box["height"] > 200
    assert axe_violations(sheet) == []
    sheet.close()

    # Typed from paper, in small letters with a space: the short address opens the same questions.
    typed = new_page(width=375, height=812, is_mobile=True, has_touch=True)
    code = short.rsplit("/", 1)[1]
    typed.goto(short.rsplit("/", 1)[0] + "/" + code.lower().replace("-", " "))
    assert heading(typed) == "What do you think of Oak Day Centre?"
    wrong = typed.goto(short.rsplit("/", 1)[0] + "/ABCD-2345")
    assert wrong.status == 404 and heading(typed) == "We could not find that address"
    assert axe_violations(typed) == [] and overflow(typed, 375) == []

    phone = new_page(width=375, height=812, is_mobile=True, has_touch=True)
    phone.goto(link)
    assert heading(phone) == "What do you think of Oak Day Centre?"
    expect(phone.get_by_role("link", name="Sign in")).to_have_count(0)
    expect(phone.locator("main")).to_contain_text("116 123")
    assert axe_violations(phone) == [] and overflow(phone, 375) == []
    phone.get_by_role("button", name="Start now").click()
    expect(phone.locator("#progress")).to_have_text("Question 1 of 7")
    phone.get_by_text("What the guide says").click()
    expect(phone.locator("main")).to_contain_text("Valuing users as people and experts in their own lives")
    answer_question(phone, "Partly", "Not sure", "Ask us what we need at the start")
    assert axe_violations(phone) == [] and overflow(phone, 375) == []
    phone.get_by_role("button", name="Continue").click()
    expect(phone.locator("#progress")).to_have_text("Question 2 of 7")
    phone.get_by_role("link", name="Back").click()
    expect(phone.get_by_label("How could it change?")).to_have_value("Ask us what we need at the start")
    phone.get_by_role("button", name="Continue").click()
    answer_question(phone, "No", "No")
    phone.get_by_role("button", name="Save and come back later").click()
    code = phone.locator("#resume-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4})+", code), code

    # Another phone (a fresh browser, no cookies): the code brings the answers back.
    other = new_page(width=375, height=812, is_mobile=True, has_touch=True)
    other.goto(link)
    other.get_by_text("I saved my answers before and have a code").click()
    other.get_by_label("Your code").fill(code.lower())
    other.get_by_role("button", name="Go back to my answers").click()
    assert heading(other) == "Check your answers before sending them"
    expect(other.locator("main")).to_contain_text("Ask us what we need at the start")
    assert axe_violations(other) == [] and overflow(other, 375) == []
    other.get_by_role("link", name=re.compile("^Change question 3: Is this happening for you")).click()
    expect(other.locator("#progress")).to_have_text("Question 3 of 7")
    answer_question(other, "Yes", "Partly")
    other.get_by_role("button", name="Continue").click()
    other.goto(link + "/check")
    expect(other.locator("main")).to_contain_text("Partly")
    other.get_by_role("button", name="Send my answers").click()
    assert heading(other).startswith("Thank you")
    expect(other.locator("main")).to_contain_text("What happens next")
    assert axe_violations(other) == [] and overflow(other, 375) == []

    # Large print, chosen for the visit.
    other.goto(link)
    other.get_by_text("Change how the questions look").click()
    other.get_by_label("Large print").check()
    other.get_by_role("button", name="Use this").click()
    assert "app-large-print" in other.locator("body").get_attribute("class")
    assert overflow(other, 375) == []

    # Staff stop the link, after confirming; the link now explains itself.
    staff.get_by_role("link", name="Go back to the invitation links").click()
    staff.get_by_role("link", name=re.compile("^Stop this link")).click()
    staff.get_by_role("button", name="Yes, stop this link").click()
    expect(staff.locator("main")).to_contain_text("Stopped")
    closed = phone.goto(link)
    assert closed.status == 410
    assert heading(phone) == "This link has closed"
    expect(phone.locator("main")).to_contain_text("not been sent")
    assert axe_violations(phone) == [] and overflow(phone, 375) == []
    assert typed.goto(short).status == 410 and heading(typed) == "This link has closed"


def test_a_member_answers_one_indicator_a_page(live, new_page):
    """A service user with an account: the same journey, saved on each Continue, finished on another device."""
    trust = new_tenant(live.app, "Members Voice NHS Trust", services=("Oak Day Centre",))
    staff = new_page()
    sign_in(staff, live, trust.people["staff"])
    staff.goto(live.at(f"/t/{trust.slug}/indicators/rounds/new"))
    staff.get_by_label("Which service are you evaluating?").select_option(label="Oak Day Centre")
    staff.get_by_role("button", name="Start the round").click()
    round_url = staff.url

    phone = new_page(width=375, height=812, is_mobile=True, has_touch=True)
    sign_in(phone, live, trust.people["service_user"])
    phone.goto(round_url)
    phone.get_by_role("link", name=re.compile("^Step 1")).first.click()
    assert heading(phone) == "Your answers about Oak Day Centre"
    assert axe_violations(phone) == [] and overflow(phone, 375) == []
    phone.get_by_role("button", name="Start now").click()
    expect(phone.locator("#progress")).to_have_text("Question 1 of 7")
    answer_question(phone, "Partly", "Not sure", "Ask us what we need at the start")
    assert axe_violations(phone) == [] and overflow(phone, 375) == []
    phone.get_by_role("button", name="Continue").click()
    expect(phone.locator("#progress")).to_have_text("Question 2 of 7")
    phone.get_by_role("link", name="Back").click()
    expect(phone.get_by_label("How could it change?")).to_have_value("Ask us what we need at the start")
    phone.get_by_role("button", name="Continue").click()
    answer_question(phone, "No", "No")
    phone.get_by_role("button", name="Save and come back later").click()
    expect(phone.locator("main")).to_contain_text("You have saved answers for this round")

    # Another device, signed in as the same person: the answers are there.
    desk = new_page()
    sign_in(desk, live, trust.people["service_user"])
    desk.goto(round_url)
    desk.get_by_role("link", name="Check and send your answers").click()
    assert heading(desk) == "Check your answers before sending them"
    expect(desk.locator("main")).to_contain_text("Ask us what we need at the start")
    assert axe_violations(desk) == []
    desk.get_by_role("button", name="Send my answers").click()
    assert heading(desk).startswith("Thank you")
    expect(desk.locator("main")).to_contain_text("What happens next")
    assert axe_violations(desk) == []
