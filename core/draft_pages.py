"""The pages of a record people fill in over time (``core.drafts``): new, edit, amend.

The health check's reviews and the levels' assessments follow one workflow, so
their pages are one flow: a plugin describes its record once (``DraftPages``)
and registers the three pages on its blueprint. Each keeps its forms, its
templates, its commands and its words; the flow (stale copies, errors kept on
the page, "save" or "save and submit", amendments) lives here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from core import submissions
from core.auth import require
from core.db import db
from core.drafts import Draft, DraftConflict
from core.events import EventError, Stale
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

    def read(self, form, *, keep: bool) -> tuple[dict, dict, dict]:
        """The answers typed -> ``(values, problems, kept)``.

        ``keep`` (saving a draft): an answer typed in a box that is not valid yet ("two" for a
        number, 31 February) is kept as typed (``kept``: flat key -> {"typed", "problem"}) and
        its value cleared, rather than refusing everything. Anything else wrong is refused.
        """
        flat = form.flat()
        values, problems = self.load(flat)
        problems = {**getattr(form, "typed_problems", {}), **problems}
        if not problems or not keep:
            return values, problems, {}
        typed = {key: form.typed(key) for key in problems}
        if any(value is None for value in typed.values()):
            return values, problems, {}
        values, more = self.load({key: value for key, value in flat.items() if key not in typed})
        if more:
            return values, {**problems, **more}, {}
        kept = {key: {"typed": typed[key], "problem": str(problems[key][0])} for key in typed}
        return {**values, **{key: None for key in kept}}, {}, kept

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
        bp.register_error_handler(DraftConflict, _conflict)

    def new_page(self, service_id: int):
        service = service_or_404(service_id)
        if service.archived:
            abort(404)
        form = self.form()
        if request.method == "GET":
            return self.render_form(form, service)
        if not form.validate_on_submit():
            return self.render_form(form, service, status=422)
        values, problems, kept = self.read(form, keep=True)
        if problems:
            return self.refuse(form, service, None, problems)
        if self.refuse_blank and not kept and all(value is None for value in values.values()):
            return self.refuse(form, service, None, {"": [NOTHING_TYPED]})
        try:
            if hasattr(form, "claim"):  # a form sent twice starts one record (core.submissions)
                form.claim()
            record = self.start(service.id, values, kept=kept)
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
                           lambda form, values, version, kept: self.save(record, values, expected_version=version,
                                                                         kept=kept),
                           then=lambda: self._after_saving(service, record), keep=True)

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
                           lambda form, values, version, kept: self.amend(record, values, form.reason.data,
                                                                          expected_version=version),
                           then=then)

    def _write(self, form, service, record, template: str, step: Callable, *, then: Callable, keep=False):
        """Show the record in the form, or check what was sent against the copy it was made from and save it.

        ``keep``: a draft keeps answers not valid yet as typed (``read``)."""
        if request.method == "GET":
            form.show(record.content())
            form.show_typed(record.kept_as_typed)
            form.version.data = str(record.version)
            return self.render_form(form, service, record, template=template)
        if not form.validate_on_submit():
            return self.render_form(form, service, record, status=422, template=template)
        values, problems, kept = self.read(form, keep=keep)
        if form.version.data != str(record.version):
            form.version.data = str(record.version)
            return self.refuse(form, service, record, {**problems, "": [self.stale]}, status=409, template=template)
        if problems:
            return self.refuse(form, service, record, problems, template=template)
        try:
            step(form, values, int(form.version.data), kept)
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
            form.show_typed(record.kept_as_typed)
            form.version.data = str(record.version)
            form.take_messages({key: texts for key, texts in (err.fields or {"": [err.message]}).items()
                                if key not in (record.kept_as_typed or {})})
            return self.render_form(form, service, record, status=422, notice=self.saved_not_submitted)
        flash(self.submitted, "success")
        return self._to("view", record)


def _conflict(err: DraftConflict):
    db.session.rollback()
    return render_template("errors/error.html", code=409, title="That has changed", message=err.message), 409
