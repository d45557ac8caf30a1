"""Engagement: an identified contact of an outreach action becomes a core person (supported
by the association) with a pathway — the last step of the funnel.

Nothing here commits: the view commits the person, the pathway and the contact's link
together, or rolls all of them back.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.plugin_api import AssociationRef, add_person, in_paris, session
from plugins.allervers.models_outreach import Contact, OutreachAction
from plugins.allervers.models_pathways import Pathway
from plugins.allervers.pathways import Refused, start_pathway


class AlreadyEngaged(Exception):
    """The contact became a person already (a second submit of the same form, say)."""

    def __init__(self, pathway: Pathway | None) -> None:
        super().__init__("Ce contact a déjà rejoint un parcours.")
        self.pathway = pathway


def first_contact_of(contact: Contact) -> tuple[date, int | None]:
    """The day of the outreach action the contact was met at (Paris), and its
    neighbourhood."""
    action = session.get(OutreachAction, contact.action_id)
    assert action is not None  # the foreign key cascades
    return in_paris(action.starts_at).date(), action.neighbourhood_id


def contact_for_update(association: AssociationRef, contact_id: int) -> Contact | None:
    """The association's contact, its row locked until the commit on PostgreSQL, so that
    two submits of the engagement form run one after the other (SQLite takes the write lock
    at the first write of the request)."""
    return session.scalar(select(Contact).where(
        Contact.id == contact_id, Contact.association_id == association.id).with_for_update())


def pathway_of_contact(contact: Contact) -> Pathway | None:
    return session.scalar(select(Pathway).where(Pathway.contact_id == contact.id))


def _field_of(message: str) -> str:
    if "e-mail" in message:
        return "email"
    if "téléphone" in message:
        return "phone"
    return "last_name"


def engage(association: AssociationRef, contact: Contact, *, first_name: str, last_name: str,
           email: str | None, phone: str, referent_id: int | None, started_on: date,
           first_stage: str, stage_partner_id: int | None, today: date) -> Pathway:
    """The contact's person (supported) and pathway: first contact on the action's day,
    in its neighbourhood, with the age told then. Raises ``AlreadyEngaged`` when the contact
    has a person already, ``Refused`` for the form."""
    if contact.person_id is not None:
        raise AlreadyEngaged(pathway_of_contact(contact))
    first_contact_on, neighbourhood_id = first_contact_of(contact)
    if started_on < first_contact_on:  # checked before a person is added
        raise Refused(f"Le parcours ne peut commencer avant le premier contact "
                      f"({first_contact_on:%d/%m/%Y}).", "started_on")
    try:
        person = add_person(association, first_name, last_name, email=email, phone=phone,
                            role="supported")
    except ValueError as error:
        raise Refused(str(error), _field_of(str(error))) from None
    pathway = start_pathway(
        association.id, person.id, first_contact_on=first_contact_on, started_on=started_on,
        first_stage=first_stage, today=today, referent_id=referent_id,
        stage_partner_id=stage_partner_id, age_at_first_contact=contact.age_at_first_contact,
        neighbourhood_id=neighbourhood_id, contact_id=contact.id)
    contact.person_id, contact.engaged_on = person.id, started_on
    session.flush()
    return pathway
