"""Trends: where the Trust stood at many points of its history, read once per model.

A ``Timeline`` is the question a trend asks: quarterly points from ``start`` to
``end`` (at most ``MAX_POINTS``; each point is the end of a day), the half-years
between them, and ``known_on`` (only what had been recorded by then). Each
plugin answers with a ``Trend`` (a title and charts from ``core.charts``)
through the ``tenant_trends`` hook; the core lays them out in load order (the
guide's order).

Forty points must cost about what one report costs, so a plugin never asks the
database once per point: ``timeline.standing(Model)`` reads every version of
the model once (``core.history.versions``) and walks forward through the days,
giving the rows as they stood on each point by the same rule as
``core.history.standing_on``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from .history import Dated, When, restore, rule, versions
from .plugins import tenant_results
from .reports import DateError, long_date, london_today, parse_past_day, trust_started_on

MAX_POINTS = 40  # ten years of quarters
MAX_PERIODS = 20  # ten years of half-years; longer spans count whole years
QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))


@dataclass(frozen=True)
class Point:
    """One point of a trend: the end of ``day``, named ``label`` on charts."""

    day: date
    label: str

    @property
    def at(self) -> str:
        """``at the end of June 2025`` for a quarter, ``on 30 November 2026`` for the last day, for sentences."""
        return f"at the end of {self.day:%B %Y}" if is_quarter_end(self.day) else f"on {long_date(self.day)}"


@dataclass(frozen=True)
class Period:
    """A stretch of days (a half-year, or a year), both ends counted."""

    start: date
    end: date
    label: str


@dataclass
class Trend:
    """One plugin's part of the trends page: a title, a sentence or two, and its charts.

    ``charts`` are ``core.charts.Chart`` (or ``Heatmap``) objects: each has a
    title, a one-sentence summary and its numbers as a table, which the page
    and the API show alike.
    """

    plugin: str
    title: str
    charts: list
    intro: str = ""
    order: int = 100

    def as_dict(self) -> dict:
        return {"plugin": self.plugin, "title": self.title, "intro": self.intro,
                "charts": [chart.as_dict() for chart in self.charts]}


def capital(text: str) -> str:
    """The first letter in capitals, the rest as it is (``at the end of June`` -> ``At the end of June``)."""
    return text[:1].upper() + text[1:]


def _short(day: date) -> str:
    return f"{day:%b %Y}"


def quarter_ends(start: date, end: date) -> list[date]:
    """The last days of quarters after ``start`` and before ``end``."""
    found = []
    for year in range(start.year, end.year + 1):
        for month, day_of_month in QUARTER_ENDS:
            day = date(year, month, day_of_month)
            if start <= day < end:
                found.append(day)
    return found


def make_points(start: date, end: date, limit: int = MAX_POINTS) -> tuple[Point, ...]:
    """Quarter ends from ``start``, then ``end`` itself; every k-th quarter when there are too many."""
    days = quarter_ends(start, end) + [end]
    step = math.ceil(len(days) / limit)
    kept = days[::-1][::step][::-1]  # counted back from ``end``, so the last point is always ``end``
    return tuple(Point(day, _short(day) if is_quarter_end(day) else f"{day.day} {day:%b %Y}") for day in kept)


def is_quarter_end(day: date) -> bool:
    return (day.month, day.day) in QUARTER_ENDS


def make_periods(start: date, end: date, limit: int = MAX_PERIODS) -> tuple[Period, ...]:
    """Half-years (January to June, July to December) from ``start``'s to ``end``'s, the last cut at ``end``.

    Beyond ``limit`` half-years, whole years instead, so a chart keeps a readable number of bars.
    """
    halves = (end.year - start.year) * 2 + (end.month > 6) - (start.month > 6) + 1
    periods = []
    if halves <= limit:
        year, second = start.year, start.month > 6
        while date(year, 7 if second else 1, 1) <= end:
            first_day = date(year, 7 if second else 1, 1)
            last_day = min(date(year, 12, 31) if second else date(year, 6, 30), end)
            natural_end = date(year, 12, 31) if second else date(year, 6, 30)
            until = f"{natural_end:%b}" if last_day == natural_end else f"{last_day.day} {last_day:%b}"
            name = f"{'Jul' if second else 'Jan'} to {until} {year}"
            periods.append(Period(first_day, last_day, name))
            year, second = (year + 1, False) if second else (year, True)
    else:
        for year in range(start.year, end.year + 1):
            periods.append(Period(date(year, 1, 1), min(date(year, 12, 31), end), str(year)))
    return tuple(periods)


@dataclass
class Timeline:
    """The days a trend describes, and what had been recorded by ``known_on`` (None: everything)."""

    start: date
    end: date
    known_on: date | None = None
    points: tuple[Point, ...] = ()
    periods: tuple[Period, ...] = ()
    _read: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def between(cls, start: date, end: date, known_on: date | None = None) -> Timeline:
        return cls(start, end, known_on, make_points(start, end), make_periods(start, end))

    @property
    def when(self) -> When:
        """What counts as recorded (the days are the points')."""
        return When(known_on=self.known_on)

    @property
    def days(self) -> list[date]:
        return [point.day for point in self.points]

    @property
    def labels(self) -> list[str]:
        return [point.label for point in self.points]

    def versions(self, model: type) -> list:
        """Every version of ``model`` recorded by ``known_on``: one query, kept for the request."""
        if model not in self._read:
            self._read[model] = versions(model, self.when)
        return self._read[model]

    def standing(self, model: type, days: list[date] | None = None) -> list[list]:
        """The rows of ``model`` as they stood at the end of each day (the points by default)."""
        return walk(model, self.versions(model), self.days if days is None else days)

    def at_period_ends(self, model: type) -> list[list]:
        return self.standing(model, [period.end for period in self.periods])

    def words(self) -> str:
        span = f"From {long_date(self.start)} to {long_date(self.end)}"
        if self.known_on is None:
            return f"{span}, using everything recorded up to now."
        return f"{span}, using only what had been recorded by the end of {long_date(self.known_on)}."


def walk(model: type, all_versions: list, days: list[date]) -> list[list]:
    """For each day, the rows of ``model`` as they stood at its end (``versions`` oldest first).

    The same choice as ``core.history.standing_on``, made in one forward pass:
    a ``Dated`` row counts in its latest form from its own day; a ``Stepped``
    row counts in its newest version whose day has come. Each version is
    restored once, so the rows are shared between days: read them, never change them.
    """
    if isinstance(rule(model), Dated):
        latest: dict = {}
        for version in all_versions:
            latest[version.row_key] = version
        pending = sorted(latest.values(), key=lambda v: (v.effective_on, v.seq))
    else:
        pending = sorted(all_versions, key=lambda v: (v.effective_on, v.seq))
    chosen: dict = {}
    restored: dict = {}
    answers: list = [None] * len(days)
    position = 0
    for index in sorted(range(len(days)), key=days.__getitem__):
        day = days[index]
        while position < len(pending) and pending[position].effective_on <= day:
            version = pending[position]
            current = chosen.get(version.row_key)
            if current is None or version.seq > current.seq:
                chosen[version.row_key] = version
            position += 1
        rows = []
        for version in chosen.values():
            if version.seq not in restored:
                restored[version.seq] = restore(model, version.data)
            rows.append(restored[version.seq])
        answers[index] = rows
    return answers


# --- the question, from what people type ------------------------------------------------

def parse_timeline(start_text: str | None, end_text: str | None, known_on_text: str | None) -> Timeline:
    """``from``, ``to`` and ``known_on`` as typed (each may be empty), or ``DateError`` naming the one at fault.

    ``from`` defaults to the day the Trust's record began, ``to`` to ``known_on`` or today.
    """
    started = trust_started_on() or london_today()
    days = {}
    for name, text in (("from", start_text), ("to", end_text), ("known_on", known_on_text)):
        if not (text or "").strip():
            days[name] = None
            continue
        try:
            day = parse_past_day(text)
        except ValueError as err:
            raise DateError(name, str(err)) from None
        if day < started:
            raise DateError(name, f"Enter a date on or after {long_date(started)}, when this Trust's record begins.")
        days[name] = day
    end = days["to"] or days["known_on"] or london_today()
    start = days["from"] or min(started, end)
    if start > end:
        raise DateError("from", "The first date must be on or before the last date.")
    return Timeline.between(start, end, days["known_on"])


def default_timeline() -> Timeline:
    return parse_timeline(None, None, None)


# --- assembling ------------------------------------------------------------------------

def tenant_trends(tenant, timeline: Timeline) -> list[Trend]:
    """Each enabled plugin's trend (core's first), in load order: the guide's order."""
    found = []
    for plugin, result in tenant_results("tenant_trends", tenant=tenant, timeline=timeline):
        for trend in result if isinstance(result, list) else [result]:
            if not isinstance(trend, Trend):
                raise TypeError(f"plugin {plugin!r} returned {type(trend).__name__} from tenant_trends; "
                                f"it must return core.trends.Trend or None")
            if not trend.plugin:
                trend.plugin = plugin
            found.append(trend)
    return sorted(found, key=lambda t: t.order)
