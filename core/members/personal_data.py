"""A person's data across the core and every plugin: export (right of access) and erasure."""

from __future__ import annotations

import logging
from typing import Any

from core.agenda.personal_data import export_agenda, release_bookings
from core.database import session
from core.members.people import Person
from core.pluginhost.contributions import PersonalData
from core.pluginhost.host import get_host
from core.pluginhost.refs import person_ref
from core.referrals.personal_data import erase_referrals, export_referrals

logger = logging.getLogger("maillage.plugins")

# The key of a PersonalData record that names the association it belongs to.
ASSOCIATION_KEY = "association_id"


def export_person(person: Person, *, associations: frozenset[int] | None) -> dict[str, Any]:
    """What is stored about the person, limited to the associations in ``associations``
    (None: everything, the collective admin's full export). The person's identity and
    account go to whoever may export them: the coordinators who manage the person edit the
    one and open the other. Plugins are asked whether or not an association still has them
    enabled: data outlives a switch-off."""
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
            {"association": m.association.name, "role": m.role.label}
            for m in person.memberships
            if associations is None or m.association_id in associations
        ],
        "compte": None,
        "agenda": export_agenda(person.id, associations=associations),
        "orientations": export_referrals(person.id, associations=associations),
        "modules": {},
    }
    if person.account is not None:
        last = person.account.last_login_at
        data["compte"] = {
            "administration_du_collectif": person.account.is_collective_admin,
            "derniere_connexion": last.isoformat() if last else None,
        }
    for plugin, result in get_host().call_all("export_person_data", person=person_ref(person),
                                              associations=associations):
        if not isinstance(result, PersonalData):
            continue
        records = in_scope(plugin, result.records, associations)
        # A title with nothing under it would still tell that another association holds
        # something about the person.
        if records or associations is None:
            data["modules"][plugin] = {"titre": result.title, "donnees": records}
    return data


def in_scope(plugin: str, records: list[Any], associations: frozenset[int] | None) -> list[Any]:
    """The records of the associations in scope: the core's check, so that a plugin that
    ignores ``associations`` (or predates it) cannot leak another association's part."""
    if associations is None:
        return list(records)
    kept = [r for r in records if isinstance(r, dict) and _association_of(r) in associations]
    unowned = sum(1 for r in records if not isinstance(r, dict) or _association_of(r) is None)
    if unowned:
        logger.warning("plugin %s: %d export record(s) without association_id withheld "
                       "from a coordinator's export", plugin, unowned)
    return kept


def _association_of(record: dict[str, Any]) -> int | None:
    value = record.get(ASSOCIATION_KEY)
    # bool is an int to Python: True would pass for association 1.
    return value if type(value) is int else None


def erase_person(person: Person) -> dict[str, int]:
    """Delete the person and, first, what every plugin holds about them. The caller commits.
    Never scoped: the person's row goes, and every association's part with it, so erasure
    is the collective admin's alone (the view's access level), like the full export."""
    counts = {
        plugin: int(result)
        for plugin, result in get_host().call_all("erase_person_data", person=person_ref(person))
    }
    counts["agenda"] = release_bookings(person.id)
    counts["orientations"] = erase_referrals(person.id)
    session.delete(person)
    session.flush()
    return counts
