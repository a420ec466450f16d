"""The forms of core's own pages: signing in, accounts, services, members, plugins, tokens.

Every form is a FlaskForm, so it carries its CSRF token. Fields validate what
a person can get wrong on the page (empty, too long, not one of the choices);
the rules of the domain stay in core.commands, whose errors land on these
fields through ``show_command_error``.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from . import submissions
from .auth import MIN_PASSWORD_LENGTH, ROLES, password_problem
from .builtin import SERVICE_KINDS
from .commands import CommandError
from .events import Conflict


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _good_password(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def add_error(field, message: str) -> None:
    """Add a message to a field after validation (``errors`` may still be a tuple)."""
    field.errors = [*field.errors, message]


def named(label: str, message: str) -> str:
    """A message that names its field: "How many staff took part: enter a whole number, like 6".

    A message that already says which answer it is about is left as it is.
    """
    label = (label or "").strip().rstrip("?:. ")
    message = str(message).strip()
    if not label or not message or label.lower() in message.lower():
        return message
    if ": " in message and message.split(": ")[0].lower() in label.lower():  # "Policy: choose ..."
        return message
    message = message.rstrip(".")
    return f"{label}: {message[:1].lower()}{message[1:]}"


def name_messages(label: str, messages) -> list[str]:
    return [named(label, message) for message in messages]


def show_typed(form, kept: dict | None, keys=None) -> None:
    """Put a draft's answers kept as typed (``core.drafts``) back in their boxes, each with what is wrong.

    ``kept`` maps an answer's key to ``{"typed": ..., "problem": ...}``; a date's ``typed`` is its three
    boxes. Only keys in ``keys`` (default: every field of the form) are shown.
    """
    from .dates import DateInputField

    for key, entry in (kept or {}).items():
        if key not in (form if keys is None else keys):
            continue
        field = form[key]
        if isinstance(field, DateInputField) and isinstance(entry.get("typed"), dict):
            field.read_parts(entry["typed"])
        else:
            field.data = str(entry.get("typed") or "")
        field.errors = [*field.errors, *name_messages(field.label.text, [entry.get("problem") or ""])]


def show_command_error(form: FlaskForm, error, aliases: dict | None = None) -> None:
    """Put a CommandError/EventError on the form: at the fields it names, else at the top.

    A command's own message is a whole plain sentence ("x is already a member of
    this Trust."), so when it is about one field it is shown there in full.
    ``aliases`` maps the command's field names onto this form's (``{"password": "new_password"}``).
    """
    aliases = aliases or {}
    matched = []
    for key, messages in (error.fields or {}).items():
        field = form._fields.get(aliases.get(key, key))
        if field is None or isinstance(field, HiddenField):
            continue
        if isinstance(messages, dict):  # nested schema errors: flatten to their text
            messages = [m for values in messages.values() for m in (values if isinstance(values, list) else [values])]
        matched.append((field, messages if isinstance(messages, list) else [messages]))
    if len(matched) == 1 and isinstance(error, (CommandError, Conflict)):
        add_error(matched[0][0], error.message)
    elif matched:
        for field, messages in matched:
            for message in messages:
                add_error(field, str(message))
    else:
        form.form_errors.append(error.message)


class CreateForm(FlaskForm):
    """A form that makes something. It carries a one-time key, so sending it twice makes one thing:
    the view calls ``form.claim()`` before the command and answers ``submissions.Resent``
    with what the first sending made (see core.submissions). Render ``form.submission(id=False)``
    beside ``form.csrf_token``."""

    submission = HiddenField(default=submissions.new_key)

    def claim(self) -> None:
        submissions.claim(self.submission.data)


# --- signing in and the account ------------------------------------------------------

class SignInForm(FlaskForm):
    email = StringField("E-mail address", filters=[_strip],
                        validators=[DataRequired("Enter your e-mail address."),
                                    Length(max=254, message="Enter an e-mail address of 254 characters or fewer.")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password."),
                                                 Length(max=200, message="Enter a password of 200 characters or fewer.")])
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password",
                                     validators=[InputRequired("Enter your current password.")])
    new_password = PasswordField(
        "New password", validators=[InputRequired("Enter a new password."), _good_password],
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Three random words you will remember are a good choice.")
    confirm_password = PasswordField("Type the new password again",
                                     validators=[InputRequired("Type the new password again.")])

    def validate_confirm_password(self, field):
        if self.new_password.data and field.data != self.new_password.data:
            raise ValidationError("The two new passwords are not the same. Type them again.")


# --- services -------------------------------------------------------------------------

def _kind_choices():
    return [SelectChoice(value, label) for value, label in SERVICE_KINDS.items()]


class ServiceForm(CreateForm):
    name = StringField("Name of the service", filters=[_strip],
                       validators=[DataRequired("Enter the name of the service."),
                                   Length(max=200, message="Enter a name of 200 characters or fewer.")],
                       description="For example, Oak Day Centre or North Community Team.")
    kind = RadioField("What kind of service is it?", choices=_kind_choices(),
                      invalid_choice_message="Choose what kind of service it is.")
    description = TextAreaField(
        "Description (optional)", filters=[_strip],
        validators=[Optional(), Length(max=2000, message="Enter a description of 2,000 characters or fewer.")],
        description="Who it is for and what it does, in a sentence or two.")
    code = StringField(
        "Short code (optional)", filters=[_strip],
        validators=[Optional(), Length(max=20, message="Enter a code of 20 characters or fewer.")],
        description="A code your Trust uses for the service, like OAK. Lists of resources can name the "
                    "service by it, so they still find it if the service is renamed.",
        render_kw={"spellcheck": "false", "autocapitalize": "characters"})
    seen = HiddenField()  # the service's version when the form was opened


# --- members ---------------------------------------------------------------------------

def _role_choices():
    return [SelectChoice(value, label) for value, label in ROLES.items()]


class AddMemberForm(CreateForm):
    email = StringField("E-mail address", filters=[_strip],
                        validators=[DataRequired("Enter their e-mail address."),
                                    Length(max=254, message="Enter an e-mail address of 254 characters or fewer.")],
                        render_kw={"spellcheck": "false"})
    display_name = StringField("Full name", filters=[_strip],
                               validators=[Optional(), Length(max=120, message="Enter a name of 120 characters or fewer.")],
                               description="As others will see it. If they already have an account, "
                                           "the name on their account is kept.")
    role = RadioField("Role in this Trust", choices=_role_choices(), invalid_choice_message="Choose a role.")
    how = RadioField("How will they get their password, if they are new here?",
                     choices=[SelectChoice("temporary", "Make up a temporary password and give it to them yourself"),
                              SelectChoice("link", "E-mail them a link to set their own password")],
                     default="temporary", invalid_choice_message="Choose how they will get their password.")
    password = PasswordField(
        "Temporary password",
        validators=[Optional(), Length(max=200, message="Enter a password of 200 characters or fewer.")],
        description=f"Only if you chose to make one up. At least {MIN_PASSWORD_LENGTH} characters. If they do not have "
                    "an account yet, give it to them yourself: they choose their own when they first sign in. "
                    "If they have one, it is not used.")


class RoleForm(FlaskForm):
    role = RadioField("Role in this Trust", choices=_role_choices(), invalid_choice_message="Choose a role.")


class PluginSwitchForm(FlaskForm):
    enabled = HiddenField(validators=[AnyOf(["1", "0"], message="Choose whether to switch it on or off.")])


# --- API tokens --------------------------------------------------------------------------

class RemindersForm(FlaskForm):
    reminders = RadioField(
        "Do you want e-mail reminders?",
        choices=[SelectChoice("on", "Yes, remind me"), SelectChoice("off", "No, do not send me reminders")],
        description="Reminders come 14 days and 2 days before a date, and once when it has passed.",
        invalid_choice_message="Choose yes or no.")


class TokenForm(CreateForm):
    name = StringField("Name of the token", filters=[_strip],
                       validators=[DataRequired("Enter a name for the token."),
                                   Length(max=100, message="Enter a name of 100 characters or fewer.")],
                       description="Something to recognise it by later, like the program that will use it.")


class TrustContactForm(FlaskForm):
    """Who people can contact at the Trust. Every part may be left empty; the command checks each."""

    name = StringField("Name of the team or person", filters=[_strip],
                       description="For example, Patient Advice and Liaison Service (PALS).")
    phone = StringField("Telephone number", filters=[_strip], description="For example, 0121 496 0000.")
    email = StringField("E-mail address", filters=[_strip])
    when = TextAreaField("When to get in touch", filters=[_strip],
                         description="One or two sentences, like: Call on weekdays, 9am to 5pm, with a question "
                                     "about this site or how your answers are used.")


class SetPasswordForm(FlaskForm):
    """A new member sets their password from the link they were e-mailed."""

    new_password = PasswordField(
        "Choose a password", validators=[InputRequired("Enter a password."), _good_password],
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Three random words you will remember are a good choice.")
    confirm_password = PasswordField("Type the password again", validators=[InputRequired("Type the password again.")])

    def validate_confirm_password(self, field):
        if self.new_password.data and field.data != self.new_password.data:
            raise ValidationError("The two passwords are not the same. Type them again.")
