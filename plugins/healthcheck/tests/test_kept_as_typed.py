"""A health check draft saved from its page keeps every answer as typed, valid or not.

"two" in a number and 31 February in a date are kept as typed (not refused), shown
back in their boxes with a message naming the answer, and stop submission until
corrected. The API stays strict. Replay rebuilds the same draft; erasure erases what
was typed.
"""
import pytest
from sqlalchemy import select

from core import events
from core.events import Event
from core.testing import date_boxes

from ..models import Review
from .helpers import complete, event_count, form_data, text_of

# core's fixtures (tenant, signed_in...), also when these tests run on their own
pytest_plugins = ["core.testing"]

STAFF_TWO = "How many staff took part: enter a whole number, like 6"
NOT_A_DAY = "Date of the user meeting where you shared the review: 31 February 2026 is not a real date"


@pytest.fixture
def oak(tenant):
    return tenant.services["Oak Day Centre"]


def base(tenant):
    return f"/t/{tenant.slug}/healthcheck"


def _review(tenant, review_id):
    with tenant.context() as session:
        review = session.get(Review, review_id)
        return review.status, review.content(), review.kept_as_typed


def _flat_complete():
    from ..answers import flatten

    return flatten(complete())


def _rows(tenant):
    with tenant.context() as session:
        return [{c.name: getattr(r, c.name) for c in Review.__table__.columns}
                for r in session.scalars(select(Review).order_by(Review.id))]


def test_a_draft_keeps_what_was_typed_and_submission_asks_for_it_again(tenant, signed_in, oak):
    client = signed_in("staff")
    flat = {**_flat_complete(), "staff_count": None, "shared_on": None}
    typed = {**form_data(flat), "staff_count": "two",
             "shared_on-day": "31", "shared_on-month": "2", "shared_on-year": "2026"}
    saved = client.post(f"{base(tenant)}/services/{oak}/new", data=typed)
    assert saved.status_code == 302, text_of(saved)[:600]
    review_id = int(saved.headers["Location"].split("/reviews/")[1].split("/")[0])
    status, content, kept = _review(tenant, review_id)
    assert status == "draft"
    assert content["staff_count"] is None and content["shared_on"] is None
    assert kept == {"staff_count": {"typed": "two", "problem": "Enter a whole number, like 6."},
                    "shared_on": {"typed": {"day": "31", "month": "2", "year": "2026"},
                                  "problem": "31 February 2026 is not a real date"}}
    assert content["q1_text"] == "The ward manager runs it.\nShe books the room."  # the rest is saved too

    # shown back, in their boxes, each named, the summary linking to the box
    page = client.get(saved.headers["Location"])
    html, words = page.get_data(as_text=True), text_of(page)
    assert page.status_code == 200
    assert STAFF_TWO in words and NOT_A_DAY in words
    assert 'href="#staff_count"' in html and 'href="#shared_on-day"' in html
    assert date_boxes(html, "shared_on") == ("31", "2", "2026")
    assert 'value="two"' in html

    # submitting is refused, naming both; nothing is submitted
    refused = client.post(f"{base(tenant)}/reviews/{review_id}/edit",
                          data={**typed, "action": "submit", "version": "1"})
    assert refused.status_code == 422
    words = text_of(refused)
    assert "not submitted yet" in words
    assert STAFF_TWO in words and NOT_A_DAY in words
    assert _review(tenant, review_id)[0] == "draft"

    # replay rebuilds exactly the same draft
    before = _rows(tenant)
    with tenant.context():
        events.replay(tenant.id)
    assert _rows(tenant) == before

    # corrected: it submits, and nothing is kept as typed any more
    fixed = {**typed, "action": "submit", "version": "1", "staff_count": "2", "shared_on-day": "28"}
    done = client.post(f"{base(tenant)}/reviews/{review_id}/edit", data=fixed)
    assert done.status_code == 302, text_of(done)[:800]
    status, content, kept = _review(tenant, review_id)
    assert status == "submitted" and kept is None
    assert content["staff_count"] == 2 and content["shared_on"] == "2026-02-28"


def test_the_same_wrong_answer_saved_again_records_nothing_new(tenant, signed_in, oak):
    client = signed_in("staff")
    saved = client.post(f"{base(tenant)}/services/{oak}/new", data={"action": "draft", "staff_count": "two"})
    assert saved.status_code == 302
    review_id = int(saved.headers["Location"].split("/reviews/")[1].split("/")[0])
    before = event_count(tenant)
    again = client.post(f"{base(tenant)}/reviews/{review_id}/edit",
                        data={"action": "draft", "staff_count": "two", "version": "1"})
    assert again.status_code == 302
    assert event_count(tenant) == before
    # cleared: what was kept goes too
    cleared = client.post(f"{base(tenant)}/reviews/{review_id}/edit",
                          data={"action": "draft", "staff_count": "", "version": "1"})
    assert cleared.status_code == 302
    assert _review(tenant, review_id)[2] is None
    assert event_count(tenant) == before + 1


def test_the_api_stays_strict(tenant, api_client, oak):
    api = api_client("staff")
    before = event_count(tenant)
    response = api.post("healthcheck/reviews", json={"service_id": oak, "staff_count": "two"})
    assert response.status_code == 422
    assert response.json["error"]["fields"]["staff_count"] == ["Enter a whole number, like 6."]
    assert event_count(tenant) == before


def test_what_was_typed_is_erased_with_the_other_words(tenant, signed_in, oak):
    client = signed_in("staff")
    saved = client.post(f"{base(tenant)}/services/{oak}/new",
                        data={"action": "draft", "staff_count": "Sam Jones and two others"})
    review_id = int(saved.headers["Location"].split("/reviews/")[1].split("/")[0])
    with tenant.context() as session:
        started = session.scalar(select(Event).where(Event.stream == f"healthcheck-review:{review_id}"))
        assert started.personal["kept"] == {"staff_count": "Sam Jones and two others"}
        assert "Sam Jones" not in str(started.payload)
        assert events.erase_personal(started.id)
    with tenant.context():
        events.replay(tenant.id)
        assert events.verify_tenant(tenant.id).ok
    kept = _review(tenant, review_id)[2]
    assert kept == {"staff_count": {"typed": "[erased]", "problem": "Enter a whole number, like 6."}}


def test_check_your_answers_lists_what_was_kept_as_typed_and_will_not_submit(tenant, signed_in, oak):
    client = signed_in("staff")
    saved = client.post(f"{base(tenant)}/services/{oak}/new", data={"action": "draft", "staff_count": "two"})
    review_id = int(saved.headers["Location"].split("/reviews/")[1].split("/")[0])
    check = client.get(f"{base(tenant)}/reviews/{review_id}/check")
    assert check.status_code == 200
    assert STAFF_TWO in text_of(check)
    assert f"/reviews/{review_id}/edit#staff_count" in check.get_data(as_text=True)
