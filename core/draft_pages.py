"""The pages of a record people fill in over time (``core.drafts``): new, edit, check, amend.

The health check's reviews and the levels' assessments follow one workflow, so
their pages are one flow: a plugin describes its record once (``DraftPages``)
and registers the three pages on its blueprint. Each keeps its forms, its
templates, its commands and its words; the flow (stale copies, errors kept on
the page, "save" or "save and submit", amendments) lives here.

Two more pages come with the flow where a plugin describes them:

- "Check your answers" (``check_<thing>``): every answer of a draft in plain
  words, each with a link back to its question, and the one button that submits
  it. The plugin gives ``summary`` (sections of rows) and ``missing`` (what
  must be answered before submitting).
- "Start from your last answers" (``start_<thing>``): a new record of a service
  that has a submitted one starts, if people choose, from a copy of the last
  one's answers (WCAG 2.2, 3.3.7 Redundant entry). The plugin gives
  ``last_submitted`` and its ``start`` command takes ``copied_from`` and
  ``not_copied``: the plugin's ``date_key`` (the day it was held) and ``not_copied``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms import HiddenField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf

from core import submissions
from core.auth import require
from core.db import db
from core.drafts import Draft, DraftConflict
from core.events import EventError, Stale
from core.forms import CreateForm
from core.models import Service

SAVED = "Your answers are saved as a draft. You can come back and finish it later."
NOTHING_TYPED = "Nothing to save yet. Answer at least one question, then save."


def service_or_404(service_id: int) -> Service:
    service = db.session.scalar(select(Service).where(Service.id == service_id))
    if service is None:
        abort(404)
    return service


@dataclass(frozen=True)
class DraftPages:
    """What the shared pages need to know about one plugin's record.

    ``thing`` names the endpoints (``new_<thing>``, ``edit_<thing>``,
    ``amend_<thing>``, and the plugin's own ``view_<thing>``), the id argument
    (``<thing>_id``) and the record's name in templates; ``path`` is its URL
    part. ``load`` turns a form's flat values into ``(values, problems)``;
    ``start``, ``save``, ``submit`` and ``amend`` are the plugin's commands;
    ``render`` renders a template with the plugin's page context.
    """

    thing: str
    path: str
    noun: str
    permission: str
    form: type
    amend_form: type
    load: Callable[[dict], tuple[dict, dict]]
    find: Callable[[int], Draft | None]
    start: Callable
    save: Callable
    submit: Callable
    amend: Callable
    render: Callable[..., str]
    templates: str
    submitted: str  # said once a record is submitted
    refuse_blank: bool = False  # a new record with nothing typed is not started
    context: Callable[[object], dict] = field(default=lambda form: {})
    # "Check your answers": [{"heading", "rows": [{"key", "label", "value" (words, None: not answered),
    # "anchor" (the field's id on the edit page)}]}], and {flat key: [messages]} still needed to submit.
    summary: Callable[[Draft], list[dict]] | None = None
    missing: Callable[[dict], dict] | None = None
    # "Start from your last answers": the service's last submitted record, the key of the day it was
    # held (never copied), the other keys never copied, in words, and the verb of the date ("held").
    last_submitted: Callable[[int], Draft | None] | None = None
    date_key: str = ""
    not_copied: tuple = ()
    not_copied_words: str = ""
    held: str = "held"

    # --- words --------------------------------------------------------------------------------

    @property
    def stale(self) -> str:
        return (f"Someone else saved this {self.noun} since you opened it. Your answers are below and are not "
                "saved yet: check them, then save again.")

    @property
    def saved_not_submitted(self) -> str:
        return (f"Your answers are saved as a draft, but the {self.noun} is not submitted yet. "
                "Answer the questions listed below, then submit it.")

    # --- pieces a plugin's own pages use too --------------------------------------------------

    def record_or_404(self, record_id: int) -> Draft:
        record = self.find(record_id)
        if record is None:
            abort(404)
        return record

    def render_form(self, form, service, record=None, *, status=200, notice=None, template="form.html"):
        return self.render(f"{self.templates}/{template}", form=form, service=service, notice=notice,
                           **{self.thing: record}, **self.context(form)), status

    def refuse(self, form, service, record, messages: dict, *, status=422, template="form.html"):
        db.session.rollback()
        form.take_messages(messages)
        return self.render_form(form, service, record, status=status, template=template)

    def _to(self, endpoint: str, record):
        return redirect(url_for(f".{endpoint}_{self.thing}", **{f"{self.thing}_id": record.id}))

    # --- the pages ----------------------------------------------------------------------------

    def register(self, bp: Blueprint) -> None:
        allowed = require(self.permission)
        thing_id = f"<int:{self.thing}_id>"
        bp.add_url_rule("/services/<int:service_id>/new", f"new_{self.thing}",
                        allowed(self.new_page), methods=["GET", "POST"])
        bp.add_url_rule(f"/{self.path}/{thing_id}/edit", f"edit_{self.thing}",
                        allowed(lambda **ids: self.edit_page(ids[f"{self.thing}_id"])), methods=["GET", "POST"])
        bp.add_url_rule(f"/{self.path}/{thing_id}/amend", f"amend_{self.thing}",
                        allowed(lambda **ids: self.amend_page(ids[f"{self.thing}_id"])), methods=["GET", "POST"])
        if self.summary is not None:
            bp.add_url_rule(f"/{self.path}/{thing_id}/check", f"check_{self.thing}",
                            allowed(lambda **ids: self.check_page(ids[f"{self.thing}_id"])), methods=["GET", "POST"])
        if self.last_submitted is not None:
            bp.add_url_rule("/services/<int:service_id>/new/start", f"start_{self.thing}",
                            allowed(self.start_page), methods=["POST"])
        bp.register_error_handler(DraftConflict, _conflict)

    def new_page(self, service_id: int):
        service = service_or_404(service_id)
        if service.archived:
            abort(404)
        if request.method == "GET" and request.args.get("start") != "blank":
            last = self.last_submitted(service.id) if self.last_submitted is not None else None
            if last is not None:  # offer its answers to start from
                return self._render_start(StartForm(formdata=None), service, last)
        form = self.form()
        if request.method == "GET":
            return self.render_form(form, service)
        if not form.validate_on_submit():
            return self.render_form(form, service, status=422)
        values, problems = self.load(form.flat())
        if problems:
            return self.refuse(form, service, None, problems)
        if self.refuse_blank and all(value is None for value in values.values()):
            return self.refuse(form, service, None, {"": [NOTHING_TYPED]})
        try:
            if hasattr(form, "claim"):  # a form sent twice starts one record (core.submissions)
                form.claim()
            record = self.start(service.id, values)
            db.session.commit()
        except submissions.Resent as done:
            return submissions.answer(done, url_for(f".view_{self.thing}", **{f"{self.thing}_id": done.entity_id}))
        except DraftConflict:
            raise
        except EventError as err:
            return self.refuse(form, service, None, err.fields or {"": [err.message]})
        return self._after_saving(service, record)

    def edit_page(self, record_id: int):
        record = self.record_or_404(record_id)
        service = service_or_404(record.service_id)
        if record.submitted:
            if request.method == "GET":
                flash(f"This {self.noun} has been submitted. To correct it, amend it.", "info")
                return self._to("view", record)
            abort(409, f"This {self.noun} has been submitted, so it cannot be edited. To correct it, amend it.")
        return self._write(self.form(), service, record, "form.html",
                           lambda form, values, version: self.save(record, values, expected_version=version),
                           then=lambda: self._after_saving(service, record))

    def amend_page(self, record_id: int):
        record = self.record_or_404(record_id)
        service = service_or_404(record.service_id)
        if not record.submitted:
            if request.method == "GET":
                return self._to("edit", record)
            abort(409, f"This {self.noun} is still a draft: edit the draft instead.")

        def then():
            flash(f"The amendment is saved. It is listed on the {self.noun} with who made it and when.", "success")
            return self._to("view", record)

        return self._write(self.amend_form(), service, record, "amend.html",
                           lambda form, values, version: self.amend(record, values, form.reason.data,
                                                                    expected_version=version),
                           then=then)

    def _write(self, form, service, record, template: str, step: Callable, *, then: Callable):
        """Show the record in the form, or check what was sent against the copy it was made from and save it."""
        if request.method == "GET":
            form.show(record.content())
            form.version.data = str(record.version)
            return self.render_form(form, service, record, template=template)
        if not form.validate_on_submit():
            return self.render_form(form, service, record, status=422, template=template)
        values, problems = self.load(form.flat())
        if form.version.data != str(record.version):
            form.version.data = str(record.version)
            return self.refuse(form, service, record, {**problems, "": [self.stale]}, status=409, template=template)
        if problems:
            return self.refuse(form, service, record, problems, template=template)
        try:
            step(form, values, int(form.version.data))
            db.session.commit()
        except Stale as err:
            form.version.data = str(err.current)
            return self.refuse(form, service, record, {"": [self.stale]}, status=409, template=template)
        except DraftConflict:
            raise
        except EventError as err:
            # "nothing changed" belongs to the whole form, not to one answer
            fields = {k: v for k, v in err.fields.items() if k != "changes"}
            return self.refuse(form, service, record, fields or {"": [err.message]}, template=template)
        return then()

    def _after_saving(self, service, record):
        """A draft is saved; submit it too if that was the button pressed."""
        if request.form.get("action") == "check" and self.summary is not None:
            return self._to("check", record)
        if request.form.get("action") != "submit":
            flash(SAVED, "success")
            return self._to("edit", record)
        try:
            self.submit(record)
            db.session.commit()
        except DraftConflict:
            raise
        except EventError as err:
            db.session.rollback()
            form = self.form(formdata=None)
            form.show(record.content())
            form.version.data = str(record.version)
            form.take_messages(err.fields or {"": [err.message]})
            return self.render_form(form, service, record, status=422, notice=self.saved_not_submitted)
        flash(self.submitted, "success")
        return self._to("view", record)

    # --- check your answers --------------------------------------------------------------------

    @property
    def already_submitted(self) -> str:
        return f"This {self.noun} has already been submitted, so nothing was changed."

    def check_page(self, record_id: int):
        """Every answer of the draft in words, each with a link to change it, and the button that submits."""
        record = self.record_or_404(record_id)
        service = service_or_404(record.service_id)
        if record.submitted:
            flash(self.already_submitted if request.method == "POST" else
                  f"This {self.noun} has been submitted. To correct it, amend it.", "info")
            return self._to("view", record)
        form = CheckForm()
        if request.method == "GET":
            form.version.data = str(record.version)
            return self._render_check(form, service, record)
        if not form.validate_on_submit():
            form.version.data = str(record.version)
            return self._render_check(form, service, record, status=400)
        if form.version.data != str(record.version):
            form.version.data = str(record.version)
            return self._render_check(form, service, record, status=409, stale=True)
        try:
            form.claim()  # the same page sent twice submits once
            self.submit(record)
            db.session.commit()
        except submissions.Resent:
            db.session.rollback()
            flash(self.already_submitted, "info")
            return self._to("view", record)
        except DraftConflict:
            raise
        except EventError:
            db.session.rollback()
            return self._render_check(form, service, record, status=422)
        flash(self.submitted, "success")
        return self._to("view", record)

    def _render_check(self, form, service, record, *, status=200, stale=False):
        sections = self.summary(record)
        anchors = {row["key"]: row["anchor"] for section in sections for row in section["rows"]}
        edit = url_for(f".edit_{self.thing}", **{f"{self.thing}_id": record.id})
        needed = [{"text": text, "href": f"{edit}#{anchors.get(key, key)}"}
                  for key, texts in (self.missing(record.content()) if self.missing else {}).items()
                  for text in texts]
        notice = None
        if stale:
            notice = (f"Someone saved this {self.noun} since you opened this page, so it was not submitted. "
                      "Check the answers below as they are now, then submit.")
        return self.render("drafts/check.html", form=form, service=service, record=record, sections=sections,
                           edit=edit, needed=needed, noun=self.noun, thing=self.thing, notice=notice,
                           action=url_for(f".check_{self.thing}", **{f"{self.thing}_id": record.id}),
                           **{self.thing: record}), status

    # --- start from the last answers ------------------------------------------------------------

    def start_words(self, last) -> str:
        from core.reports import long_date

        day = last.get(self.date_key) if self.date_key else None
        return (f"Start from your last answers ({self.held} {long_date(date.fromisoformat(day))})" if day
                else "Start from your last answers")

    def _render_start(self, form, service, last, *, status=200):
        form.start.choices = [SelectChoice("last", self.start_words(last)),
                              SelectChoice("blank", "Start with a blank form")]
        return self.render("drafts/start.html", form=form, service=service, last=last, noun=self.noun,
                           not_copied_words=self.not_copied_words,
                           action=url_for(f".start_{self.thing}", service_id=service.id),
                           back=url_for(f".new_{self.thing}", service_id=service.id)), status

    def start_page(self, service_id: int):
        """The choice: a copy of the last submitted record's answers, or a blank form."""
        service = service_or_404(service_id)
        if service.archived:
            abort(404)
        blank = url_for(f".new_{self.thing}", service_id=service.id, start="blank")
        last = self.last_submitted(service.id)
        if last is None:
            return redirect(blank)
        form = StartForm()
        if not form.validate_on_submit():
            return self._render_start(form, service, last, status=422)
        if form.start.data == "blank":
            return redirect(blank)
        try:
            form.claim()  # a form sent twice starts one record (core.submissions)
            record = self.start(service.id, {}, copied_from=last.id,
                                not_copied=(self.date_key, *self.not_copied) if self.date_key else self.not_copied)
            db.session.commit()
        except submissions.Resent as done:
            return submissions.answer(done, url_for(f".edit_{self.thing}", **{f"{self.thing}_id": done.entity_id}))
        except DraftConflict:
            raise
        except EventError as err:
            db.session.rollback()
            form.start.errors = [err.message]
            return self._render_start(form, service, last, status=422)
        flash(f"Your last answers are copied into this new draft. Check each one and change what is different"
              f"{': ' + self.not_copied_words + ' are left blank' if self.not_copied_words else ''}.", "success")
        return self._to("edit", record)


class CheckForm(CreateForm):
    """The button on "Check your answers": the copy it was made from, and a one-time key."""

    version = HiddenField()


class StartForm(CreateForm):
    """Start a new record from the last one's answers, or from a blank form."""

    start = RadioField("How do you want to start?", choices=[SelectChoice("last", "last"), SelectChoice("blank", "blank")],
                       validate_choice=False, validators=[AnyOf(("last", "blank"), "Choose how you want to start.")])


def _conflict(err: DraftConflict):
    db.session.rollback()
    return render_template("errors/error.html", code=409, title="That has changed", message=err.message), 409
