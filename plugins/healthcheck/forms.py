"""The review form: one long page, a field per answer, named by the answer's flat key.

WTForms renders the fields and checks the CSRF token; the answers themselves
are checked by ``answers.load_flat`` (the same rules as the API), and its
messages are put back on the fields.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from core.dates import PAST_EXAMPLE, DateInputField
from core.forms import CreateForm, name_messages, show_typed

from .questions import ANSWERS, EVIDENCE_KEYS, SHARING, YES_NO

EVIDENCE_ROWS = 2  # rows of links and notes offered per question; more can be sent through the API


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(choices: dict) -> list:
    return [SelectChoice(value, label) for value, label in choices.items()]


def _field(answer):
    label = answer.label
    hint = answer.hint
    if answer.kind == "date":  # the ISO example in the hint is the API's; the boxes have their own
        return DateInputField(label, check=False, example=PAST_EXAMPLE)
    if answer.kind == "number":
        return StringField(label, description=hint, render_kw={"inputmode": "numeric"})
    if answer.kind == "flag":
        return RadioField(label, choices=_choices(YES_NO), validate_choice=False, description=hint)
    if answer.kind == "choice":
        return RadioField(label, choices=_choices(answer.choices), validate_choice=False, description=hint)
    if answer.kind == "choices":
        return MultiCheckboxField(label, choices=_choices(answer.choices), validate_choice=False,
                                  description=hint)
    return TextAreaField(label, description=hint)


class _AnswerForm:
    """What every answer form can do: read its answers, show them, and take messages."""

    answer_keys: tuple = ()
    evidence_keys: tuple = ()  # typed in rows of links and notes, outside WTForms' fields

    def flat(self) -> dict:
        """The answers typed, as flat values for ``answers.load_flat`` (blank -> None)."""
        from flask import request

        from core.evidence import from_form

        values = {key: from_form(request.form, key, EVIDENCE_ROWS) or None for key in self.evidence_keys}
        self.extra = dict(values)
        self.typed_problems = {}  # dates typed that are not dates: left out of the values
        for key in self.answer_keys:
            answer, data = ANSWERS[key], self[key].data
            if answer.kind == "date":
                if self[key].problem:
                    self.typed_problems[key] = [self[key].problem]
                else:
                    values[key] = data or None
            elif answer.kind == "flag":
                # anything but yes or no goes on to be refused with a message
                values[key] = {"yes": True, "no": False}.get(data, data or None)
            elif answer.kind == "choices":
                values[key] = list(data or []) or None
            elif answer.kind == "list":
                lines = [line.strip() for line in (data or "").splitlines()]
                values[key] = [line for line in lines if line] or None
            else:
                text = (data or "").strip() if isinstance(data, str) else data
                values[key] = text if text not in ("", None) else None
        return values

    def typed(self, key: str):
        """What was typed in a box (a number, a date's three boxes, words), to keep as typed; None for a choice."""
        if key not in self.answer_keys or ANSWERS[key].kind not in ("number", "date", "text"):
            return None
        field = self[key]
        if isinstance(field, DateInputField):
            return dict(field.parts)
        return field.data if isinstance(field.data, str) else None

    def show_typed(self, kept: dict) -> None:
        """Put answers kept as typed back in their boxes, with what is wrong with each."""
        show_typed(self, kept, self.answer_keys)

    def show(self, content: dict) -> None:
        """Fill the fields from a review's answers."""
        self.extra = {key: content.get(key) for key in self.evidence_keys}
        for key in self.answer_keys:
            answer, value = ANSWERS[key], content.get(key)
            field = self[key]
            if answer.kind == "flag":
                field.data = None if value is None else ("yes" if value else "no")
            elif answer.kind == "choices":
                field.data = list(value or [])
            elif answer.kind == "list":
                field.data = "\n".join(value or []) if isinstance(value, list) else (value or "")
            else:
                field.data = "" if value is None else str(value)

    def take_messages(self, messages: dict) -> list[str]:
        """Put each flat key's messages on its field; return those that belong to no field."""
        others = []
        self.extra_errors = dict(getattr(self, "extra_errors", {}))
        for key, texts in messages.items():
            texts = texts if isinstance(texts, list) else [str(texts)]
            if key in self.evidence_keys:
                self.extra_errors[key] = texts
                others.extend(texts)
            elif key in self.answer_keys:
                self[key].errors = [*self[key].errors, *name_messages(self[key].label.text, texts)]
            else:
                others.extend(texts)
        self.form_errors.extend(others)
        return others


def _form_class(name: str, keys, base=FlaskForm, **extra):
    fields = tuple(key for key in keys if key not in EVIDENCE_KEYS)
    attrs = {key: _field(ANSWERS[key]) for key in fields}
    return type(name, (_AnswerForm, base), {**attrs, **extra, "answer_keys": fields,
                                            "evidence_keys": tuple(k for k in keys if k in EVIDENCE_KEYS)})


ReviewForm = _form_class("ReviewForm", ANSWERS, CreateForm, version=HiddenField())

AmendForm = _form_class(
    "AmendForm", ANSWERS, version=HiddenField(),
    reason=TextAreaField("Why are you amending it?", description=(
        "For example: the attendance was typed wrongly. This is shown with the amendment.")))

SharingForm = _form_class("SharingForm", SHARING)


class CompareForm(FlaskForm):
    """Choose two reviews of a service. A GET form: it changes nothing, so it has no CSRF token."""

    class Meta:
        csrf = False

    a = SelectField("First health check", validate_choice=False)
    b = SelectField("Second health check", validate_choice=False)
