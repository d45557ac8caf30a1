"""The list of people, and its download as CSV or Excel: the same people, to the same users."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, request
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from core.auth.permissions import Level, access, association_ids_with
from core.database import session
from core.members.associations import Association
from core.members.memberships import Membership
from core.members.people import Person
from core.members.roles import Role
from core.members.scope import (
    associations_managed,
    people_visible_clause,
    visible_memberships,
    visible_memberships_clause,
)
from core.members.views import bp
from core.web.exports import ExportColumn, export_table
from core.web.params import id_arg
from core.web.reading import columns_as
from core.web.views import Page, like_pattern, phone_search, search_term


@dataclass(frozen=True, slots=True)
class PeopleFilters:
    """What the people list is narrowed to, from its query string; its export reads the same."""

    term: str
    association_id: int | None
    role: str
    show_inactive: bool

    @classmethod
    def from_request(cls) -> PeopleFilters:
        return cls(term=search_term(), association_id=id_arg("association"),
                   role=request.args.get("role", ""),
                   show_inactive=request.args.get("inactives") == "1")

    def args(self) -> dict[str, Any]:
        """The filters as the list's query string holds them, for links that keep them."""
        given = {"q": self.term, "association": self.association_id, "role": self.role,
                 "inactives": "1" if self.show_inactive else None}
        return {key: value for key, value in given.items() if value}


def filtered_people(query: Select[Any], filters: PeopleFilters) -> Select[Any]:
    """``query`` (of people, or of their columns) narrowed to the people the user may see
    and the filters chose."""
    query = query.where(people_visible_clause())
    if not filters.show_inactive:
        query = query.where(Person.active)
    if filters.term:
        by_name = Person.search_key.like(like_pattern(filters.term), escape="\\")
        by_phone = phone_search(Person.phone, filters.term)
        query = query.where(by_name if by_phone is None else or_(by_name, by_phone))
    managed = association_ids_with(Role.COORDINATOR)
    roles = {r.value for r in Role}
    if filters.association_id and (managed is None or filters.association_id in managed):
        member_filter = Membership.association_id == filters.association_id
        if filters.role in roles:
            member_filter = member_filter & (Membership.role == filters.role)
        query = query.where(Person.memberships.any(member_filter))
    elif filters.role in roles:
        in_scope = Membership.role == filters.role
        if managed is not None:
            in_scope = in_scope & Membership.association_id.in_(managed)
        query = query.where(Person.memberships.any(in_scope))
    return query


ORDER = (Person.last_name, Person.first_name, Person.id)


@bp.get("/personnes/")
@access(Level.MANAGER)
def person_list() -> str:
    filters = PeopleFilters.from_request()
    query = filtered_people(
        select(Person)
        .options(selectinload(Person.memberships).joinedload(Membership.association))
        .order_by(*ORDER),
        filters,
    )
    return render_template(
        "members/person_list.html",
        page=Page(query),
        term=filters.term,
        associations=session.scalars(associations_managed()).all(),
        association_id=filters.association_id,
        role=filters.role,
        roles=list(Role),
        show_inactive=filters.show_inactive,
        visible_memberships=visible_memberships,
        # The export takes the same filters (not the page number: it holds every page).
        export_args=filters.args(),
    )


@dataclass(frozen=True, slots=True)
class PersonLine:
    id: int
    last_name: str
    first_name: str
    email: str | None
    phone: str
    active: bool


@bp.get("/personnes/export.<format>")
@access(Level.MANAGER)
def person_list_export(format: str) -> Response:
    """The list with its filters, every page of it, in two queries whatever its length."""
    filters = PeopleFilters.from_request()
    people = session.scalars(filtered_people(
        select(columns_as(PersonLine, Person.id, Person.last_name, Person.first_name, Person.email,
                          Person.phone, Person.active)).order_by(*ORDER),
        filters))
    roles = roles_by_person(filtered_people(select(Person.id), filters))
    columns = [
        ExportColumn("Nom", "last_name"),
        ExportColumn("Prénom", "first_name"),
        ExportColumn("Associations et rôles", lambda person: roles.get(person.id, "")),
        ExportColumn("E-mail", "email"),
        ExportColumn("Téléphone", "phone"),
        ExportColumn("Fiche active", "active"),
    ]
    return export_table(format, "Personnes", columns, people)


def roles_by_person(people: Select[Any]) -> dict[int, str]:
    """« Alpha (bénévole), Bêta (coordination) » for each person of ``people`` (a select of
    ids), as far as the user may see their memberships (visible_memberships), in one query."""
    found: dict[int, list[str]] = {}
    for person_id, association, role in session.execute(
        select(Membership.person_id, Association.short_name, Membership.role)
        .join(Association, Association.id == Membership.association_id)
        .where(Membership.person_id.in_(people), visible_memberships_clause())
        .order_by(Membership.person_id, Association.short_name)
    ):
        found.setdefault(person_id, []).append(f"{association} ({role.label.lower()})")
    return {person_id: ", ".join(roles) for person_id, roles in found.items()}
