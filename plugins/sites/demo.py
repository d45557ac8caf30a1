"""Demo data for ``maillage demo load``: a site in transition in the demo association.

A former school lent by the city (the directory's first local authority, or a named owner)
for four years from a year ago; twelve lots of every kind; allocations made through the
plugin's own rules (``save_allocation``), dated from ``today``: most lots occupied, one
occupancy ending within the warning, one to start next month, three lots never let — so that the
occupancy rate, the income and the timeline's gaps show at once.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from core.plugin_api import AssociationRef, add_months, neighbourhoods, partners, people_of, session
from plugins.sites import demo_calls
from plugins.sites.allocations import AllocationFields, save_allocation
from plugins.sites.models import Lot, LotKind, Owner, Site

D = Decimal
# (code, kind, area m², fee per m² a month, charges a month, step-free access)
LOTS = [
    ("A1", LotKind.OFFICE, D("18"), D("8.50"), D("25"), True),
    ("A2", LotKind.OFFICE, D("22.5"), D("8.50"), D("30"), True),
    ("A3", LotKind.OFFICE, D("15"), D("8.50"), D("20"), False),
    ("B1", LotKind.WORKSHOP, D("64"), D("6"), D("60"), True),
    ("B2", LotKind.WORKSHOP, D("48"), D("6"), D("45"), True),
    ("B3", LotKind.WORKSHOP, D("80"), D("5.50"), D("70"), False),
    ("C1", LotKind.STORAGE, D("30"), D("3"), D("0"), True),
    ("C2", LotKind.STORAGE, D("12"), D("3"), D("0"), False),
    ("D1", LotKind.OUTDOOR, D("150"), D("1"), D("0"), True),
    ("D2", LotKind.OUTDOOR, D("90"), D("1"), D("0"), True),
    ("S1", LotKind.SHARED_ROOM, D("55"), D("0"), D("40"), True),
    ("S2", LotKind.SHARED_ROOM, D("35"), D("0"), D("25"), True),
]
# (lot, occupant, months from today to the start, months it lasts, contact)
ALLOCATIONS = [
    ("A1", "Coopérative Ressources Solidaires", -10, 24, "Léa Martin"),
    ("A2", "Atelier d'écrivains publics", -6, 18, ""),
    ("B1", "Recyclerie Les Mains Vertes", -11, 36, "Karim Benali"),
    ("B2", "Compagnie Théâtre du Pavé", -8, 9, ""),  # ends within the warning
    ("B3", "Vélo-école du quartier", -3, 30, ""),
    ("C1", "Banque alimentaire (stock)", -12, 48, ""),
    ("D1", "Jardin partagé des Tilleuls", -9, 40, ""),
    ("S1", "Permanences de l'association", -12, 48, ""),
    ("A3", "Studio de graphisme solidaire", 1, 12, ""),  # starts next month
]


def load(association: AssociationRef, today: date) -> None:
    city = partners(("local_authority",))[:1]
    owner = Owner(association_id=association.id, partner_id=city[0].id if city else None,
                  name=city[0].name if city else "Ville (propriétaire)", contact="Service du patrimoine")
    session.add(owner)
    session.flush()
    start = add_months(today, -12).replace(day=1)
    quarter = neighbourhoods()[:1]
    site = Site(association_id=association.id, owner_id=owner.id, name="Ancienne école Jules-Ferry",
                address="12 rue des Écoles", neighbourhood_id=quarter[0].id if quarter else None,
                total_area=D("850"), available_from=start,
                available_until=add_months(start, 48) - timedelta(days=1),
                constraints="Pas d'activité recevant du public à l'étage. "
                            "Travaux de toiture prévus l'été prochain.",
                access_notes="Clés et badges à l'accueil de l'association ; portail fermé à 21 h.")
    session.add(site)
    session.flush()
    lots = {}
    for code, kind, area, fee, charges, accessible in LOTS:
        lot = Lot(association_id=association.id, site_id=site.id, code=code, kind=kind, area=area,
                  fee_per_m2=fee, charges=charges, accessible=accessible,
                  accessibility="Rampe d'accès côté cour" if accessible else "")
        session.add(lot)
        lots[code] = lot
    session.flush()
    coordinators = people_of(association, ("coordinator",))
    for index, (code, occupant, offset, months, contact) in enumerate(ALLOCATIONS):
        first = max(add_months(today, offset), site.available_from)
        if code == "B2":
            last = today + timedelta(days=25)
        else:
            last = min(add_months(first, months) - timedelta(days=1), site.available_until)
        save_allocation(site, lots[code], AllocationFields(
            occupant=occupant, starts_on=first, ends_on=last, contact_name=contact,
            contact_person_id=coordinators[0].id if coordinators and index == 7 else None))
    session.flush()
    demo_calls.load(association, site, lots, today)
