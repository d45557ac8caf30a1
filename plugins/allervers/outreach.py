"""Outreach actions, their anonymous tallies and identified contacts: the reads and writes
the views need, each a fixed number of queries whatever the number of rows.

Times are stored in UTC and typed in Paris time (``paris_to_utc``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, String, column, delete, func, insert, select, table

from core.plugin_api import (
    AgendaItem,
    AssociationRef,
    NeighbourhoodRef,
    PartnerRef,
    PersonRef,
    in_paris,
    neighbourhoods,
    partners,
    people_of,
    session,
    utcnow,
)
from plugins.allervers.models_outreach import (
    AgeBand,
    Contact,
    Gender,
    OutreachAction,
    PlaceKind,
    Request,
    Tally,
    action_members,
    action_partners,
)

PLACE_LABELS: dict[PlaceKind, str] = {
    PlaceKind.STREET: "Rue",
    PlaceKind.MARKET: "Marché",
    PlaceKind.EVENT: "Événement",
    PlaceKind.PARTNER_PREMISES: "Locaux d'un partenaire",
    PlaceKind.OTHER: "Autre lieu",
}
AGE_LABELS: dict[AgeBand, str] = {
    AgeBand.UNDER_16: "Moins de 16 ans",
    AgeBand.FROM_16_TO_17: "16–17 ans",
    AgeBand.FROM_18_TO_25: "18–25 ans",
    AgeBand.FROM_26_TO_29: "26–29 ans",
    AgeBand.FROM_30: "30 ans et plus",
    AgeBand.UNKNOWN: "Ne sait pas",
}
GENDER_LABELS: dict[Gender, str] = {
    Gender.WOMAN: "Femme",
    Gender.MAN: "Homme",
    Gender.NOT_STATED: "Non dit",
}
REQUEST_LABELS: dict[Request, str] = {
    Request.JOB: "Emploi",
    Request.TRAINING: "Formation",
    Request.HOUSING: "Logement",
    Request.HEALTH: "Santé",
    Request.RIGHTS: "Droits, papiers",
    Request.OTHER: "Autre",
    Request.NOTHING: "Rien demandé",
}
# The tally's situations: column of Tally -> label.
SITUATIONS: dict[str, str] = {
    "neet": "Ni en emploi, ni en études, ni en formation",
    "no_employment_service": "Pas suivi·e par France Travail ou la Mission locale",
    "isolated_minor": "Mineur·e isolé·e",
    "isolated_woman": "Femme isolée",
}
# The roles whose people go out: supported people are met, they are not team members.
TEAM_ROLES = ("volunteer", "coordinator", "admin")
# « annuler le dernier »: a tally typed by mistake is undone at once, not hours later.
UNDO_WINDOW = timedelta(minutes=10)
AGENDA_KIND = "allervers_action"
# The core's neighbourhoods, read for their names in the same query as the actions (the
# plugin API's neighbourhoods() lists them all, which a join does not need).
neighbourhood_names = table("neighbourhoods", column("id", Integer), column("name", String))
UPCOMING_LIMIT = 50
PAST_LIMIT = 50


def team_people(association: AssociationRef) -> list[PersonRef]:
    return people_of(association, TEAM_ROLES)


def person_label(person: PersonRef) -> str:
    return f"{person.first_name} {person.last_name}".strip()


@dataclass(frozen=True)
class ActionFields:
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    place_kind: PlaceKind
    place: str
    neighbourhood_id: int | None
    notes: str
    member_ids: frozenset[int]
    partner_ids: frozenset[int]


def save_action(association: AssociationRef, action: OutreachAction | None,
                fields: ActionFields) -> OutreachAction:
    """Create or update the action and its team and partners (the caller commits)."""
    if action is None:
        action = OutreachAction(association_id=association.id)
        session.add(action)
    action.starts_at, action.ends_at = fields.starts_at, fields.ends_at
    action.place_kind, action.place = fields.place_kind, fields.place
    action.neighbourhood_id, action.notes = fields.neighbourhood_id, fields.notes
    session.flush()
    session.execute(delete(action_members).where(action_members.c.action_id == action.id))
    session.execute(delete(action_partners).where(action_partners.c.action_id == action.id))
    if fields.member_ids:
        session.execute(insert(action_members),
                        [{"action_id": action.id, "person_id": i} for i in sorted(fields.member_ids)])
    if fields.partner_ids:
        session.execute(insert(action_partners),
                        [{"action_id": action.id, "partner_id": i} for i in sorted(fields.partner_ids)])
    return action


def action_in(association_id: int, action_id: int) -> OutreachAction | None:
    action = session.get(OutreachAction, action_id)
    return action if action is not None and action.association_id == association_id else None


def member_ids_of(action_id: int) -> set[int]:
    return set(session.scalars(select(action_members.c.person_id)
                               .where(action_members.c.action_id == action_id)))


def partner_ids_of(action_id: int) -> set[int]:
    return set(session.scalars(select(action_partners.c.partner_id)
                               .where(action_partners.c.action_id == action_id)))


@dataclass(frozen=True)
class ActionLine:
    """An action in a list, with its counts."""

    id: int
    starts_at: datetime
    ends_at: datetime
    place_kind: PlaceKind
    place: str
    neighbourhood: str
    tallies: int
    contacts: int

    @property
    def place_label(self) -> str:
        return PLACE_LABELS[self.place_kind]


def _lines(association_id: int, *criteria: object, newest_first: bool, limit: int) -> list[ActionLine]:
    """One query: the actions with their neighbourhood's name and their counts."""
    tallies = (select(func.count(Tally.id)).where(Tally.action_id == OutreachAction.id)
               .correlate(OutreachAction).scalar_subquery())
    contacts = (select(func.count(Contact.id)).where(Contact.action_id == OutreachAction.id)
                .correlate(OutreachAction).scalar_subquery())
    order = (OutreachAction.starts_at.desc(), OutreachAction.id.desc()) if newest_first else (
        OutreachAction.starts_at, OutreachAction.id)
    rows = session.execute(
        select(OutreachAction.id, OutreachAction.starts_at, OutreachAction.ends_at,
               OutreachAction.place_kind, OutreachAction.place, neighbourhood_names.c.name,
               tallies, contacts)
        .outerjoin(neighbourhood_names, neighbourhood_names.c.id == OutreachAction.neighbourhood_id)
        .where(OutreachAction.association_id == association_id, *criteria)
        .order_by(*order).limit(limit)
    ).all()
    return [ActionLine(id=r[0], starts_at=r[1], ends_at=r[2], place_kind=r[3], place=r[4],
                       neighbourhood=r[5] or "", tallies=r[6], contacts=r[7]) for r in rows]


def upcoming_actions(association_id: int, now: datetime, limit: int = UPCOMING_LIMIT) -> list[ActionLine]:
    """Actions not yet over (under way first), soonest first."""
    return _lines(association_id, OutreachAction.ends_at > now, newest_first=False, limit=limit)


def past_actions(association_id: int, now: datetime, limit: int = PAST_LIMIT) -> list[ActionLine]:
    return _lines(association_id, OutreachAction.ends_at <= now, newest_first=True, limit=limit)


def agenda_items_for(association: AssociationRef, start: datetime, end: datetime,
                     url_of: object) -> list[AgendaItem]:
    """The association's actions overlapping [start, end): one query. Seen by the members of
    the association (the team goes out together); no one met is ever named there."""
    rows = session.execute(
        select(OutreachAction.id, OutreachAction.starts_at, OutreachAction.ends_at,
               OutreachAction.place_kind, OutreachAction.place)
        .where(OutreachAction.association_id == association.id,
               OutreachAction.starts_at < end, OutreachAction.ends_at > start)
        .order_by(OutreachAction.starts_at, OutreachAction.id)
    ).all()
    return [
        AgendaItem(title=f"Aller-vers — {PLACE_LABELS[kind]} : {place}", start=starts_at,
                   end=ends_at, kind=AGENDA_KIND, location=place,
                   url=url_of(action_id),  # type: ignore[operator]
                   uid=f"action-{action_id}", visibility="association")
        for action_id, starts_at, ends_at, kind, place in rows
    ]


# --- tallies ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TallyFields:
    age_band: AgeBand
    gender: Gender
    situations: frozenset[str]
    request: Request


def record_tally(association_id: int, action_id: int, fields: TallyFields) -> int:
    """One INSERT, nothing else (the tally form must answer at once); its id."""
    values = {name: name in fields.situations for name in SITUATIONS}
    result = session.execute(insert(Tally).values(
        association_id=association_id, action_id=action_id, age_band=fields.age_band,
        gender=fields.gender, request=fields.request, recorded_at=utcnow(), **values,
    ).returning(Tally.id))
    return int(result.scalar_one())


def tally_count(action_id: int) -> int:
    return int(session.scalar(select(func.count(Tally.id)).where(Tally.action_id == action_id)) or 0)


def undo_tally(association_id: int, action_id: int, tally_id: int, now: datetime) -> bool:
    """Delete the tally if it is this action's and recent enough; whether it was deleted.
    A tally an identified contact grew from stays (the contact points to it)."""
    linked = select(Contact.id).where(Contact.tally_id == tally_id).exists()
    result = session.execute(
        delete(Tally).where(Tally.id == tally_id, Tally.association_id == association_id,
                            Tally.action_id == action_id, Tally.recorded_at >= now - UNDO_WINDOW,
                            ~linked))
    return bool(result.rowcount)


def tally_free(action_id: int, tally_id: int) -> bool:
    """Whether the tally is this action's and no contact grew from it yet."""
    found = session.scalar(select(Tally.id).where(Tally.id == tally_id, Tally.action_id == action_id))
    taken = session.scalar(select(Contact.id).where(Contact.tally_id == tally_id))
    return found is not None and taken is None


# --- contacts ---------------------------------------------------------------------------------


def contacts_of_action(action_id: int) -> list[Contact]:
    return list(session.scalars(select(Contact).where(Contact.action_id == action_id)
                                .order_by(Contact.created_at, Contact.id)))


def contact_in(association_id: int, contact_id: int) -> Contact | None:
    contact = session.get(Contact, contact_id)
    return contact if contact is not None and contact.association_id == association_id else None


@dataclass(frozen=True)
class ContactFields:
    name: str
    reach: str
    age_at_first_contact: int | None


@dataclass(frozen=True)
class Consent:
    on: date
    by_id: int | None
    explained: str


def create_contact(association_id: int, action_id: int, fields: ContactFields, consent: Consent,
                   tally_id: int | None) -> Contact:
    """The contact, only ever with its consent (the caller has checked it was given)."""
    contact = Contact(association_id=association_id, action_id=action_id, tally_id=tally_id,
                      name=fields.name, reach=fields.reach,
                      age_at_first_contact=fields.age_at_first_contact, consent_on=consent.on,
                      consent_by_id=consent.by_id, consent_explained=consent.explained)
    session.add(contact)
    session.flush()
    return contact


def update_contact(contact: Contact, fields: ContactFields) -> None:
    contact.name, contact.reach = fields.name, fields.reach
    contact.age_at_first_contact = fields.age_at_first_contact


# --- the home page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthCounts:
    actions: int
    tallies: int
    contacts: int
    engaged: int


def month_counts(association_id: int, start: datetime, end: datetime) -> MonthCounts:
    """Counts of the actions that started in [start, end): one query."""
    in_month = (OutreachAction.association_id == association_id,
                OutreachAction.starts_at >= start, OutreachAction.starts_at < end)
    ids = select(OutreachAction.id).where(*in_month).scalar_subquery()
    row = session.execute(select(
        select(func.count(OutreachAction.id)).where(*in_month).scalar_subquery(),
        select(func.count(Tally.id)).where(Tally.action_id.in_(ids)).scalar_subquery(),
        select(func.count(Contact.id)).where(Contact.action_id.in_(ids)).scalar_subquery(),
        select(func.count(Contact.id)).where(Contact.action_id.in_(ids),
                                             Contact.person_id.is_not(None)).scalar_subquery(),
    )).one()
    return MonthCounts(*(int(value or 0) for value in row))


def choices_for(association: AssociationRef) -> tuple[list[PersonRef], list[PartnerRef],
                                                      list[NeighbourhoodRef]]:
    """What an action's form offers: the team, the partners, the neighbourhoods."""
    return team_people(association), partners(), neighbourhoods()


def day_of(moment: datetime) -> date:
    return in_paris(moment).date()
