"""What people do to a health check, each as events. Pages and API alike call these.

Each takes flat answers already checked for shape (``answers.load_flat`` or the
API's schemas), applies the rules that need the review's state, and raises
``EventError`` with a message per flat key (nothing recorded) or
``ReviewConflict`` when the review's status does not allow the step. Callers commit. Each runs under the Trust's lock (``core.events.locked``), so
its checks see the current state.
"""
from __future__ import annotations

from sqlalchemy import select

from core import drafts
from core.db import db
from core.drafts import NEEDS_CORRECTING
from core.events import EventError, locked, record
from core.models import Service

from . import events
from .answers import date_problems, missing
from .models import Review
from .questions import ANSWERS, CHANGES_COUNT, SHARING


# The step does not fit the review's status (a 409).
ReviewConflict = drafts.DraftConflict

NOUN = "health check"
# What a new health check never copies from the last one: what is about that meeting itself (when it
# was held, who took part, what changed since the one before, what was agreed, the sharing step).
NOT_COPIED = ("held_on", "staff_count", "service_user_count", "participant_roles", "q14_changes", CHANGES_COUNT,
              "agreed_changes", "shared_on", "service_user_views")
NOT_COPIED_WORDS = ("the date it was held, who took part, what changed since the last one, what needs to "
                    "change and the sharing step")
NEEDED_TO_SUBMIT = "Some answers are needed before the health check can be submitted."


def service_for_review(service_id) -> Service:
    """A service of the Trust in context that can take a new health check."""
    return drafts.service_for_new(
        service_id, archived="This service is archived. Bring it back from the archive to review its user group.")


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


@locked()
def start_review(service_id, values: dict, *, submit: bool = False, copied_from: int | None = None,
                 not_copied: tuple = NOT_COPIED) -> Review:
    """Start a review of a service's user group: a draft, or submitted at once.

    ``copied_from``: the id of the service's submitted review whose answers it starts from (all but
    ``not_copied``); what is typed in ``values`` comes on top. The start event names it.
    """
    service = service_for_review(service_id)
    source = {}
    if copied_from is not None:
        found = review_by_id(copied_from) if isinstance(copied_from, int) else None
        source = drafts.copied_values(found, service.id, not_copied, NOUN)
    changed = _changes(None, {**source, **values})
    state = {key: None for key in ANSWERS} | changed
    _check(state, changed, complete=submit)
    payload, personal = _split({**changed, CHANGES_COUNT: len(changed.get("q14_changes") or [])})
    copied = {"copied_from": copied_from} if copied_from is not None else {}
    ev = record(events.STARTED, {"service_id": service.id, **copied, **payload}, personal=personal,
                service_id=service.id)
    review = review_by_id(ev.id)
    if submit:
        drafts.record_on(review, events.SUBMITTED_EVENT)
        propose_actions(review)
    return review


@locked()
def save_draft(review: Review, values: dict, *, expected_version: int | None = None) -> bool:
    """Keep what has been typed so far. Returns whether anything changed.

    ``expected_version``: the version the answers were typed on; an older one is refused (``Stale``).
    """
    drafts.ensure_editable(review, NOUN)
    drafts.ensure_current(review, expected_version, NOUN)
    changed = _changes(review, values)
    if not changed:
        return False
    _check(review.content() | changed, changed, complete=False)
    payload, personal = _split(_with_count(changed))
    drafts.record_on(review, events.DRAFT_SAVED, payload, personal=personal)
    return True


@locked()
def submit_review(review: Review) -> Review:
    drafts.ensure_not_submitted(review, NOUN)
    _check(review.content(), {}, complete=True)
    drafts.record_on(review, events.SUBMITTED_EVENT)
    propose_actions(review)
    return review


@locked()
def amend_review(review: Review, values: dict, reason: str | None = None, *,
                 expected_version: int | None = None) -> Review:
    """Correct a submitted review: an amendment event, never an edit in place."""
    drafts.ensure_submitted(review, NOUN)
    drafts.ensure_current(review, expected_version, NOUN)
    reason = drafts.clean_reason(reason, limit=2000, too_long="Use 2000 characters or fewer.")
    changed = _changes(review, values)
    if not changed:
        raise drafts.nothing_changed(NOUN)
    _check(review.content() | changed, changed, complete=True)
    payload, personal = _split(_with_count(changed))
    personal["reason"] = reason
    drafts.record_on(review, events.AMENDED, payload, personal=personal)
    propose_actions(review)
    return review


def propose_actions(review: Review) -> None:
    """Each change agreed at a submitted health check becomes an action (its words follow an amendment)."""
    from core import actions
    from core.events import ERASED
    from core.reports import long_date

    when = long_date(review.held_on) if review.held_on else "a health check"
    for number, text in enumerate(review.agreed_changes or [], start=1):
        if not isinstance(text, str) or not text.strip() or text == ERASED:
            continue
        actions.propose(f"healthcheck-review:{review.id}:{number}", text, plugin="healthcheck",
                        title=f"Health check of {when}: agreed change {number}", service_id=review.service_id,
                        link=("healthcheck.view_review", {"review_id": review.id}))


@locked()
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
    drafts.record_on(review, events.SHARING_RECORDED, payload, personal=personal)
    return review


def earlier_review(review: Review) -> Review | None:
    """The submitted health check of the same service held before this one (the one before it, for a draft)."""
    from .history import service_reviews, submitted

    done = [r for r in submitted(service_reviews(review.service_id)) if r.id != review.id]
    if review.held_on is not None:
        done = [r for r in done if r.held_on <= review.held_on]
    return done[-1] if done else None


@locked()
def record_follow_up(review: Review, answers: dict) -> Review:
    """"Did it happen?" for each change agreed at the health check before (``answers``: index -> choice)."""
    earlier = earlier_review(review)
    agreed = list(earlier.agreed_changes or []) if earlier is not None else []
    if not agreed:
        raise ReviewConflict("The health check before this one agreed no changes, so there is nothing to follow up.")
    problems, happened = {}, []
    for index, change in enumerate(agreed):
        choice = (answers or {}).get(str(index))
        if choice not in events.HAPPENED:
            problems[f"happened_{index}"] = [f"Choose whether this change happened: {change}"]
        happened.append(choice)
    if problems:
        raise EventError(NEEDS_CORRECTING, problems)
    drafts.record_on(review, events.FOLLOWED_UP, {"earlier_id": earlier.id, "happened": happened},
                     personal={"changes": agreed})
    return review
