"""The data of bench/allervers.py: one association running Aller-vers with two years of
outreach, 20,000 people reached, and 5,000 referrals to 30 partners.

Everything but the association and its coordinators (ORM, a dozen rows) goes in with bulk
Core inserts (``insert(table)`` with lists of dicts, in chunks, ids read back with
``RETURNING``): no form's checks, but only what the plugin's and the core's forms could have
recorded — a contact only with its consent, a pathway's exit only with its outcome, a
referral's events matching its status (sent → accepted → done, refused with a reason, expired
30 days after an unanswered sending, withdrawn), a link digest only on the referrals still
waiting for an answer. The volumes are parameters (``Volumes``) so that the suite builds it
tiny.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

from agenda import FIRST_NAMES, LAST_NAMES
from flask import Flask
from sqlalchemy import Table, bindparam, insert, update

from core.agenda.clock import paris_today
from core.auth.accounts import Account
from core.auth.passwords import hash_password
from core.database import session
from core.members import Association, Membership, Neighbourhood, Person, Role
from core.members.neighbourhoods import association_neighbourhoods
from core.partners.models import Partner, PartnerService, partner_associations
from core.partners.vocabulary import Barrier, PartnerKind
from core.pluginhost.activation import PluginActivation
from core.referrals.models import Referral, ReferralBarrier, ReferralEvent
from core.referrals.vocabulary import ReferralStatus
from core.testing import TEST_PASSWORD
from core.web.text import fold
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
from plugins.allervers.models_pathways import (
    BarrierStatus,
    ExitOutcome,
    Pathway,
    PathwayAction,
    PathwayBarrier,
    PathwayReferent,
    PathwayStage,
)

SEED = 2026
SLUG = "allervers"
CHUNK = 2_000
EXPIRY_DAYS = 30  # the core's default delay before an unanswered referral expires
REMINDER_DAYS = 7

# Of the people reached: the share who agreed to be known by name (a contact); of those, the
# share met by name straight away (no tally first), and the share who engaged (a pathway).
IDENTIFIED_SHARE = 0.15
DIRECT_SHARE = 0.1
ENGAGED_SHARE = 0.35
OTHER_DOOR_SHARE = 0.05  # pathways of people who came another way than an outreach action
# Of the referrals: the share for people of the association without a pathway.
WITHOUT_PATHWAY_SHARE = 0.2

PLACES = {
    PlaceKind.STREET: [
        "Parvis de la gare",
        "Rue de la République",
        "Square des Tilleuls",
        "Esplanade du centre",
    ],
    PlaceKind.MARKET: ["Marché du samedi", "Marché couvert", "Marché de nuit"],
    PlaceKind.EVENT: ["Fête de quartier", "Tournoi de foot", "Forum de l'emploi", "Concert au parc"],
    PlaceKind.PARTNER_PREMISES: ["Centre social", "Médiathèque", "Maison de quartier", "Épicerie solidaire"],
    PlaceKind.OTHER: ["Pied d'immeuble", "City stade"],
}
PLACE_WEIGHTS = [40, 20, 15, 20, 5]
NEIGHBOURHOODS = [
    ("Les Tilleuls", "QN00001A"),
    ("La Gare", "QN00002B"),
    ("Le Centre", None),
    ("Les Coteaux", "QN00003C"),
    ("Le Port", None),
    ("Saint-Roch", "QN00004D"),
    ("Montplaisir", None),
    ("La Croix-Blanche", "QN00005E"),
]
AGE_BANDS = (
    [
        AgeBand.UNDER_16,
        AgeBand.FROM_16_TO_17,
        AgeBand.FROM_18_TO_25,
        AgeBand.FROM_26_TO_29,
        AgeBand.FROM_30,
        AgeBand.UNKNOWN,
    ],
    [4, 12, 45, 20, 12, 7],
)
AGES = {
    AgeBand.UNDER_16: (14, 15),
    AgeBand.FROM_16_TO_17: (16, 17),
    AgeBand.FROM_18_TO_25: (18, 25),
    AgeBand.FROM_26_TO_29: (26, 29),
    AgeBand.FROM_30: (30, 45),
    AgeBand.UNKNOWN: (16, 35),
}
GENDERS = ([Gender.WOMAN, Gender.MAN, Gender.NOT_STATED], [40, 48, 12])
REQUESTS = (
    [
        Request.JOB,
        Request.TRAINING,
        Request.HOUSING,
        Request.HEALTH,
        Request.RIGHTS,
        Request.OTHER,
        Request.NOTHING,
    ],
    [30, 15, 10, 5, 10, 5, 25],
)
OUTCOMES = (
    [
        ExitOutcome.JOB,
        ExitOutcome.TRAINING,
        ExitOutcome.JOB_SEARCH,
        ExitOutcome.OTHER,
        ExitOutcome.DROPPED_OUT,
    ],
    [35, 25, 20, 5, 15],
)
STAGES = ["Aller vers", "Accompagner vers", "Accès à l'entreprise"]
CONSENT = "Ce que nous gardons (prénom, téléphone), pourquoi, combien de temps, et le droit de tout effacer."
SERVICES = [
    "Accueil et orientation",
    "Atelier CV",
    "Permanence logement",
    "Aide à la mobilité",
    "Garde d'enfants solidaire",
    "Cours de français",
    "Accès aux droits",
    "Atelier numérique",
    "Bilan de santé",
    "Formation qualifiante",
    "Chantier d'insertion",
    "Micro-crédit",
]
REFUSALS = [
    "Hors de notre secteur",
    "Plus de place avant trois mois",
    "La personne ne relève pas du dispositif",
    "Dossier incomplet",
]
# Status of a referral by its age: still within the expiry delay, or older.
RECENT_STATUSES = (
    [ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.REFUSED, ReferralStatus.WITHDRAWN],
    [55, 30, 8, 7],
)
OLD_STATUSES = (
    [
        ReferralStatus.DONE,
        ReferralStatus.ACCEPTED,
        ReferralStatus.REFUSED,
        ReferralStatus.EXPIRED,
        ReferralStatus.WITHDRAWN,
    ],
    [45, 10, 15, 20, 10],
)


@dataclass(frozen=True)
class Volumes:
    actions: int = 200
    contacts: int = 20_000  # people reached: tallies plus contacts met by name straight away
    referrals: int = 5_000
    partners: int = 30
    coordinators: int = 10
    years: int = 2


@dataclass
class Plan:
    association_id: int
    slug: str
    coordinator_email: str
    coordinator_id: int
    volumes: Volumes
    first_day: date  # of the first action
    coordinators: list[int] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=UTC)


class Builder:
    def __init__(self, plan: Plan, rng: random.Random, today: date) -> None:
        self.plan, self.rng, self.today = plan, rng, today
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.stamp = {"created_at": self.now, "updated_at": self.now}

    def insert(self, table: Any, rows: list[dict[str, Any]], *, ids: bool = False) -> list[int]:
        """Bulk insert in chunks; the new ids, in the rows' order, if asked."""
        self.plan.counts[table.name if isinstance(table, Table) else table.__tablename__] += len(rows)
        found: list[int] = []
        for offset in range(0, len(rows), CHUNK):
            chunk = rows[offset : offset + CHUNK]
            if ids:
                found += session.scalars(
                    insert(table).returning(table.id, sort_by_parameter_order=True), chunk
                )
            elif chunk:
                session.execute(insert(table), chunk)
        return found

    def people(self, names: list[tuple[str, str]], role: Role) -> list[int]:
        ids = self.insert(
            Person,
            [
                {
                    "first_name": first,
                    "last_name": last,
                    "email": None,
                    "phone": "06 00 00 00 00",
                    "active": True,
                    "deactivated_at": None,
                    "search_key": fold(f"{first} {last} {last} {first} "),
                    **self.stamp,
                }
                for first, last in names
            ],
            ids=True,
        )
        self.insert(
            Membership,
            [
                {"person_id": pid, "association_id": self.plan.association_id, "role": role, **self.stamp}
                for pid in ids
            ],
        )
        return ids


def found_team(app: Flask, volumes: Volumes, *, slug: str = SLUG, password_hash: str | None = None) -> Plan:
    """The association running the plugin (default settings) and its coordinators, the first
    with an account (who the bench logs in as), committed."""
    with app.app_context():
        association = Association(name=f"Aller-vers {slug}", short_name=slug[:20].capitalize(), slug=slug)
        people = []
        for n in range(volumes.coordinators):
            first, last = FIRST_NAMES[n % len(FIRST_NAMES)], f"Coordination{n + 1:02d}"
            people.append(
                Person(
                    first_name=first,
                    last_name=last,
                    email=f"coordination{n + 1}@{slug}.invalid",
                    memberships=[Membership(association=association, role=Role.COORDINATOR)],
                    account=Account(password_hash=password_hash or hash_password(TEST_PASSWORD))
                    if n == 0
                    else None,
                )
            )
        session.add_all(people)
        session.flush()
        session.add(PluginActivation(plugin="allervers", association_id=association.id, settings={}))
        plan = Plan(
            association.id, slug, people[0].email or "", people[0].id, volumes, first_day=paris_today()
        )
        plan.coordinators = [p.id for p in people]
        session.commit()
    return plan


def build(
    app: Flask,
    volumes: Volumes = Volumes(),
    *,
    slug: str = SLUG,
    password_hash: str | None = None,
    seed: int = SEED,
) -> Plan:
    """Everything, committed; how long it took in ``plan.seconds``."""
    began = time.perf_counter()
    plan = found_team(app, volumes, slug=slug, password_hash=password_hash)
    rng = random.Random(seed)  # noqa: S311 - data, not secrets
    with app.app_context():
        today = paris_today()
        b = Builder(plan, rng, today)
        coordinators = plan.coordinators
        volunteers = b.people(
            [
                (FIRST_NAMES[(n + 5) % len(FIRST_NAMES)], f"Bénévole{n + 1:02d}")
                for n in range(max(2, volumes.coordinators // 2))
            ],
            Role.VOLUNTEER,
        )
        team = coordinators + volunteers

        # Neighbourhoods (names are the collective's, unique: the slug keeps builds apart).
        hoods = b.insert(
            Neighbourhood,
            [
                {
                    "name": f"{name} ({slug})",
                    "city": "Belleforge",
                    "qpv_code": f"{code[:-1]}{plan.association_id}{code[-1]}" if code else None,
                    **b.stamp,
                }
                for name, code in NEIGHBOURHOODS
            ],
            ids=True,
        )
        b.insert(
            association_neighbourhoods,
            [{"association_id": plan.association_id, "neighbourhood_id": h} for h in hoods],
        )

        # Partners and their services.
        kinds = list(PartnerKind)
        partners = b.insert(
            Partner,
            [
                {
                    "name": f"Partenaire {n + 1:02d} {kinds[n % len(kinds)].label} ({slug})",
                    "kind": kinds[n % len(kinds)],
                    "description": "",
                    "email": f"accueil{n + 1}@partenaire.invalid",
                    "phone": "01 00 00 00 00",
                    "address": f"{n + 1} avenue Jean Jaurès, Belleforge",
                    "website": "",
                    "active": True,
                    "search_key": fold(f"Partenaire {n + 1:02d}"),
                    **b.stamp,
                }
                for n in range(volumes.partners)
            ],
            ids=True,
        )
        b.insert(
            partner_associations, [{"partner_id": p, "association_id": plan.association_id} for p in partners]
        )
        service_rows, owners = [], []
        for p in partners:
            for name in rng.sample(SERVICES, rng.randint(1, 4)):
                service_rows.append(
                    {"partner_id": p, "name": name, "description": "", "search_key": fold(name), **b.stamp}
                )
                owners.append(p)
        services = b.insert(PartnerService, service_rows, ids=True)
        services_of: dict[int, list[int]] = {}
        for service, owner in zip(services, owners, strict=True):
            services_of.setdefault(owner, []).append(service)

        # Outreach actions over the years, weekdays mostly, afternoons.
        span = 365 * volumes.years
        days = sorted(today - timedelta(days=rng.randrange(1, span)) for _ in range(volumes.actions))
        plan.first_day = days[0] if days else today
        action_rows, action_meta = [], []
        for day in days:
            kind = rng.choices(list(PLACES), PLACE_WEIGHTS)[0]
            hood = rng.choice(hoods)
            start = _at(day, rng.choice([9, 10, 13, 14, 15, 16, 17]))
            action_rows.append(
                {
                    "association_id": plan.association_id,
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=rng.choice([2, 3, 4])),
                    "place_kind": kind,
                    "place": rng.choice(PLACES[kind]),
                    "neighbourhood_id": hood,
                    "notes": "",
                    **b.stamp,
                }
            )
            action_meta.append((day, hood, start))
        actions = b.insert(OutreachAction, action_rows, ids=True)
        members, joined = [], []
        for action in actions:
            crew = rng.sample(team, min(len(team), rng.randint(1, 3)))
            members += [{"action_id": action, "person_id": p} for p in crew]
            joined += [
                {"action_id": action, "partner_id": p}
                for p in rng.sample(partners, min(len(partners), rng.choice([0, 0, 1, 1, 2])))
            ]
        b.insert(action_members, members)
        b.insert(action_partners, joined)
        crews: dict[int, list[int]] = {}
        for row in members:
            crews.setdefault(row["action_id"], []).append(row["person_id"])

        # The people reached: tallies, the contacts among them, a few met by name at once.
        identified = round(volumes.contacts * IDENTIFIED_SHARE)
        direct = round(identified * DIRECT_SHARE)
        tallies = volumes.contacts - direct
        # Busier actions: markets and events meet more people than a street round.
        weights = [
            3 if row["place_kind"] in (PlaceKind.MARKET, PlaceKind.EVENT) else 1 for row in action_rows
        ]
        where = sorted(rng.choices(range(len(actions)), weights, k=tallies)) if actions else []
        tally_rows = []
        for index in where:
            band = rng.choices(*AGE_BANDS)[0]
            gender = rng.choices(*GENDERS)[0]
            young = band in (AgeBand.FROM_16_TO_17, AgeBand.FROM_18_TO_25, AgeBand.FROM_26_TO_29)
            tally_rows.append(
                {
                    "association_id": plan.association_id,
                    "action_id": actions[index],
                    "age_band": band,
                    "gender": gender,
                    "neet": young and rng.random() < 0.45,
                    "no_employment_service": rng.random() < 0.4,
                    "isolated_minor": band in (AgeBand.UNDER_16, AgeBand.FROM_16_TO_17)
                    and rng.random() < 0.15,
                    "isolated_woman": gender is Gender.WOMAN and rng.random() < 0.2,
                    "request": rng.choices(*REQUESTS)[0],
                    "recorded_at": action_meta[index][2] + timedelta(minutes=rng.randrange(120)),
                }
            )
        tally_ids = b.insert(Tally, tally_rows, ids=True)

        chosen = rng.sample(range(len(tally_ids)), min(identified - direct, len(tally_ids)))
        contact_rows, contact_meta = [], []
        for n, picked in enumerate([*chosen, *([None] * direct)]):
            if picked is None:
                index = rng.randrange(len(actions))
                band = rng.choices(*AGE_BANDS)[0]
                tally = None
            else:
                index = where[picked]
                band = tally_rows[picked]["age_band"]
                tally = tally_ids[picked]
            day = action_meta[index][0]
            name = FIRST_NAMES[(n * 3) % len(FIRST_NAMES)]
            age = rng.randint(*AGES[band]) if rng.random() < 0.85 else None
            contact_rows.append(
                {
                    "association_id": plan.association_id,
                    "action_id": actions[index],
                    "tally_id": tally,
                    "name": name if rng.random() < 0.8 else f"« {name[:3]} »",
                    "reach": f"06 {n:08d}"[:14],
                    "age_at_first_contact": age,
                    "consent_on": day,
                    "consent_by_id": rng.choice(crews[actions[index]]),
                    "consent_explained": CONSENT,
                    "person_id": None,
                    "engaged_on": None,
                    **b.stamp,
                }
            )
            contact_meta.append((index, day, age))
        contact_ids = b.insert(Contact, contact_rows, ids=True)

        # The engaged: a core person, a pathway; some ended with an outcome.
        engaged = rng.sample(range(len(contact_ids)), round(len(contact_ids) * ENGAGED_SHARE))
        engaged.sort(key=lambda n: contact_meta[n][1])
        other_door = round(len(engaged) * OTHER_DOOR_SHARE)
        names = [
            (contact_rows[n]["name"].strip("« »"), LAST_NAMES[(n * 7) % len(LAST_NAMES)]) for n in engaged
        ]
        names += [
            (FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[(n * 11) % len(LAST_NAMES)])
            for n in range(other_door)
        ]
        person_ids = b.people(names, Role.SUPPORTED)
        pathway_rows, starts = [], []
        for k, pid in enumerate(person_ids):
            if k < len(engaged):
                n = engaged[k]
                index, met, age = contact_meta[n]
                contact, hood = contact_ids[n], action_meta[index][1]
                started = min(today, met + timedelta(days=rng.randint(0, 60)))
                contact_rows[n]["engaged_on"] = started
            else:
                contact, hood, age = None, rng.choice([*hoods, None]), rng.randint(16, 29)
                met = today - timedelta(days=rng.randrange(1, span))
                started = met
            ended, outcome = None, None
            length = (today - started).days
            if length > 60 and rng.random() < min(0.8, length / 500):
                ended = started + timedelta(days=rng.randint(30, length))
                outcome = rng.choices(*OUTCOMES)[0]
            pathway_rows.append(
                {
                    "association_id": plan.association_id,
                    "person_id": pid,
                    "contact_id": contact,
                    "referent_id": rng.choice(coordinators),
                    "first_contact_on": met,
                    "age_at_first_contact": age,
                    "neighbourhood_id": hood,
                    "started_on": started,
                    "ended_on": ended,
                    "exit_outcome": outcome,
                    "exit_note": "",
                    **b.stamp,
                }
            )
            starts.append((started, ended))
        pathway_ids = b.insert(Pathway, pathway_rows, ids=True)
        # The contacts now point at their person: one UPDATE sent as an executemany.
        links = [
            {"c": contact_ids[n], "p": person_ids[k], "d": contact_rows[n]["engaged_on"]}
            for k, n in enumerate(engaged)
        ]
        for offset in range(0, len(links), CHUNK):
            session.connection().execute(
                update(Contact.__table__)
                .where(Contact.__table__.c.id == bindparam("c"))
                .values(person_id=bindparam("p"), engaged_on=bindparam("d")),
                links[offset : offset + CHUNK],
            )
        referent_rows, stage_rows, barrier_rows = [], [], []
        barriers = list(Barrier)
        for pathway, row, (started, ended) in zip(pathway_ids, pathway_rows, starts, strict=True):
            referent_rows.append(
                {
                    "pathway_id": pathway,
                    "referent_id": row["referent_id"],
                    "from_on": started,
                    "until_on": None,
                }
            )
            at = started
            for stage in STAGES[: rng.randint(1, 3)]:
                stop = min(at + timedelta(days=rng.randint(20, 120)), ended or today)
                stage_rows.append(
                    {
                        "pathway_id": pathway,
                        "name": stage,
                        "partner_id": rng.choice(partners),
                        "started_on": at,
                        "ended_on": stop if stop < (ended or today) or ended else None,
                    }
                )
                at = stop
            for barrier in rng.sample(barriers, rng.randint(1, 3)):
                status = rng.choice(list(BarrierStatus))
                barrier_rows.append(
                    {
                        "pathway_id": pathway,
                        "barrier": barrier.value,
                        "status": status,
                        **_barrier_dates(status, started, ended or today, rng),
                    }
                )
        b.insert(PathwayReferent, referent_rows)
        b.insert(PathwayStage, stage_rows)
        b.insert(PathwayBarrier, barrier_rows)

        # Referrals: most for people on a pathway, some for other people of the association.
        others = b.people(
            [
                (FIRST_NAMES[(n * 5) % len(FIRST_NAMES)], LAST_NAMES[(n * 13) % len(LAST_NAMES)])
                for n in range(max(1, volumes.referrals // 12))
            ],
            Role.SUPPORTED,
        )
        on_pathway = list(zip(pathway_ids, person_ids, starts, strict=True))
        _referrals(b, plan, volumes, coordinators, partners, services_of, on_pathway, others, span)
        session.commit()
    if volumes.contacts:
        plan.counts["reached"] = volumes.contacts
    plan.seconds = time.perf_counter() - began
    return plan


def _barrier_dates(status: BarrierStatus, started: date, last: date, rng: random.Random) -> dict[str, Any]:
    """The day the barrier got to each status it went through (``updated_on`` only, if the
    schema has no history)."""
    columns = PathwayBarrier.__table__.c
    if "identified_on" not in columns:
        return {"updated_on": started}
    moved = started + timedelta(days=rng.randint(0, max(0, (last - started).days)))
    lifted = moved + timedelta(days=rng.randint(0, max(0, (last - moved).days)))
    return {
        "identified_on": started,
        "being_lifted_on": moved if status is not BarrierStatus.IDENTIFIED else None,
        "lifted_on": lifted if status is BarrierStatus.LIFTED else None,
    }


def _referrals(
    b: Builder,
    plan: Plan,
    volumes: Volumes,
    coordinators: list[int],
    partners: list[int],
    services_of: dict[int, list[int]],
    on_pathway: list[tuple[int, int, tuple[date, date | None]]],
    others: list[int],
    span: int,
) -> None:
    rng, today, now = b.rng, b.today, b.now
    rows, meta = [], []
    barriers = list(Barrier)
    popular = [1 / (n + 1) ** 0.7 for n in range(len(partners))]  # a few partners get most of them
    for _ in range(volumes.referrals):
        pathway = None
        if on_pathway and rng.random() > WITHOUT_PATHWAY_SHARE:
            pathway, person, (started, ended) = rng.choice(on_pathway)
            first, last = started, min(ended or today, today)
        else:
            person = rng.choice(others)
            first, last = today - timedelta(days=span), today
        sent_day = first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
        sent = min(_at(sent_day, rng.randint(7, 16), rng.randrange(60)), now - timedelta(minutes=5))
        age = (now - sent).days
        status = rng.choices(*(RECENT_STATUSES if age < EXPIRY_DAYS else OLD_STATUSES))[0]
        partner = rng.choices(partners, popular)[0]
        service = rng.choice([*services_of[partner], None]) if rng.random() < 0.9 else None
        referent = rng.choice(coordinators)
        answer = sent + timedelta(hours=rng.randint(2, 24 * min(EXPIRY_DAYS - 1, max(1, age))))
        answer = min(answer, now - timedelta(minutes=1))
        appointment = (answer + timedelta(days=rng.randint(2, 21))).date()
        events = [(ReferralStatus.SENT, sent, referent, "")]
        row = {
            "association_id": plan.association_id,
            "person_id": person,
            "partner_id": partner,
            "service_id": service,
            "referent_id": referent,
            "reason": "Lever un frein : " + rng.choice(barriers).label.lower() + ".",
            "recipient_email": f"accueil{partners.index(partner) + 1}@partenaire.invalid",
            "status": status,
            "sent_at": sent,
            "answered_at": None,
            "appointment_on": None,
            "refusal_reason": "",
            "closed_at": None,
            "reminded_at": None,
            "plugin": "allervers" if pathway else None,
            "token_digest": None,
            "token_expires_at": None,
            **b.stamp,
        }
        if status is ReferralStatus.SENT:
            row["token_digest"] = f"{rng.getrandbits(256):064x}"
            row["token_expires_at"] = sent + timedelta(days=EXPIRY_DAYS)
            if age >= REMINDER_DAYS:
                row["reminded_at"] = sent + timedelta(days=REMINDER_DAYS)
        elif status in (ReferralStatus.ACCEPTED, ReferralStatus.DONE):
            row.update(answered_at=answer, appointment_on=appointment)
            events.append((ReferralStatus.ACCEPTED, answer, None if rng.random() < 0.8 else referent, ""))
            if status is ReferralStatus.DONE:
                done = max(_at(appointment, 18), answer + timedelta(hours=1))
                row["closed_at"] = min(done, now)
                events.append((ReferralStatus.DONE, row["closed_at"], referent, ""))
        elif status is ReferralStatus.REFUSED:
            reason = rng.choice(REFUSALS)
            row.update(answered_at=answer, closed_at=answer, refusal_reason=reason)
            events.append((ReferralStatus.REFUSED, answer, None, reason))
        elif status is ReferralStatus.EXPIRED:
            expired = sent + timedelta(days=EXPIRY_DAYS)
            row.update(closed_at=expired, reminded_at=sent + timedelta(days=REMINDER_DAYS))
            events.append((ReferralStatus.EXPIRED, expired, None, ""))
        else:  # withdrawn, before any answer
            withdrawn = min(
                sent + timedelta(days=rng.randint(1, EXPIRY_DAYS - 1)), now - timedelta(minutes=1)
            )
            row["closed_at"] = withdrawn
            events.append(
                (ReferralStatus.WITHDRAWN, withdrawn, referent, "La personne a trouvé une autre solution.")
            )
        plan.statuses[status.value] += 1
        rows.append(row)
        meta.append((pathway, events, rng.sample(barriers, rng.randint(1, 2)), sent_day, referent, partner))
    ids = b.insert(Referral, rows, ids=True)
    event_rows, barrier_rows, action_rows = [], [], []
    for referral, (pathway, events, chosen, sent_day, referent, partner) in zip(ids, meta, strict=True):
        event_rows += [
            {"referral_id": referral, "status": status, "at": at, "by_person_id": by, "note": note}
            for status, at, by, note in events
        ]
        barrier_rows += [{"referral_id": referral, "barrier": barrier} for barrier in chosen]
        if pathway is not None:
            action_rows.append(
                {
                    "pathway_id": pathway,
                    "done_on": sent_day,
                    "description": "Orientation",
                    "partner_id": partner,
                    "referral_id": referral,
                    "by_person_id": referent,
                }
            )
    b.insert(ReferralEvent, event_rows)
    b.insert(ReferralBarrier, barrier_rows)
    b.insert(PathwayAction, action_rows)
