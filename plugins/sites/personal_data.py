"""A person's data in Sites en transition: export (right of access) and erasure.

What belongs to a person: being the contact of an occupant (``contact_person_id``), with the
contact details typed for that occupancy. The occupancy itself is the occupant's (an
organisation) and the site's record: the erasure keeps it, and clears the link and the
details typed with it. Contacts typed by hand for someone outside Maillage are no person's
file here; they go with the allocation, changed or removed on its page.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, true, update

from core.plugin_api import PersonalData, PersonRef, session
from plugins.sites.models import Allocation, Lot, Site

TITLE = "Sites en transition : contact d'occupants"


def export_person(person: PersonRef, associations: frozenset[int] | None) -> PersonalData | None:
    scope: Any = Allocation.association_id.in_(associations) if associations is not None else true()
    rows = session.execute(
        select(Allocation, Lot.code, Site.name).join(Lot, Lot.id == Allocation.lot_id)
        .join(Site, Site.id == Lot.site_id)
        .where(Allocation.contact_person_id == person.id, scope)
        .order_by(Allocation.starts_on, Allocation.id)).all()
    if not rows:
        return None
    return PersonalData(title=TITLE, records=[{
        "association_id": allocation.association_id, "site": site, "lot": code,
        "occupant": allocation.occupant, "du": allocation.starts_on.isoformat(),
        "au": allocation.ends_on.isoformat(), "nom_du_contact": allocation.contact_name,
        "e_mail": allocation.contact_email, "telephone": allocation.contact_phone,
    } for allocation, code, site in rows])


def erase_person(person: PersonRef) -> int:
    """The number of allocations unlinked; the core commits, after every plugin."""
    result = session.execute(
        update(Allocation).where(Allocation.contact_person_id == person.id)
        .values(contact_person_id=None, contact_name="", contact_email="", contact_phone="")
        .execution_options(synchronize_session=False))
    return result.rowcount or 0
