"""Input no database can store, refused before any view sees it, in plain words.

PostgreSQL refuses a NUL character in text and integers beyond 32 bits in our
columns, Python cannot encode a lone surrogate, and JSON nested a thousand deep
exhausts the parser: each would otherwise end as a server error. Here they
are a 400 (or a 404 for an id in the address, a 422 for a number too large),
the same on every engine, whatever the route.
"""
from __future__ import annotations

import json

from flask import abort, request
from werkzeug.exceptions import UnprocessableEntity
from werkzeug.routing import IntegerConverter

LARGEST = 2**31 - 1  # the largest value of an INTEGER column
DEEPEST = 32  # no request of ours nests deeper than a few levels

UNREADABLE_TEXT = ("Something you sent contains characters that cannot be stored (a NUL character or a "
                   "broken one). Remove them and try again.")
TOO_DEEP = f"The request is nested too deeply (more than {DEEPEST} levels)."
TOO_LARGE = f"Enter a whole number no larger than {LARGEST:,}."


class IdConverter(IntegerConverter):
    """``<int:...>`` in an address: an id larger than any row can have is simply not found (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST)
        super().__init__(map, *args, **kwargs)


def _storable_text(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800"
        return False
    return True


def _too_large(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > LARGEST


def _refuse_number(field_name: str):
    error = UnprocessableEntity(TOO_LARGE)
    error.data = {"message": "Some answers need correcting.", "errors": {field_name: [TOO_LARGE]}}
    raise error


def _check_json(value, path: str = "", depth: int = 0) -> None:
    """Walk a parsed body without recursion limits of its own: refuse what cannot be stored."""
    stack = [(value, path, depth)]
    while stack:
        item, where, level = stack.pop()
        if level > DEEPEST:
            abort(400, TOO_DEEP)
        if isinstance(item, str):
            if not _storable_text(item):
                abort(400, UNREADABLE_TEXT)
        elif _too_large(item):
            _refuse_number(where or "json")
        elif isinstance(item, dict):
            for key, child in item.items():
                if not _storable_text(key):
                    abort(400, UNREADABLE_TEXT)
                stack.append((child, f"{where}.{key}" if where else key, level + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{where}.{n}" if where else str(n), level + 1) for n, child in enumerate(item))


def refuse_unstorable_input() -> None:
    """``before_request``: check the address's query, a form and a JSON body."""
    for name, values in request.args.lists():
        for value in values:
            if not _storable_text(name) or not _storable_text(value):
                abort(400, UNREADABLE_TEXT)
            stripped = value.strip()
            if stripped.lstrip("+-").isdigit() and len(stripped) < 400 and _too_large(int(stripped)):
                _refuse_number(name)
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    if request.is_json:
        raw = request.get_data(cache=True)
        if not raw.strip():
            return
        try:
            parsed = json.loads(raw)
        except RecursionError:
            abort(400, TOO_DEEP)
        except ValueError:
            return  # not JSON at all: the route's own parsing says so plainly
        _check_json(parsed)
    elif request.form:
        for name, values in request.form.lists():
            if not _storable_text(name) or not all(_storable_text(v) for v in values):
                abort(400, UNREADABLE_TEXT)


def init_app(app) -> None:
    app.before_request(refuse_unstorable_input)
