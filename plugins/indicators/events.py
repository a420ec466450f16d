"""The indicators' events: payload schemas, projectors and audit sentences.

Choices, ids and dates go in the hashed payload; every word a person typed
(titles, answers, targets, notes, names) goes in the erasable personal part.
"""
from datetime import date

from marshmallow import Schema, fields, validate

from core.events import EventType
from core.evidence import EvidenceList

from .indicators import (ANSWERS, CHAIRS, GROUP_WORDS, GROUPS, HAPPENED, KEYS, MIN_ANSWERS, SETTINGS,
                         TEXT_LIMIT, short_name)
from .models import Draft, Invitation, Response, Round, Settings, Target

HASH = validate.Length(equal=64)
SUBMISSION = validate.Regexp(r"^[A-Za-z0-9_-]{8,64}$", error="A one-time key is 8 to 64 letters, digits, '-' or '_'.")
WORDS = validate.Length(max=TEXT_LIMIT)
SHORT_WORDS = validate.Length(max=200)
INDICATOR = validate.OneOf(KEYS, error="Choose one of the seven indicators.")
GROUP = validate.OneOf(GROUPS, error="Choose service users or staff.")


def _answer():
    return fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(ANSWERS, error="Choose met, partly met, not met or don't know."))


def _words(required=False):
    if required:
        return fields.String(required=True, validate=validate.Length(min=1, max=TEXT_LIMIT))
    return fields.String(load_default="", validate=WORDS)


# --- payloads and personal words --------------------------------------------------------

class RoundStarted(Schema):
    service_id = fields.Integer(required=True)
    share_planned_on = fields.Date(load_default=None, allow_none=True)


class RoundTitle(Schema):
    title = fields.String(load_default="", validate=SHORT_WORDS)


class LevelAnswers(Schema):
    individual = _answer()
    service = _answer()


class AnswerWords(Schema):
    how = _words()
    barriers = _words()
    change = _words()


class Answered(Schema):
    round_id = fields.Integer(required=True)
    group = fields.String(required=True, validate=GROUP)
    answers = fields.Dict(keys=fields.String(validate=INDICATOR), values=fields.Nested(LevelAnswers),
                          required=True)


def _submission():
    return fields.String(load_default=None, allow_none=True, validate=SUBMISSION)


class ResponseSent(Answered):
    via = fields.String(required=True, validate=validate.OneOf(("member", "invitation")))
    invitation_id = fields.Integer(load_default=None, allow_none=True)
    # Who sent them, when a member did: an id, kept in the hashed payload.
    membership_id = fields.Integer(load_default=None, allow_none=True)
    submission = _submission()


class DraftSaved(Answered):
    membership_id = fields.Integer(load_default=None, allow_none=True)
    invitation_id = fields.Integer(load_default=None, allow_none=True)
    code_hash = fields.String(load_default=None, allow_none=True, validate=HASH)
    submission = _submission()


class AnswerTexts(Schema):
    texts = fields.Dict(keys=fields.String(validate=INDICATOR), values=fields.Nested(AnswerWords),
                        load_default=dict)


class InvitationCreated(Schema):
    round_id = fields.Integer(required=True)
    group = fields.String(required=True, validate=GROUP)
    token_hash = fields.String(required=True, validate=HASH)
    expires_on = fields.Date(load_default=None, allow_none=True)
    # The hash of the link's short address code (core.short_address); none for links made before.
    short_hash = fields.String(load_default=None, allow_none=True, validate=HASH)


class InvitationLabel(Schema):
    label = fields.String(load_default="", validate=SHORT_WORDS)


class ViewsShared(Schema):
    shared_on = fields.Date(required=True)
    setting = fields.String(required=True, validate=validate.OneOf(SETTINGS))
    chaired_by = fields.String(required=True, validate=validate.OneOf(CHAIRS))


class SharingWords(Schema):
    chair_name = fields.String(load_default="", validate=SHORT_WORDS)
    notes = _words()
    ideas = fields.List(fields.String(validate=validate.Length(min=1, max=TEXT_LIMIT)), load_default=list)


class TargetAgreed(Schema):
    round_id = fields.Integer(required=True)
    indicator = fields.String(required=True, validate=INDICATOR)
    review_on = fields.Date(required=True)


class TargetWords(Schema):
    change = _words(required=True)
    service_users_do = _words(required=True)
    staff_do = _words(required=True)
    agreed_for_service_users = fields.String(load_default="", validate=SHORT_WORDS)
    agreed_for_staff = fields.String(load_default="", validate=SHORT_WORDS)


class TargetReviewed(Schema):
    happened = fields.String(required=True, validate=validate.OneOf(HAPPENED))


class ReviewWords(Schema):
    outcomes = _words(required=True)
    working_together = _words()
    build_on = _words()
    reviewed_for_service_users = fields.String(load_default="", validate=SHORT_WORDS)
    reviewed_for_staff = fields.String(load_default="", validate=SHORT_WORDS)
    evidence = EvidenceList(load_default=None, allow_none=True)


class SettingsChanged(Schema):
    min_answers = fields.Integer(required=True, validate=validate.Range(min=MIN_ANSWERS, max=50))


class SettingsWords(Schema):
    support_contact = fields.String(load_default="", validate=WORDS)


# --- projectors ----------------------------------------------------------------------------

def _day(value):
    return date.fromisoformat(value) if value else None


def _texts(ev) -> dict:
    """The words of an answer; none once they have been erased."""
    if ev.erased:
        return {}
    texts = ev.personal.get("texts")
    return texts if isinstance(texts, dict) else {}


def merged_answers(choices: dict, texts: dict) -> dict:
    """Choices and words per indicator, in the guide's order."""
    answers = {}
    for key in KEYS:
        if key not in choices and key not in texts:
            continue
        chosen, words = choices.get(key) or {}, texts.get(key) or {}
        answers[key] = {
            "individual": chosen.get("individual"),
            "service": chosen.get("service"),
            "how": words.get("how", ""),
            "barriers": words.get("barriers", ""),
            "change": words.get("change", ""),
        }
    return answers


def _round_started(row, ev):
    row.service_id = ev.payload["service_id"]
    row.share_planned_on = _day(ev.payload.get("share_planned_on"))
    row.title = ev.personal.get("title", "")
    row.started_at = ev.occurred_at


def _views_shared(row, ev):
    row.shared_on = _day(ev.payload["shared_on"])
    row.shared_setting = ev.payload["setting"]
    row.shared_chair = ev.payload["chaired_by"]
    row.shared_chair_name = ev.personal.get("chair_name", "")
    row.shared_notes = ev.personal.get("notes", "")
    ideas = ev.personal.get("ideas")
    row.ideas = ideas if isinstance(ideas, list) else []
    row.shared_recorded_at = ev.occurred_at


def _invitation_created(row, ev):
    row.round_id = ev.payload["round_id"]
    row.group = ev.payload["group"]
    row.token_hash = ev.payload["token_hash"]
    row.short_hash = ev.payload.get("short_hash")
    row.expires_on = _day(ev.payload["expires_on"])
    row.label = ev.personal.get("label", "")
    row.created_at = ev.occurred_at
    row.revoked = False


def _invitation_revoked(row, ev):
    row.revoked = True


def _response_sent(row, ev):
    row.round_id = ev.payload["round_id"]
    row.group = ev.payload["group"]
    row.via = ev.payload["via"]
    row.invitation_id = ev.payload["invitation_id"]
    row.membership_id = ev.payload.get("membership_id")
    row.submission = ev.payload.get("submission")
    row.answers = merged_answers(ev.payload["answers"], _texts(ev))
    row.words_erased = ev.erased
    row.sent_at = ev.occurred_at


def _draft_saved(row, ev):
    row.round_id = ev.payload["round_id"]
    row.group = ev.payload["group"]
    row.membership_id = ev.payload["membership_id"]
    row.invitation_id = ev.payload["invitation_id"]
    row.code_hash = ev.payload["code_hash"]
    row.submission = ev.payload.get("submission")
    row.answers = merged_answers(ev.payload["answers"], _texts(ev))
    row.saved_at = ev.occurred_at
    row.open = True


def _draft_closed(row, ev):
    # The words now live in the response that was sent; the draft keeps none.
    row.answers = {}
    row.open = False


def _target_agreed(row, ev):
    row.round_id = ev.payload["round_id"]
    row.indicator = ev.payload["indicator"]
    row.review_on = _day(ev.payload["review_on"])
    row.change = ev.personal.get("change", "")
    row.service_users_do = ev.personal.get("service_users_do", "")
    row.staff_do = ev.personal.get("staff_do", "")
    row.agreed_for_service_users = ev.personal.get("agreed_for_service_users", "")
    row.agreed_for_staff = ev.personal.get("agreed_for_staff", "")
    row.agreed_at = ev.occurred_at


def _target_reviewed(row, ev):
    row.happened = ev.payload["happened"]
    row.outcomes = ev.personal.get("outcomes", "")
    row.working_together = ev.personal.get("working_together", "")
    row.build_on = ev.personal.get("build_on", "")
    row.reviewed_for_service_users = ev.personal.get("reviewed_for_service_users", "")
    row.reviewed_for_staff = ev.personal.get("reviewed_for_staff", "")
    row.review_evidence = ev.personal.get("evidence")
    row.reviewed_at = ev.occurred_at


def _settings_changed(row, ev):
    row.min_answers = ev.payload["min_answers"]
    row.support_contact = ev.personal.get("support_contact", "")
    row.changed_at = ev.occurred_at


# --- audit sentences -------------------------------------------------------------------------

def _service(name):
    return name or "a service"


def _round_started_says(ev, actor, service):
    return f"{actor} started a round of the service user indicators for {_service(service)}"


def _answered_says(ev, actor, service):
    return f"{actor} answered the indicators for {_service(service)}"


def _draft_saved_says(ev, actor, service):
    return f"{actor} saved answers to the indicators for {_service(service)} to finish later"


def _draft_closed_says(ev, actor, service):
    return f"{actor} finished with saved answers to the indicators for {_service(service)}"


def _invitation_created_says(ev, actor, service):
    group = GROUP_WORDS.get(ev.payload.get("group"), "people")
    return f"{actor} made an invitation link for {group} to answer the indicators for {_service(service)}"


def _invitation_revoked_says(ev, actor, service):
    return f"{actor} stopped an invitation link to the indicators for {_service(service)}"


def _views_shared_says(ev, actor, service):
    return (f"{actor} recorded that service users and staff shared their views on the indicators "
            f"for {_service(service)}")


def _target_agreed_says(ev, actor, service):
    indicator = ev.payload.get("indicator")
    name = short_name(indicator) if indicator in KEYS else "an indicator"
    return f"{actor} recorded a target for change for {_service(service)} ({name})"


def _target_reviewed_says(ev, actor, service):
    return f"{actor} recorded the review of a target for change for {_service(service)}"


def _settings_changed_says(ev, actor, service):
    return f"{actor} changed the support contact and answer threshold for the service user indicators"


EVENT_TYPES = [
    EventType("indicators.round_started", Round, _round_started, RoundStarted, RoundTitle,
              label="Indicators round started",
              describe=_round_started_says, creates=True),
    EventType("indicators.views_shared", Round, _views_shared, ViewsShared, SharingWords,
              label="Indicators: views shared",
              describe=_views_shared_says),
    EventType("indicators.invitation_created", Invitation, _invitation_created, InvitationCreated,
              InvitationLabel, label="Invitation link made", describe=_invitation_created_says, creates=True),
    EventType("indicators.invitation_revoked", Invitation, _invitation_revoked,
              label="Invitation link stopped",
              describe=_invitation_revoked_says),
    EventType("indicators.response_sent", Response, _response_sent, ResponseSent, AnswerTexts,
              label="Indicators: answers sent",
              describe=_answered_says, creates=True),
    EventType("indicators.draft_saved", Draft, _draft_saved, DraftSaved, AnswerTexts,
              label="Indicators: answers saved to finish later",
              describe=_draft_saved_says, creates=True),
    EventType("indicators.draft_closed", Draft, _draft_closed, label="Indicators: saved answers sent or set aside",
              describe=_draft_closed_says),
    EventType("indicators.target_agreed", Target, _target_agreed, TargetAgreed, TargetWords,
              label="Target for change agreed",
              describe=_target_agreed_says, creates=True),
    EventType("indicators.target_reviewed", Target, _target_reviewed, TargetReviewed, ReviewWords,
              label="Target reviewed",
              describe=_target_reviewed_says),
    EventType("indicators.settings_changed", Settings, _settings_changed, SettingsChanged, SettingsWords,
              label="Indicators settings changed",
              describe=_settings_changed_says, creates=True),
]
