"""Error pages and JSON errors: plain words, the same layout, never a stack trace.

API errors are always ``{"error": {"code", "message", "fields"}}``.
"""
import traceback

from flask import current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from .db import db
from .events import EventError, Stale
from .tenancy import TenantScopeError
from .web import is_api_request

TITLES = {
    400: ("Something was wrong with that request", "Go back, check what you entered and try again."),
    401: ("Sign in needed", "Sign in to see this page."),
    403: ("You cannot do that", "Your role in this Trust does not allow it. Ask your Trust admin if you need it."),
    404: ("Page not found", "If you typed the web address, check it is correct. "
                            "If you pasted it, check you copied the whole address."),
    405: ("That action is not available here", "Go back and try again from the page."),
    409: ("That has changed", "Someone may have changed this already. Go back, reload the page and try again."),
    412: ("That has changed", "Someone else saved this first. Reload it and try again."),
    413: ("That was too much to send", "Shorten what you entered and try again."),
    422: ("Some answers need correcting", "Go back and check what you entered."),
    429: ("Too many attempts", "You have tried too many times. Wait a few minutes and try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. What you entered may not have been saved."),
}

API_MESSAGES = {
    400: "The request could not be read. Check that it is valid JSON.",
    404: "Nothing was found at this address. Check the Trust's short name and the id.",
    405: "This address does not take that method.",
    422: "Some answers need correcting.",
}

CODES = {400: "bad_request", 401: "unauthorised", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 412: "precondition_failed", 413: "too_large", 415: "unsupported_media_type",
         422: "invalid", 429: "too_many_requests", 500: "server_error"}


def json_error(status: int, message: str | None = None, fields: dict | None = None):
    body = {"error": {"code": CODES.get(status, "error"),
                      "message": message or TITLES.get(status, ("Error", ""))[0],
                      "fields": fields or {}}}
    return jsonify(body), status


def _http_error(error: HTTPException):
    status = error.code or 500
    if is_api_request():
        data = getattr(error, "data", None) or {}
        fields = data.get("errors") or data.get("messages") or {}
        # webargs nests field errors under the location ("json", "query"); flatten for callers
        if isinstance(fields, dict) and set(fields) <= {"json", "query", "form", "view_args", "headers"}:
            merged = {}
            for location, per_location in fields.items():
                # a body that is not JSON at all comes as a plain list of messages
                merged.update(per_location if isinstance(per_location, dict) else {location: per_location})
            fields = merged
        if fields == {"json": ["Invalid JSON body."]}:
            fields = {"json": ["The request body must be valid JSON, e.g. {\"name\": \"Oak Day Centre\"}."]}
        message = data.get("message")
        if message is None and error.description and error.description != type(error).description:
            message = error.description
        if message is None:
            message = API_MESSAGES.get(status)
        response = json_error(status, message, fields)
        if status == 401:
            response[0].headers["WWW-Authenticate"] = "Bearer"
        return response
    title, message = TITLES.get(status, TITLES[400 if status < 500 else 500])
    if error.description and error.description != type(error).description and status not in (404, 500):
        message = error.description
    return render_template("errors/error.html", code=status, title=title, message=message), status


def _unexpected(error: Exception):
    db.session.rollback()
    if isinstance(error, DBAPIError):
        current_app.logger.error("Unhandled database error: %s", for_the_log(error))
    else:
        current_app.logger.exception("Unhandled error")
    return _http_error(InternalServerError())


def for_the_log(error: DBAPIError) -> str:
    """A database error without the values it was given or found (people's words).

    The parameters are hidden by the engine (``hide_parameters``); PostgreSQL
    also quotes the failing row in its DETAIL lines, so only the first line of
    its message is kept, with the statement, the code where it failed, and no traceback text.
    """
    first_line = str(error.orig).strip().splitlines()[0] if error.orig is not None else ""
    where = "".join(traceback.format_tb(error.__traceback__, limit=-3)).strip() if error.__traceback__ else ""
    return f"{type(error.orig).__name__ if error.orig is not None else type(error).__name__}: {first_line}\n" \
           f"[SQL: {error.statement}]\n{where}"


def _event_error(error: EventError):
    """422 for input to correct, 409 for a Conflict with current state; 412 for a stale If-Match."""
    db.session.rollback()
    status = error.status
    if is_api_request():
        if isinstance(error, Stale) and "If-Match" in request.headers:
            status = 412
        return json_error(status, error.message, error.fields)
    return render_template("errors/error.html", code=status, title=TITLES[status][0], message=error.message), status


def _form_refused(error: CSRFError):
    """A form without its CSRF token (stale, or sent from another site): say so plainly."""
    return render_template("errors/error.html", code=400, title="Your form could not be sent",
                           message="Nothing has been saved. Go back, reload the page and try again."), 400


def init_app(app):
    app.register_error_handler(CSRFError, _form_refused)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(EventError, _event_error)
    app.register_error_handler(TenantScopeError, _unexpected)
    app.register_error_handler(SQLAlchemyError, _unexpected)
    app.register_error_handler(Exception, _unexpected)
