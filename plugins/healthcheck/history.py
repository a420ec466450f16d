"""A service's reviews over time: their order, the due notice and the chart's data.

The functions take reviews rather than querying, so pages (live rows) and
reports (rows folded "as of" a moment) share them.
"""
from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import select

from core.db import db

from .models import Review
from .questions import ANSWERS, CHART_NAMES, KEY_ANSWERS, YES_PARTLY_NO_KEYS, display

# The guide's question 14 looks back six months: a review older than that is due again.
REVIEW_EVERY_MONTHS = 6


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def in_order(reviews) -> list[Review]:
    """Oldest first: by the day each was held (undated drafts last), then as started."""
    return sorted(reviews, key=lambda r: (r.held_on is None, r.held_on or date.min, r.id))


def submitted(reviews) -> list[Review]:
    return in_order(r for r in reviews if r.submitted and r.held_on is not None)


def service_reviews(service_id: int) -> list[Review]:
    """Every review of a service in the Trust in context, oldest first."""
    return in_order(db.session.scalars(select(Review).where(Review.service_id == service_id)))


def due_notice(reviews, today: date) -> dict:
    """Whether a service's user group is due a health check on ``today``.

    ``status``: "none" (never reviewed), "due" (the last review was held more
    than six months before), or "ok".
    """
    done = submitted(reviews)
    if not done:
        return {"status": "none", "due": False, "last_held_on": None, "due_on": None}
    last = done[-1].held_on
    due_on = add_months(last, REVIEW_EVERY_MONTHS)
    return {"status": "due" if today > due_on else "ok", "due": today > due_on,
            "last_held_on": last.isoformat(), "due_on": due_on.isoformat()}


def due_sentence(notice: dict) -> str:
    from core.reports import long_date

    if notice["status"] == "none":
        return "This user group has not had a health check yet."
    last = long_date(date.fromisoformat(notice["last_held_on"]))
    if notice["status"] == "due":
        return (f"A health check is due: the last one was held on {last}, more than "
                f"{REVIEW_EVERY_MONTHS} months ago.")
    due_on = long_date(date.fromisoformat(notice["due_on"]))
    return f"The last health check was held on {last}. The next is due by {due_on}."


def summary(review: Review | None) -> dict | None:
    """A review in a few facts: for lists, reports and comparisons."""
    if review is None:
        return None
    return {
        "id": review.id,
        "service_id": review.service_id,
        "status": review.status,
        "held_on": review.held_on.isoformat() if review.held_on else None,
        "has_user_group": review.has_user_group,
        "staff_count": review.staff_count,
        "service_user_count": review.service_user_count,
        "key_answers": {key: review.get(key) for key in KEY_ANSWERS},
        "amendments": len(review.amendments or []),
    }


def chart_data(reviews) -> dict:
    """Attendance and the yes/partly/no answers across a service's submitted reviews."""
    done = submitted(reviews)
    attendance = [r.get("q5_attendance") for r in done]
    return {
        "reviews": [{"id": r.id, "held_on": r.held_on.isoformat()} for r in done],
        "attendance": attendance,
        "attendance_max": max([a for a in attendance if a is not None], default=0),
        "answers": {key: [r.get(key) for r in done] for key in YES_PARTLY_NO_KEYS},
        "labels": {key: ANSWERS[key].label for key in ("q5_attendance", *YES_PARTLY_NO_KEYS)},
        "short_labels": dict(CHART_NAMES),
    }


def key_answers_text(review: Review) -> dict:
    return {key: display(key, review.get(key)) for key in KEY_ANSWERS}
