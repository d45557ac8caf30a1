"""Demonstration data: one collective, three associations, a dozen people, eight partners,
and whatever the installed plugins add to the first association (hook ``load_demo_data``).

Every demo account uses the password ``demo-maillage`` (listed in README.md).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from core.agenda.bookables import Bookable
from core.agenda.clock import paris_to_utc, paris_today
from core.agenda.engine import book
from core.agenda.events import EventKind, Visibility
from core.agenda.scheduling import EventFields, Places, Recurrence, create_events
from core.auth.accounts import Account
from core.auth.passwords import hash_password
from core.database import session
from core.members import Association, Collective, Membership, Neighbourhood, Person, Role
from core.partners import Barrier, Partner, PartnerContact, PartnerKind, PartnerService
from core.pluginhost.activation import PluginActivation
from core.pluginhost.host import get_host
from core.pluginhost.refs import association_ref
from core.referrals.demo import load_referrals as _load_referrals

DEMO_PASSWORD = "demo-maillage"  # noqa: S105 - documented demo password, demo data only

NEIGHBOURHOODS = [
    ("Franc-Moisin Bel-Air", "Saint-Denis", "QN09316M"),
    ("Les Courtillières", "Pantin", "QN09305M"),
    ("Quatre-Chemins", "Aubervilliers", "QN09302M"),
    ("La Rose des Vents", "Aulnay-sous-Bois", "QN09309M"),
    ("Clos Saint-Lazare", "Stains", "QN09320M"),
]

ASSOCIATIONS = [
    ("Passerelles vers l'emploi", "Passerelles", "contact@passerelles.exemple.org",
     "01 48 00 00 01", "12 rue de la République, 93200 Saint-Denis", [0, 2]),
    ("Réseau d'entraide des quartiers", "REQ", "bonjour@req.exemple.org",
     "01 48 00 00 02", "3 place de la Mairie, 93500 Pantin", [1]),
    ("Atelier solidaire de la Rose des Vents", "ASRV", "atelier@asrv.exemple.org",
     "01 48 00 00 03", "8 allée Circulaire, 93600 Aulnay-sous-Bois", [3, 4]),
]

# (first name, last name, email, phone, account?, collective admin?, [(association index, role)])
PEOPLE = [
    ("Camille", "Admin", "admin@exemple.org", "06 10 00 00 01", True, True, []),
    ("Nadia", "Benali", "coordination@exemple.org", "06 10 00 00 02", True, False,
     [(0, Role.COORDINATOR)]),
    ("Lucas", "Martin", "benevole@exemple.org", "06 10 00 00 03", True, False,
     [(0, Role.VOLUNTEER)]),
    ("Fatou", "Diallo", "f.diallo@req.exemple.org", "06 10 00 00 04", True, False,
     [(1, Role.ADMIN)]),
    ("Jérôme", "Petit", "j.petit@asrv.exemple.org", "06 10 00 00 05", True, False,
     [(2, Role.ADMIN)]),
    ("Inès", "Moreau", "ines.moreau@exemple.org", "", False, False, [(1, Role.VOLUNTEER)]),
    ("Karim", "Haddad", None, "07 20 00 00 01", False, False, [(0, Role.SUPPORTED)]),
    ("Sandrine", "Lefèvre", None, "07 20 00 00 02", False, False, [(0, Role.SUPPORTED)]),
    ("Moussa", "Traoré", None, "", False, False, [(1, Role.SUPPORTED)]),
    ("Aïcha", "Mansouri", "aicha.m@exemple.org", "", False, False, [(2, Role.SUPPORTED)]),
    ("Dylan", "Robert", None, "07 20 00 00 05", False, False, [(2, Role.SUPPORTED)]),
    ("Yasmine", "Cherif", None, "", False, False, [(0, Role.SUPPORTED), (1, Role.SUPPORTED)]),
    ("Mamadou", "Koné", None, "07 20 00 00 07", False, False, [(0, Role.SUPPORTED)]),
    ("Julie", "Carpentier", None, "", False, False, [(0, Role.SUPPORTED)]),
]

# (name, kind, description, [neighbourhood indexes], [association indexes], contacts, services)
PARTNERS = [
    ("Mission Locale de Plaine Commune", PartnerKind.MISSION_LOCALE,
     "Accompagnement des jeunes de 16 à 25 ans : emploi, formation, logement, santé.",
     [0, 2], [0, 1],
     [("Sophie", "Garnier", "Conseillère insertion", "s.garnier@ml.exemple.org")],
     [("Contrat d'engagement jeune", [Barrier.TRAINING, Barrier.MONEY]),
      ("Point santé jeunes", [Barrier.HEALTH])]),
    ("France Travail Saint-Denis", PartnerKind.FRANCE_TRAVAIL,
     "Agence locale : inscription, indemnisation, offres d'emploi.", [0], [0],
     [("Thomas", "Roux", "Conseiller entreprises", "t.roux@ft.exemple.org")],
     [("Atelier numérique de l'agence", [Barrier.DIGITAL, Barrier.ADMINISTRATIVE])]),
    ("CCAS de Pantin", PartnerKind.CCAS,
     "Aide sociale, domiciliation, aides facultatives.", [1], [1],
     [("Hélène", "Blanc", "Travailleuse sociale", "h.blanc@ccas.exemple.org")],
     [("Domiciliation administrative", [Barrier.ADMINISTRATIVE, Barrier.HOUSING]),
      ("Aide alimentaire et budget", [Barrier.MONEY])]),
    ("Centre social des Courtillières", PartnerKind.SOCIAL_CENTRE,
     "Accueil des familles, ateliers sociolinguistiques, halte-garderie.", [1], [1, 2],
     [("Omar", "Saïdi", "Référent famille", "o.saidi@cs.exemple.org")],
     [("Ateliers sociolinguistiques", [Barrier.FRENCH_LANGUAGE]),
      ("Halte-garderie à horaires souples", [Barrier.CHILDCARE])]),
    ("Chantier d'insertion Bâti'Cité", PartnerKind.INSERTION_STRUCTURE,
     "Atelier et chantier d'insertion (ACI) : second œuvre du bâtiment.", [0, 3], [0, 2],
     [("Patrick", "Lemoine", "Encadrant technique", "p.lemoine@baticite.exemple.org")],
     [("Premières heures en chantier", [Barrier.TRAINING]),
      ("Permis B accompagné", [Barrier.MOBILITY])]),
    ("EBE La Fabrique à emplois", PartnerKind.EBE,
     "Entreprise à but d'emploi du territoire zéro chômeur de longue durée.", [3, 4], [2],
     [("Léa", "Fontaine", "Directrice", "l.fontaine@fabrique.exemple.org")],
     [("Embauche en CDI au SMIC", [Barrier.MONEY])]),
    ("Ville d'Aubervilliers — service emploi", PartnerKind.LOCAL_AUTHORITY,
     "Maison de l'emploi et politique de la ville.", [2], [0],
     [("Claire", "Dubois", "Cheffe de projet politique de la ville", "c.dubois@ville.exemple.org")],
     [("Aide à la mobilité (tickets, vélos)", [Barrier.MOBILITY])]),
    ("Département — Fonds social européen", PartnerKind.FUNDER,
     "Service instructeur FSE+ et subventions insertion.", [], [0, 1, 2],
     [("Marc", "Vidal", "Chargé de mission FSE+", "m.vidal@departement.exemple.org")],
     []),
]


def is_empty() -> bool:
    return not session.scalar(select(func.count(Association.id))) and not session.scalar(
        select(func.count(Person.id))
    )


def load_demo() -> None:
    session.add(Collective(name="Collectif Emploi Solidaire 93", territory="Seine-Saint-Denis"))
    neighbourhoods = [Neighbourhood(name=n, city=c, qpv_code=q) for n, c, q in NEIGHBOURHOODS]
    associations = []
    for name, short, email, phone, address, served in ASSOCIATIONS:
        association = Association(
            name=name, short_name=short, slug=short.lower(), email=email, phone=phone,
            address=address, neighbourhoods=[neighbourhoods[i] for i in served],
        )
        associations.append(association)
    session.add_all(neighbourhoods + associations)

    password_hash = hash_password(DEMO_PASSWORD)
    for first, last, email, phone, has_account, is_admin, roles in PEOPLE:
        person = Person(first_name=first, last_name=last, email=email, phone=phone)
        person.memberships = [
            Membership(association=associations[index], role=role) for index, role in roles
        ]
        if has_account:
            person.account = Account(password_hash=password_hash, is_collective_admin=is_admin)
        session.add(person)

    for name, kind, description, served, works_with, contacts, services in PARTNERS:
        partner = Partner(
            name=name, kind=kind, description=description,
            neighbourhoods=[neighbourhoods[i] for i in served],
            associations=[associations[i] for i in works_with],
        )
        partner.contacts = [
            PartnerContact(first_name=f, last_name=la, job_title=t, email=e)
            for f, la, t, e in contacts
        ]
        for service_name, barriers in services:
            service = PartnerService(name=service_name)
            service.barriers = barriers
            partner.services.append(service)
        session.add(partner)
    session.flush()
    _load_agenda(associations)
    _load_referrals(associations[0])
    load_plugin_demos(associations[0])
    session.commit()


def load_plugin_demos(association: Association) -> list[str]:
    """Enable, for ``association``, every plugin that has demo data, then let each load it:
    ``make run`` shows the plugins alive without the core knowing any of them."""
    host = get_host(current_app)  # type: ignore[arg-type]
    plugins = host.implementing("load_demo_data")
    session.add_all(PluginActivation(plugin=name, association_id=association.id, settings={})
                    for name in plugins)
    session.flush()
    ref, today = association_ref(association), paris_today()
    for name in plugins:
        host.call_plugins([name], "load_demo_data", association=ref, today=today)
        session.flush()
    return plugins


def _next(weekday: int, hour: int, weeks_ahead: int = 0) -> datetime:
    """The coming ``weekday`` (0 = Monday) at ``hour`` Paris time, as UTC."""
    today = paris_today()
    day = today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)
    return paris_to_utc(datetime.combine(day, time(hour)))


def _load_agenda(associations: list[Association]) -> None:
    """A few weeks of agenda: the permanent Thursday workshop, sessions, shifts, bookings."""
    passerelles, req, asrv = associations
    baticite = session.scalar(select(Partner).where(Partner.name.startswith("Chantier")))
    two_hours = timedelta(hours=2)
    thursday = _next(3, 14)
    create_events(
        EventFields(title="Atelier CV et lettre de motivation", kind=EventKind.WORKSHOP,
                    visibility=Visibility.COLLECTIVE, starts_at=thursday, ends_at=thursday + two_hours,
                    association_id=passerelles.id, place="Salle du rez-de-chaussée",
                    description="L'atelier permanent du jeudi : venez avec votre CV, même ancien."),
        Places(capacity=8, held_back=2, cancellation_cutoff_minutes=24 * 60),
        recurrence=Recurrence(interval_weeks=1, count=12),
    )
    tuesday = _next(1, 9, 1)
    create_events(
        EventFields(title="Réunion d'information Premières heures", kind=EventKind.INFORMATION,
                    visibility=Visibility.PUBLIC, starts_at=tuesday, ends_at=tuesday + two_hours,
                    association_id=passerelles.id, partner_id=baticite.id if baticite else None,
                    description="Découvrir le dispositif et visiter le chantier."),
        Places(capacity=15, held_back=5),
    )
    saturday = _next(5, 10)
    create_events(
        EventFields(title="Permanence d'accueil", kind=EventKind.VOLUNTEERING,
                    visibility=Visibility.ASSOCIATION, starts_at=saturday,
                    ends_at=saturday + timedelta(hours=3), association_id=req.id,
                    place="3 place de la Mairie, Pantin"),
        Places(capacity=2, waitlist=False),
        recurrence=Recurrence(interval_weeks=2, count=4),
    )
    wednesday = _next(2, 18)
    create_events(
        EventFields(title="Réunion du collectif", kind=EventKind.MEETING,
                    visibility=Visibility.COLLECTIVE, starts_at=wednesday,
                    ends_at=wednesday + timedelta(hours=1, minutes=30), place="Bourse du travail"),
        None,
    )
    friday = _next(4, 13, 2)
    create_events(
        EventFields(title="Sortie au salon de l'emploi", kind=EventKind.OUTING,
                    visibility=Visibility.COLLECTIVE, starts_at=friday, ends_at=friday + timedelta(hours=4),
                    association_id=asrv.id, place="Parc des expositions"),
        Places(capacity=12),
    )
    first_workshop = session.scalar(select(Bookable).where(Bookable.starts_at == thursday))
    volunteer = session.scalar(select(Person).where(Person.email == "benevole@exemple.org"))
    supported = session.scalars(
        select(Person).join(Membership).where(Membership.association_id == passerelles.id,
                                              Membership.role == Role.SUPPORTED)
    ).all()
    if first_workshop is not None and volunteer is not None:
        book(first_workshop.id, volunteer.id, booked_by_id=volunteer.id)
        for person in supported:
            book(first_workshop.id, person.id, referral=True)
