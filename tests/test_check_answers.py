"""The draft workflow's shared pages (core/draft_pages.py), for the health check and the levels assessment:
"Check your answers" before submitting, a new record started from the last one's answers (WCAG 2.2,
3.3.7), and the draft said at the top of the service page."""
import re

import pytest
from sqlalchemy import select

from core.events import Event, EventError
from core.testing import assert_replay_keeps_projections
from plugins.healthcheck import commands as hc_commands
from plugins.healthcheck.models import Review
from plugins.healthcheck.tests.helpers import complete, event_count, text_of
from plugins.levels import commands as lv_commands
from plugins.levels.models import Assessment
from plugins.levels.tests.helpers import complete as complete_assessment

pytest_plugins = ["core.testing"]


@pytest.fixture
def oak(tenant):
    return tenant.services["Oak Day Centre"]


def hc(tenant):
    return f"/t/{tenant.slug}/healthcheck"


def lv(tenant):
    return f"/t/{tenant.slug}/levels"


def _hidden(response, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', response.get_data(as_text=True))
    return found.group(1) if found else ""


def _check_form(response) -> dict:
    """The check page's one form as the browser sends it: its token, its one-time key and its version."""
    return {name: _hidden(response, name) for name in ("csrf_token", "submission", "version")}


def _review(tenant, review_id):
    with tenant.context() as session:
        review = session.get(Review, review_id)
        return review.status, review.content()


# --- check your answers -----------------------------------------------------------------------------

def test_check_your_answers_lists_every_answer_and_says_what_is_still_needed(tenant, signed_in, api_client, oak):
    draft = api_client("staff").post("healthcheck/reviews", json={
        "service_id": oak, "held_on": "2025-01-15", "has_user_group": True,
        "answers": {"q2": {"frequency": "monthly"}, "q1": {"text": "The ward manager runs it."}}}).json
    client = signed_in("staff")
    page = client.get(f"{hc(tenant)}/reviews/{draft['id']}/check")
    assert page.status_code == 200
    words, html = text_of(page), page.get_data(as_text=True)
    assert "Check your answers before submitting the health check" in words
    assert html.count("<h1") == 1
    assert "nhsuk-summary-list" in html
    # every question, answered in plain words or marked not answered, each with a link to its field
    assert "How often the group meets Every month" in words
    assert "Date the health check was held 15 January 2025" in words
    assert "Who runs it, in your own words The ward manager runs it." in words
    assert "Who runs the group Not answered" in words
    edit = f"{hc(tenant)}/reviews/{draft['id']}/edit"
    assert f'href="{edit}#q2_frequency"' in html
    assert f'href="{edit}#q1_run_by"' in html
    assert f'href="{edit}#q1_evidence_url_0"' in html
    # what is needed before it can be submitted, each linking to its question; no button to submit yet
    assert "Answers still needed" in words
    assert "Choose who runs the group." in words
    assert f'<a href="{edit}#staff_count">' in html
    assert "Submit health check" not in words

    # sent anyway: nothing is submitted, and the page says which answers are needed
    before = event_count(tenant)
    refused = client.post(f"{hc(tenant)}/reviews/{draft['id']}/check", data=_check_form(page))
    assert refused.status_code == 422
    assert "The health check cannot be submitted yet" in text_of(refused)
    assert "Choose who runs the group." in text_of(refused)
    assert event_count(tenant) == before
    assert _review(tenant, draft["id"])[0] == "draft"


def test_continue_to_check_saves_the_draft_then_submit_submits_once(tenant, signed_in, api_client, oak):
    from plugins.healthcheck.answers import flatten
    from plugins.healthcheck.tests.helpers import form_data

    client = signed_in("staff")
    saved = client.post(f"{hc(tenant)}/services/{oak}/new", data=form_data(flatten(complete()), action="check"))
    assert saved.status_code == 302
    [review_id] = [row[0] for row in _ids(tenant)]
    assert saved.headers["Location"].endswith(f"/healthcheck/reviews/{review_id}/check")
    page = client.get(saved.headers["Location"])
    assert "Answers still needed" not in text_of(page)
    assert "Submit health check" in text_of(page)
    form = _check_form(page)

    # a copy made before someone else saved is refused plainly, and nothing is submitted
    api_client("staff").patch(f"healthcheck/reviews/{review_id}", json={"staff_count": 3})
    before = event_count(tenant)
    stale = client.post(f"{hc(tenant)}/reviews/{review_id}/check", data=form)
    assert stale.status_code == 409
    assert "Someone saved this health check since you opened this page, so it was not submitted" in text_of(stale)
    assert "How many staff took part 3" in text_of(stale)  # the answers as they are now
    assert event_count(tenant) == before and _review(tenant, review_id)[0] == "draft"

    form = _check_form(stale)
    done = client.post(f"{hc(tenant)}/reviews/{review_id}/check", data=form)
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/healthcheck/reviews/{review_id}")
    status, content = _review(tenant, review_id)
    assert status == "submitted" and content["staff_count"] == 3
    assert "The health check is submitted." in text_of(client.get(done.headers["Location"]))

    # sent again (a double-click, the browser's back button): nothing more is recorded
    after = event_count(tenant)
    again = client.post(f"{hc(tenant)}/reviews/{review_id}/check", data=form)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/healthcheck/reviews/{review_id}")
    assert "This health check has already been submitted, so nothing was changed." in text_of(
        client.get(again.headers["Location"]))
    assert event_count(tenant) == after
    # and the page of a submitted one leads to the health check itself
    shown = client.get(f"{hc(tenant)}/reviews/{review_id}/check")
    assert shown.status_code == 302 and shown.headers["Location"].endswith(f"/healthcheck/reviews/{review_id}")


def _ids(tenant):
    with tenant.context() as session:
        return [(r.id,) for r in session.scalars(select(Review).order_by(Review.id))]


def test_check_page_of_a_levels_assessment(tenant, signed_in, api_client, oak):
    body = complete_assessment("2025-01-15", areas={"individual": {"practices": ["occasional_consultation"],
                                                                    "how": {"occasional_consultation": "Monthly"}}})
    draft = api_client("staff").post("levels/assessments", json={"service_id": oak, **body}).json
    client = signed_in("facilitator")
    page = client.get(f"{lv(tenant)}/assessments/{draft['id']}/check")
    assert page.status_code == 200
    words, html = text_of(page), page.get_data(as_text=True)
    assert "Check your answers before submitting the assessment" in words
    assert "Where is the service now? Level 2: Limited involvement" in words
    assert "Evidence: links and short notes Not answered" in words
    edit = f"{lv(tenant)}/assessments/{draft['id']}/edit"
    assert f'href="{edit}#policy_aim"' in html and f'href="{edit}#individual_practices"' in html
    done = client.post(f"{lv(tenant)}/assessments/{draft['id']}/check", data=_check_form(page))
    assert done.status_code == 302
    with tenant.context() as session:
        assert session.get(Assessment, draft["id"]).status == "submitted"


def test_check_pages_keep_to_the_trust_and_the_role(tenant, other_tenant, signed_in, api_client, oak):
    elm = other_tenant.services["Elm Community Team"]
    theirs = api_client("staff", target=other_tenant).post("healthcheck/reviews", json={"service_id": elm}).json
    their_assessment = api_client("staff", target=other_tenant).post(
        "levels/assessments", json={"service_id": elm, "assessed_on": "2025-01-15"}).json
    client = signed_in("admin")
    assert client.get(f"{hc(tenant)}/reviews/{theirs['id']}/check").status_code == 404
    assert client.post(f"{hc(tenant)}/reviews/{theirs['id']}/check", data={}).status_code == 404
    assert client.get(f"{lv(tenant)}/assessments/{their_assessment['id']}/check").status_code == 404
    assert client.post(f"{hc(tenant)}/services/{elm}/new/start", data={"start": "last"}).status_code == 404
    ours = api_client("staff").post("healthcheck/reviews", json={"service_id": oak}).json
    assert signed_in("viewer").get(f"{hc(tenant)}/reviews/{ours['id']}/check").status_code == 403
    # a form without the version it was made from changes nothing
    before = event_count(tenant)
    assert signed_in("staff").post(f"{hc(tenant)}/reviews/{ours['id']}/check", data={}).status_code == 409
    assert event_count(tenant) == before


# --- start from the last one ---------------------------------------------------------------------------

def test_a_new_health_check_can_start_from_the_last_ones_answers(tenant, signed_in, api_client, oak):
    api = api_client("staff")
    api.post("healthcheck/reviews", json={"service_id": oak, "submit": True, **complete("2024-07-01")})
    last = api.post("healthcheck/reviews", json={
        "service_id": oak, "submit": True, "shared_on": "2025-02-01", "service_user_views": "They liked it",
        **complete("2025-01-15", answers={"q3": {"evidence": [{"url": "https://example.org/minutes"}]}})}).json
    client = signed_in("staff")
    offer = client.get(f"{hc(tenant)}/services/{oak}/new")
    assert offer.status_code == 200
    words = text_of(offer)
    assert "Start from your last answers (held 15 January 2025)" in words
    assert "Start with a blank form" in words
    assert offer.get_data(as_text=True).count("<h1") == 1

    # nothing chosen: asked again, nothing started
    before = event_count(tenant)
    unchosen = client.post(f"{hc(tenant)}/services/{oak}/new/start",
                           data={"csrf_token": _hidden(offer, "csrf_token"), "submission": _hidden(offer, "submission")})
    assert unchosen.status_code == 422 and "Choose how you want to start." in text_of(unchosen)
    # a blank form: the form, nothing started yet
    blank = client.post(f"{hc(tenant)}/services/{oak}/new/start",
                        data={"csrf_token": _hidden(offer, "csrf_token"), "start": "blank"})
    assert blank.status_code == 302 and blank.headers["Location"].endswith("/new?start=blank")
    assert "1. Who has the responsibility of running the group?" in text_of(client.get(blank.headers["Location"]))
    assert event_count(tenant) == before

    form = {"csrf_token": _hidden(offer, "csrf_token"), "submission": _hidden(offer, "submission"), "start": "last"}
    started = client.post(f"{hc(tenant)}/services/{oak}/new/start", data=form)
    assert started.status_code == 302
    new_id = int(re.search(r"/reviews/(\d+)/edit$", started.headers["Location"]).group(1))
    assert "Your last answers are copied into this new draft." in text_of(client.get(started.headers["Location"]))
    assert event_count(tenant) == before + 1
    # sent twice: one draft
    assert client.post(f"{hc(tenant)}/services/{oak}/new/start", data=form).status_code == 302
    assert event_count(tenant) == before + 1

    status, copy = _review(tenant, new_id)
    _, source = _review(tenant, last["id"])
    assert status == "draft"
    for key, value in source.items():
        if key in hc_commands.NOT_COPIED:
            assert copy[key] in (None, 0, []), key  # the count of changes follows the (blank) list
        else:
            assert copy[key] == value, key
    assert copy["q1_text"] == "The ward manager runs it.\nShe books the room."
    assert copy["held_on"] is None and copy["service_user_views"] is None and copy["agreed_changes"] in (None, [])
    # the start event carries the values and names where they came from
    with tenant.context() as session:
        ev = session.get(Event, new_id)
        assert ev.payload["copied_from"] == last["id"]
        assert ev.payload["set"]["q2_frequency"] == "monthly"
    assert_replay_keeps_projections(tenant)


def test_a_new_assessment_can_start_from_the_last_ones_answers(tenant, signed_in, api_client, oak):
    body = complete_assessment("2025-01-15", view="agreed", areas={
        "care_setting": {"practices": ["occasional_consultation", "regular_consultation"],
                         "how": {"regular_consultation": "At the community meeting"},
                         "evidence": [{"note": "Minutes in the ward file"}]}})
    last = api_client("staff").post("levels/assessments", json={"service_id": oak, "submit": True, **body})
    assert last.status_code == 201, last.json
    client = signed_in("facilitator")
    offer = client.get(f"{lv(tenant)}/services/{oak}/new")
    assert "Start from your last answers (assessed 15 January 2025)" in text_of(offer)
    started = client.post(f"{lv(tenant)}/services/{oak}/new/start", data={
        "csrf_token": _hidden(offer, "csrf_token"), "submission": _hidden(offer, "submission"), "start": "last"})
    assert started.status_code == 302
    new_id = int(re.search(r"/assessments/(\d+)/edit$", started.headers["Location"]).group(1))
    with tenant.context() as session:
        copy, source = session.get(Assessment, new_id), session.get(Assessment, last.json["id"])
        assert copy.status == "draft"
        for key, value in source.content().items():
            assert copy.get(key) == (None if key in lv_commands.NOT_COPIED else value), key
        assert copy.view == "agreed" and copy.care_setting_how == {"regular_consultation": "At the community meeting"}
    page = client.get(started.headers["Location"])
    assert 'value="regular_consultation" checked' in page.get_data(as_text=True)
    assert_replay_keeps_projections(tenant)


def test_the_source_is_always_a_submitted_record_of_the_same_service_in_the_same_trust(
        tenant, other_tenant, api_client, oak):
    elm = other_tenant.services["Elm Community Team"]
    theirs = api_client("staff", target=other_tenant).post(
        "healthcheck/reviews", json={"service_id": elm, "submit": True, **complete()}).json
    their_assessment = api_client("staff", target=other_tenant).post(
        "levels/assessments", json={"service_id": elm, "submit": True, **complete_assessment()}).json
    draft = api_client("staff").post("healthcheck/reviews", json={"service_id": oak, "staff_count": 2}).json
    willow = tenant.services["Willow Ward"]
    elsewhere = api_client("staff").post("healthcheck/reviews", json={
        "service_id": willow, "submit": True, **complete()}).json
    before = event_count(tenant)
    for source in (theirs["id"], draft["id"], elsewhere["id"], 10 ** 9):
        with pytest.raises(EventError) as refused, tenant.context("user:1"):
            hc_commands.start_review(oak, {}, copied_from=source)
        assert refused.value.fields == {"copied_from": ["Choose a submitted health check of this service to start from."]}
    with pytest.raises(EventError), tenant.context("user:1"):
        lv_commands.start_assessment(oak, {}, copied_from=their_assessment["id"])
    assert event_count(tenant) == before


# --- the draft at the top of the service page --------------------------------------------------------

def test_the_service_page_says_a_draft_is_there_before_anything_else(tenant, signed_in, api_client, oak):
    client = signed_in("staff")
    empty = text_of(client.get(f"{hc(tenant)}/services/{oak}"))
    assert "No health check yet" in empty and "You have a draft" not in empty

    draft = api_client("staff").post("healthcheck/reviews", json={"service_id": oak, "staff_count": 2}).json
    page = client.get(f"{hc(tenant)}/services/{oak}")
    words, html = text_of(page), page.get_data(as_text=True)
    assert re.search(r"You have a draft health check, started \d+ \w+ \d{4} by Staff\. Continue", words)
    assert "or check your answers" in words
    assert f'href="/t/{tenant.slug}/healthcheck/reviews/{draft["id"]}/check"' in html
    assert "No health check yet" not in words
    # before anything else after the heading, with a link to carry on
    assert html.index("You have a draft health check") < html.index("<h2")
    assert html.index("You have a draft health check") < html.index("Start a new health check")
    assert f'href="/t/{tenant.slug}/healthcheck/reviews/{draft["id"]}/edit"' in html[:html.index("<h2")]
    # people who cannot edit are told one is being filled in
    viewer = text_of(signed_in("viewer").get(f"{hc(tenant)}/services/{oak}"))
    assert "A health check is being filled in." in viewer and "You have a draft" not in viewer

    api_client("staff").post("levels/assessments", json={"service_id": oak, "assessed_on": "2025-01-15"})
    levels = client.get(f"{lv(tenant)}/services/{oak}")
    html = levels.get_data(as_text=True)
    assert re.search(r"You have a draft assessment, started \d+ \w+ \d{4} by Staff\. Continue", text_of(levels))
    assert html.index("You have a draft assessment") < html.index("<h2")
    assert "An assessment is being filled in." in text_of(signed_in("service_user").get(f"{lv(tenant)}/services/{oak}"))
