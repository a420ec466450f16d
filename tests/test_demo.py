"""The demo Trust's history: years of every section, recorded through the log, back-dated.

The demo is built once per engine (``flask --app core demo``) and read by every
test here; the tests that run commands again check that nothing changes.
"""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core import events
from core.db import db, utcnow
from core.demo_history import COMMUNITY, DAY_CENTRE, WARD
from core.events import Event
from core.models import Service, Tenant
from core.reports import london_day
from core.tenancy import tenant_context
from core.testing import throwaway_app
from plugins.healthcheck.models import Review
from plugins.indicators.models import Response, Round, Target
from plugins.levels.models import Assessment


SERVICE_NAMES = {DAY_CENTRE: "Oak Day Centre", WARD: "Willow Ward", COMMUNITY: "Riverside Assertive Outreach Team"}
THREE_YEARS = timedelta(days=3 * 365)


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture(scope="module")
def demo(database, tmp_path_factory):
    """An app on its own database, with the demo loaded once; yields (app, the first run's output)."""
    password_file = tmp_path_factory.mktemp("demo") / "demo-password.txt"
    with throwaway_app(database.engine, tmp_path_factory, DEMO_PASSWORD_FILE=str(password_file)) as app:
        first = run(app, "demo")
        assert first.exit_code == 0, first.output
        yield app, first.output


def _tenant_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Tenant.id).where(Tenant.slug == "demo"))


def _read(app, query):
    """Runs ``query(session)`` in the demo Trust and hands back plain values."""
    tenant_id = _tenant_id(app)
    with app.app_context(), tenant_context(tenant_id):
        return query(db.session)


def _services(session) -> dict[str, int]:
    by_name = {s.name: s.id for s in session.scalars(select(Service))}
    return {part: by_name[name] for part, name in SERVICE_NAMES.items()}


def _projections(session) -> dict[str, list[dict]]:
    """Every live row of every projection table, as sorted column dicts."""
    found = {}
    for model in events.projection_models():
        columns = [attr.key for attr in model.__mapper__.column_attrs]
        keys = [col.key for col in model.__mapper__.primary_key]
        table = [{key: getattr(obj, key) for key in columns} for obj in session.scalars(select(model))]
        found[model.__tablename__] = sorted(table, key=lambda row: tuple(str(row[key]) for key in keys))
    return found


def _event_count(session) -> int:
    return session.scalar(select(func.count(Event.id)))


def _sign_in_lines(output: str) -> list[str]:
    """What the command prints from the address to sign in at onwards."""
    lines = output.splitlines()
    return lines[next(n for n, line in enumerate(lines) if line.startswith("Open http")):]


def test_the_first_run_says_what_it_loaded_and_how_to_sign_in(demo):
    app, output = demo
    assert "Loaded the demo Trust, Demo NHS Foundation Trust, with 3 services." in output
    assert "Its event log holds " in output and " over 3 years" in output
    lines = _sign_in_lines(output)
    assert lines[1] == "  e-mail:   admin@demo.example"
    assert lines[2].startswith("  password: ")
    assert lines[3] == "The same password signs in to"
    assert [line.split() for line in lines[4:]] == [
        ["staff@demo.example", "Staff"], ["facilitator@demo.example", "User", "facilitator"],
        ["viewer@demo.example", "Viewer", "(read", "only)"]]


def test_the_log_verifies_and_covers_more_than_three_years_in_order(demo):
    app, _ = demo
    checked = run(app, "events", "verify", "--tenant", "demo")
    assert checked.exit_code == 0 and checked.output.startswith("OK: "), checked.output

    def log(session):
        moments = session.scalars(select(Event.occurred_at).order_by(Event.seq)).all()
        held = session.scalars(select(Review.held_on)).all()
        return moments, held, session.scalar(select(Tenant.created_at).where(Tenant.slug == "demo"))

    moments, held, created_at = _read(app, log)
    assert moments == sorted(moments), "recording moments never go backwards along the log"
    assert moments[-1] - moments[0] >= THREE_YEARS
    assert max(held) - min(held) >= THREE_YEARS
    assert created_at == moments[0]  # the Trust began when its history did
    assert london_day(moments[-1]) < london_day(utcnow())


def test_each_exercise_is_recorded_on_or_after_the_day_it_happened(demo):
    app, _ = demo

    def days(session):
        reviews = [(london_day(r.started_at), r.held_on, r.shared_on,
                    london_day(r.sharing_recorded_at) if r.sharing_recorded_at else None)
                   for r in session.scalars(select(Review))]
        assessments = [(london_day(a.started_at), a.assessed_on) for a in session.scalars(select(Assessment))]
        rounds = [(london_day(r.shared_recorded_at), r.shared_on, london_day(r.started_at))
                  for r in session.scalars(select(Round))]
        targets = [(london_day(t.reviewed_at), t.review_on, london_day(t.agreed_at))
                   for t in session.scalars(select(Target)) if t.reviewed]
        return reviews, assessments, rounds, targets

    reviews, assessments, rounds, targets = _read(app, days)
    assert all(typed >= held for typed, held, _, _ in reviews)
    assert any(typed - held >= timedelta(days=28) for typed, held, _, _ in reviews), "some typed in weeks later"
    assert all(recorded >= shared >= held for _, held, shared, recorded in reviews if shared)
    assert all(typed >= assessed for typed, assessed in assessments)
    assert all(recorded >= shared >= started for recorded, shared, started in rounds)
    assert all(reviewed == review_on > agreed for reviewed, review_on, agreed in targets), "reviewed on the date"


def test_each_service_has_health_checks_levels_and_rounds(demo):
    app, _ = demo

    def per_service(session):
        found = {}
        for part, service_id in _services(session).items():
            reviews = session.scalars(select(Review).where(Review.service_id == service_id)
                                      .order_by(Review.held_on)).all()
            assessments = session.scalars(select(Assessment).where(Assessment.service_id == service_id)
                                          .order_by(Assessment.assessed_on)).all()
            rounds = session.scalars(select(Round).where(Round.service_id == service_id)).all()
            round_ids = [r.id for r in rounds]
            targets = session.scalars(select(Target).where(Target.round_id.in_(round_ids))).all()
            answered = session.execute(select(Response.round_id, Response.group, func.count())
                                       .where(Response.round_id.in_(round_ids))
                                       .group_by(Response.round_id, Response.group)).all()
            found[part] = {
                "checks": [r.held_on for r in reviews if r.status == "submitted"],
                "amended": sum(1 for r in reviews if r.amendments),
                "levels": [(a.individual_current + a.care_setting_current + a.policy_current)
                           for a in assessments if a.status == "submitted"],
                "rounds": len(rounds),
                "shared": sum(1 for r in rounds if r.shared),
                "reviewed": sum(1 for t in targets if t.reviewed),
                "answers": [count for _, _, count in answered],
                "groups": {group for _, group, _ in answered},
            }
        return found

    found = _read(app, per_service)
    for part, seen in found.items():
        assert len(seen["checks"]) >= 6, part
        gaps = [later - earlier for earlier, later in zip(seen["checks"], seen["checks"][1:])]
        assert all(timedelta(days=150) <= gap <= timedelta(days=220) for gap in gaps), (part, gaps)
        assert len(seen["levels"]) >= 3, part
        assert seen["rounds"] >= 3 and seen["shared"] == seen["rounds"], part
        assert seen["reviewed"] >= 2, part
        assert all(5 <= count <= 10 for count in seen["answers"]), part
        assert seen["groups"] == {"service_users", "staff"}, part
    assert sum(seen["amended"] for seen in found.values()) >= 3
    for part in (WARD, COMMUNITY):
        levels = found[part]["levels"]
        assert levels == sorted(levels) and levels[-1] >= levels[0] + 3, (part, levels)


def test_the_day_centre_follows_the_guides_example(demo):
    app, _ = demo

    def first_round(session):
        day_centre = _services(session)[DAY_CENTRE]
        round_ = session.scalars(select(Round).where(Round.service_id == day_centre).order_by(Round.id)).first()
        targets = session.scalars(select(Target).where(Target.round_id == round_.id).order_by(Target.id)).all()
        ideas = [answer.get("change") for r in session.scalars(select(Response).where(
                     Response.round_id == round_.id, Response.group == "service_users"))
                 for answer in r.answers.values() if answer.get("change")]
        return (round_.shared_setting, round_.shared_chair, round_.shared_notes,
                [(t.change, t.happened, t.review_on, london_day(t.reviewed_at)) for t in targets], ideas)

    setting, chair, notes, targets, ideas = _read(app, first_round)
    assert (setting, chair) == ("special_event", "external_user_facilitator")
    assert "ten ideas" in notes and all(f"{n}. " in notes for n in range(1, 11))
    assert len(ideas) >= 10 and "A service user buddy to help new people through their first days." in ideas
    assert len(targets) == 2
    (pack, pack_happened, pack_due, pack_reviewed), (buddy, buddy_happened, buddy_due, buddy_reviewed) = targets
    assert "welcome pack" in pack and "buddy" in buddy
    assert pack_happened == buddy_happened == "yes"
    assert pack_reviewed == pack_due and buddy_reviewed == buddy_due


def test_the_newest_targets_wait_for_review_and_one_is_overdue(demo):
    app, _ = demo
    today = london_day(utcnow())
    waiting = _read(app, lambda session: [t.review_on for t in session.scalars(select(Target)) if not t.reviewed])
    assert any(day > today for day in waiting)
    assert any(day < today for day in waiting)


def test_the_fast_encoder_writes_the_canonical_bytes_of_every_demo_event(demo):
    """Every kind of event the plugins record, and the personal words kept with them: ``events verify``
    hashes the fast encoder's bytes, and they must be the ones each hash was made of."""
    app, _ = demo

    def contents(session):
        records = [{k: v for k, v in rec.items() if k != "hash"} for rec in events.tenant_records(_tenant_id(app))]
        return records, session.scalars(select(events.EventPersonal.data)).all()

    records, personal = _read(app, contents)
    assert len({rec["type"] for rec in records}) > 20 and personal
    for value in [*records, *personal]:
        assert events.fast_canonical(value) == events.canonical(value)


def test_replay_leaves_every_live_table_unchanged(demo):
    app, _ = demo

    before = _read(app, _projections)
    assert all(before[table] for table in ("healthcheck_reviews", "levels_assessments", "indicators_rounds",
                                           "indicators_targets", "indicators_responses", "resources_resources"))
    replayed = run(app, "events", "replay", "--tenant", "demo")
    assert replayed.exit_code == 0, replayed.output
    assert _read(app, _projections) == before


def test_running_the_demo_again_changes_nothing_and_says_the_same(demo):
    app, first = demo
    before = _read(app, _event_count), _read(app, _projections)
    again = run(app, "demo")
    assert again.exit_code == 0, again.output
    assert "already loaded; nothing was changed" in again.output
    assert _sign_in_lines(again.output) == _sign_in_lines(first)
    summary = [line for line in first.splitlines() if line.startswith("Its event log holds")]
    assert summary and summary[0] in again.output
    assert (_read(app, _event_count), _read(app, _projections)) == before


def test_the_history_tables_answer_what_the_log_answers_over_the_years(demo):
    """For random days across the demo's years, on both time axes, the history tables agree with a fold of the log."""
    from core.reports import london_today
    from core.testing import history_matches_log, random_day_pairs

    app, _ = demo
    tenant_id = _tenant_id(app)
    with app.app_context(), tenant_context(tenant_id):
        first = db.session.scalar(select(Event.occurred_at).order_by(Event.seq).limit(1))
    from core.reports import london_day

    pairs = random_day_pairs(london_day(first), london_today(), 25, seed=11)
    with app.app_context():
        assert history_matches_log(tenant_id, pairs) > 500


def test_a_back_entered_health_check_shows_the_two_time_axes(demo):
    """A health check typed in weeks after it was held counts from its day, but not in what the records said then."""
    from core.history import When, rows
    from core.reports import london_day
    from plugins.healthcheck.models import Review

    app, _ = demo
    with app.app_context(), tenant_context(_tenant_id(app)):
        late = [r for r in db.session.scalars(select(Review))
                if r.submitted and r.held_on and london_day(r.submitted_at) > r.held_on]
        assert late, "the demo types some health checks in after the day"
        review = max(late, key=lambda r: (london_day(r.submitted_at) - r.held_on, r.id))
        held, typed = review.held_on, london_day(review.submitted_at)
        assert review.id in {r.id for r in rows(Review, When(as_of=held)) if r.submitted}
        assert review.id not in {r.id for r in rows(Review, When(as_of=held, known_on=held))}
        assert review.id in {r.id for r in rows(Review, When(as_of=held, known_on=typed)) if r.submitted}
