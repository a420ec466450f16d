"""The assessment form: one page, a field per answer, named by the answer's flat key.

WTForms renders the fields and checks the CSRF token; the answers themselves
are checked by ``answers.load_flat`` and ``commands`` (the same rules as the
API), and their messages are put back on the fields.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice

from core.dates import DateInputField
from core.forms import CreateForm, name_messages, show_typed

from .levels import AREAS, EVIDENCE_KEYS, HOW_KEYS, LEVEL_KEYS, LEVELS, PRACTICE_KEYS, TEXT_KEYS, VIEWS, flat_key

EVIDENCE_ROWS = 3  # rows of links and notes offered per area; more can be sent through the API

LEVEL_CHOICES = [SelectChoice(str(level.number), level.title) for level in LEVELS]


def _fields() -> dict:
    fields = {
        "view": RadioField("Whose view is this?", choices=[SelectChoice(k, v) for k, v in VIEWS.items()], validate_choice=False, default="staff",
                           description="The staff team's, the service users' (through a user group, a facilitator "
                                       "or their own accounts), or agreed by both together."),
        "assessed_on": DateInputField("Date of the assessment", check=False, example="15 3 2026"),
        "aim_by": DateInputField("By when do you aim to reach these levels? (optional)", check=False,
                                 example="31 3 2027",
                                 description="The next assessment will say whether they were reached by then."),
        "participants": TextAreaField(
            "Who took part?",
            description="For example: the ward team, the ward manager and two members of the user group."),
    }
    for area in AREAS:
        fields[flat_key(area.key, "current")] = RadioField(
            f"{area.name}: where is the service now?", choices=LEVEL_CHOICES, validate_choice=False)
        fields[flat_key(area.key, "aim")] = RadioField(
            f"{area.name}: what level are you aiming for?", choices=LEVEL_CHOICES, validate_choice=False,
            description="The same level as now, or higher.")
        fields[flat_key(area.key, "achieved")] = TextAreaField(
            f"{area.name}: how do you currently involve service users? (optional)",
            description="What has been achieved so far in this area.")
        fields[flat_key(area.key, "planned")] = TextAreaField(
            f"{area.name}: how might you increase this involvement? (optional)",
            description="What you plan to do to reach the level you are aiming for.")
    return fields


class _AnswerForm:
    """Read the answers typed, show an assessment's answers, and take messages."""

    extra: dict  # practices, "how we do it" and evidence per area: typed outside WTForms' fields

    def flat(self) -> dict:
        """The answers typed, as flat values for ``answers.load_flat`` (blank -> None)."""
        from flask import request

        from core.evidence import from_form

        values = {"view": (self.view.data or "").strip() or None}
        for area in AREAS:
            ticked = [k for k in request.form.getlist(flat_key(area.key, "practices")) if k]
            values[flat_key(area.key, "practices")] = ticked or None
            how = {k: " ".join(request.form.get(f"{area.key}_how_{k}", "").split()) for k in ticked}
            values[flat_key(area.key, "how")] = {k: v for k, v in how.items() if v} or None
            values[flat_key(area.key, "evidence")] = from_form(request.form, f"{area.key}_evidence",
                                                               EVIDENCE_ROWS) or None
        self.extra = {k: values[k] for k in (*PRACTICE_KEYS, *HOW_KEYS, *EVIDENCE_KEYS)}
        self.typed_problems = {}  # a date typed that is not a date: left out of the values
        for key in ("assessed_on", "aim_by"):
            if self[key].problem:
                self.typed_problems[key] = [self[key].problem]
            else:
                values[key] = self[key].data or None
        for key in ("participants", *TEXT_KEYS):
            text = (self[key].data or "").strip()
            values[key] = text or None
        for key in LEVEL_KEYS:
            choice = (self[key].data or "").strip() if isinstance(self[key].data, str) else self[key].data
            # a level is a number; anything else is left for the checks to refuse with a plain message
            values[key] = int(choice) if isinstance(choice, str) and choice.isdigit() else (choice or None)
        if all(value is None for key, value in values.items() if key != "view"):
            del values["view"]  # whose view, chosen by default, is not an answer typed on its own
        return values

    def typed(self, key: str):
        """What was typed in a box (the date's three boxes, words), to keep as typed; None for a choice."""
        if key in ("assessed_on", "aim_by"):
            return dict(self[key].parts)
        if key in ("participants", *TEXT_KEYS) and isinstance(self[key].data, str):
            return self[key].data
        return None

    def show_typed(self, kept: dict) -> None:
        """Put answers kept as typed back in their boxes, with what is wrong with each."""
        show_typed(self, kept)

    def show(self, content: dict) -> None:
        """Fill the fields from an assessment's answers."""
        self.extra = {}
        for key, value in content.items():
            if key in self:
                self[key].data = "" if value is None else str(value)
            elif key in (*PRACTICE_KEYS, *HOW_KEYS, *EVIDENCE_KEYS):
                self.extra[key] = value

    def take_messages(self, messages: dict) -> None:
        """Put each flat key's messages on its field; others go to the top of the form."""
        from core.evidence import flatten_messages

        self.extra_errors = dict(getattr(self, "extra_errors", {}))
        for key, texts in messages.items():
            texts = flatten_messages(texts)
            if key in (*PRACTICE_KEYS, *HOW_KEYS, *EVIDENCE_KEYS):
                self.extra_errors[key] = texts
            if key in self and key not in ("csrf_token", "version"):
                self[key].errors = [*self[key].errors, *name_messages(self[key].label.text, texts)]
            else:
                self.form_errors.extend(texts)


AssessmentForm = type("AssessmentForm", (_AnswerForm, CreateForm), {**_fields(), "version": HiddenField()})

AmendForm = type("AmendForm", (_AnswerForm, FlaskForm), {
    **_fields(), "version": HiddenField(),
    "reason": TextAreaField("Why are you amending it? (optional)", description=(
        "For example: the policy level was chosen by mistake. This is shown with the amendment.")),
})


class CompareForm(FlaskForm):
    """Choose two assessments of a service. A GET form: it changes nothing, so it has no CSRF token."""

    class Meta:
        csrf = False

    a = SelectField("First assessment", validate_choice=False)
    b = SelectField("Second assessment", validate_choice=False)


class PracticeForm(FlaskForm):
    """A practice of the Trust's own for the checklist."""

    wording = TextAreaField("The practice, in a sentence",
                            description="For example: Service users co-chair the ward's monthly community meeting.")
    level = RadioField("Which level does it support?", validate_choice=False,
                       choices=[SelectChoice(str(level.number), level.title) for level in LEVELS if level.number > 1])
