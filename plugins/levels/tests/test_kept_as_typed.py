"""An assessment draft saved from its page keeps a date that is not one, and words too long, as typed.

They are shown back named, stop submission until corrected, and replay rebuilds them.
"""
import pytest
from sqlalchemy import select

from core import events
from core.testing import date_boxes

from ..models import Assessment
from .helpers import complete, form_data, text_of

pytest_plugins = ["core.testing"]

NOT_A_DAY = "Date of the assessment: 31 February 2026 is not a real date"


@pytest.fixture
def oak(tenant):
    return tenant.services["Oak Day Centre"]


def _rows(tenant):
    with tenant.context() as session:
        return [{c.name: getattr(r, c.name) for c in Assessment.__table__.columns}
                for r in session.scalars(select(Assessment).order_by(Assessment.id))]


def test_a_draft_keeps_a_date_that_is_not_one_until_it_is_corrected(tenant, signed_in, oak):
    client = signed_in("staff")
    base = f"/t/{tenant.slug}/levels"
    typed = {**form_data(complete()), "assessed_on-day": "31", "assessed_on-month": "2",
             "assessed_on-year": "2026"}
    saved = client.post(f"{base}/services/{oak}/new", data=typed)
    assert saved.status_code == 302, text_of(saved)[:600]
    assessment_id = int(saved.headers["Location"].split("/assessments/")[1].split("/")[0])
    [row] = _rows(tenant)
    assert row["assessed_on"] is None and row["individual_current"] == 2
    assert row["kept_as_typed"] == {"assessed_on": {"typed": {"day": "31", "month": "2", "year": "2026"},
                                                    "problem": "31 February 2026 is not a real date"}}

    page = client.get(saved.headers["Location"])
    html = page.get_data(as_text=True)
    assert NOT_A_DAY in text_of(page)
    assert 'href="#assessed_on-day"' in html
    assert date_boxes(html, "assessed_on") == ("31", "2", "2026")

    refused = client.post(f"{base}/assessments/{assessment_id}/edit", data={**typed, "action": "submit", "version": "1"})
    assert refused.status_code == 422
    assert NOT_A_DAY in text_of(refused) and "not submitted yet" in text_of(refused)

    before = _rows(tenant)
    with tenant.context():
        events.replay(tenant.id)
    assert _rows(tenant) == before

    done = client.post(f"{base}/assessments/{assessment_id}/edit",
                       data={**typed, "action": "submit", "version": "1", "assessed_on-day": "28"})
    assert done.status_code == 302, text_of(done)[:800]
    [row] = _rows(tenant)
    assert row["status"] == "submitted" and row["kept_as_typed"] is None
    assert row["assessed_on"].isoformat() == "2026-02-28"
