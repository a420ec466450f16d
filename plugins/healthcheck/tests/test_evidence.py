"""Evidence behind a health check's answers: links (http and https only) and short notes."""
import re
from html import unescape

import pytest

from .helpers import complete, event_count, form_data

# core's fixtures (tenant, api_client...), also when these tests run on their own
pytest_plugins = ["core.testing"]

REVIEWS = "healthcheck/reviews"


def test_evidence_on_an_answer_is_kept_and_shown_as_a_link(tenant, api_client, signed_in):
    oak = tenant.services["Oak Day Centre"]
    body = complete(answers={"q13": {"evidence": [
        {"url": "https://intranet.example.nhs.uk/user-group/minutes", "note": "The minutes, on the intranet"}]}})
    response = api_client("staff").post(REVIEWS, json={"service_id": oak, "submit": True, **body})
    assert response.status_code == 201, response.json
    assert response.json["answers"]["q13"]["evidence"] == [
        {"url": "https://intranet.example.nhs.uk/user-group/minutes", "note": "The minutes, on the intranet"}]
    page = signed_in("service_user").get(f"/t/{tenant.slug}/healthcheck/reviews/{response.json['id']}")
    html = page.get_data(as_text=True)
    assert '<a href="https://intranet.example.nhs.uk/user-group/minutes" rel="noopener noreferrer">' in html


@pytest.mark.parametrize("item", [{"url": "javascript:alert(1)"}, {"url": "data:text/html,hi"}, {},
                                  {"url": "https://example.nhs.uk", "extra": 1}])
def test_a_bad_evidence_link_is_refused_and_nothing_is_stored(tenant, api_client, item):
    oak = tenant.services["Oak Day Centre"]
    api = api_client("staff")
    before = event_count(tenant)
    response = api.post(REVIEWS, json={"service_id": oak, "answers": {"q1": {"evidence": [item]}}})
    assert response.status_code == 422, response.json
    assert "evidence" in response.json["error"]["fields"]["answers"]["q1"]
    assert event_count(tenant) == before


def test_the_form_takes_evidence_and_refuses_a_bad_link(tenant, signed_in):
    oak = tenant.services["Oak Day Centre"]
    staff = signed_in("staff")
    data = form_data({"held_on": "2025-01-15"}, q5_evidence_url_0="javascript:alert(1)")
    refused = staff.post(f"/t/{tenant.slug}/healthcheck/services/{oak}/new", data=data)
    assert refused.status_code == 422
    assert "Enter a link that starts with http:// or https://" in unescape(refused.get_data(as_text=True))
    data = form_data({"held_on": "2025-01-15"}, q5_evidence_url_0="https://example.nhs.uk/attendance",
                     q5_evidence_note_0="Attendance sheet")
    saved = staff.post(f"/t/{tenant.slug}/healthcheck/services/{oak}/new", data=data)
    assert saved.status_code == 302, unescape(saved.get_data(as_text=True))[:3000]
    form = staff.get(saved.headers["Location"]).get_data(as_text=True)
    assert re.search(r'name="q5_evidence_note_0" type="text" value="Attendance sheet"', form)


def test_an_empty_list_of_evidence_is_no_evidence(tenant, api_client):
    oak = tenant.services["Oak Day Centre"]
    response = api_client("staff").post(REVIEWS, json={"service_id": oak, "answers": {"q13": {"evidence": []}}})
    assert response.status_code == 201, response.json
    assert response.json["answers"]["q13"]["evidence"] is None
