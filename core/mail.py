"""Outgoing email, with a backend chosen by MAILLAGE_MAIL_BACKEND."""

from __future__ import annotations

import smtplib
import sys
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app

OUTBOX_KEY = "maillage.outbox"


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="maillage.invalid")
    message.set_content(body)
    return message


def outbox() -> list[EmailMessage]:
    """Messages kept by the ``memory`` backend (used by tests and plugin authors)."""
    return current_app.extensions.setdefault(OUTBOX_KEY, [])


def send_mail(to: str, subject: str, body: str) -> None:
    message = build_message(to, subject, body)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        outbox().append(message)
    elif backend == "console":
        print(message.as_string(), file=sys.stderr, flush=True)
    elif backend == "file":
        folder = Path(current_app.config["MAIL_FILE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        (folder / f"{stamp}.eml").write_bytes(bytes(message))
    elif backend == "smtp":
        config = current_app.config
        with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=30) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
    else:
        raise ValueError(f"unknown MAILLAGE_MAIL_BACKEND: {backend!r}")
