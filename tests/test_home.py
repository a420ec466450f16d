"""What's next for you: each role's home page lists what they can do now, what is due and what was shared,
each item linking to the page that does the work; queries stay the same whatever the number of services."""
import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import event

from core import cache
from core.db import db
from core.reports import london_today
from plugins.healthcheck.tests.helpers import complete
from plugins.indicators.tests.helpers import answered_round, answers, shared_round, start_round, target

ROLES = ("admin", "staff", "service_user", "facilitator", "viewer")


def home(client, tenant) -> str:
    response = client.get(f"/t/{tenant.slug}/")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


def next_list(text: str) -> str:
    """Only the "What's next for you" part of the page."""
    start = text.index("What's next for you</h1>")
    return text[start:text.index('id="services-heading"')]


def review_json(held_on, **extra) -> dict:
    return {"service_id": None, "submit": True, **complete(held_on.isoformat()), **extra}


@pytest.mark.parametrize("role", ROLES)
def test_with_nothing_to_do_each_role_is_told_so_in_plain_words(make_tenant, signed_in, role):
    tenant = make_tenant()
    with tenant.context():
        from core import commands

        commands.set_trust_contact(name="PALS")  # else admins are asked to give it
    text = home(signed_in(role, tenant), tenant)
    assert "<h1 id=\"whats-next-title\">What's next for you</h1>" in text
    assert "Nothing needs you today." in text
    assert ("at a glance" in text) == (role != "service_user")  # the dashboard for staff-side roles


def test_a_service_user_of_one_trust_sees_no_tokens_and_no_change_organisation(tenant, other_tenant, signed_in):
    client = signed_in("service_user")
    text = home(client, tenant)
    assert "Change organisation" not in text and "API tokens" not in text
    assert client.get(f"/t/{tenant.slug}/account/tokens").status_code == 200  # still there if needed
    assert "Change organisation" in home(signed_in("staff"), tenant)
    # Once they belong to a second Trust, they can change between them.
    person = tenant.people["service_user"]
    with other_tenant.context():
        from core import commands
        from core.models import User

        commands.add_member(db.session.get(User, person.user_id), "service_user")
    assert "Change organisation" in home(client, tenant)


def test_whether_a_service_user_may_change_organisation_follows_every_trust_and_the_clock(
        app, tenant, other_tenant, signed_in):
    """Kept per person (core.cache.for_person) until their memberships or invitations change in any
    Trust, or a waiting invitation runs out: never an answer of before."""
    from datetime import datetime, timezone

    import time_machine

    from core import commands
    from core.models import Membership, User

    client = signed_in("service_user")
    person = tenant.people["service_user"]
    assert "Change organisation" not in home(client, tenant)
    with other_tenant.context():  # a member there: the link comes; removed again: it goes
        member_id = commands.add_member(db.session.get(User, person.user_id), "service_user").id
    assert "Change organisation" in home(client, tenant)
    with other_tenant.context():
        commands.remove_member(db.session.get(Membership, member_id))  # which signs them out everywhere
    client = signed_in("service_user")
    assert "Change organisation" not in home(client, tenant)
    with other_tenant.context():  # invited to a second Trust: they can go and answer it
        commands.invite_member(db.session.get(User, person.user_id), "staff", days=1 / 24 / 60)  # a minute
    assert "Change organisation" in home(client, tenant)
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(minutes=2)):
        assert "Change organisation" not in home(client, tenant)  # it ran out: nothing was recorded


def test_every_way_of_writing_memberships_and_invitations_moves_the_persons_number(app, tenant, other_tenant):
    """The database moves ``users.trusts_changed`` itself (migration 0013), so a write that bypasses
    the ORM (a migration, a repair by hand) cannot leave a kept answer standing."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    person = tenant.people["service_user"]

    def number() -> int:
        with app.app_context():
            found = db.session.execute(text("SELECT trusts_changed FROM users WHERE id = :id"),
                                       {"id": person.user_id}).scalar()
            db.session.rollback()
        return found

    seen = [number()]
    with tenant.context() as session:
        session.execute(text("UPDATE memberships SET reminders = NOT reminders WHERE user_id = :id"),
                        {"id": person.user_id})
    seen.append(number())
    with other_tenant.context() as session:
        session.execute(text("INSERT INTO member_invitations (id, tenant_id, user_id, role, invited_at, expires_at, "
                             "status) VALUES (:id, :tenant, :user, 'staff', :now, :now, 'waiting')"),
                        {"id": 987654321, "tenant": other_tenant.id, "user": person.user_id,
                         "now": datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)})
    seen.append(number())
    with other_tenant.context() as session:
        session.execute(text("DELETE FROM member_invitations WHERE id = 987654321"))
    seen.append(number())
    assert seen == sorted(set(seen)), seen  # each write moved it on


def test_service_users_see_rounds_to_answer_and_what_was_shared_with_them(tenant, signed_in, api_client):
    oak, willow = tenant.services["Oak Day Centre"], tenant.services["Willow Ward"]
    open_round = start_round(api_client("staff"), willow)["id"]
    client = signed_in("service_user")
    items = next_list(home(client, tenant))
    assert "Give your views on Willow Ward" in items
    assert f'href="/t/{tenant.slug}/indicators/rounds/{open_round}/evaluate"' in items
    # Saved to finish later: "finish" instead of "give"; sent: gone.
    client.post(f"/t/{tenant.slug}/indicators/rounds/{open_round}/evaluate",
                data={"valuing_individual": "met", "valuing_barriers": "Too little time", "action": "save"})
    items = next_list(home(client, tenant))
    assert "Finish your views on Willow Ward" in items and "Give your views on Willow Ward" not in items
    api_client("service_user").post(f"indicators/rounds/{open_round}/responses", json={"answers": answers()})
    assert "Willow Ward" not in next_list(home(signed_in("service_user"), tenant))

    shared = shared_round(tenant, api_client)  # Oak: both groups answered, views shared today
    staff = api_client("staff")
    review = staff.post("healthcheck/reviews", json={**review_json(london_today() - timedelta(days=20)),
                                                     "service_id": oak}).json
    assert staff.post(f"healthcheck/reviews/{review['id']}/sharing",
                      json={"shared_on": (london_today() - timedelta(days=10)).isoformat()}).status_code == 200
    items = next_list(home(signed_in("service_user"), tenant))
    assert "What service users and staff said about Oak Day Centre" in items
    assert f'href="/t/{tenant.slug}/indicators/rounds/{shared}/comparison"' in items
    assert "The health check of Oak Day Centre" in items and "Shared with you" in items
    assert f'href="/t/{tenant.slug}/healthcheck/reviews/{review["id"]}"' in items
    # Nothing a service user cannot act on: no health checks due, no steps for staff.
    assert "Share the views" not in items and "Health check of" not in items


def test_staff_see_their_own_drafts_and_not_other_peoples(tenant, signed_in, api_client):
    oak = tenant.services["Oak Day Centre"]
    staff = api_client("staff")
    draft = staff.post("healthcheck/reviews", json={"service_id": oak, "submit": False,
                                                    **complete("2025-01-15")}).json
    assessment = staff.post("levels/assessments", json={"service_id": oak, "submit": False,
                                                        "assessed_on": "2025-01-15", "participants": "The team"}).json
    items = next_list(home(signed_in("staff"), tenant))
    assert "Your draft health check of Oak Day Centre" in items
    assert f'href="/t/{tenant.slug}/healthcheck/reviews/{draft["id"]}/edit"' in items
    assert "Your draft levels assessment of Oak Day Centre" in items
    assert f'href="/t/{tenant.slug}/levels/assessments/{assessment["id"]}/edit"' in items
    for role in ("facilitator", "admin"):
        assert "Your draft" not in next_list(home(signed_in(role), tenant))


def test_health_checks_and_target_reviews_due_or_overdue(tenant, signed_in, api_client, time_machine):
    oak = tenant.services["Oak Day Centre"]
    staff = api_client("staff")
    held = london_today() - timedelta(days=175)  # the next is due six months after: in about a week
    assert staff.post("healthcheck/reviews", json={**review_json(held), "service_id": oak}).status_code == 201
    round_id = shared_round(tenant, api_client, service="Willow Ward")
    agreed = api_client("facilitator").post(f"indicators/rounds/{round_id}/targets",
                                           json=target(review_on=london_today() + timedelta(days=10)))
    assert agreed.status_code == 201, agreed.json
    target_id = agreed.json["id"]
    for role in ("staff", "facilitator", "admin", "viewer"):
        items = next_list(home(signed_in(role), tenant))
        assert "Health check of Oak Day Centre" in items and "Due soon" in items, role
        assert "Review the target on Valuing for Willow Ward" in items, role
    assert f'/indicators/rounds/{round_id}/targets/{target_id}/review"' in next_list(home(signed_in("facilitator"), tenant))
    assert f'/indicators/rounds/{round_id}/targets"' in next_list(home(signed_in("viewer"), tenant))
    service_user = next_list(home(signed_in("service_user"), tenant))
    assert "Review the target on Valuing" in service_user and "Health check of" not in service_user

    time_machine.move_to(london_today() + timedelta(days=30))
    items = next_list(home(signed_in("staff"), tenant))
    assert "Overdue" in items and "The next health check was due on" in items
    assert "The review with service users was due on" in items
    # Overdue things come first.
    assert items.index("Overdue") < items.index("Due soon") if "Due soon" in items else True


def test_rounds_waiting_on_a_step_for_staff_side_roles(tenant, signed_in, api_client):
    round_id = answered_round(tenant, api_client)
    for role in ("facilitator", "staff", "admin", "viewer"):
        items = next_list(home(signed_in(role), tenant))
        assert "Share the views on Oak Day Centre" in items, role
        assert f'href="/t/{tenant.slug}/indicators/rounds/{round_id}/sharing"' in items
    assert "Share the views" not in next_list(home(signed_in("service_user"), tenant))


def test_admins_are_asked_for_the_trusts_contact_until_it_is_given(tenant, signed_in):
    admin = signed_in("admin")
    items = next_list(home(admin, tenant))
    assert "Give the Trust's contact details" in items and f'href="/t/{tenant.slug}/contact/edit"' in items
    assert "Give the Trust's contact details" not in next_list(home(signed_in("staff"), tenant))
    admin.post(f"/t/{tenant.slug}/contact/edit", data={"name": "PALS", "phone": "0121 496 0000"})
    assert "Give the Trust's contact details" not in next_list(home(admin, tenant))


def _statements(app, client, url) -> int:
    """Statements of the page made afresh, not a repeat view kept by core.cache."""
    counted = []
    with app.app_context():
        engine = db.engine
        cache.clear()

    def count(*args):
        counted.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(counted)


@pytest.mark.parametrize("role", ["staff", "service_user"])
def test_the_home_page_queries_the_same_for_one_service_as_for_five(make_tenant, signed_in, api_client, role):
    counts = []
    for services in (("Oak Day Centre",), ("Oak", "Ash", "Elm", "Fir", "Yew")):
        tenant = make_tenant(services=services)
        staff = api_client("staff", tenant)
        for name in services:
            service_id = tenant.services[name]
            staff.post("healthcheck/reviews", json={**review_json(london_today() - timedelta(days=200)),
                                                    "service_id": service_id})
            staff.post("healthcheck/reviews", json={"service_id": service_id, "submit": False,
                                                    **complete("2025-01-15")})
            start_round(staff, service_id)
        client = signed_in(role, tenant)
        client.get(f"/t/{tenant.slug}/")  # warm the per-process caches
        counts.append(_statements(tenant.app, client, f"/t/{tenant.slug}/"))
    assert counts[0] == counts[1]


def _hits(app) -> int:
    with app.app_context():
        return cache.stats()["hits"]


def test_a_kept_home_page_changes_after_a_new_event(app, tenant, signed_in, api_client):
    from core.testing import sign_in

    staff = signed_in("staff")
    before = next_list(home(staff, tenant))
    hits = _hits(app)
    assert next_list(home(staff, tenant)) == before and _hits(app) > hits  # the repeat view was kept
    assert "Your draft" not in before
    oak = tenant.services["Oak Day Centre"]
    draft = api_client("staff").post("healthcheck/reviews", json={"service_id": oak, "submit": False,
                                                                  **complete("2025-01-15")}).json
    items = next_list(home(staff, tenant))
    assert "Your draft health check of Oak Day Centre" in items
    assert f'href="/t/{tenant.slug}/healthcheck/reviews/{draft["id"]}/edit"' in items
    # What is kept for one member is never shown to another of the same role.
    other = tenant.add_person("staff", "Another Staff")
    other_client = app.test_client()
    sign_in(other_client, other)
    home(staff, tenant)  # kept for the first at the log's head as it is now
    assert "Your draft" not in next_list(home(other_client, tenant))
    assert "Your draft health check of Oak Day Centre" in next_list(home(staff, tenant))


def test_a_kept_dashboard_and_services_list_change_after_a_new_event(app, tenant, signed_in, api_client):
    admin = signed_in("admin")
    before = home(admin, tenant)
    assert "Birch House" not in before
    hits = _hits(app)
    home(admin, tenant)
    assert _hits(app) > hits
    created = api_client("admin").post("services", json={"name": "Birch House", "kind": "day_centre"})
    assert created.status_code == 201, created.json
    text = home(admin, tenant)
    services = text[text.index('id="services-heading"'):]
    assert f'href="/t/{tenant.slug}/services/{created.json["id"]}">Birch House</a>' in services
    panels = text[text.index('id="glance-title"'):text.index('id="panel-moved"')]
    assert "Birch House" in panels  # each section's panel lists every service


def test_a_kept_dashboard_is_never_another_members(app, tenant, signed_in, api_client):
    from core.testing import sign_in

    staff = api_client("staff")
    planned = "Invite two service users to the policy group"
    assessed = staff.post("levels/assessments", json={
        "service_id": tenant.services["Oak Day Centre"], "submit": True, "assessed_on": "2025-01-15",
        "participants": "The team", "areas": {"individual": {"current": 2, "aim": 3},
                                              "care_setting": {"current": 2, "aim": 3},
                                              "policy": {"current": 1, "aim": 2, "planned": planned}}})
    assert assessed.status_code == 201, assessed.json
    action = staff.get("actions").json["actions"][0]
    me = tenant.people["staff"].membership_id
    assert staff.patch(f"actions/{action['id']}", json={"owner": {"member_id": me}}).status_code == 200
    other = tenant.add_person("staff", "Another Staff")
    other_client = app.test_client()
    sign_in(other_client, other)

    def your_actions(client) -> str:
        text = home(client, tenant)
        return text[text.index('id="panel-core"'):][:2000]

    assert planned in your_actions(signed_in("staff"))  # kept for the lead at the log's head as it is now
    theirs = your_actions(other_client)
    assert planned not in theirs and "You lead no open actions" in theirs
