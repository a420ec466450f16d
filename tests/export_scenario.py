"""A Trust with something in every section, recorded through the API as people would.

Shared by the export tests; names and words chosen so that exports can be
checked for them (a resource whose name looks like a spreadsheet formula).
"""
from __future__ import annotations

from core.reports import london_today
from plugins.healthcheck.tests.helpers import complete as full_review
from plugins.indicators.tests.helpers import answers, future, target
from plugins.levels.tests.helpers import complete as full_assessment

FORMULA_NAME = "=HYPERLINK(\"http://example.org\",\"Click\")"


def fill(trust, api_client) -> dict:
    """Records a review, an assessment, an answered round with a target and resources for Oak Day Centre."""
    oak = trust.services["Oak Day Centre"]
    staff = api_client("staff", target=trust)
    review = staff.post("healthcheck/reviews", json={"service_id": oak, "submit": True,
                                                     **full_review("2025-01-15", attendance=7)})
    assert review.status_code == 201, review.json
    assessment = staff.post("levels/assessments", json={"service_id": oak, "submit": True,
                                                        **full_assessment("2025-02-10", individual=(2, 4))})
    assert assessment.status_code == 201, assessment.json
    round_ = staff.post("indicators/rounds", json={"service_id": oak, "title": "Spring round"})
    assert round_.status_code == 201, round_.json
    round_id = round_.json["id"]
    for role in ("service_user", "staff"):
        sent = api_client(role, target=trust).post(f"indicators/rounds/{round_id}/responses",
                                                   json={"answers": answers()})
        assert sent.status_code == 201, sent.json
    shared = api_client("facilitator", target=trust).post(f"indicators/rounds/{round_id}/sharing", json={
        "shared_on": london_today().isoformat(), "setting": "special_event",
        "chaired_by": "external_user_facilitator", "chair_name": "Jo", "notes": "Ten ideas came up."})
    assert shared.status_code == 201, shared.json
    agreed = staff.post(f"indicators/rounds/{round_id}/targets", json=target(review_on=future(14)))
    assert agreed.status_code == 201, agreed.json
    for name in ("Oak User Forum", FORMULA_NAME):
        added = staff.post("resources/resources", json={
            "name": name, "scope": "local", "description": "Service users meet monthly with staff.",
            "phone": "+44 121 496 0000", "tags": ["user-led", "advocacy"], "service_ids": [oak]})
        assert added.status_code == 201, added.json
    return {"oak": oak, "round_id": round_id}
