"""Outgoing email, with a backend chosen by MAILLAGE_MAIL_BACKEND."""

from __future__ import annotations

import smtplib
import sys
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

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


_PENDING_KEY = "maillage.mail_after_commit"


def send_mail_after_commit(to: str, subject: str, body: str) -> None:
    """Send once the current transaction commits; forget it if it rolls back.

    A promotion from a waitlist must not be announced by a transaction that then fails.
    """
    from core.database import session

    session.info.setdefault(_PENDING_KEY, []).append((to, subject, body))


def _send_pending(db_session: Session) -> None:
    for to, subject, body in db_session.info.pop(_PENDING_KEY, []):
        try:
            send_mail(to, subject, body)
        except Exception:  # the change is saved; a lost mail must not undo it
            current_app.logger.exception("mail to %s failed after commit", to)


def _drop_pending(db_session: Session) -> None:
    db_session.info.pop(_PENDING_KEY, None)


event.listen(Session, "after_commit", _send_pending)
def _drop_pending_on_rollback(db_session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint
        _drop_pending(db_session)


event.listen(Session, "after_soft_rollback", _drop_pending_on_rollback)
