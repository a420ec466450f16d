"""A realistic installation for the benchmarks: Trusts x services x years of history.

Everything goes through the real ``record()`` path, by the same command
functions the pages and the API call, so the log, the live tables and the
history tables are exactly what years of real use would leave. Each step is
back-dated: ``recording_at`` stamps its events, and the exercises carry their
own past days (``held_on``, ``assessed_on``, ``shared_on``...). A step whose
rule only makes sense for someone typing today (a target's review date "must be
in the future") runs with the clock moved to that moment instead.

Per service and year: two health checks (a draft, a save, the submission, the
sharing meeting; one in four amended later), a levels assessment, and an
indicators round with about 10 staff and 20 service-user answers, the views
shared, two targets agreed and reviewed. Each Trust adds local resources and
edits a few of them every year.

Run ``python bench/generate.py`` (``BENCH_SCALE=small`` for a quick run, or
``BENCH_TRUSTS``, ``BENCH_SERVICES``, ``BENCH_YEARS``); ``make bench`` uses it.
"""
from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import click
import time_machine
from sqlalchemy import func, select, text

from core import commands as core_commands
from core.db import db
from core.events import Event, acting_as, recording_at
from core.tenancy import tenant_context

PASSWORD = "bench password 2026"


@dataclass(frozen=True)
class Scale:
    trusts: int
    services: int
    years: int

    def words(self) -> str:
        return f"{self.trusts} Trusts x {self.services} services x {self.years} years"


# The target is 50 x 40 x 10 (millions of events); through record() on a shared
# two-core machine that takes hours, so the default is a scale that finishes in minutes.
SCALES = {"small": Scale(1, 2, 10), "default": Scale(2, 6, 10), "full": Scale(50, 40, 10)}


def scale_from_env() -> Scale:
    base = SCALES.get(os.environ.get("BENCH_SCALE", "default"), SCALES["default"])
    return Scale(int(os.environ.get("BENCH_TRUSTS", base.trusts)),
                 int(os.environ.get("BENCH_SERVICES", base.services)),
                 int(os.environ.get("BENCH_YEARS", base.years)))


@dataclass
class Trust:
    """What the benchmarks need to know about a generated Trust."""

    id: int
    slug: str
    service_ids: list[int]
    admin_email: str
    events: int = 0


@dataclass(order=True)
class Step:
    moment: datetime
    order: int
    run: Callable[[], None] = field(compare=False)
    travel: bool = field(default=False, compare=False)  # move the clock too (rules about "today")


KINDS = ("day_centre", "inpatient_ward", "assertive_outreach", "community_team", "crisis_team")
INDICATOR_KEYS = ("valuing", "listening", "learning", "engaging", "working_with", "connecting", "involving")


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)


class TrustHistory:
    """The steps of one Trust's history, built up front and then run in time order."""

    def __init__(self, slug: str, services: int, start: date, end: datetime, rng: random.Random):
        self.slug, self.services, self.start, self.end, self.rng = slug, services, start, end, rng
        self.steps: list[Step] = []
        self.state: dict = {}  # ids made by earlier steps, for later ones
        self.trust: Trust | None = None

    # --- planning ------------------------------------------------------------------------

    def add(self, moment: datetime, run: Callable[[], None], travel: bool = False) -> None:
        if moment <= self.end:
            self.steps.append(Step(moment, len(self.steps), run, travel))

    def plan(self) -> list[Step]:
        self.add(_at(self.start, 8), self._set_up)
        for n in range(self.services):
            self._plan_service(n)
        self._plan_resources()
        return sorted(self.steps)

    def _plan_service(self, n: int) -> None:
        if (self.end.date() - self.start).days < 365:
            self._plan_short_service(n)
            return
        year = 0
        while True:
            begins = self.start + timedelta(days=365 * year)
            if _at(begins) > self.end:
                break
            self._plan_health_check(n, year, 0, begins + timedelta(days=5))
            self._plan_health_check(n, year, 1, begins + timedelta(days=182))
            self._plan_assessment(n, year, begins + timedelta(days=8))
            self._plan_round(n, year, begins + timedelta(days=10))
            year += 1

    def _plan_short_service(self, n: int) -> None:
        """Under a year: each exercise twice in quick succession, so the present report shows
        what a long history's does (a previous health check and assessment to compare with)."""
        self._plan_health_check(n, 0, 0, self.start + timedelta(days=2))
        self._plan_assessment(n, 0, self.start + timedelta(days=3))
        self._plan_health_check(n, 1, 1, self.start + timedelta(days=4))
        self._plan_assessment(n, 1, self.start + timedelta(days=5))
        self._plan_round(n, 0, self.start + timedelta(days=6))

    def _plan_health_check(self, n: int, year: int, half: int, held_on: date) -> None:
        key = ("review", n, year, half)
        # some are typed in weeks after the meeting (when there is time for that before now)
        late = self.rng.random() < 0.15 and (self.end.date() - held_on).days > 90
        typed = held_on + timedelta(days=self.rng.randint(30, 60) if late else 1)
        self.add(_at(typed, 9, n % 60), lambda: self._start_review(key, n, year, half, held_on))
        self.add(_at(typed, 15, n % 60), lambda: self._save_review(key, year))
        self.add(_at(typed + timedelta(days=2), 11, n % 60), lambda: self._submit_review(key))
        shared_on = typed + timedelta(days=14)
        self.add(_at(shared_on, 16, n % 60), lambda: self._share_review(key, shared_on))
        if self.rng.random() < 0.25:
            self.add(_at(shared_on + timedelta(days=30), 10, n % 60), lambda: self._amend_review(key, year))

    def _plan_assessment(self, n: int, year: int, assessed_on: date) -> None:
        self.add(_at(assessed_on, 14, n % 60), lambda: self._assess(n, year, assessed_on))

    def _plan_round(self, n: int, year: int, started: date) -> None:
        key = ("round", n, year)
        self.add(_at(started, 9, n % 60), lambda: self._start_round(key, n, year))
        for person in range(30):
            group = "staff" if person < 10 else "service_users"
            day = started + timedelta(days=1 + person % 10)
            self.add(_at(day, 10 + person % 8, (n + person) % 60), lambda g=group: self._respond(key, g))
        shared_on = started + timedelta(days=12)
        self.add(_at(shared_on, 17, n % 60), lambda: self._share_views(key, shared_on))
        review_on = shared_on + timedelta(days=180)
        for t in range(2):
            self.add(_at(shared_on + timedelta(days=1), 10 + t, n % 60),
                     lambda t=t: self._agree_target(key, t, review_on), travel=True)
            self.add(_at(review_on + timedelta(days=t), 11, n % 60), lambda t=t: self._review_target(key, t))

    def _plan_resources(self) -> None:
        for r in range(3):
            self.add(_at(self.start + timedelta(days=2), 12, r), lambda r=r: self._add_resource(r))
        day = self.start + timedelta(days=40)
        while _at(day) <= self.end:
            self.add(_at(day, 13), self._edit_resource)
            day += timedelta(days=self.rng.randint(120, 240))

    # --- the steps: each calls the plugins' own commands ----------------------------------

    def _set_up(self) -> None:
        tenant = core_commands.create_tenant(self.slug, f"{self.slug.replace('-', ' ').title()} NHS Trust")
        email = f"admin@{self.slug}.bench.example"
        with tenant_context(tenant.id):
            user = core_commands.user_by_email(email) or core_commands.create_user(email, "Bench admin", PASSWORD)
            core_commands.add_member(user, "admin")
            services = [core_commands.create_service(f"{KINDS[n % len(KINDS)].replace('_', ' ').title()} {n + 1}",
                                                     KINDS[n % len(KINDS)], f"Service {n + 1} of {self.slug}")
                        for n in range(self.services)]
        self.trust = Trust(tenant.id, self.slug, [s.id for s in services], email)
        self.state["actor"] = f"user:{user.id}"

    def _service(self, n: int) -> int:
        return self.trust.service_ids[n]

    def _review_values(self, year: int, half: int, held_on: date) -> dict:
        from plugins.healthcheck.answers import HealthCheckContentSchema, flatten

        rng = self.rng
        better = min(year / 8, 1.0)  # the group grows into itself over the years
        content = {
            "held_on": held_on.isoformat(), "staff_count": rng.randint(1, 4),
            "service_user_count": rng.randint(3, 12), "has_user_group": True,
            "participant_roles": "The manager, two nurses and members of the user group",
            "answers": {
                "q1": {"run_by": "jointly" if rng.random() < better else "staff", "text": "We share the running."},
                "q2": {"frequency": rng.choice(["monthly", "fortnightly", "weekly"]), "time_set_by": "jointly"},
                "q3": {"find_out": ["posters", "staff_tell_them"]},
                "q4": {"encouraged_by": "both" if rng.random() < better else "staff"},
                "q5": {"attendance": rng.randint(3, 20), "diversity": rng.choice(["yes", "partly", "no"])},
                "q6": {"staff_attendance": "some_of_the_time"},
                "q7": {"chair": "service_user" if rng.random() < better else "staff", "chair_chosen_by": "jointly"},
                "q8": {"agenda": "staff_and_service_users" if rng.random() < better else "set_by_staff"},
                "q9": {"speaks_more": rng.choice(["service_users", "about_equal", "staff"])},
                "q10": {"enjoyable": rng.choice(["yes", "partly"]), "comfortable": rng.choice(["yes", "partly", "no"])},
                "q11": {"comfort_break": rng.choice(["yes", "no"])},
                "q12": {"text": "Issues come from the suggestions box."},
                "q13": {"told_by": ["minutes", "next_meeting"]},
                "q14": {"changes": [f"Change {year}.{half}.{i}" for i in range(rng.randint(0, 3))]},
            },
            "agreed_changes": [f"Agreed change {year}.{half}"],
        }
        return flatten(HealthCheckContentSchema().load(content))

    def _start_review(self, key, n, year, half, held_on) -> None:
        from plugins.healthcheck import commands

        values = self._review_values(year, half, held_on)
        first = {k: v for k, v in values.items() if k.startswith(("held_on", "staff", "service_user", "q1", "q2"))}
        self.state[key] = commands.start_review(self._service(n), first).id
        self.state[key, "values"] = values

    def _save_review(self, key, year) -> None:
        from plugins.healthcheck import commands

        commands.save_draft(commands.review_by_id(self.state[key]), self.state[key, "values"])

    def _submit_review(self, key) -> None:
        from plugins.healthcheck import commands

        commands.submit_review(commands.review_by_id(self.state[key]))

    def _share_review(self, key, shared_on: date) -> None:
        from plugins.healthcheck import commands

        commands.record_sharing(commands.review_by_id(self.state[key]),
                                {"shared_on": shared_on.isoformat(), "service_user_views": "They agreed."})

    def _amend_review(self, key, year) -> None:
        from plugins.healthcheck import commands

        review = commands.review_by_id(self.state[key])
        attendance = (review.content().get("q5_attendance") or 0) + 1
        commands.amend_review(review, {"q5_attendance": attendance}, "The register was counted again.")

    def _assess(self, n: int, year: int, assessed_on: date) -> None:
        from plugins.levels import commands
        from plugins.levels.answers import LevelsContentSchema, flatten

        areas = {}
        for i, area in enumerate(("individual", "care_setting", "policy")):
            current = max(1, min(5, 1 + (year + i + n) // 3 - (1 if self.rng.random() < 0.2 else 0)))
            areas[area] = {"current": current, "aim": min(5, current + 1),
                           "achieved": f"What {area} achieved in year {year + 1}.",
                           "planned": f"What {area} plans next."}
        content = {"assessed_on": assessed_on.isoformat(), "participants": "The team and the user group",
                   "areas": areas}
        commands.start_assessment(self._service(n), flatten(LevelsContentSchema().load(content)), submit=True)

    def _start_round(self, key, n, year) -> None:
        from plugins.indicators import commands

        round_ = commands.start_round(self._service(n), f"Round {year + 1}")
        links = {group: commands.create_invitation(round_, group, label=f"{group} link")[0].id
                 for group in ("staff", "service_users")}
        self.state[key] = (round_.id, links)

    def _respond(self, key, group: str) -> None:
        from plugins.indicators import commands
        from plugins.indicators.models import Invitation

        round_id, links = self.state[key]
        answers = {}
        for indicator in INDICATOR_KEYS:
            answers[indicator] = {level: self.rng.choice(("met", "partly_met", "partly_met", "not_met", "dont_know"))
                                  for level in ("individual", "service")}
            if self.rng.random() < 0.3:
                answers[indicator]["how"] = f"Something about {indicator}."
        invitation = db.session.get(Invitation, links[group])
        commands.send_response(commands.round_by_id(round_id), group, answers, invitation=invitation)

    def _share_views(self, key, shared_on: date) -> None:
        from plugins.indicators import commands

        round_ = commands.round_by_id(self.state[key][0])
        commands.share_views(round_, shared_on, "user_meeting", "service_user", "A member of the user group",
                             "Both groups talked about their views.")

    def _agree_target(self, key, t: int, review_on: date) -> None:
        from plugins.indicators import commands

        round_ = commands.round_by_id(self.state[key][0])
        target = commands.agree_target(round_, INDICATOR_KEYS[(t * 3 + round_.id) % 7],
                                       f"Change {t + 1} of the round", "Take part in planning it",
                                       "Make time for it", review_on, agreed_for_service_users="The user group",
                                       agreed_for_staff="The team manager")
        self.state[key, t] = target.id

    def _review_target(self, key, t: int) -> None:
        from plugins.indicators import commands

        round_ = commands.round_by_id(self.state[key][0])
        target = commands.target_by_id(round_, self.state[key, t])
        commands.review_target(target, round_, self.rng.choice(("yes", "partly", "no")), "Some of it happened.")

    def _add_resource(self, r: int) -> None:
        from plugins.resources import commands

        resource = commands.add_resource({
            "name": f"Local forum {r + 1}", "scope": "local", "description": "Service users meet monthly.",
            "website": f"https://forum{r + 1}.{self.slug}.example.org", "tags": "user-led, advocacy",
            "service_ids": self.trust.service_ids[:1] if r == 0 else []})
        self.state.setdefault("resources", []).append(resource.id)

    def _edit_resource(self) -> None:
        from plugins.resources import commands

        resource = commands.resource_by_id(self.rng.choice(self.state["resources"]))
        commands.change_resource(resource, {"description": f"Meets monthly; edited {self.rng.randint(1, 10**6)}."})

    # --- running -----------------------------------------------------------------------------

    def run(self, step: Step) -> None:
        """One step, as its own transaction, stamped with its moment."""
        tenant_id = self.trust.id if self.trust else None
        with acting_as(self.state.get("actor", "cli")), recording_at(step.moment):
            if step.travel:
                with time_machine.travel(step.moment, tick=False):
                    self._in_tenant(tenant_id, step)
            else:
                self._in_tenant(tenant_id, step)

    def _in_tenant(self, tenant_id, step: Step) -> None:
        if tenant_id is None:
            step.run()
        else:
            with tenant_context(tenant_id):
                step.run()


def build(slugs_and_spans: list[tuple[str, int, date]], *, seed: int = 7, label: str = "Generating",
          show: bool = True) -> list[Trust]:
    """Build Trusts (slug, services, first day) up to now. Call inside an app context.

    Returns the Trusts with the number of events each has. Shows a progress bar
    and prints events per second unless ``show`` is False.
    """
    end = datetime.now(timezone.utc) - timedelta(hours=1)
    rng = random.Random(seed)
    histories = [TrustHistory(slug, services, start, end, rng) for slug, services, start in slugs_and_spans]
    plans = [(h, h.plan()) for h in histories]
    total = sum(len(steps) for _, steps in plans)
    began = time.perf_counter()
    bar = click.progressbar(length=total, label=label, show_eta=True, show_pos=True) if show else nullcontext()
    with bar as progress:
        for history, steps in plans:
            for done, step in enumerate(steps, 1):
                history.run(step)
                if done % 50 == 0:
                    db.session.commit()
                    if progress is not None:
                        progress.update(50)
            db.session.commit()
            if progress is not None:
                progress.update(len(steps) % 50)
    elapsed = time.perf_counter() - began
    trusts = [h.trust for h in histories]
    for trust in trusts:
        with tenant_context(trust.id):
            trust.events = db.session.scalar(select(func.count(Event.id)))
    if show:
        events = sum(t.events for t in trusts)
        click.echo(f"Recorded {events:,} events in {elapsed:.1f} s: {events / elapsed:,.0f} events per second "
                   f"through record().")
    return trusts


def years_ago(years: float) -> date:
    return (datetime.now(timezone.utc) - timedelta(days=round(365 * years) + 1)).date()


def installation(scale: Scale, show: bool = True) -> tuple[list[Trust], Trust]:
    """The benchmark's installation: ``scale`` Trusts with ``years`` of history, and one Trust with a month.

    The one-month Trust has as many services as the others, so "history does
    not slow the present" compares like with like in the same database.
    """
    spans = [(f"bench-{i + 1}", scale.services, years_ago(scale.years)) for i in range(scale.trusts)]
    spans.append(("bench-month", scale.services, years_ago(31 / 365)))
    trusts = build(spans, show=show)
    settle()
    return trusts[:-1], trusts[-1]


def settle() -> None:
    """PostgreSQL: vacuum and analyse the tables just filled, as autovacuum soon would in a running
    installation, so that no figure is measured while the database catches up with a bulk load."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        tables = connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
        for table in tables.scalars().all():
            connection.execute(text(f'VACUUM (ANALYZE) "{table}"'))


@click.command()
@click.option("--database-url", envvar="BENCH_DATABASE_URL", default=None,
              help="Where to build it (default: a SQLite file bench-data.db here).")
def main(database_url: str | None) -> None:
    """Build a benchmark installation and say what is in it."""
    from core import create_app, migrate

    scale = scale_from_env()
    url = database_url or f"sqlite:///{os.path.abspath('bench-data.db')}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        migrate.upgrade()
        click.echo(f"Building {scale.words()} (and one Trust with a month of history) in {url}")
        trusts, month = installation(scale)
        for trust in [*trusts, month]:
            click.echo(f"  {trust.slug}: {len(trust.service_ids)} services, {trust.events:,} events")
    sys.exit(0)


if __name__ == "__main__":
    main()
