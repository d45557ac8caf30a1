"""The collective's people and partners as plugins see them: plain references, scoped to
an association, in one query each."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Integer, String, column, func, select, table
from sqlalchemy.exc import IntegrityError

from core.database import session
from core.members.associations import Association
from core.members.memberships import Membership, new_member
from core.members.neighbourhoods import Neighbourhood
from core.members.people import Person
from core.members.roles import Role
from core.partners.models import Partner, PartnerContact
from core.pluginhost.contributions import AssociationRef, PersonRef

# For joins in a plugin's own queries (a name next to each row, in one query): the core
# promises these columns of its tables, and only these.
people_names = table("people", column("id", Integer), column("first_name", String),
                     column("last_name", String))
partner_names = table("partners", column("id", Integer), column("name", String),
                      column("address", String))


@dataclass(frozen=True)
class PartnerRef:
    id: int
    name: str
    kind: str
    address: str


def _partner_ref(partner: Partner) -> PartnerRef:
    return PartnerRef(id=partner.id, name=partner.name, kind=partner.kind.value,
                      address=partner.address)


@dataclass(frozen=True)
class NeighbourhoodRef:
    id: int
    name: str
    city: str
    qpv_code: str | None  # set for a priority neighbourhood (QPV)


def neighbourhoods() -> list[NeighbourhoodRef]:
    """The collective's neighbourhoods, by name."""
    rows = session.execute(select(Neighbourhood.id, Neighbourhood.name, Neighbourhood.city,
                                  Neighbourhood.qpv_code).order_by(Neighbourhood.name))
    return [NeighbourhoodRef(*row) for row in rows]


def partners(kinds: Iterable[str] | None = None) -> list[PartnerRef]:
    """Active partners, by name; only those of ``kinds`` (e.g. "insertion_structure")."""
    query = select(Partner).where(Partner.active).order_by(Partner.name)
    if kinds is not None:
        query = query.where(Partner.kind.in_(list(kinds)))
    return [_partner_ref(p) for p in session.scalars(query)]


@dataclass(frozen=True)
class PartnerContactRef:
    """A professional contact at a partner: work details a plugin may show, no more."""

    id: int
    partner_id: int
    partner_name: str
    first_name: str
    last_name: str
    job_title: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def partner_contacts(partner_ids: Iterable[int] | None = None) -> list[PartnerContactRef]:
    """Contacts of the active partners (of ``partner_ids`` only), by partner then name, in
    one query."""
    query = (select(PartnerContact.id, PartnerContact.partner_id, Partner.name, PartnerContact.first_name,
                    PartnerContact.last_name, PartnerContact.job_title)
             .join(Partner, Partner.id == PartnerContact.partner_id).where(Partner.active)
             .order_by(Partner.name, PartnerContact.last_name, PartnerContact.first_name, PartnerContact.id))
    if partner_ids is not None:
        query = query.where(PartnerContact.partner_id.in_(list(partner_ids)))
    return [PartnerContactRef(*row) for row in session.execute(query)]


def partner(partner_id: int) -> PartnerRef | None:
    found = session.get(Partner, partner_id)
    return _partner_ref(found) if found is not None else None


def people_of(association: AssociationRef, roles: Iterable[str] | None = None, *,
              ids: Iterable[int] | None = None) -> list[PersonRef]:
    """Active people of the association (of ``roles`` only, e.g. ("supported",); of ``ids``
    only, to name the people a page lists without reading everyone), by name."""
    query = (
        select(Person.id, Person.first_name, Person.last_name)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.association_id == association.id, Person.active)
        .order_by(Person.last_name, Person.first_name, Person.id)
    )
    if roles is not None:
        query = query.where(Membership.role.in_([Role(r) for r in roles]))
    if ids is not None:
        wanted = list(ids)
        if not wanted:
            return []
        query = query.where(Person.id.in_(wanted))
    return [PersonRef(id=i, first_name=f, last_name=la) for i, f, la in session.execute(query)]


def person_in(association: AssociationRef, person_id: int) -> PersonRef | None:
    """The person if they belong to the association (use it to 404 anyone else)."""
    row = session.execute(
        select(Person.id, Person.first_name, Person.last_name)
        .join(Membership, Membership.person_id == Person.id)
        .join(Association, Association.id == Membership.association_id)
        .where(Person.id == person_id, Membership.association_id == association.id)
    ).first()
    return PersonRef(id=row[0], first_name=row[1], last_name=row[2]) if row else None


def emails_of(association: AssociationRef, roles: Iterable[str] | None = None, *,
              ids: Iterable[int] | None = None) -> dict[int, str]:
    """The e-mail addresses of the association's active people (of ``roles`` only, of
    ``ids`` only), by person id; people without an address are left out. For the messages a
    plugin sends them (a warning to the coordinators), never to show on a page."""
    query = (
        select(Person.id, Person.email)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.association_id == association.id, Person.active,
               Person.email.is_not(None), Person.email != "")
        .order_by(Person.id)
    )
    if roles is not None:
        query = query.where(Membership.role.in_([Role(r) for r in roles]))
    if ids is not None:
        wanted = list(ids)
        if not wanted:
            return {}
        query = query.where(Person.id.in_(wanted))
    return {person_id: email for person_id, email in session.execute(query)}


def person_email(person: PersonRef) -> str | None:
    """The person's e-mail address, whatever their associations: for a plugin's export and
    erasure hooks, to find what was typed about them by address (an application sent from a
    public form before they had an account)."""
    return session.scalar(select(Person.email).where(Person.id == person.id)) or None


EMAIL_TAKEN = "Cette adresse e-mail est déjà celle d'une autre personne."
# A plugin adds the people it meets, never staff: roles are given from the person's page.
ROLES_A_PLUGIN_MAY_GIVE = (Role.SUPPORTED, Role.VOLUNTEER)


def add_person(association: AssociationRef, first_name: str, last_name: str, *,
               email: str | None = None, phone: str = "", role: str = "supported") -> PersonRef:
    """A new person of the association with ``role`` ("supported" or "volunteer"), flushed
    (the id is known) but not committed: the caller commits with its own rows, or rolls
    back. Raises ``ValueError`` with a French message for the user: an empty name, another
    role, an e-mail address that is already someone's (whatever the case, even when another
    request took it a moment ago), a name or phone longer than the core keeps."""
    first_name, last_name = first_name.strip(), last_name.strip()
    if not first_name or not last_name:
        raise ValueError("Le prénom et le nom sont obligatoires.")
    if len(first_name) > 80 or len(last_name) > 80:
        raise ValueError("Le prénom et le nom tiennent chacun en 80 caractères.")
    if len((phone or "").strip()) > 30:
        raise ValueError("Le téléphone tient en 30 caractères.")
    if role not in {r.value for r in ROLES_A_PLUGIN_MAY_GIVE}:
        raise ValueError("Un module n'ajoute que des personnes accompagnées ou des bénévoles.")
    address = (email or "").strip().lower() or None
    if address is not None and session.scalar(
            select(func.count(Person.id)).where(Person.email == address)):
        raise ValueError(EMAIL_TAKEN)
    try:
        with session.begin_nested():  # the unique address, taken since the check above
            person = new_member(first_name, last_name, association_id=association.id,
                                role=Role(role), email=address, phone=(phone or "").strip())
            session.flush()
    except IntegrityError:
        raise ValueError(EMAIL_TAKEN) from None
    return PersonRef(id=person.id, first_name=person.first_name, last_name=person.last_name)
