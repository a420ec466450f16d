"""What people do to an assessment, each as events. Pages and API alike call these.

Each takes flat answers already checked for shape (``answers.load_flat`` or the
API's schemas), applies the rules that need the whole assessment, and raises
``EventError`` with messages per flat key (nothing recorded) or
``AssessmentConflict`` when the assessment's status does not allow the step.
Callers commit.
"""
from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.events import EventError, record
from core.models import Service

from . import events
from .levels import KEYS, PERSONAL_KEYS
from .models import Assessment
from .rules import aims_problems, date_problems, missing

# The guide's schedule is filled in by staff teams: staff, Trust admins and user facilitators
# (the ``facilitate`` action). Everyone in the Trust, service users included, reads it.
WRITE = "facilitate"

NEEDS_CORRECTING = "Some answers need correcting."
NEEDED_TO_SUBMIT = "Some answers are needed before the assessment can be submitted."
MAX_REASON = 2000


class AssessmentConflict(Exception):
    """The step does not fit the assessment's status (a 409)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def service_for_assessment(service_id) -> Service:
    """A service of the Trust in context that can take a new assessment."""
    valid_id = isinstance(service_id, int) and not isinstance(service_id, bool)
    service = db.session.scalar(select(Service).where(Service.id == service_id)) if valid_id else None
    if service is None:
        raise EventError(NEEDS_CORRECTING, {"service_id": ["Choose one of this Trust's services."]})
    if service.archived:
        raise EventError(NEEDS_CORRECTING, {"service_id": [
            "This service is archived. Bring it back from the archive to assess it."]})
    return service


def assessment_by_id(assessment_id: int) -> Assessment | None:
    return db.session.scalar(select(Assessment).where(Assessment.id == assessment_id))


def _normalised(values: dict) -> dict:
    return {key: (None if value == "" else value) for key, value in values.items() if key in KEYS}


def _changes(assessment: Assessment | None, values: dict) -> dict:
    current = assessment.content() if assessment is not None else {}
    return {key: value for key, value in _normalised(values).items() if current.get(key) != value}


def _check(state: dict, changed: dict, *, complete: bool) -> None:
    problems = {**date_problems(changed), **aims_problems(state, changed)}
    if problems:
        raise EventError(NEEDS_CORRECTING, problems)
    if complete:
        problems = missing(state)
        if problems:
            raise EventError(NEEDED_TO_SUBMIT, problems)


def _split(values: dict) -> tuple[dict, dict]:
    """Flat answers -> (payload, personal words) for an event."""
    structured = {k: v for k, v in values.items() if k not in PERSONAL_KEYS}
    words = {k: v for k, v in values.items() if k in PERSONAL_KEYS and v is not None}
    cleared = sorted(k for k, v in values.items() if k in PERSONAL_KEYS and v is None)
    payload = {"set": structured, "words": sorted(words), "clear": cleared}
    return payload, {"set": words}


def _stream(assessment: Assessment) -> str:
    return f"{Assessment.__stream__}:{assessment.id}"


def _blank() -> dict:
    return {key: None for key in KEYS}


def start_assessment(service_id, values: dict, *, submit: bool = False) -> Assessment:
    """Start an assessment of a service: a draft, or submitted at once."""
    service = service_for_assessment(service_id)
    changed = _changes(None, values)
    changed = {k: v for k, v in changed.items() if v is not None}
    _check(_blank() | changed, changed, complete=submit)
    payload, personal = _split(changed)
    ev = record(events.STARTED, {"service_id": service.id, **payload}, personal=personal, service_id=service.id)
    assessment = assessment_by_id(ev.id)
    if submit:
        record(events.SUBMITTED_EVENT, stream=_stream(assessment), service_id=service.id)
    return assessment


def _editable(assessment: Assessment) -> None:
    if assessment.submitted:
        raise AssessmentConflict("This assessment has been submitted, so it cannot be edited. "
                                 "To correct it, add an amendment.")


def save_draft(assessment: Assessment, values: dict) -> bool:
    """Keep what has been typed so far. Returns whether anything changed."""
    _editable(assessment)
    changed = _changes(assessment, values)
    if not changed:
        return False
    _check(assessment.content() | changed, changed, complete=False)
    payload, personal = _split(changed)
    record(events.DRAFT_SAVED, payload, personal=personal, stream=_stream(assessment),
           service_id=assessment.service_id)
    return True


def submit_assessment(assessment: Assessment) -> Assessment:
    if assessment.submitted:
        raise AssessmentConflict("This assessment has already been submitted.")
    _check(assessment.content(), {}, complete=True)
    record(events.SUBMITTED_EVENT, stream=_stream(assessment), service_id=assessment.service_id)
    return assessment


def amend_assessment(assessment: Assessment, values: dict, reason: str | None = None) -> Assessment:
    """Correct a submitted assessment: an amendment event, never an edit in place."""
    if not assessment.submitted:
        raise AssessmentConflict("Only a submitted assessment is amended. Edit the draft instead.")
    reason = (reason or "").strip() or None
    if reason and len(reason) > MAX_REASON:
        raise EventError(NEEDS_CORRECTING, {"reason": [f"Use {MAX_REASON:,} characters or fewer."]})
    changed = _changes(assessment, values)
    if not changed:
        raise EventError("Nothing was changed. Change at least one answer to amend the assessment.",
                         {"changes": ["Change at least one answer."]})
    _check(assessment.content() | changed, changed, complete=True)
    payload, personal = _split(changed)
    if reason:
        personal["reason"] = reason
    record(events.AMENDED, payload, personal=personal, stream=_stream(assessment),
           service_id=assessment.service_id)
    return assessment
