"""E-mail reminders: sent through a real SMTP server, once each, to the people who can act."""
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from core.events import Event
from core.models import Membership, SentReminder
from core.testing import Inbox, at_once, free_port, mail_server
from plugins.healthcheck.tests.helpers import complete
from plugins.indicators import commands as indicators
from plugins.indicators.tests.helpers import shared_round

HELD_ON = date(2025, 1, 15)
DUE_ON = date(2025, 7, 15)  # six months later
CONTRIBUTORS = {"admin", "staff", "service_user", "facilitator"}  # a viewer only reads


@pytest.fixture
def inbox():
    with mail_server() as box:
        yield box


def send(tenant, day: date, mail_url: str | None):
    app = tenant.app
    app.config["MAIL_URL"] = mail_url
    try:
        return app.test_cli_runner().invoke(args=["reminders", "send", "--tenant", tenant.slug,
                                                  "--today", day.isoformat()])
    finally:
        app.config["MAIL_URL"] = None


def emails_of(tenant, roles) -> list[str]:
    return sorted(tenant.people[role].email for role in roles)


@pytest.fixture
def reviewed(tenant, api_client):
    oak = tenant.services["Oak Day Centre"]
    made = api_client("staff").post("healthcheck/reviews", json={"service_id": oak, "submit": True, **complete()})
    assert made.status_code == 201, made.json
    return tenant


def test_a_health_check_due_is_mailed_once_at_each_stage(reviewed, inbox):
    tenant = reviewed
    early = send(tenant, DUE_ON - timedelta(days=20), inbox.url)
    assert early.exit_code == 0, early.output
    assert inbox.messages == []  # nothing is due yet

    result = send(tenant, DUE_ON - timedelta(days=14), inbox.url)
    assert result.exit_code == 0, result.output
    assert inbox.to() == emails_of(tenant, CONTRIBUTORS), result.output
    assert "Sent 4 reminders to 4 people in 1 Trust." in result.output
    body = inbox.bodies()[0]
    assert "Oak Day Centre" in body and "is due on 15 July 2025 (in 14 days)" in body
    assert f"/t/{tenant.slug}/healthcheck/services/{tenant.services['Oak Day Centre']}" in body
    assert f"/t/{tenant.slug}/account/reminders" in body  # how to switch them off

    assert send(tenant, DUE_ON - timedelta(days=10), inbox.url).exit_code == 0
    assert len(inbox.messages) == 4  # run again: nothing twice
    assert send(tenant, DUE_ON - timedelta(days=2), inbox.url).exit_code == 0
    assert len(inbox.messages) == 8  # two days before
    assert send(tenant, DUE_ON + timedelta(days=1), inbox.url).exit_code == 0
    assert send(tenant, DUE_ON + timedelta(days=30), inbox.url).exit_code == 0
    assert len(inbox.messages) == 12  # once overdue, and only once
    with tenant.context():
        assert db.session.scalar(select(func.count()).select_from(Event)
                                 .where(Event.type == "reminder.sent")) == 12


def test_switched_off_no_reminder_comes(reviewed, inbox, signed_in):
    tenant = reviewed
    staff = signed_in("staff")
    page = staff.get(f"/t/{tenant.slug}/account/reminders")
    assert page.status_code == 200 and "Do you want e-mail reminders?" in page.get_data(as_text=True)
    assert staff.post(f"/t/{tenant.slug}/account/reminders", data={"reminders": "maybe"}).status_code == 422
    switched = staff.post(f"/t/{tenant.slug}/account/reminders", data={"reminders": "off"})
    assert switched.status_code == 302
    with tenant.context():
        assert db.session.get(Membership, tenant.people["staff"].membership_id).reminders is False
        assert db.session.scalar(select(Event.type).order_by(Event.seq.desc()).limit(1)) == "member.reminders_set"

    assert send(tenant, DUE_ON - timedelta(days=14), inbox.url).exit_code == 0
    assert inbox.to() == emails_of(tenant, CONTRIBUTORS - {"staff"})


def test_a_mail_server_that_is_down_loses_nothing(reviewed, inbox):
    tenant = reviewed
    down = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    result = send(tenant, DUE_ON - timedelta(days=14), down)
    assert result.exit_code == 1
    assert "FAILED: 4 could not be sent" in result.output and "tried again on the next run" in result.output
    with tenant.context():
        assert db.session.scalar(select(func.count()).select_from(SentReminder)) == 0
    assert send(tenant, DUE_ON - timedelta(days=13), inbox.url).exit_code == 0
    assert inbox.to() == emails_of(tenant, CONTRIBUTORS)  # the next run sends them


def test_without_a_mail_server_it_says_what_it_would_send(reviewed):
    result = send(reviewed, DUE_ON - timedelta(days=14), None)
    assert result.exit_code == 0, result.output
    assert "MAIL_URL is not set, so nothing is sent" in result.output
    assert "would send to" in result.output and "4 reminders would have been sent, in 1 Trust." in result.output
    with reviewed.context():
        assert db.session.scalar(select(func.count()).select_from(SentReminder)) == 0


def test_two_runs_at_once_send_each_reminder_once(reviewed, inbox):
    tenant = reviewed
    results = at_once([lambda: send(tenant, DUE_ON - timedelta(days=14), inbox.url) for _ in range(4)])
    assert all(r.exit_code == 0 for r in results), [getattr(r, "output", r) for r in results]
    assert inbox.to() == emails_of(tenant, CONTRIBUTORS)


def test_a_target_review_reminds_both_groups(tenant, api_client, inbox):
    round_id = shared_round(tenant, api_client)
    review_on = date.today() + timedelta(days=40)
    with tenant.context():
        indicators.agree_target(indicators.round_by_id(round_id), "listening", "A suggestions box",
                                "Use it", "Read it weekly", review_on, agreed_for_service_users="Sam",
                                agreed_for_staff="Priya")
    assert send(tenant, review_on - timedelta(days=14), inbox.url).exit_code == 0
    assert inbox.to() == emails_of(tenant, CONTRIBUTORS)  # the review is joint
    assert "Listening" in inbox.bodies()[0] and "The review of the target" in inbox.bodies()[0]


def test_an_unknown_day_or_trust_is_refused_plainly(tenant):
    runner = tenant.app.test_cli_runner()
    bad_day = runner.invoke(args=["reminders", "send", "--today", "2025-02-31"])
    assert bad_day.exit_code != 0 and "Could not start" in bad_day.output
    unknown = runner.invoke(args=["reminders", "send", "--tenant", "no-such-trust"])
    assert unknown.exit_code != 0 and "Traceback" not in unknown.output


def test_every_trust_gets_its_own_sections_reminders(fresh_app, make_tenant, api_client, inbox):
    """Without --tenant: each Trust in turn, with the sections that Trust has switched on."""
    from core import commands
    from core.models import Tenant
    from core.testing import ApiClient

    quiet = make_tenant(name="A Trust without health checks", target_app=fresh_app)
    busy = make_tenant(name="Busy Trust", target_app=fresh_app)
    for trust in (quiet, busy):
        oak = trust.services["Oak Day Centre"]
        api = ApiClient(fresh_app.test_client(), trust.token("staff"), trust.slug)
        assert api.post("healthcheck/reviews", json={"service_id": oak, "submit": True, **complete()}).status_code == 201
    with quiet.context() as session:
        commands.disable_plugin(session.get(Tenant, quiet.id), "healthcheck")
    fresh_app.config["MAIL_URL"] = inbox.url
    result = fresh_app.test_cli_runner().invoke(args=["reminders", "send", "--today",
                                                      (DUE_ON - timedelta(days=14)).isoformat()])
    assert result.exit_code == 0, result.output
    assert inbox.to() == emails_of(busy, CONTRIBUTORS)
    assert "in 2 Trusts" in result.output


class SlowInbox(Inbox):
    """A mail server that holds each message until told to let it go."""

    def __init__(self):
        super().__init__()
        self.arrived, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.arrived.set()
        self.release.wait(60)
        return await super().handle_DATA(server, session, envelope)


def test_a_slow_mail_server_does_not_hold_up_the_trusts_writers(reviewed, api_client):
    with reviewed.app.app_context():
        engine = db.engine.dialect.name
    if engine != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time, so there every writer waits its turn")
    with mail_server(SlowInbox()) as box:
        _send_while_the_mail_server_waits(reviewed, api_client, box)
    assert len(box.messages) == 4  # and every reminder still went, once


def _send_while_the_mail_server_waits(reviewed, api_client, box):
    sending = threading.Thread(target=send, args=(reviewed, DUE_ON - timedelta(days=14), box.url))
    sending.start()
    try:
        assert box.arrived.wait(60), "the reminder never reached the mail server"
        added = []
        writer = threading.Thread(target=lambda: added.append(
            api_client("admin").post("services", json={"name": "Elm Ward", "kind": "inpatient_ward"}).status_code))
        writer.start()
        writer.join(30)
        assert not writer.is_alive() and added == [201], "a writer waited for the mail server"
    finally:
        box.release.set()
        sending.join(60)


def test_a_round_waiting_on_a_step_for_more_than_30_days_is_mailed_once_per_step(tenant, api_client, inbox):
    from plugins.indicators.tests.helpers import answered_round

    round_id = answered_round(tenant, api_client)  # both groups answered: step 2 can start today
    today = date.today()
    assert send(tenant, today + timedelta(days=30), inbox.url).exit_code == 0
    assert inbox.messages == []  # 30 days is not yet "more than 30"
    assert send(tenant, today + timedelta(days=31), inbox.url).exit_code == 0
    staff_side = emails_of(tenant, {"admin", "staff", "facilitator"})
    assert inbox.to() == staff_side
    assert "has been on step 2 (share your views) since" in inbox.bodies()[0]
    assert f"/indicators/rounds/{round_id}" in inbox.bodies()[0]
    assert send(tenant, today + timedelta(days=60), inbox.url).exit_code == 0
    assert inbox.to() == staff_side  # the same step: not again

    shared = api_client("facilitator").post(f"indicators/rounds/{round_id}/sharing", json={
        "shared_on": today.isoformat(), "setting": "special_event", "chaired_by": "external_user_facilitator",
        "chair_name": "Jo", "notes": "Ideas came up."})
    assert shared.status_code == 201, shared.json
    assert send(tenant, today + timedelta(days=31), inbox.url).exit_code == 0
    assert len(inbox.to()) == 2 * len(staff_side)  # now waiting on step 3: one reminder for that step
    assert "has been on step 3 (agree targets for change)" in inbox.bodies()[-1]
