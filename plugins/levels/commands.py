"""What people do to an assessment, each as events. Pages and API alike call these.

Each takes flat answers already checked for shape (``answers.load_flat`` or the
API's schemas), applies the rules that need the whole assessment, and raises
``EventError`` with messages per flat key (nothing recorded) or
``AssessmentConflict`` when the assessment's status does not allow the step.
Callers commit. Each runs under the Trust's lock (``core.events.locked``), so
its checks see the current state.
"""
from __future__ import annotations

from sqlalchemy import select

from core import drafts
from core.db import db
from core.drafts import NEEDS_CORRECTING
from core.events import ERASED, EventError, locked, record
from core.models import Service

from . import events, practices
from .levels import DEFAULT_VIEW, KEYS, PERSONAL_KEYS
from .models import Assessment
from .rules import aims_problems, date_problems, missing, practice_problems

# The guide's schedule is filled in by staff teams: staff, Trust admins and user facilitators
# (the ``facilitate`` action). Everyone in the Trust, service users included, reads it.
WRITE = "facilitate"

NOUN = "assessment"
# What a new assessment never copies from the last one: the day of the assessment and who took part.
NOT_COPIED = ("assessed_on", "participants")
NOT_COPIED_WORDS = "the date of the assessment and who took part"
NEEDED_TO_SUBMIT = "Some answers are needed before the assessment can be submitted."
MAX_REASON = 2000


# The step does not fit the assessment's status (a 409).
AssessmentConflict = drafts.DraftConflict


def service_for_assessment(service_id) -> Service:
    """A service of the Trust in context that can take a new assessment."""
    return drafts.service_for_new(
        service_id, archived="This service is archived. Bring it back from the archive to assess it.")


def assessment_by_id(assessment_id: int) -> Assessment | None:
    return db.session.scalar(select(Assessment).where(Assessment.id == assessment_id))


def _normalised(values: dict) -> dict:
    return {key: (None if value in ("", [], {}) else value) for key, value in values.items() if key in KEYS}


def _changes(assessment: Assessment | None, values: dict) -> dict:
    current = assessment.content() if assessment is not None else {}
    return {key: value for key, value in _normalised(values).items() if current.get(key) != value}


def _check(state: dict, changed: dict, *, complete: bool) -> None:
    problems = {**date_problems(changed), **aims_problems(state, changed), **practice_problems(state, changed)}
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


def _blank() -> dict:
    return {key: None for key in KEYS}


@locked()
def start_assessment(service_id, values: dict, *, submit: bool = False,
                     copied_from: int | None = None, not_copied: tuple = NOT_COPIED) -> Assessment:
    """Start an assessment of a service: a draft, or submitted at once.

    ``copied_from``: the id of the service's submitted assessment whose answers it starts from (all but
    ``not_copied``; practices since taken off the Trust's list are left out); what is typed in ``values``
    comes on top. The start event names it.
    """
    service = service_for_assessment(service_id)
    if copied_from is not None:
        found = assessment_by_id(copied_from) if isinstance(copied_from, int) else None
        values = {**_still_on_the_list(drafts.copied_values(found, service.id, not_copied, NOUN)), **values}
    values = {**values, "view": values.get("view") or DEFAULT_VIEW}
    changed = _changes(None, values)
    changed = {k: v for k, v in changed.items() if v is not None}
    _check(_blank() | changed, changed, complete=submit)
    payload, personal = _split(changed)
    copied = {"copied_from": copied_from} if copied_from is not None else {}
    ev = record(events.STARTED, {"service_id": service.id, **copied, **payload}, personal=personal,
                service_id=service.id)
    assessment = assessment_by_id(ev.id)
    if submit:
        drafts.record_on(assessment, events.SUBMITTED_EVENT)
        propose_actions(assessment)
    return assessment


def _still_on_the_list(values: dict) -> dict:
    """Copied answers without the practices since taken off the Trust's list (nor how they were done)."""
    from .levels import AREA_KEYS, flat_key

    known = {practice.key for practice in practices.catalogue()}
    values = dict(values)
    for area in AREA_KEYS:
        ticked_key, how_key = flat_key(area, "practices"), flat_key(area, "how")
        ticked = [key for key in values.get(ticked_key) or [] if key in known]
        values[ticked_key] = ticked or None
        how = values.get(how_key)
        if isinstance(how, dict):
            values[how_key] = {k: v for k, v in how.items() if k in ticked} or None
    return {k: v for k, v in values.items() if v is not None}


@locked()
def save_draft(assessment: Assessment, values: dict, *, expected_version: int | None = None) -> bool:
    """Keep what has been typed so far. Returns whether anything changed.

    ``expected_version``: the version the answers were typed on; an older one is refused (``Stale``).
    """
    drafts.ensure_editable(assessment, NOUN)
    drafts.ensure_current(assessment, expected_version, NOUN)
    changed = _changes(assessment, values)
    if not changed:
        return False
    _check(assessment.content() | changed, changed, complete=False)
    payload, personal = _split(changed)
    drafts.record_on(assessment, events.DRAFT_SAVED, payload, personal=personal)
    return True


@locked()
def submit_assessment(assessment: Assessment) -> Assessment:
    drafts.ensure_not_submitted(assessment, NOUN)
    _check(assessment.content(), {}, complete=True)
    drafts.record_on(assessment, events.SUBMITTED_EVENT)
    propose_actions(assessment)
    return assessment


@locked()
def amend_assessment(assessment: Assessment, values: dict, reason: str | None = None, *,
                     expected_version: int | None = None) -> Assessment:
    """Correct a submitted assessment: an amendment event, never an edit in place."""
    drafts.ensure_submitted(assessment, NOUN)
    drafts.ensure_current(assessment, expected_version, NOUN)
    reason = drafts.clean_reason(reason, limit=MAX_REASON, too_long=f"Use {MAX_REASON:,} characters or fewer.")
    changed = _changes(assessment, values)
    if not changed:
        raise drafts.nothing_changed(NOUN)
    _check(assessment.content() | changed, changed, complete=True)
    payload, personal = _split(changed)
    if reason:
        personal["reason"] = reason
    drafts.record_on(assessment, events.AMENDED, payload, personal=personal)
    propose_actions(assessment)
    return assessment


def propose_actions(assessment: Assessment) -> None:
    """Each area's planned development becomes an action (its words follow an amendment)."""
    from core import actions
    from core.reports import long_date

    from .levels import AREAS, VIEW_SHORT

    when = long_date(assessment.assessed_on) if assessment.assessed_on else "an assessment"
    for area in AREAS:
        planned = assessment.get(f"{area.key}_planned")
        if not planned or planned == ERASED:
            continue
        actions.propose(
            f"levels-assessment:{assessment.id}:{area.key}", planned, plugin="levels",
            title=f"Levels of involvement, {area.name}: planned at the assessment of {when} "
                  f"({VIEW_SHORT[assessment.view].lower()})",
            service_id=assessment.service_id, link=("levels.view_assessment", {"assessment_id": assessment.id}))


# --- the Trust's own practices -----------------------------------------------------------------

@locked()
def add_practice(level, wording) -> "LevelsPractice":
    """Add a practice to the Trust's checklist; the same words at the same level twice are refused."""
    from .models import LevelsPractice
    from .practices import catalogue

    wording = " ".join(str(wording or "").split()) if isinstance(wording, str) else wording
    problems = {}
    if not isinstance(level, int) or isinstance(level, bool) or not 2 <= level <= 5:
        problems["level"] = ["Choose the level this practice supports, from 2 to 5."]
    if not isinstance(wording, str) or not wording:
        problems["wording"] = ["Describe the practice in a sentence."]
    elif len(wording) > events.MAX_WORDING:
        problems["wording"] = [f"Use {events.MAX_WORDING} characters or fewer."]
    if problems:
        raise EventError(NEEDS_CORRECTING, problems)
    if any(p.wording.casefold() == wording.casefold() for p in catalogue()):
        raise EventError(NEEDS_CORRECTING, {"wording": ["This practice is on the checklist already."]})
    ev = record(events.PRACTICE_ADDED, {"level": level, "wording": wording})
    practices.forget()
    return db.session.get(LevelsPractice, ev.id)


@locked()
def retire_practice(practice) -> None:
    from core.events import Conflict

    if practice.retired:
        raise Conflict("This practice is off the checklist already.")
    record(events.PRACTICE_RETIRED, stream=f"levels-practice:{practice.id}")
    practices.forget()
