"""Throttling of guesses (passwords, API tokens, resume codes), shared by every worker and server.

Counts live in the store named by ``RATELIMIT_STORAGE_URI``: Redis when more
than one worker or server serves the app, so a limit is counted once however
many processes see the attempts; this process's memory otherwise (``make run``).

Only failures count, and they are keyed so that nobody can lock a person out
from another address: per (what is guessed at, address) with a tight limit,
plus a looser limit per address alone. Nothing is ever locked on the account
alone, which anyone who knows an e-mail address could otherwise do.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import click
from flask import abort, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many

from .serving import serving

TOO_MANY = "Too many attempts. Wait a few minutes and try again."
MEMORY = "memory://"

READING = frozenset({"GET", "HEAD", "OPTIONS"})


class _AttemptsLimiter(Limiter):
    """Every limit counts attempts sent (POST): a request that only reads is let through before the
    limiter looks up its view and resolves that view's limits, work a served page paid for nothing.
    (The request filter below says the same, should a release of flask-limiter stop calling this.)"""

    def _check_request_limit(self, *args, **kwargs) -> None:
        if request.method in READING:
            return
        super()._check_request_limit(*args, **kwargs)


# One limiter for the process; its store is set from the app's config by ``init_app``.
limiter = _AttemptsLimiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


@limiter.request_filter
def _only_reading() -> bool:
    """Every limit counts attempts sent (POST); a page that is only read is never checked."""
    return request.method in READING


# --- keys ----------------------------------------------------------------------------------

def address() -> str:
    return get_remote_address() or "unknown"


def pair_key(scope: str, who: str) -> str:
    """Failures at ``who`` (an e-mail address, an invitation) from this address only."""
    return f"{scope}:{who}:{address()}"


def address_key(scope: str) -> str:
    return f"{scope}:address:{address()}"


# --- views: count failed attempts only ----------------------------------------------------

def failed() -> None:
    """Call when a guess was wrong: the throttles of this request count it."""
    g.guess_failed = True


def _was_failed(response) -> bool:
    return bool(g.get("guess_failed"))


def failures(limits, key_func):
    """Decorate a view: once ``limits`` (a string, or a function returning one) of failures
    under ``key_func()`` are reached, every attempt is refused with 429, the right one too,
    so guessing gains nothing until the window passes."""
    return limiter.limit(limits, key_func=key_func, methods=["POST"], deduct_when=_was_failed,
                         error_message=TOO_MANY)


# --- outside a view: bad API tokens are refused before any view runs ----------------------

def _active() -> bool:
    return bool(limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True))


def refuse_when_over(config_key: str, key: str) -> None:
    """Answer 429 when ``key`` has used up the limits in ``config_key``."""
    if not _active():
        return
    try:
        allowed = all(limiter.limiter.test(item, key) for item in parse_many(current_app.config[config_key]))
    except Exception:  # noqa: BLE001 - the store is down: guessing a token is hopeless anyway
        current_app.logger.warning("Throttling store unreachable; %s not checked", key)
        return
    if not allowed:
        abort(429, TOO_MANY)


def count_failure(config_key: str, key: str) -> None:
    if not _active():
        return
    try:
        for item in parse_many(current_app.config[config_key]):
            limiter.limiter.hit(item, key)
    except Exception:  # noqa: BLE001
        current_app.logger.warning("Throttling store unreachable; %s not counted", key)


# --- where the counts are kept -------------------------------------------------------------

def describe_store(uri: str) -> str:
    """One plain line saying where throttling counts are kept, and whether that store answers."""
    if uri.startswith(MEMORY):
        return ("Throttling of sign-ins counts in this process's memory: right for one worker. "
                "With more workers or servers, set RATELIMIT_STORAGE_URI=redis://host:6379 "
                "so every one counts the same attempts.")
    parts = urlsplit(uri)
    where = f"{parts.hostname}:{parts.port or 6379}"  # never the password the address may hold
    if limiter.enabled and limiter.initialized and not limiter.storage.check():
        return (f"Throttling store {where} is not answering: each worker counts in its own memory "
                "until it does. Start Redis or correct RATELIMIT_STORAGE_URI.")
    return f"Throttling counts in {where}, shared by every worker and server."


def init_app(app) -> None:
    if app.testing or not serving():
        return
    with app.app_context():
        click.echo(describe_store(app.config.get("RATELIMIT_STORAGE_URI", MEMORY)), err=True)
