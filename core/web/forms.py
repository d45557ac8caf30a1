"""Form helpers shared by every part of the core: French messages, cleaning, status."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute
from wtforms import Field
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from core.database import session
from core.web.text import fold

REQUIRED_MESSAGE = "Ce champ est obligatoire."
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 .\-]{5,24}$")

# Validation failed: the form comes back with the user's input and the messages.
INVALID_FORM_STATUS = 422


def required() -> DataRequired:
    return DataRequired(message=REQUIRED_MESSAGE)


def max_length(limit: int) -> Length:
    return Length(max=limit, message=f"{limit} caractères au maximum.")


def email_address() -> list[Any]:
    return [
        max_length(254),
        Email(message="Adresse e-mail invalide (exemple : prenom.nom@exemple.org).",
              check_deliverability=False),
    ]


def optional_email() -> list[Any]:
    return [Optional(), *email_address()]


def optional_phone() -> list[Any]:
    return [
        Optional(),
        max_length(30),
        Regexp(PHONE_PATTERN, message="Numéro de téléphone invalide (exemple : 06 12 34 56 78)."),
    ]


def optional_url() -> list[Any]:
    return [
        Optional(),
        max_length(300),
        Regexp(r"^https?://[^\s]+$", message="Adresse web invalide (elle commence par https://)."),
    ]


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


STRIP = [strip]


def not_blank(_form: FlaskForm, field: Field) -> None:
    if isinstance(field.data, str) and not field.data.strip():
        raise ValidationError(REQUIRED_MESSAGE)


def add_error(field: Field, message: str) -> None:
    """Attach an error found after validation (a duplicate, say) to its field."""
    field.errors = [*field.errors, message]


def name_taken(column: InstrumentedAttribute[str], value: str,
               *criteria: ColumnElement[bool]) -> bool:
    """Whether a row matching ``criteria`` already bears this name, ignoring case and accents.

    Compared in Python with fold(): SQLite's lower() only folds ASCII letters, so a SQL
    check would let "ÉCOLE" in next to "école" there, and not on PostgreSQL.
    """
    wanted = fold(value)
    return any(fold(name) == wanted for name in session.scalars(select(column).where(*criteria)))
