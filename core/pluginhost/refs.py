"""Plain references to core records, as plugins receive them."""

from __future__ import annotations

from core.members.associations import Association
from core.members.people import Person
from core.pluginhost.contributions import AssociationRef, PersonRef


def association_ref(association: Association) -> AssociationRef:
    return AssociationRef(id=association.id, slug=association.slug, name=association.name,
                          short_name=association.short_name)


def person_ref(person: Person) -> PersonRef:
    return PersonRef(id=person.id, first_name=person.first_name, last_name=person.last_name)
