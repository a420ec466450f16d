"""What people do to a health check, each as events. Pages and API alike call these.

Each takes flat answers already checked for shape (``answers.load_flat`` or the
API's schemas), applies the rules that need the review's state, and raises
``EventError`` with a message per flat key (nothing recorded) or
``ReviewConflict`` when the review's status does not allow the step. Callers commit.
"""
from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.events import EventError, record
from core.models import Service

from . import events
from .answers import date_problems, missing
from .models import Review
from .questions import ANSWERS, CHANGES_COUNT, SHARING


class ReviewConflict(Exception):
    """The step does not fit the review's status (a 409)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


NEEDS_CORRECTING = "Some answers need correcting."
NEEDED_TO_SUBMIT = "Some answers are needed before the health check can be submitted."


def service_for_review(service_id) -> Service:
    """A service of the Trust in context that can take a new health check."""
    service = db.session.scalar(select(Service).where(Service.id == service_id)) \
        if isinstance(service_id, int) and not isinstance(service_id, bool) else None
    if service is None:
        raise EventError(NEEDS_CORRECTING, {"service_id": ["Choose one of this Trust's services."]})
    if service.archived:
        raise EventError(NEEDS_CORRECTING, {"service_id": [
            "This service is archived. Bring it back from the archive to review its user group."]})
    return service


def review_by_id(review_id: int) -> Review | None:
    return db.session.scalar(select(Review).where(Review.id == review_id))


def _split(values: dict) -> tuple[dict, dict | None]:
    """Flat answers -> (payload, personal words) for an event."""
    structured = {k: v for k, v in values.items() if k == CHANGES_COUNT or not ANSWERS[k].personal}
    words = {k: v for k, v in values.items() if k != CHANGES_COUNT and ANSWERS[k].personal and v is not None}
    cleared = [k for k, v in values.items() if k != CHANGES_COUNT and ANSWERS[k].personal and v is None]
    payload = {"set": structured, "words": sorted(words), "clear": sorted(cleared)}
    return payload, {"set": words}


def _with_count(values: dict) -> dict:
    if "q14_changes" in values:
        values = {**values, CHANGES_COUNT: len(values["q14_changes"] or [])}
    return values


def _normalised(values: dict) -> dict:
    """Empty lists and empty words are no answer; several choices keep the guide's order."""
    normal = {}
    for key, value in values.items():
        answer = ANSWERS.get(key)
        if value and answer is not None and answer.kind == "choices":
            value = [choice for choice in answer.choices if choice in value]
        normal[key] = None if value in ([], "") else value
    return normal


def _changes(review: Review | None, values: dict) -> dict:
    current = review.content() if review is not None else {}
    return {k: v for k, v in _normalised(values).items() if current.get(k) != v}


def _check(state: dict, changed: dict, *, complete: bool) -> None:
    problems = date_problems(state, changed)
    if problems:
        raise EventError(NEEDS_CORRECTING, problems)
    if complete:
        problems = missing(state)
        if problems:
            raise EventError(NEEDED_TO_SUBMIT, problems)


def _stream(review: Review) -> str:
    return f"{Review.__stream__}:{review.id}"


def start_review(service_id, values: dict, *, submit: bool = False) -> Review:
    """Start a review of a service's user group: a draft, or submitted at once."""
    service = service_for_review(service_id)
    changed = _changes(None, values)
    state = {key: None for key in ANSWERS} | changed
    _check(state, changed, complete=submit)
    payload, personal = _split({**changed, CHANGES_COUNT: len(changed.get("q14_changes") or [])})
    ev = record(events.STARTED, {"service_id": service.id, **payload}, personal=personal,
                service_id=service.id)
    review = review_by_id(ev.id)
    if submit:
        record(events.SUBMITTED_EVENT, stream=_stream(review), service_id=service.id)
    return review


def save_draft(review: Review, values: dict) -> bool:
    """Keep what has been typed so far. Returns whether anything changed."""
    if review.submitted:
        raise ReviewConflict("This health check has been submitted, so it cannot be edited. "
                             "To correct it, add an amendment.")
    changed = _changes(review, values)
    if not changed:
        return False
    _check(review.content() | changed, changed, complete=False)
    payload, personal = _split(_with_count(changed))
    record(events.DRAFT_SAVED, payload, personal=personal, stream=_stream(review),
           service_id=review.service_id)
    return True


def submit_review(review: Review) -> Review:
    if review.submitted:
        raise ReviewConflict("This health check has already been submitted.")
    _check(review.content(), {}, complete=True)
    record(events.SUBMITTED_EVENT, stream=_stream(review), service_id=review.service_id)
    return review


def amend_review(review: Review, values: dict, reason: str | None = None) -> Review:
    """Correct a submitted review: an amendment event, never an edit in place."""
    if not review.submitted:
        raise ReviewConflict("Only a submitted health check is amended. Edit the draft instead.")
    reason = (reason or "").strip() or None
    if reason and len(reason) > 2000:
        raise EventError(NEEDS_CORRECTING, {"reason": ["Use 2000 characters or fewer."]})
    changed = _changes(review, values)
    if not changed:
        raise EventError("Nothing was changed. Change at least one answer to amend the health check.",
                         {"changes": ["Change at least one answer."]})
    _check(review.content() | changed, changed, complete=True)
    payload, personal = _split(_with_count(changed))
    personal["reason"] = reason
    record(events.AMENDED, payload, personal=personal, stream=_stream(review), service_id=review.service_id)
    return review


def record_sharing(review: Review, values: dict) -> Review:
    """The sharing step: the user meeting where the review was shared, and what service users said."""
    values = {k: v for k, v in _normalised(values).items() if k in SHARING}
    if review.submitted and review.shared_on is not None:
        raise ReviewConflict("The sharing step has already been recorded. To correct it, add an amendment.")
    if values.get("shared_on") is None:
        raise EventError(NEEDS_CORRECTING, {"shared_on": ["Enter the date of the user meeting."]})
    changed = _changes(review, values) or values
    _check(review.content() | changed, changed, complete=False)
    payload, personal = _split(changed)
    record(events.SHARING_RECORDED, payload, personal=personal, stream=_stream(review),
           service_id=review.service_id)
    return review
