"""What people do, done in a real browser from a fresh sign-in: clicking, typing and reading
what the pages say, as they would. Each journey works in a Trust of its own.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
import time_machine
from playwright.sync_api import expect

from core.reports import london_today
from core.testing import ApiClient, new_tenant
from plugins.levels.tests.helpers import complete as complete_assessment

from .browse import main_text, sign_in


@pytest.fixture
def trust(live):
    return new_tenant(live.app, "Journey NHS Foundation Trust", services=("Oak Day Centre",))


def choose(scope, question: str, answer: str) -> None:
    """Tick ``answer`` among the choices of the question (a fieldset) called ``question``."""
    scope.get_by_role("group", name=question, exact=True).get_by_label(answer, exact=True).check()


def nav(page, label: str) -> None:
    menu = page.get_by_role("navigation", name="Main menu")
    link = menu.get_by_role("link", name=label, exact=True)
    if not link.is_visible():  # the header moves what does not fit into its "More" menu
        menu.locator(".nhsuk-header__menu-toggle").click()
    link.click()


def heading(page) -> str:
    return page.locator("h1").inner_text().strip()


def success_banner(page):
    return page.locator(".nhsuk-notification-banner--success")


# --- an admin sets up a service and its people ---------------------------------------------------

def test_admin_adds_a_service_a_staff_member_and_a_service_user(live, trust, new_page):
    page = new_page()
    sign_in(page, live, trust.people["admin"])
    assert heading(page) == "What's next for you"  # then the dashboard, services below

    page.get_by_role("link", name="Add a service").click()
    page.get_by_label("Name of the service").fill("Birch Community Team")
    choose(page, "What kind of service is it?", "Community mental health team")
    page.get_by_label("Description (optional)").fill("Visits people at home across the north of the city.")
    page.get_by_role("button", name="Add service").click()
    expect(success_banner(page)).to_contain_text("Birch Community Team has been added.")
    assert heading(page) == "Birch Community Team"

    for name, role in (("Sam Patel", "Staff"), ("Alex Morgan", "Service user")):
        nav(page, "Members")
        page.get_by_role("link", name="Add a member").click()
        page.get_by_label("E-mail address").fill(f"{name.split()[0].lower()}@{trust.slug}.example.nhs.uk")
        page.get_by_label("Full name").fill(name)
        choose(page, "Role in this Trust", role)
        page.get_by_role("textbox", name="Temporary password").fill("a long temporary password")
        page.get_by_role("button", name="Add member").click()
        # the same words whether or not the e-mail already has an account
        expect(success_banner(page)).to_contain_text(f"We have invited them as {role}.")
        expect(page.locator("#members")).to_contain_text(name)

    # The new member of staff signs in with the temporary password and finds the new service.
    staff = new_page()
    staff.goto(live.at("/sign-in"))
    staff.get_by_label("E-mail address").fill(f"sam@{trust.slug}.example.nhs.uk")
    staff.get_by_role("textbox", name="Password").fill("a long temporary password")
    staff.get_by_role("button", name="Sign in").click()
    # A temporary password is changed before anything else.
    expect(staff.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    staff.get_by_label("Current password").fill("a long temporary password")
    staff.get_by_label("New password", exact=True).fill("kettle harbour violin sunrise")
    staff.get_by_label("Type the new password again").fill("kettle harbour violin sunrise")
    staff.get_by_role("button", name="Save my new password").click()
    staff.goto(live.at(f"/t/{trust.slug}/"))
    expect(staff.locator("#services")).to_contain_text("Birch Community Team")
    expect(staff.get_by_role("link", name="Add a service")).to_have_count(0)


# --- staff run a health check: a draft first, finished later ----------------------------------------

def test_staff_save_a_health_check_as_a_draft_then_come_back_and_submit_it(live, trust, new_page):
    page = new_page()
    sign_in(page, live, trust.people["staff"])
    nav(page, "Health check")
    page.locator("main").get_by_role("link", name="Oak Day Centre", exact=True).first.click()
    page.get_by_role("button", name="Start a new health check").click()

    fill_date(page, "Date the health check was held", "2025-01-15")
    page.get_by_label("How many staff took part").fill("two")  # kept as typed in the draft, named
    page.get_by_label("How many service users took part").fill("5")
    page.get_by_label("Who took part: their roles").fill("The centre manager, a nurse and five members of the group")
    choose(page, "Does this service have a user group yet?", "Yes")
    choose(page, "Who runs the group", "Staff and service users together")
    choose(page, "How often the group meets", "Every month")
    choose(page, "Who sets the time for the meetings", "Staff")
    page.get_by_role("button", name="Save draft").click()
    expect(success_banner(page)).to_contain_text("Your answers are saved as a draft")
    problem = page.locator(".nhsuk-error-summary").get_by_role("link", name="How many staff took part: enter a whole number, like 6")
    problem.click()
    expect(page.get_by_label("How many staff took part")).to_be_focused()
    expect(page.get_by_label("How many staff took part")).to_have_value("two")

    # Later: back to the service, and on with the draft.
    page.goto(live.at(f"/t/{trust.slug}/"))
    nav(page, "Health check")
    page.locator("main").get_by_role("link", name="Oak Day Centre", exact=True).first.click()
    # The draft is said at the top of the service page, visible without scrolling on a phone.
    page.set_viewport_size({"width": 375, "height": 667})
    notice = page.locator("#drafts")
    expect(notice).to_contain_text("You have a draft health check, started")
    expect(notice).to_be_in_viewport()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Continue the draft health check of 15 January 2025").click()
    expect(page.get_by_label("How many service users took part")).to_have_value("5")
    expect(page.get_by_label("How many staff took part")).to_have_value("two")
    page.get_by_label("How many staff took part").fill("2")
    expect(page.get_by_role("group", name="Who runs the group", exact=True)
           .get_by_label("Staff and service users together")).to_be_checked()

    page.get_by_role("group", name="How service users find out", exact=True).get_by_label("Posters or notices").check()
    choose(page, "Who encourages people to attend", "Both staff and service users")
    page.get_by_label("How many service users usually attend").fill("6")
    choose(page, "Do they reflect the diversity of people that use the service?", "Partly")
    choose(page, "Staff at the group", "Some of the time")
    choose(page, "Who chairs the group", "It rotates")
    choose(page, "Who decides who chairs", "Service users")
    choose(page, "The agenda", "An agenda with items from staff and service users")
    choose(page, "Who speaks more", "About the same")
    choose(page, "Is it an enjoyable event?", "Yes")
    choose(page, "Do people feel comfortable about expressing their views?", "Partly")
    choose(page, "Is there a comfort break?", "Yes")
    page.get_by_label("How issues for further action are identified").fill("We vote on them at the end.")
    page.get_by_role("group", name="How people hear what happened", exact=True).get_by_label(
        "Written notes or minutes").check()
    page.get_by_label("What changed", exact=True).fill("A new room for the group")
    page.get_by_label("What needs to change").fill("Service users take turns to chair")
    page.get_by_role("button", name="Continue to check your answers").click()

    # Check your answers: every answer in words, each with a link back to its question.
    assert heading(page) == "Check your answers before submitting the health check"
    expect(page.locator("#answer-q5_attendance")).to_contain_text("6")
    expect(page.locator("#answer-q1_text")).to_contain_text("Not answered")
    page.get_by_role("link", name="Change how many service users usually attend").click()
    assert page.url.endswith("#q5_attendance")
    page.get_by_label("How many service users usually attend").fill("7")
    page.get_by_role("button", name="Continue to check your answers").click()
    expect(page.locator("#answer-q5_attendance")).to_contain_text("7")
    page.get_by_role("button", name="Submit health check").click()
    problems = page.locator(".nhsuk-error-summary")
    assert problems.count() == 0, problems.inner_text()
    expect(success_banner(page)).to_contain_text("The health check is submitted.")
    assert heading(page).startswith("Health check")
    assert "Service users take turns to chair" in main_text(page)


# --- staff assess the levels of involvement -------------------------------------------------------

def test_staff_record_a_levels_assessment_and_see_the_grid_and_what_moved(live, trust, new_page):
    oak = trust.services["Oak Day Centre"]
    earlier = ApiClient(live.app.test_client(), trust.token("staff"), trust.slug)
    response = earlier.post("levels/assessments", json={
        "service_id": oak, "submit": True,
        **complete_assessment("2024-06-24", individual=(1, 3), care_setting=(2, 3), policy=(1, 2))})
    assert response.status_code == 201, response.get_json()

    page = new_page()
    sign_in(page, live, trust.people["staff"])
    nav(page, "Levels of involvement")
    page.locator("main").get_by_role("link", name="Oak Day Centre", exact=True).first.click()
    page.get_by_role("button", name="Start a new assessment").click()
    # There is a submitted assessment: its answers are offered to start from.
    page.get_by_label("Start from your last answers (assessed 24 June 2024)").check()
    page.get_by_role("button", name="Continue").click()
    expect(success_banner(page)).to_contain_text("Your last answers are copied into this new draft.")
    expect(page.get_by_role("group", name="Individual: what level are you aiming for?", exact=True)
           .get_by_label("Level 3: Growing involvement")).to_be_checked()
    expect(page.get_by_label("Individual: how do you currently involve service users? (optional)")).to_have_value(
        "What individual has achieved so far.")
    expect(page.get_by_role("group", name="Date of the assessment").get_by_label("Day", exact=True)).to_have_value("")  # never copied
    fill_date(page, "Date of the assessment", "2025-01-27")
    page.get_by_label("Who took part?").fill("The team and two members of the user group")
    for area, now, aim in (("Individual", 3, 4), ("Care setting", 2, 4), ("Policy", 2, 3)):
        names = {1: "No involvement", 2: "Limited involvement", 3: "Growing involvement", 4: "Collaboration",
                 5: "Partnership"}
        choose(page, f"{area}: where is the service now?", f"Level {now}: {names[now]}")
        choose(page, f"{area}: what level are you aiming for?", f"Level {aim}: {names[aim]}")
    page.get_by_label("Individual: how do you currently involve service users? (optional)").fill(
        "Care plans are written with the person.")
    page.get_by_role("button", name="Continue to check your answers").click()
    assert heading(page) == "Check your answers before submitting the assessment"
    expect(page.locator("#answer-individual_current")).to_contain_text("Level 3: Growing involvement")
    page.get_by_role("button", name="Submit assessment").click()
    problems = page.locator(".nhsuk-error-summary")
    assert problems.count() == 0, problems.inner_text()

    expect(success_banner(page)).to_be_visible()

    nav(page, "Levels of involvement")
    page.locator("main").get_by_role("link", name="Oak Day Centre", exact=True).first.click()
    expect(page.locator("main")).to_contain_text("From the assessment of 27 January 2025 (the staff team's view).")
    grid = page.get_by_role("table", name=re.compile("^The five levels in each of the three areas"))
    expect(grid).to_contain_text("Growing involvement")
    moved = page.get_by_role("table", name="What changed from the assessment of 24 June 2024 to that of 27 January 2025")
    expect(moved).to_contain_text("Individual: level now Level 1: No involvement Level 3: Growing involvement Up 2 levels")
    expect(moved).to_contain_text("Policy: level now")
    expect(moved).not_to_contain_text("Care setting: level now")  # it stayed at level 2


# --- a whole round of the indicators -----------------------------------------------------------------

def answer_question(page, individual: str, service: str, words: str = "") -> None:
    """One page of the invitation journey: the two questions, and some words when given."""
    page.get_by_role("group", name=re.compile("^Is this happening for")).get_by_label(individual, exact=True).check()
    page.get_by_role("group", name=re.compile("^Is this happening across")).get_by_label(service, exact=True).check()
    if words:
        page.get_by_label("How could it change?").fill(words)


def fill_date(page, legend: str, day: date | str) -> None:
    """Type a date in the day, month and year boxes of the date asked for by ``legend``."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day", exact=True).fill(str(day.day))
    group.get_by_label("Month", exact=True).fill(str(day.month))
    group.get_by_label("Year", exact=True).fill(str(day.year))


def test_a_whole_round_of_the_indicators_with_a_service_user_answering_on_a_phone(live, trust, new_page):
    staff = new_page()
    sign_in(staff, live, trust.people["staff"])
    nav(staff, "Indicators")
    staff.get_by_role("link", name="Start a new round").click()
    staff.get_by_label("Which service are you evaluating?").select_option(label="Oak Day Centre")
    staff.get_by_label("Name for this round (optional)").fill("Spring round")
    staff.get_by_role("button", name="Start the round").click()
    assert heading(staff) == "Spring round"
    round_page = staff.url

    # Step 1: staff give their views...
    staff.get_by_role("link", name="Step 1: Evaluate the service").click()
    staff.get_by_role("button", name="Start now").click()
    for _ in range(3):  # one indicator a page
        answer_question(staff, "Yes", "Partly")
        staff.get_by_role("button", name="Continue").click()
    staff.goto(round_page + "/answer/check")
    staff.get_by_role("button", name="Send my answers").click()
    expect(staff.locator("main")).not_to_contain_text("There is a problem")

    # ...and make a link for service users, who need no account.
    staff.goto(round_page)
    staff.get_by_role("link", name="make an invitation link").click()
    choose(staff, "Who is this link for?", "Service users")
    staff.get_by_label("Name for this link (optional)").fill("Tuesday drop-in")
    staff.get_by_role("button", name="Make the link").click()
    link = staff.get_by_label("The link").input_value()
    assert link.startswith(live.url)

    # A service user opens it on a phone, answers one indicator a page and sends.
    phone = new_page(width=375, height=812, is_mobile=True, has_touch=True)
    phone.goto(link)
    assert heading(phone) == "What do you think of Oak Day Centre?"
    phone.get_by_role("button", name="Start now").click()
    answer_question(phone, "Partly", "No")
    phone.get_by_role("button", name="Continue").click()
    answer_question(phone, "No", "No")
    phone.get_by_role("button", name="Continue").click()
    phone.goto(link + "/check")
    phone.get_by_role("button", name="Send my answers").click()
    assert heading(phone).startswith("Thank you")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    # Step 2: the groups share their views at an event.
    staff.goto(round_page)
    staff.get_by_role("link", name="Step 2: Share your views").click()
    fill_date(staff, "When did the groups share their views?", london_today())
    choose(staff, "Where did they share them?", "A special event")
    choose(staff, "Who chaired it?", "An external user facilitator")
    staff.get_by_label("Name of the person who chaired (optional)").fill("Jo Baker")
    staff.get_by_label("Notes (optional)").fill("Ten ideas came up; two were agreed.")
    staff.get_by_role("button", name="Record the sharing").click()
    expect(staff.locator(".nhsuk-error-summary")).to_have_count(0)

    # Step 3: a target, to be reviewed in a month.
    review_on = london_today() + timedelta(days=30)
    staff.goto(round_page)
    staff.get_by_role("link", name="Step 3: Agree targets for change").click()
    choose(staff, "Which indicator is this target about?", "Valuing users as people and experts in their own lives")
    staff.get_by_label("What will change?").fill("A welcome pack for new service users")
    staff.get_by_label("What will service users do?").fill("Write the pack and offer a buddy")
    staff.get_by_label("What will staff do?").fill("Print the pack")
    fill_date(staff, "When will you review progress?", review_on)
    staff.get_by_label("Who agreed this for service users?").fill("Sam, for the user group")
    staff.get_by_label("Who agreed this for staff?").fill("Priya, team manager")
    staff.get_by_role("button", name="Agree this target").click()
    expect(staff.locator(".nhsuk-error-summary")).to_have_count(0)
    expect(staff.locator("main")).to_contain_text("A welcome pack for new service users")

    # Step 4: on the review date, staff record how it went.
    with time_machine.travel(datetime.combine(review_on, time(10), tzinfo=timezone.utc)):
        staff.goto(round_page)
        staff.get_by_role("link", name="Step 4: Review progress").click()
        staff.get_by_role("link", name=re.compile("^Review this target")).click()
        choose(staff, "Has the change happened?", "Yes")
        staff.get_by_label("What have the outcomes been?").fill("New people feel welcome from their first day.")
        staff.get_by_role("button", name="Record the review").click()
        expect(staff.locator(".nhsuk-error-summary")).to_have_count(0)
        expect(staff.locator("main")).to_contain_text("New people feel welcome")
        staff.goto(round_page)
        expect(staff.locator("main")).to_contain_text("All four steps are completed.")


# --- a Trust's own resources ---------------------------------------------------------------------------

def test_a_trust_adds_a_local_resource_that_staff_then_find(live, trust, new_page):
    admin = new_page()
    sign_in(admin, live, trust.people["admin"])
    nav(admin, "Resources")
    admin.get_by_role("button", name="Add a resource").click()
    admin.get_by_label("Name", exact=True).fill("Oak User Forum")
    choose(admin, "Is it local or national?", "Local: it works in our area")
    admin.get_by_label("What it does (optional)").fill("Service users meet monthly with staff.")
    admin.get_by_label("Telephone number").fill("0121 496 0000")
    admin.get_by_role("group", name="Which services is it for?").get_by_label("Oak Day Centre").check()
    admin.get_by_label("Tags (optional)").fill("user-led, advocacy")
    admin.get_by_role("button", name="Add resource").click()
    expect(success_banner(admin)).to_contain_text("Oak User Forum has been added.")

    staff = new_page()
    sign_in(staff, live, trust.people["staff"])
    nav(staff, "Resources")
    expect(staff.get_by_role("link", name="Oak User Forum")).to_be_visible()
    staff.get_by_role("link", name="Oak User Forum").click()
    assert heading(staff) == "Oak User Forum"
    expect(staff.locator("main")).to_contain_text("0121 496 0000")


# --- a report as it stood on a past day --------------------------------------------------------------

def test_a_viewer_opens_the_trust_report_as_of_a_past_day_and_prints_it(live, new_page):
    with time_machine.travel(datetime(2025, 1, 10, 12, tzinfo=timezone.utc), tick=False):
        trust = new_tenant(live.app, "Report NHS Trust", services=("Oak Day Centre",))
        api = ApiClient(live.app.test_client(), trust.token("staff"), trust.slug)
        admin = ApiClient(live.app.test_client(), trust.token("admin"), trust.slug)
        response = api.post("levels/assessments", json={
            "service_id": trust.services["Oak Day Centre"], "submit": True, **complete_assessment("2025-01-09")})
        assert response.status_code == 201, response.get_json()
    with time_machine.travel(datetime(2025, 3, 3, 12, tzinfo=timezone.utc), tick=False):
        renamed = admin.patch(f"services/{trust.services['Oak Day Centre']}", json={"name": "Oak Wellbeing Centre"})
        assert renamed.status_code == 200, renamed.get_json()

    page = new_page()
    sign_in(page, live, trust.people["viewer"])
    nav(page, "Report")
    assert heading(page) == "Report for Report NHS Trust"
    expect(page.locator("main")).to_contain_text("Oak Wellbeing Centre")
    fill_date(page, "Where things stood at the end of", "2025-01-31")
    page.get_by_role("button", name="Show the report").click()
    expect(page.locator("#report-when")).to_have_text(
        "Where things stood at the end of 31 January 2025, by the day each thing happened, "
        "using everything recorded up to now.")
    main = main_text(page)
    assert "Oak Day Centre" in main and "Oak Wellbeing Centre" not in main
    expect(page.locator("#fragment-levels")).to_be_visible()

    page.evaluate("() => { window.print = () => { window.printed = true; }; }")  # no print dialog in a test
    page.get_by_role("button", name="Print this report").click()
    assert page.evaluate("() => window.printed === true")


# --- the audit page ------------------------------------------------------------------------------------

def test_the_audit_page_shows_each_step_and_checks_the_chain(live, trust, new_page):
    page = new_page()
    sign_in(page, live, trust.people["admin"])
    page.locator("#services").get_by_role("link", name="Oak Day Centre", exact=True).click()
    page.get_by_role("link", name="Change details of Oak Day Centre").click()
    page.get_by_label("Name of the service").fill("Oak Wellbeing Centre")
    page.get_by_role("button", name="Save changes").click()
    expect(success_banner(page)).to_contain_text("The details of Oak Wellbeing Centre have been saved.")

    nav(page, "Audit")
    assert heading(page) == "What has happened"
    newest = page.locator("tbody tr").first
    expect(newest).to_contain_text("Oak Wellbeing Centre")
    expect(page.locator("tbody")).to_contain_text("Oak Day Centre")  # when it was added
    page.get_by_role("button", name="Check that nothing has been changed").click()
    expect(page.locator("#chain-result")).to_contain_text("events link up and none of them has been changed")
