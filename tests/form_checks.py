"""Shared by the form tests: who fills which form, the French messages, before/after rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.conftest import World
from tests.support import field_error, login, post

COLLECTIVE = "collectif@test.org"
ADMIN_A = "admin.a@test.org"
COORD_A = "coord.a@test.org"
VOLUNTEER_A = "benevole.a@test.org"
ADMIN_B = "admin.b@test.org"

REQUIRED = "Ce champ est obligatoire."
INVALID_CHOICE = "Ce choix n'est pas possible : choisissez dans la liste."
EMAIL_TAKEN = "Cette adresse e-mail est déjà celle d'une autre personne."
ROLE_REFUSED = "Vous ne pouvez pas donner ce rôle dans cette association."
BAD_EMAIL = "Adresse e-mail invalide (exemple : prenom.nom@exemple.org)."
BAD_PHONE = "Numéro de téléphone invalide (exemple : 06 12 34 56 78)."
BAD_WEBSITE = "Adresse web invalide (elle commence par https://)."
BAD_QPV = "Code QPV invalide (exemple : QN09301M)."


def error(response: TestResponse, field_id: str) -> str:
    """The message next to a field ("" when there is none)."""
    return field_error(response, field_id) or ""


def dump(db: Session, tables: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables, read afresh: compared before and after a refused request."""
    db.rollback()  # ends the test's read transaction (a SQLite snapshot would be stale)
    return {t: sorted(map(tuple, db.execute(text(f"SELECT * FROM {t}")).all()), key=repr)
            for t in tables}


def fresh(db: Session) -> Session:
    """The session, ready to read what requests committed since (not stale objects)."""
    db.rollback()
    db.expire_all()
    return db


@dataclass
class Form:
    """A form under test: who fills it, where, valid data, the tables it writes, a setup."""

    user: str
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]
    tables: tuple[str, ...]
    arrange: Callable[[Session, World], None] = field(default=lambda db, w: None)


def send(client: FlaskClient, db: Session, world: World, form: Form, changes: dict[str, Any]
         ) -> tuple[TestResponse, dict[str, Any], dict[str, Any]]:
    """Log in as the form's user, post its valid data with ``changes``; return the response
    and the rows of its tables before and after."""
    form.arrange(db, world)
    login(client, form.user)
    before = dump(db, form.tables)
    response = post(client, form.url(world), {**form.data(world), **changes})
    return response, before, dump(db, form.tables)


def assert_refused(response: TestResponse, before: dict[str, Any], after: dict[str, Any],
                   field_id: str, message: str) -> None:
    assert response.status_code == 422
    assert message in error(response, field_id), error(response, field_id)
    assert after == before, "a refused form must not change anything"
