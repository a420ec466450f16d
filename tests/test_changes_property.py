"""Over a generated history, the changes between any two dates are the difference of the two dates' reports.

A seeded random history runs through every section's API at travelled
moments (health checks and assessments typed in after the day they were held,
a round of the indicators through its four steps, resources added and retired,
services renamed and archived). Then for random pairs of dates the changes
API is checked against the report API at both dates: the expected changes are
worked out here from the reports' fragment data, not by the code that lists
the changes.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from core import commands
from core.models import Membership, Service
from core.testing import ApiClient
from plugins.healthcheck.questions import FREQUENCY_ORDER, KEY_ANSWERS
from plugins.healthcheck.tests.helpers import complete as health_check
from plugins.indicators.indicators import INDICATORS
from plugins.levels.tests.helpers import complete as assessment

SEED = 20250607
START = date(2024, 1, 8)
CHANGES = ["A welcome pack", "Tea at every meeting", "Service users take turns to chair", "A buddy scheme",
           "Meet in the evening"]
CHOICES = ("met", "partly_met", "not_met", "dont_know")
PAIRS = 14


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc), tick=False)


class History:
    """Random but valid steps through every section, on random days, remembering what is allowed next."""

    def __init__(self, trust, rng: random.Random):
        self.trust, self.rng = trust, rng
        self.services = [trust.services["Oak Day Centre"], trust.services["Willow Ward"]]
        self.admin = self.member("admin")
        self.reviews: dict[int, list] = {sid: [] for sid in self.services}  # (id, agreed, shared)
        self.rounds: dict[int, dict] = {}
        self.resources: list[int] = []
        self.archived = False

    def open_services(self) -> list[int]:
        return self.services[:1] if self.archived else self.services

    def member(self, role: str) -> ApiClient:
        person = self.trust.add_person(role)
        with self.trust.context() as session:
            _, token = commands.create_token(session.get(Membership, person.membership_id), "history")
        return ApiClient(self.trust.app.test_client(), token, self.trust.slug)

    def ok(self, response, *codes):
        assert response.status_code in (codes or (200, 201)), response.json
        return response.json

    # --- one step each ------------------------------------------------------------------------

    def health_check(self, today: date):
        sid = self.rng.choice(self.open_services())
        held_on = max(START, today - timedelta(days=self.rng.randint(0, 20)))
        earlier = self.reviews[sid][-1][1] if self.reviews[sid] else []
        agreed = self.rng.sample(CHANGES, self.rng.randint(0, 3))
        made = [text for text in earlier if text not in agreed and self.rng.random() < 0.5]
        body = health_check(held_on.isoformat(), attendance=self.rng.randint(1, 9),
                            frequency=self.rng.choice(FREQUENCY_ORDER[:4]),
                            chair=self.rng.choice(("staff", "service_user")),
                            speaks_more=self.rng.choice(("staff", "service_users")), agreed_changes=agreed,
                            answers={"q14": {"changes": made or ["New chairs in the lounge"]}})
        review = self.ok(self.admin.post("healthcheck/reviews", json={"service_id": sid, "submit": True, **body}))
        self.reviews[sid].append((review["id"], agreed, False))

    def share_health_check(self, today: date):
        unshared = [(sid, r) for sid in self.open_services() for r in self.reviews[sid] if not r[2]]
        if not unshared:
            return self.health_check(today)
        sid, review = self.rng.choice(unshared)
        self.ok(self.admin.post(f"healthcheck/reviews/{review[0]}/sharing", json={"shared_on": today.isoformat()}))
        self.reviews[sid] = [(r[0], r[1], True) if r[0] == review[0] else r for r in self.reviews[sid]]

    def assessment(self, today: date):
        sid = self.rng.choice(self.open_services())
        day = max(START, today - timedelta(days=self.rng.randint(0, 20)))
        levels = {}
        for area in ("individual", "care_setting", "policy"):
            current = self.rng.randint(1, 5)
            levels[area] = (current, self.rng.randint(current, 5))
        self.ok(self.admin.post("levels/assessments", json={"service_id": sid, "submit": True,
                                                            **assessment(day.isoformat(), **levels)}))

    def indicators(self, today: date):
        sid = self.rng.choice(self.open_services())
        state = self.rounds.get(sid)
        if state is None:
            round_id = self.ok(self.admin.post("indicators/rounds", json={"service_id": sid}))["id"]
            self.rounds[sid] = {"id": round_id, "answered": set(), "shared": False, "targets": []}
            return
        rid = state["id"]
        if not state["shared"] and (self.rng.random() < 0.6 or len(state["answered"]) < 2):
            role = self.rng.choice(("service_user", "staff"))
            answers = {key: {"individual": self.rng.choice(CHOICES), "service": self.rng.choice(CHOICES)}
                       for key in INDICATORS}
            self.ok(self.member(role).post(f"indicators/rounds/{rid}/responses", json={"answers": answers}))
            state["answered"].add(role)
        elif not state["shared"] and state["answered"] == {"service_user", "staff"}:
            self.ok(self.admin.post(f"indicators/rounds/{rid}/sharing", json={
                "shared_on": today.isoformat(), "setting": "user_meeting", "chaired_by": "service_user"}))
            state["shared"] = True
        elif state["shared"]:
            due = [t for t in state["targets"] if not t["reviewed"] and t["review_on"] <= today]
            if due:
                target = self.rng.choice(due)
                self.ok(self.admin.post(f"indicators/rounds/{rid}/targets/{target['id']}/review", json={
                    "happened": self.rng.choice(("yes", "partly", "no")), "outcomes": "Some"}))
                target["reviewed"] = True
            elif len(state["targets"]) < 2:
                review_on = today + timedelta(days=self.rng.randint(5, 60))
                made = self.ok(self.admin.post(f"indicators/rounds/{rid}/targets", json={
                    "indicator": self.rng.choice(list(INDICATORS)), "change": "A welcome pack",
                    "service_users_do": "Write it", "staff_do": "Print it", "review_on": review_on.isoformat()}))
                state["targets"].append({"id": made["id"], "review_on": review_on, "reviewed": False})

    def resource(self, today: date):
        if self.resources and self.rng.random() < 0.35:
            retired = self.resources.pop(self.rng.randrange(len(self.resources)))
            self.ok(self.admin.post(f"resources/resources/{retired}/archive"))
            return
        where = self.rng.choice(([], *([sid] for sid in self.open_services())))
        made = self.ok(self.admin.post("resources/resources", json={
            "name": f"Group {len(self.resources)} {today.isoformat()}", "scope": self.rng.choice(("local", "national")),
            "service_ids": where, "website": "https://example.org"}))
        self.resources.append(made["id"])

    def service(self, today: date):
        with self.trust.context() as session:
            if self.rng.random() < 0.5:
                oak = session.get(Service, self.services[0])
                commands.update_service(oak, name=f"Oak {today.isoformat()}")
            else:
                self.archived = not self.archived
                commands.update_service(session.get(Service, self.services[1]), archived=self.archived)

    def run(self, days: list[date]):
        steps = [self.health_check, self.health_check, self.share_health_check, self.assessment, self.assessment,
                 self.indicators, self.indicators, self.indicators, self.indicators, self.indicators, self.resource, self.resource, self.service]
        for day in days:
            with at(day):
                self.rng.choice(steps)(day)


# --- the expected changes, from two reports' fragment data ----------------------------------------

def fragment(report: dict, plugin: str) -> dict:
    return next(f["data"] for f in report["fragments"] if f["plugin"] == plugin)


def expected_core(before: dict, after: dict) -> set:
    found = set()
    if before["name"] != after["name"]:
        found.add(("service_renamed", before["name"], after["name"]))
    if before["archived"] != after["archived"]:
        found.add(("service_archived" if after["archived"] else "service_restored",))
    return found


def expected_health(before: dict, after: dict) -> set:
    a, b = before["latest"], after["latest"]
    if b is None or (a is not None and a["id"] == b["id"]):
        found = set()
    elif a is None:
        found = {("first_review", b["held_on"])} | {("change_agreed", t) for t in after["agreed_changes"]}
    else:
        found = {("review", b["held_on"])}
        found |= {("answer", key, a["key_answers"][key], b["key_answers"][key])
                  for key in KEY_ANSWERS if a["key_answers"][key] != b["key_answers"][key]}
        found |= {("change_agreed", t) for t in after["agreed_changes"] if t not in before["agreed_changes"]}
        found |= {("change_open" if t in after["agreed_changes"] else "settled", t) for t in before["agreed_changes"]}
    if after["shared_on"] and (a is None or a["id"] != b["id"] or before["shared_on"] is None):
        found.add(("shared", after["shared_on"]))
    return found


def health_seen(changes: list[dict]) -> set:
    found = set()
    for c in changes:
        kind = c["kind"]
        if kind == "answer":
            if c["key"] in KEY_ANSWERS:
                found.add((kind, c["key"], c["from"], c["to"]))
        elif kind in ("change_made", "change_dropped"):
            found.add(("settled", c.get("to") or c.get("from")))
        elif kind in ("change_agreed", "change_open"):
            found.add((kind, c["to"]))
        else:
            found.add((kind, c["to"]))
    return found


def expected_levels(before: dict, after: dict) -> set:
    a, b = before["latest"], after["latest"]
    if b is None or (a is not None and a["id"] == b["id"]):
        return set()
    found = {("first_assessment" if a is None else "assessment", b["assessed_on"])}
    for area, now in b["levels"].items():
        then = a["levels"][area] if a else {"current": None, "aim": None}
        found |= {("level", area, part, then[part], now[part]) for part in ("current", "aim")
                  if then[part] != now[part]}
        if then["aim"] is not None and then["current"] is not None and then["current"] < then["aim"] \
                and now["current"] is not None and now["current"] >= then["aim"]:
            found.add(("aim_reached", area, then["aim"]))
    return found


def levels_seen(changes: list[dict]) -> set:
    shapes = {"level": ("area", "part", "from", "to"), "aim_reached": ("area", "aim")}
    return {(c["kind"], *(c[k] for k in shapes.get(c["kind"], ("to",)))) for c in changes}


NO_COUNTS = {"met": 0, "partly_met": 0, "not_met": 0, "dont_know": 0}


def _counts(entry: dict, level: str) -> dict:
    # A group with too few answers to show (service users below 3) reads as no answers.
    return entry.get(level) or dict(NO_COUNTS)


def expected_indicators(before: dict, after: dict) -> set:
    a, b = before["round"], after["round"]
    found = set()
    if b is None:
        return found
    new_round = a is None or a["id"] != b["id"]
    if new_round:
        found.add(("round_started",))
    if new_round or a["current_step"] != b["current_step"]:
        found.add(("step", b["current_step"]))
    earlier = {i["key"]: i["groups"] for i in before["indicators"]}
    for item in after["indicators"]:
        for group in after["groups_shown"]:
            now = {level: _counts(item["groups"][group], level) for level in ("individual", "service")}
            then_groups = earlier.get(item["key"], {})
            then = ({level: _counts(then_groups[group], level) for level in ("individual", "service")}
                    if group in then_groups else None)
            answered = any(any(counts.values()) for counts in now.values())
            if now != then and (then is not None or answered):
                found.add(("evaluation", item["key"], group))
    was = {t["id"]: t for t in before["targets"]}
    for target in after["targets"]:
        old = was.get(target["id"])
        if old is None:
            found.add(("target_agreed", target["id"]))
        if target["review_state"] == "reviewed" and (old is None or old["review_state"] != "reviewed"):
            found.add(({"yes": "target_achieved", "partly": "target_partly_achieved", "no": "target_missed"}
                       [target["happened"]], target["id"]))
        elif target["review_state"] == "overdue" and (old is None or old["review_state"] != "overdue"):
            found.add(("target_overdue", target["id"]))
    return found


def indicators_seen(changes: list[dict]) -> set:
    found = set()
    for c in changes:
        if c["kind"] == "round_started":
            found.add(("round_started",))
        elif c["kind"] == "step":
            found.add(("step", c["to"]))
        elif c["kind"] == "evaluation":
            found.add(("evaluation", c["indicator"], c["group"]))
        else:
            found.add((c["kind"], c["target_id"]))
    return found


def expected_resources(before: dict, after: dict) -> set:
    then = {r["id"] for r in before["resources"]}
    now = {r["id"] for r in after["resources"]}
    return {("resource_added", rid) for rid in now - then} | {("resource_retired", rid) for rid in then - now}


def resources_seen(changes: list[dict]) -> set:
    return {(c["kind"], c["resource_id"]) for c in changes}


def expected_services(before: dict, after: dict) -> set:
    then = {s["id"]: s for s in before["services"]}
    found = set()
    for service in after["services"]:
        old = then.get(service["id"])
        if old is None:
            found.add(("service_added", service["id"]))
            continue
        found |= {(kind[0], service["id"]) for kind in expected_core(old, service)}
    return found


@pytest.fixture
def generated(make_tenant):
    rng = random.Random(SEED)
    with at(START):
        trust = make_tenant(name="Generated Trust", roles=("viewer",))
    history = History(trust, rng)
    with at(START):
        viewer = history.member("viewer")
    days = sorted(rng.sample(range(1, 600), 60))
    history.run([START + timedelta(days=d) for d in days])
    last = START + timedelta(days=days[-1] + 30)
    return {"trust": trust, "history": history, "viewer": viewer, "last": last, "rng": rng}


def test_changes_are_the_difference_between_two_reports(generated):
    rng, viewer, history = generated["rng"], generated["viewer"], generated["history"]
    span_days = (generated["last"] - START).days
    seen_kinds = set()
    with at(generated["last"]):
        for _ in range(PAIRS):
            first, second = sorted(rng.sample(range(span_days + 1), 2))
            start, end = START + timedelta(days=first), START + timedelta(days=second)
            query = f"from={start}&to={end}"
            known = ""
            if rng.random() < 0.3:
                known_on = START + timedelta(days=rng.randint(first, span_days))
                query, known = f"{query}&known_on={known_on}", f"&known_on={known_on}"

            def report(path, day):
                answer = viewer.get(f"{path}?as_of={day}{known}")
                assert answer.status_code == 200, answer.json
                return answer.json

            for sid in history.services:
                body = viewer.get(f"services/{sid}/changes?{query}")
                assert body.status_code == 200, body.json
                sections = {s["plugin"]: s["changes"] for s in body.json["sections"]}
                before, after = report(f"services/{sid}/report", start), report(f"services/{sid}/report", end)
                seen_kinds |= {c["kind"] for changes in sections.values() for c in changes}
                assert all(isinstance(c["what"], str) and c["what"] for changes in sections.values() for c in changes)
                context = (sid, query)
                assert {(c["kind"], *((c["from"], c["to"]) if c["kind"] == "service_renamed" else ()))
                        for c in sections["core"]} == \
                    expected_core(fragment(before, "core")["service"], fragment(after, "core")["service"]), context
                assert health_seen(sections["healthcheck"]) == \
                    expected_health(fragment(before, "healthcheck"), fragment(after, "healthcheck")), context
                assert levels_seen(sections["levels"]) == \
                    expected_levels(fragment(before, "levels"), fragment(after, "levels")), context
                assert indicators_seen(sections["indicators"]) == \
                    expected_indicators(fragment(before, "indicators"), fragment(after, "indicators")), context
                assert resources_seen(sections["resources"]) == \
                    expected_resources(fragment(before, "resources"), fragment(after, "resources")), context

            whole = viewer.get(f"changes?{query}").json
            sections = {s["plugin"]: s["changes"] for s in whole["sections"]}
            seen_kinds |= {c["kind"] for changes in sections.values() for c in changes}
            before, after = report("report", start), report("report", end)
            assert {(c["kind"], c["service_id"]) for c in sections["core"]} == \
                expected_services(fragment(before, "core"), fragment(after, "core")), query
            assert resources_seen(sections["resources"]) == \
                expected_resources(fragment(before, "resources"), fragment(after, "resources")), query
    # the generated history is rich enough to have shown most kinds of change
    assert {"review", "answer", "level", "evaluation", "target_agreed", "resource_added",
            "resource_retired", "service_renamed"} <= seen_kinds, seen_kinds
