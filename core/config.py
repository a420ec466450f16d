"""Settings, read from the environment. Tests pass a dict to create_app instead."""
import os
import secrets
from pathlib import Path

DEV_SECRET_FILE = "secret_key"
MIN_SECRET_BYTES = 32  # a shorter key can be guessed, and with it any session forged


def from_environment(instance_path: str) -> dict:
    """Configuration for ``make run`` and production.

    DATABASE_URL      SQLAlchemy URL; default: SQLite file under instance/.
    DATABASE_OWNER_URL  PostgreSQL: the tables' owner, used only by ``db upgrade``; DATABASE_URL
                      is then a user that owns nothing, granted what serving needs (core.rls).
    DATABASE_TRANSACTION_POOLING  PostgreSQL: set to 1 when a pooler in transaction mode (PgBouncer's
                      pool_mode=transaction) stands before the database: a page that only reads
                      then runs in a transaction of its own, as the session is not the app's to keep.
    SECRET_KEY        required in production (CHANGING_LIVES_ENV=production).
    CHANGING_LIVES_ENV  "production" turns on Secure cookies and refuses a missing key.
    RATELIMIT_STORAGE_URI  shared store for throttling guesses, e.g. redis://host:6379
                      (needed when more than one worker or server serves the app).
    SESSION_IDLE_MINUTES  minutes without activity after which a signed-in session ends; default 30.
    MAIL_URL          the SMTP server for reminders, e.g. smtp://user:password@host:587?starttls=1;
                      unset: `reminders send` prints what it would send.
    MAIL_FROM         the reminders' sender address.
    PUBLIC_URL        the address people use to reach the site, for links in e-mails.
    DERIVED_CACHE_SIZE  reports kept per worker until their Trust records anything; default 512, 0 for none.
    TEMPORARY_PASSWORD_DAYS  days a password an admin set for a new member lasts; default 7.
    PASSWORD_LINK_DAYS       days a "set your password" link e-mailed to a new member works; default 3.
    SITE_CONTACT      one sentence saying whom to contact about the site, for people outside any Trust
                      (the contact page, accessibility statement and privacy notice when signed out).
    STATEMENT_PREPARED_ON  the date the accessibility statement was prepared, in words (e.g. 1 December 2026).
    TRUSTED_PROXIES   how many proxies (load balancer, nginx) stand in front of the app, so
                      the client's own address is used for throttling; default 0.
    """
    production = os.environ.get("CHANGING_LIVES_ENV", "development") == "production"
    config = {
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{Path(instance_path) / 'changing-lives.db'}"
        ),
        "DATABASE_OWNER_URL": os.environ.get("DATABASE_OWNER_URL") or None,
        "DATABASE_TRANSACTION_POOLING": os.environ.get("DATABASE_TRANSACTION_POOLING", "") not in ("", "0"),
        "PRODUCTION": production,
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "MAIL_URL": os.environ.get("MAIL_URL") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM") or None,
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        "DERIVED_CACHE_SIZE": int(os.environ.get("DERIVED_CACHE_SIZE", "512")),
        "TEMPORARY_PASSWORD_DAYS": int(os.environ.get("TEMPORARY_PASSWORD_DAYS", "7")),
        "PASSWORD_LINK_DAYS": int(os.environ.get("PASSWORD_LINK_DAYS", "3")),
        "SITE_CONTACT": os.environ.get("SITE_CONTACT") or None,
        "STATEMENT_PREPARED_ON": os.environ.get("STATEMENT_PREPARED_ON") or None,
    }
    secret = os.environ.get("SECRET_KEY")
    if not secret:
        if production:
            raise RuntimeError("SECRET_KEY must be set when CHANGING_LIVES_ENV=production.")
        secret = _development_secret(Path(instance_path))
    elif production and len(secret.encode()) < MIN_SECRET_BYTES:
        raise RuntimeError(f"SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes long in production; "
                           "make one with: python3 -c 'import secrets; print(secrets.token_hex(32))'")
    config["SECRET_KEY"] = secret
    return config


def _development_secret(instance: Path) -> str:
    """A random key kept in instance/ so sign-ins survive a restart of ``make run``."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / DEV_SECRET_FILE
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


DEFAULTS = {
    # hide_parameters: a failed statement's values (people's words) never reach the error log
    # No ping before every use: core.db pings a pooled connection only after it sat idle.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False, "hide_parameters": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # a form left open while someone takes a break still submits
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Failed sign-ins: per account from one network address, and per address (a ward may share one).
    "SIGN_IN_LIMITS": "5 per minute; 20 per hour",
    "SIGN_IN_ADDRESS_LIMITS": "20 per minute; 100 per hour",
    # Bad API tokens, per address; resume codes of invitation links, per link and address, and per address.
    "API_TOKEN_ADDRESS_LIMITS": "30 per minute; 300 per hour",
    "RESUME_CODE_LIMITS": "10 per minute; 50 per hour",
    "RESUME_CODE_ADDRESS_LIMITS": "30 per minute; 150 per hour",
    # Short addresses typed from paper (/i/ABCD-2345): wrong ones, per address.
    "SHORT_ADDRESS_LIMITS": "20 per minute; 100 per hour",
    # Set-password links that are wrong, used or expired, per address.
    "PASSWORD_LINK_LIMITS": "10 per minute; 50 per hour",
    # Redis gone for a moment: each worker counts in its own memory rather than refusing sign-ins.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    # flask-smorest: the OpenAPI document at /api/v1/openapi.json
    "API_TITLE": "Changing Lives API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    },
}
