"""Sending e-mail through the SMTP server named by ``MAIL_URL``.

``smtp://user:password@host:587?starttls=1`` (STARTTLS), ``smtps://...:465`` (TLS
from the start) or ``smtp://host:25`` (neither, for a relay on the same
machine). With no ``MAIL_URL`` nothing is sent: ``Printer`` says what would be.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import click

TIMEOUT_SECONDS = 20
TRUE = {"1", "true", "yes", "on"}


class MailError(Exception):
    """The message could not be handed to the mail server; it was not sent."""


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False
    sends = True

    @classmethod
    def from_url(cls, url: str, sender: str) -> Smtp:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("MAIL_URL must look like smtp://user:password@host:587?starttls=1")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        tls = parts.scheme == "smtps"
        return cls(host=parts.hostname, port=parts.port or (465 if tls else 25), sender=sender,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None,
                   starttls=query.get("starttls", "").lower() in TRUE, tls=tls)

    def send(self, letter: Letter) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, letter.to, letter.subject
        message.set_content(letter.body)
        try:
            if self.tls:
                server = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_SECONDS,
                                          context=ssl.create_default_context())
            else:
                server = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
            with server:
                if self.starttls:
                    server.starttls(context=ssl.create_default_context())
                if self.username:
                    server.login(self.username, self.password or "")
                server.send_message(message)
        except (OSError, smtplib.SMTPException) as err:
            raise MailError(f"{type(err).__name__}: {err}") from err


class Printer:
    """No mail server configured: show each message instead of sending it."""

    sends = False

    def send(self, letter: Letter) -> None:
        click.echo(f"--- would send to {letter.to}: {letter.subject}\n{letter.body}\n")


def mailer(config: dict) -> Smtp | Printer:
    url = config.get("MAIL_URL")
    return Smtp.from_url(url, config.get("MAIL_FROM") or "changing-lives@localhost") if url else Printer()
