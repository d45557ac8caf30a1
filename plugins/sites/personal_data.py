"""A person's data in Sites en transition: export (right of access) and erasure.

What belongs to a person:
- being the contact of an occupant (``contact_person_id``), with the contact details typed
  for that occupancy. The occupancy itself is the occupant's (an organisation) and the
  site's record: the erasure keeps it, and clears the link and the details typed with it;
- the applications sent from the public form with the person's e-mail address as contact
  (sent before they had an account, or since): the erasure blanks the contact, the
  organisation's project stays for the call's review;
- the shared rooms they reserved: the erasure keeps the slot (the room was taken) and
  forgets who took it;
- the scores and comments they gave as a reviewer: the erasure keeps the scores, no longer
  theirs.
Contacts typed by hand for someone outside Maillage are no person's file here; they go with
the allocation or the application, changed or blanked on its page, and the applications
with their call, after the retention (retention.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select, true, update

from core.plugin_api import PersonalData, PersonRef, in_paris, person_email, session
from plugins.sites.models import Allocation, Lot, Site
from plugins.sites.models_calls import Application, Call, Criterion, Score
from plugins.sites.models_rooms import RoomReservation

TITLE = "Sites en transition"


def _scope(column: Any, associations: frozenset[int] | None) -> ColumnElement[bool]:
    return column.in_(associations) if associations is not None else true()


def _by_address(person: PersonRef) -> ColumnElement[bool] | None:
    address = person_email(person)
    return func.lower(Application.contact_email) == address.strip().lower() if address else None


def export_person(person: PersonRef, associations: frozenset[int] | None) -> PersonalData | None:
    records = [*_occupancies(person, associations), *_applications(person, associations),
               *_reservations(person, associations), *_scores(person, associations)]
    return PersonalData(title=TITLE, records=records) if records else None


def _occupancies(person: PersonRef, associations: frozenset[int] | None) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Allocation, Lot.code, Site.name).join(Lot, Lot.id == Allocation.lot_id)
        .join(Site, Site.id == Lot.site_id)
        .where(Allocation.contact_person_id == person.id, _scope(Allocation.association_id, associations))
        .order_by(Allocation.starts_on, Allocation.id)).all()
    return [{
        "association_id": allocation.association_id, "type": "contact d'occupant", "site": site,
        "lot": code, "occupant": allocation.occupant, "du": allocation.starts_on.isoformat(),
        "au": allocation.ends_on.isoformat(), "nom_du_contact": allocation.contact_name,
        "e_mail": allocation.contact_email, "telephone": allocation.contact_phone,
    } for allocation, code, site in rows]


def _applications(person: PersonRef, associations: frozenset[int] | None) -> list[dict[str, Any]]:
    mine = _by_address(person)
    if mine is None:
        return []
    rows = session.execute(
        select(Application, Call.title).join(Call, Call.id == Application.call_id)
        .where(mine, _scope(Application.association_id, associations))
        .order_by(Application.submitted_at, Application.id)).all()
    return [{
        "association_id": application.association_id, "type": "candidature", "appel": title,
        "organisation": application.organisation, "projet": application.project,
        "envoyee_le": in_paris(application.submitted_at).isoformat(timespec="minutes"),
        "nom_du_contact": application.contact_name, "e_mail": application.contact_email,
        "telephone": application.contact_phone,
    } for application, title in rows]


def _reservations(person: PersonRef, associations: frozenset[int] | None) -> list[dict[str, Any]]:
    rows = session.execute(
        select(RoomReservation, Lot.code).join(Lot, Lot.id == RoomReservation.lot_id)
        .where(RoomReservation.person_id == person.id, _scope(RoomReservation.association_id, associations))
        .order_by(RoomReservation.starts_at, RoomReservation.id)).all()
    return [{
        "association_id": reservation.association_id, "type": "réservation de salle", "salle": code,
        "debut": in_paris(reservation.starts_at).isoformat(timespec="minutes"),
        "fin": in_paris(reservation.ends_at).isoformat(timespec="minutes"), "objet": reservation.purpose,
    } for reservation, code in rows]


def _scores(person: PersonRef, associations: frozenset[int] | None) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Score, Criterion.label, Application.organisation)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .join(Application, Application.id == Score.application_id)
        .where(Score.reviewer_id == person.id, _scope(Score.association_id, associations))
        .order_by(Score.application_id, Criterion.position, Score.id)).all()
    return [{
        "association_id": score.association_id, "type": "note de candidature",
        "candidature": organisation, "critere": label, "note": score.score, "commentaire": score.comment,
    } for score, label, organisation in rows]


def erase_person(person: PersonRef) -> int:
    """The number of records unlinked or blanked; the core commits, after every plugin."""
    changed = 0
    statements = [
        update(Allocation).where(Allocation.contact_person_id == person.id)
        .values(contact_person_id=None, contact_name="", contact_email="", contact_phone=""),
        update(RoomReservation).where(RoomReservation.person_id == person.id).values(person_id=None),
        update(Score).where(Score.reviewer_id == person.id).values(reviewer_id=None),
    ]
    mine = _by_address(person)
    if mine is not None:
        statements.append(update(Application).where(mine)
                          .values(contact_name="", contact_email="", contact_phone=""))
    for statement in statements:
        changed += session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0
    return changed
