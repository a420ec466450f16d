"""Forms for the indicators' pages. Every rule lives in plugins.indicators.commands;
these forms only turn what people typed into values, and show the messages back."""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from core.dates import DateInputField
from core.forms import CreateForm

from .indicators import (CHAIRS, GROUPS, HAPPENED, INDICATORS, KEYS, LEVEL_QUESTIONS, LEVELS, PLAIN_ANSWERS,
                         SETTINGS, TEXT_LIMIT, TEXTS)

def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _date_or_blank(form, field):
    # the boxes were read and checked by DateInputField: here data is an ISO date or ""
    field.parsed = date.fromisoformat(field.data) if field.data else None


def _words(label, description="", limit=TEXT_LIMIT):
    return TextAreaField(label, description=description, filters=[_strip],
                         validators=[Length(max=limit, message=f"Use {limit} characters or fewer.")])


def _choices(mapping):
    return [SelectChoice(value, label) for value, label in mapping.items()]


def _radio(label, mapping, description=""):
    # The commands check the value, so a tampered choice gets the same plain message.
    return RadioField(label, choices=_choices(mapping), validate_choice=False, description=description)


def _date(label, description=""):
    return DateInputField(label, description=description, validators=[_date_or_blank])


def apply_errors(form, error) -> None:
    """Show a CommandError's messages on the fields they name, or above the form."""
    for name, messages in (error.fields or {}).items():
        if name == "answers" and isinstance(messages, dict):
            for key, parts in messages.items():
                for part, part_messages in (parts.items() if isinstance(parts, dict) else []):
                    field = form._fields.get(f"{key}_{part}")
                    if field is not None:
                        field.errors = list(field.errors) + list(part_messages)
            continue
        if name == "submission" and isinstance(messages, list):
            # A hidden field: say it above the form.
            form.form_errors.extend(messages)
            continue
        field = form._fields.get(name)
        if field is not None and isinstance(messages, list):
            field.errors = list(field.errors) + messages
    if not form.errors:
        form.form_errors.append(error.message)


# --- step one: one person's answers ------------------------------------------------------------

class _Answers(FlaskForm):
    """A short set of questions per indicator. Built below, one block per indicator."""

    # The one-time key of this form, so sending it twice (a double click) records it once.
    submission = HiddenField()

    def carry_key(self, draft, new_key) -> None:
        """Give the form its one-time key: saved answers keep theirs; a form sent back
        to be corrected keeps the one it came with."""
        if not self.submission.data:
            self.submission.data = (draft.submission if draft is not None and draft.submission else None) \
                or new_key()

    def to_answers(self) -> dict:
        answers = {}
        for key in KEYS:
            answer = {level: self[f"{key}_{level}"].data or None for level in LEVELS}
            answer.update({part: self[f"{key}_{part}"].data or "" for part in TEXTS})
            if any(answer.values()):
                answers[key] = answer
        return answers

    def fill(self, answers: dict) -> None:
        """Put saved answers back into the form."""
        for key, answer in (answers or {}).items():
            if key not in INDICATORS:
                continue
            for part in LEVELS + tuple(TEXTS):
                self[f"{key}_{part}"].data = answer.get(part) or ("" if part in TEXTS else None)

    def word_for(self, group: str | None) -> None:
        """Ask each group about the two levels in its own words."""
        questions = LEVEL_QUESTIONS.get(group) or NEUTRAL_QUESTIONS
        for key in KEYS:
            for level in LEVELS:
                self[f"{key}_{level}"].label.text = questions[level]

    def blocks(self):
        """(key, name, wording, [fields]) per indicator, for the template."""
        for key, (name, wording) in INDICATORS.items():
            yield key, name, wording, [self[f"{key}_{part}"] for part in LEVELS + tuple(TEXTS)]


NEUTRAL_QUESTIONS = {"individual": "Is this happening for individual people?",
                     "service": "Is this happening across the service?"}
# Made before the answers so it comes first in the error summary.
_GROUP = _radio("Which group are you answering with?", GROUPS,
                description="Facilitators and admins answer with one group at a time.")


def _answer_fields() -> dict:
    fields = {}
    for key in KEYS:
        for level in LEVELS:
            fields[f"{key}_{level}"] = _radio(NEUTRAL_QUESTIONS[level], PLAIN_ANSWERS)
        for part, label in TEXTS.items():
            fields[f"{key}_{part}"] = _words(label)
    return fields


AnswersForm = type("AnswersForm", (_Answers,), _answer_fields())


class MemberAnswersForm(AnswersForm):
    group = _GROUP


class MemberGroupForm(FlaskForm):
    """Before a member's questions, for those who answer with either group (facilitators, admins)."""

    group = _GROUP


class OneAnswerForm(FlaskForm):
    """One indicator's questions, on its own page of the invitation journey."""

    individual = _radio(NEUTRAL_QUESTIONS["individual"], PLAIN_ANSWERS)
    service = _radio(NEUTRAL_QUESTIONS["service"], PLAIN_ANSWERS)
    how = _words(TEXTS["how"])
    barriers = _words(TEXTS["barriers"])
    change = _words(TEXTS["change"])

    def word_for(self, group: str | None) -> None:
        questions = LEVEL_QUESTIONS.get(group) or NEUTRAL_QUESTIONS
        for level in LEVELS:
            self[level].label.text = questions[level]

    def fill(self, answer: dict | None) -> None:
        for part in LEVELS + tuple(TEXTS):
            self[part].data = (answer or {}).get(part) or ("" if part in TEXTS else None)

    def to_answer(self) -> dict:
        answer = {level: self[level].data or None for level in LEVELS}
        answer.update({part: self[part].data or "" for part in TEXTS})
        return answer


class SendForm(FlaskForm):
    """"Send my answers" on the check page: the one-time key of the saved answers."""

    submission = HiddenField()


PRESENTATIONS = {"standard": "Standard", "large_print": "Large print", "easy_read": "Easy read"}


class PresentationForm(FlaskForm):
    presentation = _radio("How would you like to see the questions?", PRESENTATIONS,
                          description="We will remember your choice until you close your browser.")


class SettingsForm(FlaskForm):
    """The answer threshold. The support contact on invitation pages is the Trust's contact, set in core."""

    min_answers = StringField("How many service users must answer before their words are shown",
                              filters=[_strip], render_kw={"inputmode": "numeric"},
                              description="At least 3, so that nobody can be picked out from what they said.")


# --- rounds and invitations -----------------------------------------------------------------------

class RoundForm(CreateForm):
    service_id = SelectField("Which service are you evaluating?", validate_choice=False)
    title = StringField("Name for this round (optional)", filters=[_strip],
                        description="For example, Spring 2027. Leave it empty and the start date is used.")
    share_planned_on = _date("When will the groups share their views? (optional)",
                             description="People who answer are told this date.")

    def chosen_service(self) -> int | None:
        value = self.service_id.data or ""
        return int(value) if str(value).isdigit() else None


class InvitationForm(CreateForm):
    group = _radio("Who is this link for?", GROUPS)
    label = StringField("Name for this link (optional)", filters=[_strip],
                        description="So you can tell links apart, for example 'Tuesday drop-in'. "
                                    "People using the link do not see it.")
    expires_on = _date("Last day the link works (optional)",
                       description="Leave it empty for a link that works until you stop it.")


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ResumeForm(FlaskForm):
    code = StringField("Your code", filters=[_strip], description="For example, ABCD-EFGH-JKMN",
                       render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"})


# --- steps two to four --------------------------------------------------------------------------------

class SharingForm(FlaskForm):
    shared_on = _date("When did the groups share their views?")
    setting = _radio("Where did they share them?", SETTINGS)
    chaired_by = _radio("Who chaired it?", CHAIRS,
                        description="The guide suggests an external user facilitator can help.")
    chair_name = StringField("Name of the person who chaired (optional)", filters=[_strip])
    ideas = _words("Ideas for change (optional)",
                   description="One idea a line. You will choose targets for change from these in step 3.")
    notes = _words("Notes (optional)", description="Anything else to remember.")


OTHER_IDEA = "other"


class TargetForm(CreateForm):
    indicator = _radio("Which indicator is this target about?", {k: v[1] for k, v in INDICATORS.items()})
    idea = _radio("Which idea for change from step 2?", {},
                  description="Choose one of the ideas from when the groups shared their views, or add another.")
    change = _words("What will change?",
                    description="Leave this empty to use the idea you chose, or write it in your own words.")
    service_users_do = _words("What will service users do?",
                              description="Service users and staff share responsibility for making it happen.")
    staff_do = _words("What will staff do?")
    review_on = _date("When will you review progress?", description="This must be in the future.")
    agreed_for_service_users = StringField("Who agreed this for service users?", filters=[_strip],
                                           description="A name, or for example 'the user group'.")
    agreed_for_staff = StringField("Who agreed this for staff?", filters=[_strip],
                                   description="A name, or for example 'the team manager'.")

    def with_ideas(self, ideas: list[str]) -> None:
        """Offer step two's ideas; with none, the target is written in full."""
        if ideas:
            self.idea.choices = [SelectChoice(str(i), idea) for i, idea in enumerate(ideas)] + [
                SelectChoice(OTHER_IDEA, "Another change")]
        else:
            del self.idea

    def chosen_change(self, ideas: list[str]) -> str:
        """The words of the change: as typed, or else the idea chosen."""
        typed = self.change.data or ""
        chosen = self.idea.data if "idea" in self._fields else None
        if not typed and chosen not in (None, "", OTHER_IDEA) and str(chosen).isdigit() \
                and int(chosen) < len(ideas):
            return ideas[int(chosen)]
        return typed


class ReviewForm(FlaskForm):
    happened = _radio("Has the change happened?", HAPPENED)
    outcomes = _words("What have the outcomes been?")
    working_together = _words("How did it feel working together on this change? (optional)")
    build_on = _words("How could you build on this in other areas of the service? (optional)")
    reviewed_for_service_users = StringField("Who reviewed it for service users? (optional)", filters=[_strip])
    reviewed_for_staff = StringField("Who reviewed it for staff? (optional)", filters=[_strip])
