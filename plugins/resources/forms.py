"""The resources pages' forms.

Fields only take in what was typed; ``plugins.resources.rules`` decides what
is acceptable (the same rules as the API and Trusts' packages), and its
messages land on these fields through ``core.forms.show_command_error``.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (HiddenField, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.dates import PAST_EXAMPLE, DateInputField
from core.forms import CreateForm

from .rules import SUGGESTED_TAGS

# The rules' field names -> this form's, for messages about them.
FIELD_ALIASES = {"contact": "website", "service_ids": "services"}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ResourceForm(CreateForm):
    kind = RadioField("Is it an organisation or a person?",
                      choices=[SelectChoice("organisation", "An organisation or group"),
                               SelectChoice("individual", "An individual person")],
                      default="organisation",
                      invalid_choice_message="Choose whether it is an organisation or an individual.")
    name = StringField("Name", filters=[_strip], description="The organisation's name, or the person's full name.")
    scope = RadioField("Is it local or national?",
                       choices=[SelectChoice("local", "Local: it works in our area"),
                                SelectChoice("national", "National")],
                       invalid_choice_message="Choose whether the organisation is local or national.")
    description = TextAreaField("What it does (optional)", filters=[_strip],
                                description="What it offers, and how it can help people get involved.")
    website = StringField("Website", filters=[_strip], description="For example, www.example.org.uk",
                          render_kw={"spellcheck": "false"})
    phone = StringField("Telephone number", filters=[_strip])
    email = StringField("E-mail address", filters=[_strip])
    address = TextAreaField("Address", filters=[_strip])
    consent_by = StringField(
        "Who gave consent (for a person only)", filters=[_strip],
        description="A person's contact details are kept only with their consent. For example: "
                    "Sam Lee, by e-mail to the user facilitator.")
    consent_on = DateInputField("The day they gave consent", example=PAST_EXAMPLE)
    tags = StringField("Tags (optional)", filters=[_strip],
                       description="Words that help people find it, separated by commas. For example: "
                                   + ", ".join(SUGGESTED_TAGS[:4]) + ".")
    services = SelectMultipleField(
        "Which services is it for?", coerce=int, validate_choice=False,
        invalid_value_message="Choose services from the list.",
        description="Leave them all unticked if it is for every service in the Trust.",
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    version = HiddenField()

    def rule_fields(self) -> dict:
        """What was typed, named as ``plugins.resources.rules`` names it."""
        return {"name": self.name.data, "kind": self.kind.data, "scope": self.scope.data,
                "description": self.description.data, "website": self.website.data, "phone": self.phone.data,
                "email": self.email.data, "address": self.address.data, "consent_by": self.consent_by.data,
                "consent_on": self.consent_on.data or "", "tags": self.tags.data or "",
                "service_ids": list(self.services.data or [])}


class FilterForm(FlaskForm):
    """The list's filters: sent by GET, so they can be bookmarked and need no CSRF token."""

    class Meta:
        csrf = False

    q = StringField("Search", filters=[_strip],
                    validators=[Optional(), Length(max=200, message="Enter 200 characters or fewer to search for.")],
                    description="A word from the name or what it does.")
    service = SelectField("Service", validate_choice=False)
    tag = SelectField("Tag", validate_choice=False)

    def check_choices(self) -> None:
        """An unknown service or tag in the address is shown as a problem and not used."""
        for field, what in ((self.service, "a service"), (self.tag, "a tag")):
            if field.data and field.data not in {str(choice.value) for choice in field.choices}:
                field.errors = [*field.errors, f"Choose {what} from the list."]
                field.data = ""
