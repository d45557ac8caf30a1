"""A person's data across the core and every plugin: export (right of access) and erasure."""

from __future__ import annotations

from typing import Any

from core.agenda.personal_data import export_agenda, release_bookings
from core.database import session
from core.members.people import Person
from core.pluginhost.contributions import PersonalData
from core.pluginhost.host import get_host
from core.pluginhost.refs import person_ref


def export_person(person: Person) -> dict[str, Any]:
    """Everything stored about the person. Plugins are asked whether or not an
    association still has them enabled: data outlives a switch-off."""
    data: dict[str, Any] = {
        "personne": {
            "prenom": person.first_name,
            "nom": person.last_name,
            "email": person.email,
            "telephone": person.phone,
            "active": person.active,
            "creee_le": person.created_at.isoformat(),
        },
        "roles": [
            {"association": m.association.name, "role": m.role.label} for m in person.memberships
        ],
        "compte": None,
        "agenda": export_agenda(person.id),
        "modules": {},
    }
    if person.account is not None:
        last = person.account.last_login_at
        data["compte"] = {
            "administration_du_collectif": person.account.is_collective_admin,
            "derniere_connexion": last.isoformat() if last else None,
        }
    for plugin, result in get_host().call_all("export_person_data", person=person_ref(person)):
        if isinstance(result, PersonalData):
            data["modules"][plugin] = {"titre": result.title, "donnees": result.records}
    return data


def erase_person(person: Person) -> dict[str, int]:
    """Delete the person and, first, what every plugin holds about them. The caller commits."""
    counts = {
        plugin: int(result)
        for plugin, result in get_host().call_all("erase_person_data", person=person_ref(person))
    }
    counts["agenda"] = release_bookings(person.id)
    session.delete(person)
    session.flush()
    return counts
