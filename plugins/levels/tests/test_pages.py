"""The levels pages: the guide's words, the form, drafts, the grid, history and permissions."""
import re

import pytest

from core import commands
from core.models import Tenant

from plugins.levels.levels import AREAS, LEVELS

from .helpers import ASSESSMENTS, at, base, complete, event_count, form_data, text_of

pytest_plugins = ["core.testing"]


@pytest.fixture
def oak(tenant):
    return tenant.services["Oak Day Centre"]


def _one_h1(response) -> None:
    assert len(re.findall(r"<h1[\s>]", response.get_data(as_text=True))) == 1


def test_the_guides_levels_and_areas_in_its_own_words(tenant, signed_in, oak):
    client = signed_in("service_user")
    page = client.get(f"{base(tenant)}/")
    assert page.status_code == 200
    _one_h1(page)
    words = text_of(page)
    assert "What are you aiming for?" in words
    for level in LEVELS:
        assert f"Level {level.number}: {level.name}" in words
        assert level.description in words
    for area in AREAS:
        assert area.description in words
    # a sentence of the guide, word for word
    assert ("Service users and staff work in partnership across all service areas. This work is underpinned by "
            "an explicit statement of partnership values and service aims. Key decisions are made jointly.") in words
    assert "Oak Day Centre" in words and "Not yet" in words


def test_save_a_draft_and_finish_later(tenant, signed_in, oak):
    client = signed_in("staff")
    form = client.get(f"{base(tenant)}/services/{oak}/new")
    assert form.status_code == 200
    _one_h1(form)
    html = form.get_data(as_text=True)
    assert 'name="policy_aim"' in html and 'name="individual_achieved"' in html
    assert "Level 4: Collaboration" in html

    before = event_count(tenant)
    saved = client.post(f"{base(tenant)}/services/{oak}/new", data={
        "action": "draft", "participants": "Ward team", "individual_current": "2",
        "individual_achieved": "Care plans are shared at reviews."})
    assert saved.status_code == 302
    assert event_count(tenant) == before + 1
    edit_url = saved.headers["Location"]
    assert edit_url.endswith("/edit")

    again = client.get(edit_url)
    html = again.get_data(as_text=True)
    assert "Care plans are shared at reviews." in html
    assert re.search(r'value="2"[^>]*checked|checked[^>]*value="2"', html)
    assert "saved as a draft" in text_of(again)

    # saving again with nothing changed records nothing
    before = event_count(tenant)
    same = client.post(edit_url, data={"action": "draft", "version": "1", "participants": "Ward team",
                                       "individual_current": "2",
                                       "individual_achieved": "Care plans are shared at reviews."})
    assert same.status_code == 302
    assert event_count(tenant) == before

    body = complete()
    done = client.post(edit_url, data=form_data(body, action="submit", version="1"))
    assert done.status_code == 302, text_of(done)[:800]
    view = client.get(done.headers["Location"])
    words = text_of(view)
    assert "Submitted" in words
    assert "We are here" in words and "We are aiming for" in words
    assert "What policy plans next." in words
    index = text_of(client.get(f"{base(tenant)}/"))
    assert "Oak Day Centre 15 January 2025 Level 2, aiming for 3 Level 2, aiming for 4 Level 1, aiming for 2" in index


def test_submit_with_answers_missing_keeps_the_draft_and_says_what_is_needed(tenant, signed_in, oak):
    client = signed_in("facilitator")
    before = event_count(tenant)
    response = client.post(f"{base(tenant)}/services/{oak}/new", data={
        "action": "submit", "participants": "Ward team", "policy_current": "1"})
    assert response.status_code == 422
    words = text_of(response)
    assert "not submitted yet" in words
    assert "Enter the date of the assessment." in words
    assert "Policy: choose the level you are aiming for." in words
    assert "Ward team" in response.get_data(as_text=True)
    assert event_count(tenant) == before + 1  # the draft is kept


@pytest.mark.parametrize("data, message", [
    ({"policy_current": "4", "policy_aim": "2"},
     "Policy: the level you aim for cannot be below where the service is now (Level 4: Collaboration). "
     "Choose level 4 or higher."),
    # a level is chosen, not typed: one that is not offered (a tampered form) refuses the lot, named
    ({"individual_current": "7"},
     "Individual: where is the service now: choose a level from 1 (No involvement) to 5 (Partnership)"),
    ({"individual_current": "two"},
     "Individual: where is the service now: enter the level as a whole number from 1 to 5"),
    ({"assessed_on": "2999-06-02"},
     "The date of the assessment cannot be in the future. Enter today's date or an earlier one."),
    ({"assessed_on-day": "2", "assessed_on-month": "6", "assessed_on-year": "2999"},
     "The date of the assessment cannot be in the future. Enter today's date or an earlier one."),
])
def test_bad_input_in_the_form_stores_nothing_and_keeps_what_was_typed(tenant, signed_in, oak, data, message):
    client = signed_in("staff")
    before = event_count(tenant)
    typed = "Our words, kept when the page comes back."
    response = client.post(f"{base(tenant)}/services/{oak}/new",
                           data={"action": "draft", "care_setting_planned": typed, **data})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert message in text_of(response)
    assert typed in html
    assert "<title>Error: " in html
    assert event_count(tenant) == before


def test_an_empty_form_saves_nothing(tenant, signed_in, oak):
    client = signed_in("staff")
    before = event_count(tenant)
    response = client.post(f"{base(tenant)}/services/{oak}/new", data={"action": "draft"})
    assert response.status_code == 422
    assert "Answer at least one question" in text_of(response)
    assert event_count(tenant) == before


def test_a_stale_form_changes_nothing(tenant, signed_in, api_client, oak):
    draft = api_client("staff").post(ASSESSMENTS, json={"service_id": oak, "participants": "Ward team"}).json
    api_client("admin").patch(f"{ASSESSMENTS}/{draft['id']}", json={"participants": "Ward team and Sam"})
    client = signed_in("staff")
    before = event_count(tenant)
    stale = client.post(f"{base(tenant)}/assessments/{draft['id']}/edit",
                        data={"action": "draft", "version": "1", "participants": "Only the ward team"})
    assert stale.status_code == 409
    assert "Someone else saved this assessment" in text_of(stale)
    assert "Only the ward team" in stale.get_data(as_text=True)
    assert event_count(tenant) == before


def test_submitted_assessment_is_amended_not_edited(tenant, signed_in, api_client, oak):
    with at(2025, 2, 1):
        done = api_client("staff").post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete()}).json
    with at(2025, 2, 3, 10):
        _amend_on_the_page(tenant, signed_in("admin"), done)


def _amend_on_the_page(tenant, client, done):
    edit = client.get(f"{base(tenant)}/assessments/{done['id']}/edit")
    assert edit.status_code == 302 and edit.headers["Location"].endswith(f"/assessments/{done['id']}")
    before = event_count(tenant)
    refused = client.post(f"{base(tenant)}/assessments/{done['id']}/edit", data=form_data(complete(), version="2"))
    assert refused.status_code == 409
    assert event_count(tenant) == before

    page = client.get(f"{base(tenant)}/assessments/{done['id']}/amend")
    assert page.status_code == 200
    _one_h1(page)
    data = form_data(complete(policy=(2, 3)), version="2", reason="Policy was one level too low.")
    data.pop("action")
    amended = client.post(f"{base(tenant)}/assessments/{done['id']}/amend", data=data)
    assert amended.status_code == 302, text_of(amended)[:800]
    view = text_of(client.get(amended.headers["Location"]))
    assert "Policy: level now" in view and "Level 1: No involvement" in view and "Level 2: Limited involvement" in view
    assert "Policy was one level too low." in view
    assert "3 February 2025 at 10:00am" in view
    admin_name = "Admin"
    assert f"{admin_name} (Trust admin)" in view

    # the same answers again: nothing to amend
    before = event_count(tenant)
    again = client.post(f"{base(tenant)}/assessments/{done['id']}/amend", data={**data, "version": "3"})
    assert again.status_code == 422
    assert "Nothing was changed" in text_of(again)
    assert event_count(tenant) == before


def test_service_page_shows_the_grid_history_chart_and_comparison(tenant, signed_in, api_client, oak):
    api = api_client("staff")
    with at(2025, 1, 10):
        first = api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete("2025-01-10")}).json
    with at(2025, 4, 10):
        second = api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete(
            "2025-04-10", individual=(3, 4))}).json
        api.post(ASSESSMENTS, json={"service_id": oak, "participants": "A draft in progress"})
    client = signed_in("service_user")
    page = client.get(f"{base(tenant)}/services/{oak}")
    assert page.status_code == 200
    _one_h1(page)
    words = text_of(page)
    assert "From the assessment of 10 April 2025 (the staff team's view)." in words
    # the grid: a row per level, a column per area, marks in words
    html = page.get_data(as_text=True)
    grid = re.search(r'<table class="nhsuk-table app-levels-grid" id="levels-grid">.*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", grid, re.S)
    assert len(rows) == 6  # the header and five levels
    level_three = text_of_html(rows[3])
    assert level_three.startswith("Level 3: Growing involvement")
    assert "We are here Achieved: What individual has achieved so far." in level_three
    assert "What moved since the assessment before" in words
    assert "Individual: level now Level 2: Limited involvement Level 3: Growing involvement Up 1 level" in words
    # over time: a chart named by its title and a sentence, its levels as a table, then the aims too
    assert 'role="img"' in html and "Level now in each area, at each assessment" in words
    assert ("From 10 January 2025 to 10 April 2025: individual level up from 2 to 3; "
            "care setting level 2 throughout; policy level 1 throughout.") in words
    assert "Assessment of Individual Care setting Policy 10 January 2025 2 2 1 10 April 2025 3 2 1" in words
    assert "10 April 2025 Level 3, aiming for 4 Level 2, aiming for 4 Level 1, aiming for 2" in words
    assert "Draft" in words
    assert "Start a new assessment" not in words  # service users read

    compare = client.get(f"{base(tenant)}/compare?a={first['id']}&b={second['id']}")
    assert compare.status_code == 200
    _one_h1(compare)
    assert "2 of the 6 levels moved" in text_of(compare)
    wrong = client.get(f"{base(tenant)}/compare?a={first['id']}&b=nonsense")
    assert wrong.status_code == 422
    assert "Choose an assessment from the list." in text_of(wrong)


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_viewer_and_service_user_read_but_cannot_write(tenant, signed_in, api_client, oak):
    done = api_client("staff").post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete()}).json
    draft = api_client("staff").post(ASSESSMENTS, json={"service_id": oak}).json
    for role in ("viewer", "service_user"):
        client = signed_in(role)
        before = event_count(tenant)
        assert client.get(f"{base(tenant)}/").status_code == 200
        assert client.get(f"{base(tenant)}/services/{oak}").status_code == 200
        view = client.get(f"{base(tenant)}/assessments/{done['id']}")
        assert view.status_code == 200
        assert "Amend the assessment" not in text_of(view)
        assert client.get(f"{base(tenant)}/services/{oak}/new").status_code == 403
        assert client.post(f"{base(tenant)}/services/{oak}/new", data=form_data(complete())).status_code == 403
        assert client.post(f"{base(tenant)}/assessments/{draft['id']}/edit",
                           data=form_data(complete(), version="1")).status_code == 403
        assert client.post(f"{base(tenant)}/assessments/{done['id']}/amend",
                           data={"participants": "x", "version": "2"}).status_code == 403
        assert event_count(tenant) == before


def test_navigation_and_service_link(tenant, signed_in, oak):
    client = signed_in("viewer")
    home = client.get(f"/t/{tenant.slug}/").get_data(as_text=True)
    assert f'href="/t/{tenant.slug}/levels/"' in home
    service_page = client.get(f"/t/{tenant.slug}/services/{oak}")
    assert f'href="/t/{tenant.slug}/levels/services/{oak}"' in service_page.get_data(as_text=True)


def test_another_trusts_assessment_is_not_found(tenant, other_tenant, signed_in, api_client):
    elm = other_tenant.services["Elm Community Team"]
    theirs = api_client("staff", target=other_tenant).post(
        ASSESSMENTS, json={"service_id": elm, "submit": True, **complete()}).json
    client = signed_in("admin")
    assert client.get(f"{base(tenant)}/assessments/{theirs['id']}").status_code == 404
    assert client.get(f"{base(tenant)}/assessments/{theirs['id']}/edit").status_code == 404
    assert client.get(f"{base(tenant)}/assessments/{theirs['id']}/amend").status_code == 404
    assert client.get(f"{base(tenant)}/services/{elm}").status_code == 404
    assert client.get(f"{base(tenant)}/services/{elm}/new").status_code == 404
    assert client.post(f"{base(tenant)}/services/{elm}/new", data=form_data(complete())).status_code == 404
    assert client.get(f"{base(tenant)}/compare?a={theirs['id']}&b={theirs['id']}").status_code == 404


def test_switched_off_the_pages_answer_404(tenant, signed_in, oak):
    client = signed_in("admin")
    assert client.get(f"{base(tenant)}/").status_code == 200
    with tenant.context() as session:
        commands.disable_plugin(session.get(Tenant, tenant.id), "levels")
    assert client.get(f"{base(tenant)}/").status_code == 404
    assert client.get(f"{base(tenant)}/services/{oak}").status_code == 404
    assert client.post(f"{base(tenant)}/services/{oak}/new", data={"action": "draft"}).status_code == 404
    home = client.get(f"/t/{tenant.slug}/").get_data(as_text=True)
    assert "/levels/" not in home
    service_page = client.get(f"/t/{tenant.slug}/services/{oak}").get_data(as_text=True)
    assert "/levels/" not in service_page


def _csrf_token(response) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_forms_need_their_csrf_token(make_tenant, app):
    tenant = make_tenant(roles=("staff",), services=("Oak Day Centre",))
    oak = tenant.services["Oak Day Centre"]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        person = tenant.people["staff"]
        client.post("/sign-in", data={"email": person.email, "password": person.password,
                                      "csrf_token": _csrf_token(client.get("/sign-in"))})
        before = event_count(tenant)
        refused = client.post(f"{base(tenant)}/services/{oak}/new", data={"action": "draft", "participants": "x"})
        assert refused.status_code in (400, 422)
        assert event_count(tenant) == before
        token = _csrf_token(client.get(f"{base(tenant)}/services/{oak}/new"))
        saved = client.post(f"{base(tenant)}/services/{oak}/new",
                            data={"action": "draft", "participants": "x", "csrf_token": token})
        assert saved.status_code == 302
        assert event_count(tenant) == before + 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_service_page_says_whether_the_last_aims_were_reached(tenant, signed_in, api_client, oak):
    staff = api_client("staff")
    first = complete("2025-01-15", individual=(2, 3), care_setting=(2, 4), policy=(1, 2))
    later = complete("2025-07-15", individual=(3, 4), care_setting=(3, 4), policy=(2, 3))
    for body in (first, later):
        assert staff.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **body}).status_code == 201
    words = text_of(signed_in("viewer").get(f"{base(tenant)}/services/{oak}"))
    assert "Did the service reach its last aims?" in words
    assert "aimed for level 3, reached (now level 3)" in words
    assert "aimed for level 4, not reached yet (now level 3)" in words
    assert "aimed for level 2, reached (now level 2)" in words
    assert "the service user indicators for Oak Day Centre" in words
