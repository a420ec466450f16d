"""The levels plugin's report fragments "as of" a day, replay and erasure."""
import pytest
from sqlalchemy import select

from core import events
from core.events import Event

from plugins.levels.models import Assessment

from .helpers import ASSESSMENTS, at, complete, text_of

pytest_plugins = ["core.testing"]


@pytest.fixture
def tenant(make_tenant):
    """A Trust set up before the assessments below, so reports "as of" 2025 see its services."""
    with at(2024, 12, 1):
        return make_tenant()


@pytest.fixture
def oak(tenant):
    return tenant.services["Oak Day Centre"]


@pytest.fixture
def history(tenant, api_client, oak):
    """Two submitted assessments of Oak, the second amended later, and a draft."""
    with at(2024, 12, 1):
        api = api_client("staff")
    with at(2025, 1, 10):
        first = api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete("2025-01-10")}).json
    with at(2025, 4, 10):
        second = api.post(ASSESSMENTS, json={"service_id": oak, "submit": True, **complete(
            "2025-04-10", individual=(3, 4), policy=(1, 3))}).json
    with at(2025, 6, 10):
        api.post(f"{ASSESSMENTS}/{second['id']}/amendments",
                 json={"changes": {"areas": {"policy": {"current": 2}}}, "reason": "Policy was too low."})
        api.post(ASSESSMENTS, json={"service_id": oak, "participants": "A draft"})
    return {"first": first, "second": second, "api": api}


def _fragment(body: dict) -> dict:
    return next(f for f in body["fragments"] if f["plugin"] == "levels")


def test_service_fragment_as_of_each_day(history, api_client, oak):
    api = history["api"]
    report = f"services/{oak}/report"

    nothing = _fragment(api.get(f"{report}?as_of=2025-01-09").json)
    assert nothing["data"]["latest"] is None and nothing["data"]["assessments"] == 0

    january = _fragment(api.get(f"{report}?as_of=2025-02-01").json)["data"]
    assert january["latest"]["id"] == history["first"]["id"]
    assert january["latest"]["levels"]["individual"] == {"current": 2, "aim": 3}
    assert january["previous"] is None and january["moved"] == []

    # what the records said on 1 May: before the amendment
    may = _fragment(api.get(f"{report}?as_of=2025-05-01&known_on=2025-05-01").json)["data"]
    assert may["latest"]["id"] == history["second"]["id"]
    assert may["latest"]["levels"]["policy"] == {"current": 1, "aim": 3}
    # where things stood on 1 May, knowing the later amendment: corrected
    corrected = _fragment(api.get(f"{report}?as_of=2025-05-01").json)["data"]
    assert corrected["latest"]["id"] == history["second"]["id"]
    assert corrected["latest"]["levels"]["policy"] == {"current": 2, "aim": 3}
    assert [(m["area"], m["part"], m["a"], m["b"]) for m in may["moved"]] == [
        ("individual", "current", 2, 3), ("individual", "aim", 3, 4), ("policy", "aim", 2, 3)]
    assert may["drafts"] == 0

    now = _fragment(api.get(report).json)["data"]
    assert now["latest"]["levels"]["policy"] == {"current": 2, "aim": 3}  # amended
    assert now["latest"]["amendments"] == 1
    assert now["drafts"] == 1
    here = [row["level"] for row in now["grid"]["rows"] if row["cells"][2]["here"]]
    assert here == [2]


def test_tenant_fragment_as_of(history, tenant, oak):
    api = history["api"]
    january = _fragment(api.get("report?as_of=2025-02-01").json)["data"]
    rows = {row["name"]: row for row in january["services"]}
    assert rows["Oak Day Centre"]["levels"]["care_setting"] == {"current": 2, "aim": 4}
    assert rows["Willow Ward"]["assessment_id"] is None
    assert rows["Willow Ward"]["levels"]["policy"] == {"current": None, "aim": None}
    assert january["assessed"] == 1
    now = _fragment(api.get("report").json)["data"]
    assert {row["name"]: row for row in now["services"]}["Oak Day Centre"]["levels"]["individual"] == \
        {"current": 3, "aim": 4}


def test_report_pages_show_the_fragments(history, tenant, signed_in, oak):
    client = signed_in("viewer")
    service = client.get(f"/t/{tenant.slug}/services/{oak}/report?as_of=2025-05-01&known_on=2025-05-01")
    assert service.status_code == 200
    words = text_of(service)
    assert "Levels of involvement" in words
    assert "Individual Level 3: Growing involvement Level 4: Collaboration" in words
    assert "What moved since the assessment of 10 January 2025" in words
    assert "We are here" in words and "We are aiming for" in words
    trust = text_of(client.get(f"/t/{tenant.slug}/report?as_of=2025-05-01&known_on=2025-05-01"))
    assert "Levels of involvement by service" in trust
    assert "Oak Day Centre 10 April 2025 Level 3, aiming for 4 Level 2, aiming for 4 Level 1, aiming for 3" in trust
    assert "Willow Ward Not yet Not assessed" in trust


def _rows(tenant) -> list[dict]:
    with tenant.context() as session:
        rows = session.scalars(select(Assessment).order_by(Assessment.id)).all()
        return [{c.name: getattr(row, c.name) for c in Assessment.__table__.columns} for row in rows]


def test_replay_reproduces_the_table_exactly(history, tenant):
    before = _rows(tenant)
    assert len(before) == 3
    with tenant.context():
        events.replay(tenant.id)
    assert _rows(tenant) == before
    with tenant.context():
        folded = events.fold(Assessment)
        assert sorted(folded) == [row["id"] for row in before]
        for row in before:
            assert {c: getattr(folded[row["id"]], c) for c in row} == row


def test_erased_words_read_erased_after_replay(history, tenant):
    with tenant.context() as session:
        started = session.scalar(select(Event).where(Event.type == "levels.assessment_started",
                                                     Event.stream == f"levels-assessment:{history['first']['id']}"))
        assert started.personal["set"]["participants"] == "The ward team and two members of the user group"
        assert events.erase_personal(started.id)
    with tenant.context():
        events.replay(tenant.id)
        assert events.verify_tenant(tenant.id).ok
    with tenant.context() as session:
        first = session.get(Assessment, history["first"]["id"])
        assert first.participants == events.ERASED
        assert first.policy_achieved == events.ERASED
        assert first.policy_current == 1  # levels are not words: they stay
        second = session.get(Assessment, history["second"]["id"])
        assert second.participants == "The ward team and two members of the user group"


def test_audit_sentences(history, tenant, signed_in):
    page = text_of(signed_in("admin").get(f"/t/{tenant.slug}/audit/"))
    assert "submitted an assessment of the levels of involvement at Oak Day Centre" in page
    assert "amended an assessment of the levels of involvement at Oak Day Centre: policy: level now" in page


def test_history_tables_answer_what_the_log_answers(history, tenant):
    from datetime import date

    from core.testing import history_matches_log, random_day_pairs

    with tenant.app.app_context():
        assert history_matches_log(tenant.id, random_day_pairs(date(2024, 12, 1), date(2025, 9, 30), 30)) > 0
