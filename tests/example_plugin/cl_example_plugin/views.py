"""The example's pages and API, made fresh for each app that mounts them.

Core mounts the pages at /t/<slug>/example/ and the API at
/api/v1/t/<slug>/example/; both answer 404 where the section is switched off.
"""
import marshmallow as ma
from flask import Blueprint, render_template
from flask_smorest import Blueprint as ApiBlueprint
from sqlalchemy import select

from core.auth import require
from core.db import db

from .events import add_note
from .models import ExampleNote


def _notes() -> list[ExampleNote]:
    return db.session.scalars(select(ExampleNote).order_by(ExampleNote.id)).all()


def make_page_blueprint() -> Blueprint:
    bp = Blueprint("example", __name__, template_folder="templates")

    @bp.get("/")
    @require("read")
    def index():
        return render_template("example/index.html", notes=_notes())

    return bp


class NoteSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class NoteListSchema(ma.Schema):
    notes = ma.fields.List(ma.fields.Nested(NoteSchema))


def make_api_blueprint() -> ApiBlueprint:
    blp = ApiBlueprint("example_api", __name__, description="Example notes.")

    @blp.get("/notes")
    @blp.response(200, NoteListSchema)
    @require("read")
    def list_notes():
        """The Trust's example notes."""
        return {"notes": _notes()}

    @blp.post("/notes")
    @blp.arguments(NoteSchema)
    @blp.response(201, NoteSchema)
    @require("contribute")
    def create_note(data):
        """Add an example note."""
        note = add_note(data["text"])
        db.session.commit()
        return note

    return blp
