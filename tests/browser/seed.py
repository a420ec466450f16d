"""A Trust with something in every section, for the crawl and the screenshots.

Everything is made the way people make it: core's commands for the Trust, its
people and services, the JSON API (which calls each section's commands) for the
exercises, recorded at moments in the past so that history, "what moved" and
"as of" reports have something to show.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import time_machine

from core.events import acting_as
from core.testing import ApiClient, TenantFixture, new_tenant
from plugins.healthcheck.tests.helpers import complete as complete_review
from plugins.indicators.tests.helpers import answers, target
from plugins.levels.tests.helpers import complete as complete_assessment
from plugins.resources.tests.helpers import A_RESOURCE

ROLES = ("admin", "staff", "service_user", "facilitator", "viewer")


@dataclass
class Seeded:
    trust: TenantFixture
    invitation_tokens: list = field(default_factory=list)  # links of the open round, for the crawl
    password_link: str = ""  # a new member's "set your password" link, for the crawl


def _on(day: date, hour: int = 12):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc), tick=False)


def _api(trust: TenantFixture, role: str) -> ApiClient:
    return ApiClient(trust.app.test_client(), trust.token(role), trust.slug)


def _created(response, status=201) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def seed_trust(app) -> Seeded:
    with _on(date(2024, 5, 1)):
        trust = new_tenant(app, "Crawl NHS Foundation Trust", roles=ROLES,
                           services=("Oak Day Centre", "Willow Ward", "Cedar Crisis House"))
        apis = {role: _api(trust, role) for role in ("admin", "staff", "service_user", "facilitator")}
    oak, willow = trust.services["Oak Day Centre"], trust.services["Willow Ward"]
    seeded = Seeded(trust)
    _health_checks(apis["staff"], oak, willow)
    _levels(apis["staff"], oak, willow)
    _indicators(trust, apis, oak, seeded)
    _resources(apis["admin"], oak)
    admin = apis["admin"]
    with _on(date(2025, 3, 1)):
        _created(admin.patch(f"services/{trust.services['Cedar Crisis House']}", json={"archived": True}), 200)
        _also_in_another_trust(app, trust.people["admin"])
    _password_link(trust, seeded)
    return seeded


def _password_link(trust: TenantFixture, seeded: Seeded) -> None:
    """A new member e-mailed a link to set their password, today (so it has not expired when crawled)."""
    import secrets

    from core import commands

    with trust.context():
        user = commands.create_user(f"link-{trust.slug}@example.nhs.uk", "Lee Link", secrets.token_urlsafe(32))
        commands.add_member(user, "service_user")
        _, seeded.password_link = commands.issue_password_link(user, 3)


def _also_in_another_trust(app, person) -> None:
    """The admin is a viewer of a second Trust too, so signing in asks which Trust to open."""
    from core import commands
    from core.models import User

    other = new_tenant(app, "Neighbouring NHS Trust", roles=(), services=())
    with other.context() as session:
        commands.add_member(session.get(User, person.user_id), "viewer")


def _health_checks(staff: ApiClient, oak: int, willow: int) -> None:
    with _on(date(2024, 6, 20)):
        first = _created(staff.post("healthcheck/reviews", json={
            "service_id": oak, "submit": True, **complete_review("2024-06-12", attendance=3, chair="staff")}))
    with _on(date(2024, 7, 3)):
        _created(staff.post(f"healthcheck/reviews/{first['id']}/sharing", json={
            "shared_on": "2024-07-01", "service_user_views": "They want to set the agenda together."}), 200)
    with _on(date(2025, 1, 20)):
        second = _created(staff.post("healthcheck/reviews", json={
            "service_id": oak, "submit": True,
            **complete_review("2025-01-15", attendance=6, chair="service_user", speaks_more="about_equal")}))
    with _on(date(2025, 1, 22)):
        _created(staff.post(f"healthcheck/reviews/{second['id']}/amendments", json={
            "changes": {"answers": {"q5": {"attendance": 7}}}, "reason": "Counted the sign-in sheet again"}))
    with _on(date(2025, 2, 3)):
        _created(staff.post("healthcheck/reviews", json={
            "service_id": willow, "held_on": "2025-02-01",
            "answers": {"q2": {"frequency": "weekly", "text": "Every Tuesday after lunch"}}}))


def _levels(staff: ApiClient, oak: int, willow: int) -> None:
    with _on(date(2024, 6, 25)):
        _created(staff.post("levels/assessments", json={
            "service_id": oak, "submit": True,
            **complete_assessment("2024-06-24", individual=(1, 3), care_setting=(2, 3), policy=(1, 2))}))
    with _on(date(2025, 1, 28)):
        _created(staff.post("levels/assessments", json={
            "service_id": oak, "submit": True,
            **complete_assessment("2025-01-27", individual=(3, 4), care_setting=(2, 4), policy=(2, 3))}))
    with _on(date(2025, 2, 4)):
        _created(staff.post("levels/assessments", json={
            "service_id": willow, "areas": {"individual": {"current": 2}}}))


def _indicators(trust: TenantFixture, apis: dict, oak: int, seeded: Seeded) -> None:
    from plugins.indicators import commands as indicators

    staff, service_user, facilitator = apis["staff"], apis["service_user"], apis["facilitator"]
    with _on(date(2024, 9, 2)):
        round_id = _created(staff.post("indicators/rounds", json={"service_id": oak, "title": "Autumn round"}))["id"]
        _created(service_user.post(f"indicators/rounds/{round_id}/responses", json={"answers": answers()}))
        _created(staff.post(f"indicators/rounds/{round_id}/responses",
                            json={"answers": answers(individual="partly_met", service="met")}))
        with trust.context() as session:
            round_ = indicators.round_by_id(round_id)
            invitation, _ = indicators.create_invitation(round_, "service_users", label="Autumn drop-in")
            with acting_as(f"invitation:{invitation.id}"):
                indicators.send_response(round_, "service_users", answers(individual="not_met", words=False),
                                         invitation=invitation)
    with _on(date(2024, 9, 20)):
        _created(facilitator.post(f"indicators/rounds/{round_id}/sharing", json={
            "shared_on": "2024-09-19", "setting": "special_event", "chaired_by": "external_user_facilitator",
            "chair_name": "Jo", "notes": "Ten ideas came up; two were agreed."}))
        target_id = _created(facilitator.post(f"indicators/rounds/{round_id}/targets",
                                              json=target("valuing", review_on=date(2024, 12, 2))))["id"]
        _created(facilitator.post(f"indicators/rounds/{round_id}/targets",
                                  json=target("listening", review_on=date(2025, 6, 2),
                                              change="Minutes of the user meeting on the notice board")))
    with _on(date(2024, 12, 3)):
        _created(staff.post(f"indicators/rounds/{round_id}/targets/{target_id}/review", json={
            "happened": "yes", "outcomes": "New people feel welcome.", "working_together": "We learnt a lot.",
            "build_on": "Buddies on the ward too."}))
    with _on(date(2025, 3, 3)):
        open_round = _created(staff.post("indicators/rounds", json={"service_id": oak, "title": "Spring round"}))
        with trust.context() as session:
            round_ = indicators.round_by_id(open_round["id"])
            for group, label in (("service_users", "Spring drop-in"), ("staff", "Staff meeting")):
                _, token = indicators.create_invitation(round_, group, label=label)
                seeded.invitation_tokens.append(token)


def _resources(admin: ApiClient, oak: int) -> None:
    with _on(date(2024, 5, 2)):
        _created(admin.post("resources/resources", json={**A_RESOURCE, "service_ids": [oak],
                                                         "tags": ["user-led", "advocacy"]}))
        old = _created(admin.post("resources/resources", json={
            "name": "Tuesday walking group", "scope": "local", "description": "A walk round the park, then tea.",
            "phone": "0121 496 0001"}))
    with _on(date(2025, 2, 10)):
        _created(admin.post(f"resources/resources/{old['id']}/archive"), 200)
