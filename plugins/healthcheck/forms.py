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

from core.forms import CreateForm

from .questions import ANSWERS, SHARING, YES_NO


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(choices: dict) -> list:
    return [SelectChoice(value, label) for value, label in choices.items()]


def _field(answer):
    label = answer.label
    hint = answer.hint
    if answer.kind == "date":
        return StringField(label, description=hint)
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

    def flat(self) -> dict:
        """The answers typed, as flat values for ``answers.load_flat`` (blank -> None)."""
        values = {}
        for key in self.answer_keys:
            answer, data = ANSWERS[key], self[key].data
            if answer.kind == "flag":
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

    def show(self, content: dict) -> None:
        """Fill the fields from a review's answers."""
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
        for key, texts in messages.items():
            texts = texts if isinstance(texts, list) else [str(texts)]
            if key in self.answer_keys:
                self[key].errors = [*self[key].errors, *texts]
            else:
                others.extend(texts)
        self.form_errors.extend(others)
        return others


def _form_class(name: str, keys, base=FlaskForm, **extra):
    attrs = {key: _field(ANSWERS[key]) for key in keys}
    return type(name, (_AnswerForm, base), {**attrs, **extra, "answer_keys": tuple(keys)})


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
