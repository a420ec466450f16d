"""The health check's part of reports, "as of" any moment.

Reviews as a ``core.history.When`` sees them come from the history tables (kept
by the very projectors that keep the live table): a review counts from the day
it was held, in its latest form known then, so a report for last March shows
last March's reviews even when one was typed in later.
"""
from __future__ import annotations

from datetime import date

from core.history import When, rows
from core.models import Service

from . import history
from .answers import today
from .compare import compare, moved_items
from .events import HAPPENED
from .models import Review
from .questions import ANSWERS, KEY_ANSWERS, display
from .trends import FOLLOWED_SERIES, followed_up_counts

TITLE = "Health check of the user group"


def reviews_as_of(when: When, service_id: int | None = None) -> list[Review]:
    """The reviews of the Trust in context (or of one service) as ``when`` sees them."""
    return rows(Review, when, service_id=service_id)


def report_day(when: When):
    return when.day if not when.live else today()


def service_data(service_id: int, when: When) -> dict:
    """The latest review of a service as of a moment, its agreed changes and what moved since the one before."""
    reviews = reviews_as_of(when, service_id)
    day = report_day(when)
    done = history.submitted(reviews)
    latest = done[-1] if done else None
    previous = done[-2] if len(done) > 1 else None
    moved = moved_items(compare(previous, latest)) if previous is not None else []
    return {
        "as_of": day.isoformat(),
        "reviews": len(done),
        "drafts": len([r for r in reviews if not r.submitted]),
        "latest": history.summary(latest),
        "previous": history.summary(previous),
        "agreed_changes": list(latest.agreed_changes or []) if latest else [],
        # shared later than the report's day: not yet shared then
        "shared_on": latest.shared_on.isoformat() if latest and latest.shared_on and latest.shared_on <= day
        else None,
        "moved": [{k: item[k] for k in ("key", "label", "question", "a", "b", "a_text", "b_text", "moved", "note")}
                  for item in moved],
        "due": history.due_notice(reviews, day),
        # "Did it happen?" for each change agreed at the check before, as answered at the latest one.
        "followed_up": [{"change": item.get("change"), "happened": item.get("happened"),
                         "happened_words": HAPPENED.get(item.get("happened"))}
                        for item in (latest.followed_up or [] if latest else [])],
    }


def overview(when: When) -> dict:
    """Each open service's last review date and key answers, overdue ones marked."""
    services = rows(Service, when)
    reviews = reviews_as_of(when)
    day = report_day(when)
    found = []
    for service in sorted((s for s in services if not s.archived), key=lambda s: (s.name.lower(), s.id)):
        own = [r for r in reviews if r.service_id == service.id]
        done = history.submitted(own)
        last = done[-1] if done else None
        found.append({
            "service_id": service.id,
            "name": service.name,
            "last_review_id": last.id if last else None,
            "last_held_on": last.held_on.isoformat() if last else None,
            "key_answers": {key: last.get(key) for key in KEY_ANSWERS} if last else {},
            "due": history.due_notice(own, day),
        })
    followed = followed_up_counts(reviews, date.min, day)
    return {"as_of": day.isoformat(), "services": found,
            "overdue": sum(1 for row in found if row["due"]["status"] == "due"),
            # Over every health check up to the day: whether the changes agreed at the check before happened.
            "followed_up": {"counts": followed, "labels": dict(FOLLOWED_SERIES), "total": sum(followed.values())}}


def _fragment(title: str, template: str, data: dict):
    from core.reports import Fragment

    from .views import long_date

    return Fragment(plugin="healthcheck", title=title, template=template, data=data,
                    context={"display": display, "long_date": long_date, "key_answers": KEY_ANSWERS,
                             "labels": {k: ANSWERS[k].label for k in KEY_ANSWERS},
                             "due_sentence": history.due_sentence})


def service_fragment(service, when: When):
    return _fragment(TITLE, "healthcheck/report_service.html", service_data(service.id, when))


def tenant_fragment(tenant, when: When):
    return _fragment("Health checks of user groups", "healthcheck/report_tenant.html", overview(when))
