"""What people do in a round of the indicators, each as one or more events.

Pages, the invitation page and the API all call these, so the rules live in
one place. Each raises ``CommandError`` with a plain message (and per-field
messages) and records nothing on bad input; the caller commits. Those that
change a round run under the Trust's lock (``core.events.locked``), so their
limits and step order hold when many people send at once.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core import short_address
from core.auth import token_hash
from core.commands import CommandError
from core.db import db, written_in
from core.evidence import check as check_evidence
from core.events import Conflict, locked, record
from core.models import Service
from core.reports import london_day, london_today, long_date
from core.tenancy import found_by_hash

from .indicators import (ANSWERS, CHAIRS, GROUPS, HAPPENED, INDICATORS, LEVELS, MAX_TARGETS, MIN_ANSWERS,
                         SETTINGS, TEXT_LIMIT, TEXTS)
from .models import Draft, Invitation, Response, Round, Settings, Target

TITLE_LIMIT = 200
# Resume codes are read aloud and typed by hand: no 0/O, 1/I/L look-alikes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


class StateConflict(CommandError, Conflict):
    """The request is well formed but the round is not at a point where it can be done
    (a third target, a review before its date...). The API answers 409."""


class AlreadySent(Exception):
    """These answers were sent before with the same one-time key (a double click, a form
    sent again): nothing new is recorded, and the caller answers as the first time."""

    def __init__(self, response: Response):
        super().__init__("These answers have already been sent.")
        self.response = response


class Problems:
    """Collects per-field messages so people see every problem at once."""

    def __init__(self):
        self.fields: dict = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self, message: str = "Some answers need correcting.") -> None:
        if self.fields:
            raise CommandError(message, self.fields)


def _words(problems: Problems, field: str, value, what: str, *, required=False, limit=TEXT_LIMIT) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.add(field, f"Enter {what} as words.")
        return ""
    value = value.strip()
    if required and not value:
        problems.add(field, f"Enter {what}.")
    elif len(value) > limit:
        problems.add(field, f"{what[:1].upper()}{what[1:]} must be {limit} characters or fewer.")
    return value


def _choice(problems: Problems, field: str, value, choices: dict, message: str) -> str | None:
    if value not in choices:
        problems.add(field, message)
        return None
    return value


# --- rounds -------------------------------------------------------------------------

@locked()
def start_round(service_id, title: str = "", share_planned_on: date | None = None) -> Round:
    problems = Problems()
    service = None
    if isinstance(service_id, int) and not isinstance(service_id, bool):
        service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        problems.add("service_id", "Choose a service from the list.")
    elif service.archived:
        problems.add("service_id", f"{service.name} is archived. Choose a service that is open.")
    title = _words(problems, "title", title, "a name for the round", limit=TITLE_LIMIT)
    if share_planned_on is not None and not isinstance(share_planned_on, date):
        problems.add("share_planned_on", "Enter a real date for sharing the views.")
    elif share_planned_on is not None and share_planned_on < london_today():
        problems.add("share_planned_on", "The day the views will be shared must be today or in the future.")
    problems.raise_if_any()
    payload = {"service_id": service.id,
               "share_planned_on": share_planned_on.isoformat() if share_planned_on else None}
    ev = record("indicators.round_started", payload, service_id=service.id, personal={"title": title})
    return db.session.get(Round, int(ev.entity_id))


def round_by_id(round_id) -> Round | None:
    """A round of the tenant in context; another Trust's is simply not found."""
    if not isinstance(round_id, int):
        return None
    return db.session.scalar(select(Round).where(Round.id == round_id))


# --- answers ---------------------------------------------------------------------------

def clean_answers(raw) -> tuple[dict, dict]:
    """Checks one person's answers. Returns (choices, words) per indicator, leaving out blanks.

    ``raw`` maps an indicator key to ``{"individual", "service", "how", "barriers", "change"}``;
    any part may be missing. Problems are reported as ``{"answers": {key: {part: [...]}}}``.
    """
    if not isinstance(raw, dict):
        raise CommandError("Send the answers as one entry per indicator.",
                           {"answers": ["Send the answers as one entry per indicator."]})
    problems: dict = {}
    choices, texts = {}, {}
    for key, answer in raw.items():
        if key not in INDICATORS:
            problems[str(key)] = [f"There is no indicator called '{key}'. Use one of: {', '.join(INDICATORS)}."]
            continue
        if not isinstance(answer, dict):
            problems[key] = ["Send this indicator's answers as an object."]
            continue
        own = Problems()
        for part in sorted(set(answer) - set(LEVELS) - set(TEXTS)):
            own.add(part, f"'{part}' is not a question here. Use: {', '.join(LEVELS + tuple(TEXTS))}.")
        chosen = {}
        for level in LEVELS:
            value = answer.get(level)
            if value in (None, ""):
                continue
            if _choice(own, level, value, ANSWERS, "Choose met, partly met, not met or don't know."):
                chosen[level] = value
        words = {part: _words(own, part, answer.get(part), "your answer") for part in TEXTS}
        words = {part: value for part, value in words.items() if value}
        if own.fields:
            problems[key] = own.fields
            continue
        if chosen:
            choices[key] = {level: chosen.get(level) for level in LEVELS}
        if words:
            texts[key] = words
    if problems:
        raise CommandError("Some answers need correcting.", {"answers": problems})
    return choices, texts


def group_for(role: str, chosen: str | None) -> str:
    """The group a member answers for: service users and staff answer for their own."""
    own = {"service_user": "service_users", "staff": "staff"}.get(role)
    if own is not None:
        if chosen not in (None, "", own):
            raise CommandError(f"You answer with the {GROUPS[own].lower()} group.",
                               {"group": [f"You answer with the {GROUPS[own].lower()} group."]})
        return own
    if chosen not in GROUPS:
        raise CommandError("Choose whether you are answering with service users or staff.",
                           {"group": ["Choose service users or staff."]})
    return chosen


SUBMISSION_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")


def new_submission_key() -> str:
    """The one-time key a form carries, so sending it twice records the answers once."""
    return secrets.token_urlsafe(24)


def clean_submission(value) -> str | None:
    """A one-time key as sent; none when there is none (an old form, an API call without one)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not SUBMISSION_PATTERN.fullmatch(value):
        message = "The submission key must be 8 to 64 letters, digits, '-' or '_' (a UUID will do)."
        raise CommandError(message, {"submission": [message]})
    return value


def member_response(round_: Round, membership_id: int) -> Response | None:
    """The answers a member has sent to this round, if they have."""
    return db.session.scalar(select(Response).where(
        Response.round_id == round_.id, Response.membership_id == membership_id))


def _resent(round_: Round, submission: str | None, membership_id: int | None,
            invitation: Invitation | None) -> None:
    """Stop a second send of the same answers: the same key from the same person (or link)
    is the first send again; a key already used by someone else is refused."""
    if submission is None:
        return
    earlier = db.session.scalar(select(Response).where(Response.submission == submission))
    if earlier is None:
        return
    same_sender = (earlier.round_id == round_.id and earlier.membership_id == membership_id
                   and earlier.invitation_id == (invitation.id if invitation else None))
    if same_sender:
        raise AlreadySent(earlier)
    message = "This form has already been used to send answers. Reload the page and try again."
    raise StateConflict(message, {"submission": [message]})


def _answered_before(round_: Round, membership_id: int | None) -> None:
    earlier = member_response(round_, membership_id) if membership_id is not None else None
    if earlier is not None:
        raise StateConflict(f"You have already sent your answers for this round, on "
                            f"{long_date(london_day(earlier.sent_at))}.")


@locked()
def send_response(round_: Round, group: str, raw, *, invitation: Invitation | None = None,
                  membership_id: int | None = None, submission=None) -> Response:
    """Record one person's answers for their group. The actor is whoever is in context.

    A member (``membership_id``) answers once per round. ``submission`` is the one-time key
    of the form or API call: sent again, it raises ``AlreadySent`` with the first response.
    """
    submission = clean_submission(submission)
    _resent(round_, submission, membership_id, invitation)
    _answered_before(round_, membership_id)
    if group not in GROUPS:
        raise CommandError("Choose service users or staff.", {"group": ["Choose service users or staff."]})
    choices, texts = clean_answers(raw)
    if not choices and not texts:
        raise CommandError("Answer at least one question before you send your answers.",
                           {"answers": ["Answer at least one question before you send your answers."]})
    payload = {"round_id": round_.id, "group": group, "answers": choices,
               "via": "invitation" if invitation else "member",
               "invitation_id": invitation.id if invitation else None,
               "membership_id": membership_id, "submission": submission}
    try:
        ev = record("indicators.response_sent", payload, service_id=round_.service_id,
                    personal={"texts": texts})
    except IntegrityError:
        # Another request sent them in the meantime; the savepoint has undone this one.
        _resent(round_, submission, membership_id, invitation)
        _answered_before(round_, membership_id)
        raise
    return db.session.get(Response, int(ev.entity_id))


# --- drafts ----------------------------------------------------------------------------------

def new_resume_code() -> str:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(code[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def _save_draft(round_: Round, group: str, raw, stream: str | None, submission=None, **keys) -> Draft:
    submission = clean_submission(submission)
    choices, texts = clean_answers(raw)
    payload = {"round_id": round_.id, "group": group, "answers": choices, "submission": submission, **keys}
    ev = record("indicators.draft_saved", payload, stream=stream, service_id=round_.service_id,
                personal={"texts": texts})
    return db.session.get(Draft, int(ev.entity_id))


def member_draft(round_: Round, membership_id: int) -> Draft | None:
    return db.session.scalar(select(Draft).where(
        Draft.round_id == round_.id, Draft.membership_id == membership_id, Draft.open.is_(True)))


@locked()
def save_member_draft(round_: Round, membership_id: int, group: str, raw, submission=None) -> Draft:
    """Keep a member's answers to finish later; they find them again when they come back."""
    _answered_before(round_, membership_id)
    existing = member_draft(round_, membership_id)
    stream = f"{Draft.__stream__}:{existing.id}" if existing else None
    return _save_draft(round_, group, raw, stream, submission, membership_id=membership_id)


def invitation_draft(invitation: Invitation, code: str | None) -> Draft | None:
    if not code or not normalise_code(code):
        return None
    return db.session.scalar(select(Draft).where(
        Draft.code_hash == code_hash(code), Draft.invitation_id == invitation.id, Draft.open.is_(True)))


@locked()
def save_invitation_draft(invitation: Invitation, round_: Round, raw, code: str | None = None,
                          submission=None) -> tuple[Draft, str]:
    """Keep answers given through an invitation. Returns the draft and its resume code:
    the same code when one was given and still matches, otherwise a new one."""
    existing = invitation_draft(invitation, code)
    if existing is None:
        code = new_resume_code()
    stream = f"{Draft.__stream__}:{existing.id}" if existing else None
    draft = _save_draft(round_, invitation.group, raw, stream, submission, invitation_id=invitation.id,
                        code_hash=code_hash(code))
    return draft, code


@locked()
def close_draft(draft: Draft | None, round_: Round) -> None:
    if draft is not None and draft.open:
        record("indicators.draft_closed", stream=f"{Draft.__stream__}:{draft.id}", service_id=round_.service_id)


# --- invitations -------------------------------------------------------------------------------

def new_link_token() -> str:
    return secrets.token_urlsafe(32)


def link_token_for(code: str) -> str:
    """The link's token made from its short address code: ``<code>.<key>``, the key a MAC of the
    code under the app's secret key. Typing the short code thus leads to the full link, and only
    the server can make one from the other; the token itself still cannot be guessed."""
    from flask import current_app

    mac = hmac.new(current_app.secret_key.encode() if isinstance(current_app.secret_key, str)
                   else current_app.secret_key, f"indicators-invitation:{code}".encode(), hashlib.sha256)
    return f"{code}.{base64.urlsafe_b64encode(mac.digest()).decode().rstrip('=')}"


def short_code_of(token: str) -> str | None:
    """The short address code a link's token was made from, or None for a link made before them."""
    code, dot, _ = (token or "").partition(".")
    return code if dot and short_address.tidy(code) == code else None


def invitation_by_short_code(code: str) -> Invitation | None:
    """The invitation a short address names, in whichever Trust made it (no Trust in context)."""
    found = token_hash(code)
    return db.session.scalars(select(Invitation).where(Invitation.short_hash == found)
                              .execution_options(**found_by_hash(found)).limit(written_in(2))).first()


def _new_short_code() -> str:
    # 40 bits make a clash unlikely; a clash with any Trust's link is still looked for and avoided.
    for _ in range(5):
        code = short_address.new_code()
        if invitation_by_short_code(code) is None:
            return code
    raise Conflict("Could not make a short address for the link. Try again.")


@locked()
def create_invitation(round_: Round, group, expires_on: date | None = None,
                      label: str = "") -> tuple[Invitation, str]:
    """Returns the invitation and its token, which is shown once and never kept."""
    problems = Problems()
    _choice(problems, "group", group, GROUPS, "Choose service users or staff.")
    if expires_on is not None:
        if not isinstance(expires_on, date):
            problems.add("expires_on", "Enter a real date.")
        elif expires_on < london_today():
            problems.add("expires_on", "The last day the link works must be today or in the future.")
    label = _words(problems, "label", label, "a name for the link", limit=TITLE_LIMIT)
    problems.raise_if_any()
    code = _new_short_code()
    token = link_token_for(code)
    payload = {"round_id": round_.id, "group": group, "token_hash": token_hash(token),
               "short_hash": token_hash(code), "expires_on": expires_on.isoformat() if expires_on else None}
    ev = record("indicators.invitation_created", payload, service_id=round_.service_id,
                personal={"label": label})
    return db.session.get(Invitation, int(ev.entity_id)), token


def invitation_usable(invitation: Invitation) -> bool:
    if invitation.revoked:
        return False
    return invitation.expires_on is None or london_today() <= invitation.expires_on


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link names, working or not; none for a made-up or altered link."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))


def invitation_for_link(token: str) -> Invitation | None:
    """The invitation a link names, if it still works (not stopped, not past its last day)."""
    invitation = invitation_by_token(token)
    return invitation if invitation is not None and invitation_usable(invitation) else None


@locked()
def revoke_invitation(invitation: Invitation, round_: Round) -> None:
    if invitation.revoked:
        raise StateConflict("This link has already been stopped.")
    record("indicators.invitation_revoked", stream=f"{Invitation.__stream__}:{invitation.id}",
           service_id=round_.service_id)


# --- step two: sharing -----------------------------------------------------------------------

def responses_by_round() -> dict[int, dict[str, int]]:
    """How many people of each group answered, for every round of the tenant: one query."""
    counts: dict[int, dict[str, int]] = {}
    rows = db.session.execute(select(Response.round_id, Response.group, func.count())
                              .group_by(Response.round_id, Response.group)).all()
    for round_id, group, count in rows:
        if group in GROUPS:
            counts.setdefault(round_id, dict.fromkeys(GROUPS, 0))[group] = count
    return counts


def responses_by_group(round_id: int) -> dict[str, int]:
    counts = dict.fromkeys(GROUPS, 0)
    rows = db.session.execute(select(Response.group, func.count()).where(Response.round_id == round_id)
                              .group_by(Response.group)).all()
    counts.update({group: count for group, count in rows if group in counts})
    return counts


@locked()
def share_views(round_: Round, shared_on, setting, chaired_by, chair_name: str = "", notes: str = "",
                ideas=None) -> Round:
    if round_.shared:
        raise StateConflict("The sharing of views has already been recorded for this round.")
    missing = [GROUPS[g].lower() for g, n in responses_by_group(round_.id).items() if n == 0]
    if missing:
        raise StateConflict(f"Both groups need to give their views before they are shared. "
                           f"There are no answers from {' or '.join(missing)} yet.")
    problems = Problems()
    if not isinstance(shared_on, date):
        problems.add("shared_on", "Enter the date the groups shared their views.")
    elif shared_on > london_today():
        problems.add("shared_on", "The date the groups shared their views must be today or in the past.")
    elif shared_on < london_day(round_.started_at):
        problems.add("shared_on", "The groups cannot have shared their views before the round started "
                                  f"on {long_date(london_day(round_.started_at))}.")
    _choice(problems, "setting", setting, SETTINGS, "Choose a regular user meeting or a special event.")
    _choice(problems, "chaired_by", chaired_by, CHAIRS, "Choose who chaired the meeting.")
    chair_name = _words(problems, "chair_name", chair_name, "the name of the person who chaired",
                        limit=TITLE_LIMIT)
    notes = _words(problems, "notes", notes, "notes")
    ideas = clean_ideas(problems, ideas)
    problems.raise_if_any()
    record("indicators.views_shared",
           {"shared_on": shared_on.isoformat(), "setting": setting, "chaired_by": chaired_by},
           stream=f"{Round.__stream__}:{round_.id}", service_id=round_.service_id,
           personal={"chair_name": chair_name, "notes": notes, "ideas": ideas})
    return round_


MAX_IDEAS = 30


def clean_ideas(problems: Problems, ideas) -> list[str]:
    """Step two's ideas for change: a list of words, or text with one idea a line."""
    if ideas is None:
        return []
    if isinstance(ideas, str):
        ideas = ideas.splitlines()
    if not isinstance(ideas, list) or not all(isinstance(i, str) for i in ideas):
        problems.add("ideas", "Enter the ideas for change as words, one a line.")
        return []
    ideas = [i.strip().lstrip("-*• ").strip() for i in ideas]
    ideas = [i for i in ideas if i]
    if len(ideas) > MAX_IDEAS:
        problems.add("ideas", f"Enter {MAX_IDEAS} ideas for change or fewer.")
    for idea in ideas:
        if len(idea) > TEXT_LIMIT:
            problems.add("ideas", f"Each idea for change must be {TEXT_LIMIT} characters or fewer.")
            break
    return ideas


# --- step three: targets ------------------------------------------------------------------------

def round_targets(round_id: int) -> list[Target]:
    return db.session.scalars(select(Target).where(Target.round_id == round_id).order_by(Target.id)).all()


@locked()
def agree_target(round_: Round, indicator, change, service_users_do, staff_do, review_on, *,
                 agreed_for_service_users="", agreed_for_staff="", agreed_on: date | None = None,
                 who_agreed_required: bool = True) -> Target:
    """Step three. ``agreed_on`` is the day of the meeting when a past round is entered
    (the demo's history); the review date must come after it. Today otherwise."""
    if not round_.shared:
        raise StateConflict("Record that the groups have shared their views (step 2) before agreeing targets.")
    if len(round_targets(round_.id)) >= MAX_TARGETS:
        raise StateConflict(f"This round already has {MAX_TARGETS} targets for change. The guide suggests "
                           "one or two, so the work stays manageable: review these before starting more.",
                           {"targets": [f"A round has at most {MAX_TARGETS} targets for change."]})
    problems = Problems()
    _choice(problems, "indicator", indicator, INDICATORS, "Choose the indicator this target is about.")
    change = _words(problems, "change", change, "what will change", required=True)
    service_users_do = _words(problems, "service_users_do", service_users_do,
                              "what service users will do", required=True)
    staff_do = _words(problems, "staff_do", staff_do, "what staff will do", required=True)
    # The guide makes targets joint: one person agrees for each group.
    # (The API keeps working for callers written before it asked, so there it may be left out.)
    agreed_for_service_users = _words(problems, "agreed_for_service_users", agreed_for_service_users,
                                      "who agreed for service users", required=who_agreed_required,
                                      limit=TITLE_LIMIT)
    agreed_for_staff = _words(problems, "agreed_for_staff", agreed_for_staff, "who agreed for staff",
                              required=who_agreed_required, limit=TITLE_LIMIT)
    if not isinstance(review_on, date):
        problems.add("review_on", "Enter the date you will review progress.")
    elif review_on <= (agreed_on or london_today()):
        problems.add("review_on", "The review date must be in the future.")
    problems.raise_if_any()
    ev = record("indicators.target_agreed",
                {"round_id": round_.id, "indicator": indicator, "review_on": review_on.isoformat()},
                service_id=round_.service_id,
                personal={"change": change, "service_users_do": service_users_do, "staff_do": staff_do,
                          "agreed_for_service_users": agreed_for_service_users,
                          "agreed_for_staff": agreed_for_staff})
    target = db.session.get(Target, int(ev.entity_id))
    _propose_action(round_, target)
    return target


def _propose_action(round_: Round, target: Target) -> None:
    """A target agreed becomes an action, due on its review date."""
    from core import actions

    actions.propose(f"indicators-target:{target.id}", target.change, plugin="indicators",
                    title=f"Indicators: a target for {INDICATORS[target.indicator][0]}, agreed in {round_.title or 'a round'}",
                    service_id=round_.service_id, link=("indicators.round_page", {"round_id": round_.id}),
                    due_on=target.review_on)


def target_by_id(round_: Round, target_id) -> Target | None:
    if not isinstance(target_id, int):
        return None
    return db.session.scalar(select(Target).where(Target.id == target_id, Target.round_id == round_.id))


# --- step four: review ------------------------------------------------------------------------------

@locked()
def review_target(target: Target, round_: Round, happened, outcomes, working_together: str = "",
                  build_on: str = "", *, reviewed_for_service_users="", reviewed_for_staff="",
                  evidence=None) -> Target:
    """Step four. ``evidence``: links and notes behind the review (``core.evidence``), or None."""
    if target.reviewed:
        raise StateConflict("This target has already been reviewed.")
    if london_today() < target.review_on:
        raise StateConflict(f"This target can be reviewed from {long_date(target.review_on)}, its review date.",
                           {"review_on": [f"Wait until {long_date(target.review_on)} to review it."]})
    problems = Problems()
    _choice(problems, "happened", happened, HAPPENED, "Choose yes, partly or no.")
    outcomes = _words(problems, "outcomes", outcomes, "what the outcomes have been", required=True)
    working_together = _words(problems, "working_together", working_together, "how working together felt")
    build_on = _words(problems, "build_on", build_on, "how you could build on it")
    reviewed_for_service_users = _words(problems, "reviewed_for_service_users", reviewed_for_service_users,
                                        "who reviewed it for service users", limit=TITLE_LIMIT)
    reviewed_for_staff = _words(problems, "reviewed_for_staff", reviewed_for_staff, "who reviewed it for staff",
                                limit=TITLE_LIMIT)
    evidence, evidence_problems = check_evidence(evidence)
    for message in evidence_problems:
        problems.add("evidence", message)
    problems.raise_if_any()
    record("indicators.target_reviewed", {"happened": happened},
           stream=f"{Target.__stream__}:{target.id}", service_id=round_.service_id,
           personal={"outcomes": outcomes, "working_together": working_together, "build_on": build_on,
                     "reviewed_for_service_users": reviewed_for_service_users,
                     "reviewed_for_staff": reviewed_for_staff, "evidence": evidence})
    return target


# --- the Trust's settings ------------------------------------------------------------------------

def settings() -> Settings | None:
    return db.session.scalar(select(Settings))


def min_answers() -> int:
    """How many service users must answer in a round before their words are shown (looked up
    once a request: a report or a trend summarises many rounds)."""
    from flask import g, has_app_context

    if has_app_context() and "indicators_min_answers" in g:
        return g.indicators_min_answers
    row = settings()
    value = max(MIN_ANSWERS, row.min_answers) if row is not None else MIN_ANSWERS
    if has_app_context():
        g.indicators_min_answers = value
    return value


def support_contact() -> str:
    row = settings()
    return row.support_contact if row is not None else ""


@locked()
def change_settings(support_contact, min_answers) -> Settings:
    problems = Problems()
    support_contact = _words(problems, "support_contact", support_contact, "the Trust's support contact")
    if isinstance(min_answers, str) and min_answers.strip().isdigit():
        min_answers = int(min_answers)
    if not isinstance(min_answers, int) or isinstance(min_answers, bool):
        problems.add("min_answers", "Enter the number of answers as a whole number, like 3.")
    elif min_answers < MIN_ANSWERS:
        problems.add("min_answers", f"The number of answers must be {MIN_ANSWERS} or more, so that nobody "
                                    "can be picked out from what they said.")
    elif min_answers > 50:
        problems.add("min_answers", "The number of answers must be 50 or fewer.")
    problems.raise_if_any()
    existing = settings()
    from flask import g, has_app_context

    if has_app_context():
        g.pop("indicators_min_answers", None)
    ev = record("indicators.settings_changed", {"min_answers": min_answers},
                stream=f"{Settings.__stream__}:{existing.id}" if existing else None,
                personal={"support_contact": support_contact})
    return db.session.get(Settings, int(ev.entity_id))


def response_for_submission(submission, invitation: Invitation) -> Response | None:
    """Answers already sent through this link with this one-time key, if any."""
    if not isinstance(submission, str) or not SUBMISSION_PATTERN.fullmatch(submission):
        return None
    return db.session.scalar(select(Response).where(
        Response.submission == submission, Response.invitation_id == invitation.id))
