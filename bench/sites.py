"""Sites en transition at a big site's scale: 200 lots and five years of allocations, a call
with 2,000 applications; the site's timeline, its page and the call's ranking against their
lower bound.

Run from the repository root::

    .venv/bin/python bench/sites.py [--database-url URL] [--part site|review] [--lots 200] [--years 5]
                                    [--applications 2000] [--rounds 100]

It builds, in a fresh SQLite file (or the PostgreSQL database given, emptied first), an
association running the plugin, its coordinator and, for each part measured (``--part``,
default both), that part's data. ``site``: one site of ``--lots`` lots, a few never let, and
``--years`` years of allocations taken through the plugin's own ``save_allocation`` (6 to
36 months each, back to back or with gaps, most from the 1st of a month). ``review``: another
site of ``--lots`` lots, one call opening them all with four weighted criteria, and
``--applications`` applications wishing 1 to 3 lots (a few lots in favour, a few wished by
nobody), scored by three reviewers, the coordinator among them with some still to score.
Then, logged in as the coordinator (test client), it times each part's pages alternately with
a bare app that reads what the page shows in one hand-written query and prints it with a
minimal template. Both must show the same figures, or it stops. See bench/README.md.
"""

from __future__ import annotations

import argparse
import calendar
import gc
import html
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from agenda import (
    FIRST_NAMES,
    LAST_NAMES,
    Recorder,
    database_version,
    markdown_table,
    prepare_database,
    progress,
)
from flask import Flask, request
from machine_load import Activity, describe_machine, median_ms, p95_ms
from sqlalchemy import Date, Numeric, insert, text
from sqlalchemy.engine import Engine
from versus import timed

from core.agenda.clock import paris_today
from core.auth.accounts import Account
from core.auth.passwords import hash_password
from core.database import get_database, session
from core.database.engine import create_database_engine
from core.database.migrate import upgrade
from core.members import Association, Membership, Person, Role
from core.plugin_api import add_months
from core.pluginhost.activation import PluginActivation
from core.testing import TEST_PASSWORD, login, make_app
from core.web.dates import MONTHS as MONTH_NAMES
from core.web.dates import MONTHS_ABBREVIATED
from plugins.sites.allocations import AllocationFields, save_allocation
from plugins.sites.models import Lot, LotKind, Owner, Site
from plugins.sites.models_calls import (
    Application,
    Call,
    CallLot,
    Choice,
    Criterion,
    Decision,
    Field,
    LegalForm,
    Score,
)
from plugins.sites.settings import Rules

SEED = 2025
SLUG = "friches"
RULES = Rules({})  # the defaults: 12 months on the timeline, a 60-day warning before an end

# --- the association and its coordinator, shared by every part ------------------------------


@dataclass(frozen=True)
class Team:
    association_id: int
    slug: str
    coordinator_email: str
    coordinator_id: int


def found_team(app: Flask, *, slug: str = SLUG, password_hash: str | None = None) -> Team:
    """An association running the plugin (default settings) and its coordinator, committed."""
    with app.app_context():
        association = Association(name=f"Friches {slug}", short_name=slug[:20].capitalize(), slug=slug)
        coordinator = Person(first_name="Coline", last_name="Coordination",
                             email=f"coordination@{slug}.invalid",
                             memberships=[Membership(association=association, role=Role.COORDINATOR)],
                             account=Account(password_hash=password_hash or hash_password(TEST_PASSWORD)))
        session.add(coordinator)
        session.flush()
        session.add(PluginActivation(plugin="sites", association_id=association.id, settings={}))
        team = Team(association.id, slug, coordinator.email or "", coordinator.id)
        session.commit()
    return team


# --- the site part's data: one big site, years of allocations --------------------------------

EMPTY_SHARE = 0.08  # lots never let: a cellar, a room waiting for works
BACK_TO_BACK = 0.35  # the next occupant moves in the day after
FROM_THE_FIRST = 0.6  # most agreements start on the 1st of a month
# (kind, smallest and largest area in m², fee per m² and month in cents)
KINDS = [(LotKind.OFFICE, 10, 45, (600, 1400)), (LotKind.WORKSHOP, 30, 220, (350, 900)),
         (LotKind.STORAGE, 5, 60, (200, 600)), (LotKind.OUTDOOR, 50, 600, (50, 250)),
         (LotKind.SHARED_ROOM, 30, 120, (400, 1000))]
KIND_WEIGHTS = [40, 30, 15, 5, 10]
ACTIVITIES = ["Recyclerie", "Atelier vélo", "Compagnie de théâtre", "Ressourcerie", "Fablab",
              "Épicerie solidaire", "Collectif d'artistes", "Studio photo", "Menuiserie partagée",
              "Atelier couture", "Radio associative", "Céramique", "Imprimerie", "Torréfaction",
              "Brasserie artisanale", "Régie de quartier", "Banque alimentaire", "Chorale", "Boxe éducative",
              "Jardin d'insertion"]
QUALIFIERS = ["du Canal", "des Lilas", "La Fabrique", "Les Mains Vertes", "du Faubourg", "L'Établi",
              "Tournesol", "& Cie", "des Deux Rives", "Le Grenier", "du Port", "Belle Ville", "Les Voisins",
              "La Friche", "Arc-en-ciel", "du Marché", "Les Copeaux", "La Navette"]


@dataclass
class SitePlan:
    team: Team
    site_id: int
    lots: int
    empty_lots: int
    allocations: int
    running: int  # allocations running today
    years: int
    since: date  # the first month of the timeline's window
    seconds: float = 0.0


def make_lots(rng: random.Random, team: Team, count: int) -> list[Lot]:
    """``count`` lots of every kind (A01 to A25, B01…), not added to the session yet."""
    made = []
    for n in range(count):
        kind, smallest, largest, fees = rng.choices(KINDS, KIND_WEIGHTS)[0]
        made.append(Lot(association_id=team.association_id, code=f"{chr(65 + n // 25)}{n % 25 + 1:02d}",
                        kind=kind, area=Decimal(rng.randint(2 * smallest, 2 * largest)) / 2,
                        fee_per_m2=Decimal(rng.randint(*fees)) / 100,
                        charges=Decimal(rng.choice([0, 0, 15, 25, 40, 60])),
                        accessible=rng.random() < 0.6))
    return made


def build_site(app: Flask, team: Team, *, lots: int, years: int, seed: int = SEED) -> SitePlan:
    """A site lent since ``years`` years ago (and for three more), its lots and their
    allocations, committed. Allocations go through the plugin's ``save_allocation``: the
    checks a coordinator's form passes (inside the window, no overlap), and ``starts_at`` and
    ``ends_at`` computed as the plugin does, so the data holds only what the team could have
    recorded. A few thousand rows cost a second or two that way."""
    rng = random.Random(seed)  # noqa: S311 - data, not secrets
    started = time.perf_counter()
    with app.app_context():
        today = paris_today()
        opened = add_months(today.replace(day=1), -12 * years)
        owner = Owner(association_id=team.association_id, name="Ville de Belleforge",
                      contact="Direction du patrimoine")
        session.add(owner)
        session.flush()
        made = make_lots(rng, team, lots)
        total = sum((lot.area for lot in made), Decimal(0)) * Decimal("1.2")  # and the corridors
        site = Site(association_id=team.association_id, owner_id=owner.id, name="Friche de la Manufacture",
                    address="12 rue des Tanneurs", total_area=total.quantize(Decimal(1)),
                    available_from=opened,
                    available_until=add_months(opened, 12 * (years + 3)) - timedelta(days=1))
        session.add(site)
        session.flush()
        for lot in made:
            lot.site_id = site.id
        session.add_all(made)
        session.flush()
        allocations = running = empty = 0
        for lot in made:
            if rng.random() < EMPTY_SHARE:
                empty += 1
                continue
            start = opened + timedelta(days=rng.randrange(180))
            while start <= today + timedelta(days=90):  # and a few signed to start soon
                if rng.random() < FROM_THE_FIRST and start.day != 1:
                    start = add_months(start.replace(day=1), 1)
                end = add_months(start, rng.randint(6, 36)) - timedelta(days=1)
                if rng.random() < 0.2:  # left or extended a few days off the month
                    end += timedelta(days=rng.randint(-12, 12))
                end = min(end, site.available_until)
                first = FIRST_NAMES[allocations % len(FIRST_NAMES)]
                last = LAST_NAMES[allocations * 7 % len(LAST_NAMES)]
                save_allocation(site, lot, AllocationFields(
                    occupant=f"{rng.choice(ACTIVITIES)} {rng.choice(QUALIFIERS)}", starts_on=start,
                    ends_on=end, contact_name=f"{first} {last}",
                    contact_email=f"{first}.{last}@exemple.org".lower()))
                allocations += 1
                running += start <= today <= end
                gap = 0 if rng.random() < BACK_TO_BACK else rng.randint(15, 240)
                start = end + timedelta(days=1 + gap)
        plan = SitePlan(team, site.id, lots, empty, allocations, running, years,
                        since=add_months(today.replace(day=1), -11))
        session.commit()
    plan.seconds = time.perf_counter() - started
    return plan


# --- the site part's lower bound: one query a page, a minimal template ----------------------

TIMELINE_QUERY = """SELECT s.name, s.available_from, s.available_until, l.id AS lot, l.code, l.area,
       a.occupant, a.starts_on, a.ends_on
  FROM sites_sites s JOIN sites_lots l ON l.site_id = s.id
  LEFT JOIN sites_allocations a ON a.lot_id = l.id AND a.starts_on <= :last AND a.ends_on >= :first
 WHERE s.id = :site AND s.association_id = :association
 ORDER BY l.code, l.id, a.starts_on, a.id"""
# The site with its owner, the lots with today's occupant, the allocations running or to come.
SITE_QUERY = """SELECT 's' AS kind, s.id, s.name AS code, s.address AS occupant,
       s.available_from AS starts_on, s.available_until AS ends_on, s.total_area AS area,
       CAST(NULL AS NUMERIC) AS fee, CAST(NULL AS NUMERIC) AS charges, o.name AS owner,
       CAST(NULL AS DATE) AS sort_on
  FROM sites_sites s LEFT JOIN sites_owners o ON o.id = s.owner_id
 WHERE s.id = :site AND s.association_id = :association
UNION ALL
SELECT 'l', l.id, l.code, a.occupant, a.starts_on, a.ends_on, l.area, l.fee_per_m2, l.charges, NULL, NULL
  FROM sites_lots l
  LEFT JOIN sites_allocations a ON a.lot_id = l.id AND a.starts_on <= :today AND a.ends_on >= :today
 WHERE l.site_id = :site
UNION ALL
SELECT 'a', a.id, l.code, a.occupant, a.starts_on, a.ends_on, NULL, NULL, NULL, NULL, a.starts_on
  FROM sites_allocations a JOIN sites_lots l ON l.id = a.lot_id
 WHERE l.site_id = :site AND a.ends_on >= :today
 ORDER BY 1, 11, 3, 2"""
TIMELINE = """<!doctype html><h1>Calendrier des occupations — {{ name }}</h1>
<table><tr><th>Mois</th><th>Occupée (m²)</th><th>Libre (m²)</th><th>Total (m²)</th></tr>
{% for label, occupied, free, total in chart %}<tr><th scope="row">{{ label }}</th><td>{{ occupied }}</td>\
<td>{{ free }}</td><td>{{ total }}</td></tr>{% endfor %}</table>
<table>{% for code, area, cells in rows %}<tr>
<th data-label="Lot">{{ code }} <span>({{ area }} m²)</span></th>
{% for label, cell in cells %}<td data-label="{{ label }}">{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</table>
"""
SITE = """<!doctype html><h1>{{ s.code }}</h1><p>{{ s.occupant }} · {{ s.owner }} ·
du {{ s.starts_on | day }} au {{ s.ends_on | day }} · {{ s.area | decimal }} m²</p>
{% if lots %}<p>Taux d'occupation : <strong>{{ rate }} %</strong>
({{ occupied_area }} m² occupés sur {{ lots_area }} m²,
{{ occupied | length }} lot{{ 's' if occupied | length > 1 }} sur {{ lots | length }})</p>
<p>Recettes par mois : <strong>{{ income }} €</strong>
(lots occupés ; {{ potential }} € si tous l'étaient)</p>{% endif %}
<ul>{% for a in ending %}<li>Lot {{ a.code }} — « {{ a.occupant }} » jusqu'au {{ a.ends_on | day }} ·
<a href="/attributions/{{ a.id }}">Modifier</a></li>{% endfor %}</ul>
<table>{% for l in lots %}<tr><td data-label="Lot">{{ l.code }}</td>
<td data-label="Surface">{{ l.area | decimal }} m²</td>
<td data-label="Redevance et charges par mois">{{ (l.fee * l.area + l.charges) | decimal }} €</td>
<td data-label="Occupant aujourd'hui">{% if l.occupant %}{{ l.occupant }}, jusqu'au {{ l.ends_on | day }}\
{% else %}Libre{% endif %}</td></tr>
{% endfor %}</table>
<table>{% for a in allocations %}<tr><td data-label="Lot">{{ a.code }}</td>
<td data-label="Occupant">{{ a.occupant }}</td>
<td data-label="Du">{{ a.starts_on | day }}</td><td data-label="Au">{{ a.ends_on | day }}</td></tr>
{% endfor %}</table>
"""


def _statement(sql: str) -> Any:
    return text(sql).columns(available_from=Date(), available_until=Date(), starts_on=Date(), ends_on=Date(),
                             sort_on=Date(), area=Numeric(10, 2), fee=Numeric(12, 2), charges=Numeric(12, 2))


def _decimal(value: Decimal | Fraction, places: int = 2, rounding: str = ROUND_HALF_UP) -> str:
    """« 1 234,5 »: at most ``places`` decimals, none for a whole number, thousands apart."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    number = value.quantize(Decimal(1).scaleb(-places), rounding=rounding)
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return f"{number:,}".replace(",", "\u202f").replace(".", ",")


def _day(day: date) -> str:
    number = "1er" if day.day == 1 else str(day.day)  # as the core writes it: « 1er mars »
    return f"{number} {MONTH_NAMES[day.month - 1]} {day.year}"


def _timeline(found: list[Any], first: date, count: int) -> dict[str, Any]:
    """Cells and the chart's figures, walking each allocation through the months it covers
    (the page walks the months of each lot); areas × days summed in exact integers (hundredths
    of m² × days), divided once a month."""
    months = [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
              for i in range(count)]
    lengths = [calendar.monthrange(m.year, m.month)[1] for m in months]
    lasts = [m.replace(day=length) for m, length in zip(months, lengths, strict=True)]
    name, available_from, available_until = found[0][:3]
    lent = [max(0, (min(last, available_until) - max(m, available_from)).days + 1)
            for m, last in zip(months, lasts, strict=True)]
    lots: dict[int, tuple[str, Decimal, list[list[str]], list[int]]] = {}
    occupied = [0] * count
    for _n, _f, _u, lot_id, code, area, occupant, starts_on, ends_on in found:
        lot = lots.get(lot_id)
        if lot is None:
            lot = lots[lot_id] = (code, area, [[] for _ in months], [0] * count)
        if occupant is None:
            continue
        cents = int(area * 100)
        index = max(0, (starts_on.year - first.year) * 12 + starts_on.month - first.month)
        while index < count and months[index] <= ends_on:
            days = (min(ends_on, lasts[index]) - max(starts_on, months[index])).days + 1
            lot[2][index].append(occupant)
            lot[3][index] += days
            occupied[index] += cents * days
            index += 1
    labels = [f"{MONTHS_ABBREVIATED[m.month - 1]} {m.year}" for m in months]
    rows = []
    for code, area, names, days in lots.values():
        cells = []
        for occupants, covered, length, lent_days in zip(names, days, lengths, lent, strict=True):
            if not occupants:
                cells.append("Libre" if lent_days else "Hors disponibilité")
            else:
                cells.append(", ".join(occupants) + ("" if covered == length else " (une partie du mois)"))
        rows.append((code, _decimal(area), list(zip(labels, cells, strict=True))))
    total = sum(int(area * 100) for _c, area, _n, _d in lots.values())
    chart = []
    for label, taken, length, lent_days in zip(labels, occupied, lengths, lent, strict=True):
        free = max(total * lent_days - taken, 0)
        chart.append((label, *(_decimal(Fraction(v, 100 * length), 0, ROUND_HALF_EVEN)
                               for v in (taken, free, taken + free))))
    return {"name": name, "rows": rows, "chart": chart}


def _site(found: list[Any], today: date) -> dict[str, Any]:
    site = next(r for r in found if r.kind == "s")
    lots = [r for r in found if r.kind == "l"]
    allocations = [r for r in found if r.kind == "a"]
    occupied = [lot for lot in lots if lot.occupant is not None]
    lots_area = sum((lot.area for lot in lots), Decimal(0))
    occupied_area = sum((lot.area for lot in occupied), Decimal(0))
    warning = today + timedelta(days=RULES.ending_warning_days)
    return {"s": site, "lots": lots, "allocations": allocations, "occupied": occupied,
            "rate": _decimal(Fraction(occupied_area * 100) / Fraction(lots_area), 1) if lots_area else "",
            "lots_area": _decimal(lots_area), "occupied_area": _decimal(occupied_area),
            "income": _decimal(sum((lot.fee * lot.area + lot.charges for lot in occupied), Decimal(0))),
            "potential": _decimal(sum((lot.fee * lot.area + lot.charges for lot in lots), Decimal(0))),
            "ending": sorted((a for a in allocations if a.starts_on <= today and a.ends_on <= warning),
                             key=lambda a: (a.ends_on, a.id))}


def site_routes(app: Flask, rows: Callable[..., list[Any]]) -> None:
    """The bound's site pages: the association and the site in the URL, no login."""
    templates = {name: app.jinja_env.from_string(source) for name, source in
                 (("timeline", TIMELINE), ("site", SITE))}

    @app.get("/<int:association>/sites/<int:site>/calendrier")
    def timeline(association: int, site: int) -> str:
        first = date.fromisoformat(request.args["depuis"])
        count = int(request.args["mois"])
        last = date(first.year + (first.month + count - 2) // 12, (first.month + count - 2) % 12 + 1, 1)
        found = rows(TIMELINE_QUERY, association=association, site=site, first=first,
                     last=last.replace(day=calendar.monthrange(last.year, last.month)[1]))
        return templates["timeline"].render(_timeline(found, first, count))

    @app.get("/<int:association>/sites/<int:site>")
    def site_page(association: int, site: int) -> str:
        today = paris_today()
        found = rows(SITE_QUERY, association=association, site=site, today=today)
        return templates["site"].render(_site(found, today))


# --- the review part's data: a call opening a site's lots, 2,000 applications scored ---------

# (label, weight): the published criteria, scored 0 to 5.
CRITERIA = [("Utilité sociale du projet", 3), ("Ancrage dans le quartier", 2), ("Solidité économique", 2),
            ("Ouverture au public", 1)]
WISHED = ([1, 2, 3], [45, 35, 20])  # lots wished by an application, and how often
POPULARITY = 0.8  # the n-th lot in favour is wished in proportion to 1 / n ** 0.8
UNWISHED_SHARE = 0.08  # lots nobody asks for: a cellar, a room without light
# Of each reviewer (the coordinator first), the share of the applications scored on every
# criterion, then the share scored on some only (a review left halfway).
REVIEWED = [(0.88, 0.04), (0.75, 0.05), (0.6, 0.05)]
NEIGHBOURHOODS = ["Belleforge", "les Tanneurs", "la Gare", "Saint-Roch", "les Coteaux", "le Port",
                  "la Croix-Rousse", "Montplaisir"]
DECIDED_SHARE = 0.02  # wishes already decided: a few acceptances, waiting lists, refusals


@dataclass
class ReviewPlan:
    team: Team
    call_id: int
    lots: int
    applications: int
    wishes: int
    unwished: int  # lots of the call no application wishes
    most_wished: int  # applications wishing the most popular lot
    scores: int
    reviewers: int
    to_score: int  # applications the coordinator has not scored on every criterion
    decided: int
    seconds: float = 0.0


def _wished(rng: random.Random, weights: list[float]) -> list[int]:
    """The indices of 1 to 3 distinct lots, drawn by popularity, in order of preference."""
    count = rng.choices(*WISHED)[0]
    wished: list[int] = []
    while len(wished) < count:
        lot = rng.choices(range(len(weights)), weights)[0]
        if lot not in wished:
            wished.append(lot)
    return wished


def build_review(app: Flask, team: Team, *, lots: int, applications: int, seed: int = SEED) -> ReviewPlan:
    """A site of ``lots`` lots, one call opening them all with four weighted criteria,
    ``applications`` applications wishing 1 to 3 lots each (a few lots in favour, a few
    wished by nobody), scored by three reviewers (the coordinator has scored most of them, not
    all) and a few wishes decided; committed.

    The site, its lots, the call and its criteria go through the ORM; the applications, their
    wishes and the scores are direct inserts (what the public form and the scoring form would
    have recorded, without their checks: tens of thousands of rows in a second or two)."""
    rng = random.Random(seed + 1)  # noqa: S311 - data, not secrets
    started = time.perf_counter()
    with app.app_context():
        today = paris_today()
        site = Site(association_id=team.association_id, name="Friche des Tanneurs",
                    address="4 quai des Tanneurs", total_area=Decimal(20000),
                    available_from=today - timedelta(days=60), available_until=add_months(today, 36))
        session.add(site)
        session.flush()
        made = make_lots(rng, team, lots)
        for lot in made:
            lot.site_id = site.id
        session.add_all(made)
        closes = today - timedelta(days=10)
        call = Call(association_id=team.association_id, site_id=site.id, title="Appel à occupants 2027",
                    presentation="Ateliers, bureaux et espaces partagés de la friche.",
                    opens_on=closes - timedelta(days=45), closes_on=closes, published=True)
        session.add(call)
        session.flush()
        session.add_all(CallLot(call_id=call.id, lot_id=lot.id) for lot in made)
        criteria = [Criterion(call_id=call.id, position=n, label=label, weight=weight,
                              description=f"Ce que l'équipe regarde : {label.lower()}.")
                    for n, (label, weight) in enumerate(CRITERIA)]
        session.add_all(criteria)
        reviewers = [team.coordinator_id]
        for n in range(len(REVIEWED) - 1):
            first, last = FIRST_NAMES[3 + n], LAST_NAMES[5 + n]
            person = Person(first_name=first, last_name=last,
                            email=f"{first}.{last}@{team.slug}.invalid".lower(),
                            memberships=[Membership(association_id=team.association_id,
                                                    role=Role.COORDINATOR)])
            session.add(person)
            session.flush()
            reviewers.append(person.id)
        session.flush()

        # Popularity: the lots in a random order, the first in favour, a few wished by nobody.
        order = rng.sample(range(lots), lots)
        unwished = set(order[lots - round(lots * UNWISHED_SHARE):]) if lots > 1 else set()
        weights = [0.0] * lots
        for n, lot in enumerate(order, start=1):
            weights[lot] = 0.0 if lot in unwished else 1 / n ** POPULARITY
        names = [f"{activity} {qualifier}" for activity in ACTIVITIES for qualifier in QUALIFIERS]
        names = [f"{name} ({where})" for where in NEIGHBOURHOODS for name in names]
        organisations = rng.sample(names, min(applications, len(names)))
        organisations += [f"Structure n° {n}" for n in range(len(organisations), applications)]
        opened = datetime.combine(call.opens_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=7)
        received = sorted(opened + timedelta(minutes=rng.randrange(45 * 24 * 60)) for _ in organisations)
        fields, legal_forms = list(Field), list(LegalForm)
        sent = [{"association_id": team.association_id, "call_id": call.id, "organisation": organisation,
                 "legal_form": rng.choice(legal_forms), "field": rng.choice(fields),
                 "project": f"Le projet de {organisation}.",
                 "for_the_neighbourhood": "Un atelier ouvert le samedi.", "jobs": rng.randint(0, 12),
                 "contact_name": f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[n * 7 % len(LAST_NAMES)]}",
                 "contact_email": f"contact{n}@exemple.org", "contact_phone": "06 12 34 56 78",
                 "view_token_hash": f"{rng.getrandbits(256):064x}", "submitted_at": at}
                for n, (organisation, at) in enumerate(zip(organisations, received, strict=True))]
        ids = list(session.scalars(
            insert(Application).returning(Application.id, sort_by_parameter_order=True), sent))
        choices, scores, counted = [], [], Counter[int]()
        accepted: set[int] = set()
        for application in ids:
            for preference, lot in enumerate(_wished(rng, weights), start=1):
                counted[lot] += 1
                decision, reasons = None, ""
                if rng.random() < DECIDED_SHARE:
                    decision = rng.choice([Decision.ACCEPTED, Decision.WAITING, Decision.REFUSED])
                    if decision is Decision.ACCEPTED and lot in accepted:  # one application a lot
                        decision = Decision.WAITING
                    if decision is Decision.ACCEPTED:
                        accepted.add(lot)
                    reasons = "Le projet demande plus de surface." if decision is Decision.REFUSED else ""
                choices.append({"association_id": team.association_id, "application_id": application,
                                "lot_id": made[lot].id, "preference": preference, "decision": decision,
                                "reasons": reasons, "decided_at": datetime.now(UTC) if decision else None})
            quality = rng.uniform(0.5, 4.5)  # the project's worth: each reviewer scores around it
            for reviewer, (complete, partial) in zip(reviewers, REVIEWED, strict=True):
                draw = rng.random()
                scored = (criteria if draw < complete else
                          criteria[:rng.randint(1, len(criteria) - 1)] if draw < complete + partial else [])
                scores += [{"association_id": team.association_id, "application_id": application,
                            "criterion_id": criterion.id, "reviewer_id": reviewer,
                            "score": min(5, max(0, round(quality + rng.gauss(0, 0.8)))), "comment": ""}
                           for criterion in scored]
        for rows, model in ((choices, Choice), (scores, Score)):
            for offset in range(0, len(rows), 5000):
                session.execute(insert(model), rows[offset:offset + 5000])
        mine = Counter(row["application_id"] for row in scores if row["reviewer_id"] == team.coordinator_id)
        plan = ReviewPlan(team, call.id, lots, applications, len(choices),
                          unwished=sum(1 for n in range(lots) if not counted[n]),
                          most_wished=max(counted.values(), default=0), scores=len(scores),
                          reviewers=len(reviewers),
                          to_score=sum(1 for a in ids if mine[a] < len(criteria)),
                          decided=sum(1 for row in choices if row["decision"]))
        session.commit()
    plan.seconds = time.perf_counter() - started
    return plan


# --- the review part's lower bound: one query in the ranking's order, a minimal template ----

# Per lot of the call (and any other lot an application wishes), the applications wishing it,
# each with the points of the reviewers who scored every criterion, the viewer's scored ones
# first by mean points (a mean of small whole numbers divided in double precision is the same
# double for equal fractions, and far from the next one), then the others as received. The
# route gives the ranks walking them once: SQLite's RANK() OVER the lot took longer than the
# rest of the query.
RANKING_QUERY = """WITH call AS (
  SELECT c.id, c.title, COUNT(k.id) AS criteria, SUM(k.weight) AS weight
    FROM sites_calls c JOIN sites_criteria k ON k.call_id = c.id
   WHERE c.id = :call AND c.association_id = :association
   GROUP BY c.id, c.title),
complete AS (
  SELECT s.application_id, s.reviewer_id, SUM(s.score * k.weight) AS points
    FROM sites_scores s JOIN sites_criteria k ON k.id = s.criterion_id
   WHERE k.call_id = :call
   GROUP BY s.application_id, s.reviewer_id
  HAVING COUNT(*) = (SELECT criteria FROM call)),
totals AS (
  SELECT application_id, CAST(SUM(points) AS BIGINT) AS points, COUNT(*) AS reviewers,  -- not NUMERIC
         MAX(CASE WHEN reviewer_id = :viewer THEN 1 ELSE 0 END) AS mine
    FROM complete GROUP BY application_id),
wishes AS (
  SELECT w.lot_id, a.id, a.organisation, a.submitted_at, w.preference, w.decision,
         COALESCE(t.reviewers, 0) AS reviewers, COALESCE(t.mine, 0) AS mine,
         CASE WHEN t.mine = 1 THEN t.points END AS points,
         CASE WHEN t.mine = 1 THEN CAST(t.points AS DOUBLE PRECISION) / t.reviewers END AS mean
    FROM sites_choices w JOIN sites_applications a ON a.id = w.application_id
    LEFT JOIN totals t ON t.application_id = a.id
   WHERE a.call_id = :call),
lots AS (
  SELECT lot_id FROM sites_call_lots WHERE call_id = :call
   UNION SELECT lot_id FROM wishes)
SELECT c.title, c.weight, l.id AS lot, l.code, w.id, w.organisation, w.preference, w.decision,
       w.reviewers, w.mine, w.points
  FROM call c CROSS JOIN lots JOIN sites_lots l ON l.id = lots.lot_id
  LEFT JOIN wishes w ON w.lot_id = l.id
 ORDER BY l.code, l.id, w.mine DESC, w.mean DESC, CASE WHEN w.mine = 1 THEN w.preference END,
          w.submitted_at, w.id"""
RANKING = """<!doctype html><h1>Classement par lot — « {{ title }} »</h1>
{% for code, ranked, to_score in lots %}<h2>Lot {{ code }}</h2>
{% if ranked %}<table>{% for rank, tied, id, organisation, note, preference, reviewers, decision in ranked %}
<tr><td data-label="Rang">{{ rank }}{% if tied %} <span>ex æquo</span>{% endif %}</td>
<td data-label="Structure"><a href="/candidatures/{{ id }}">{{ organisation }}</a></td>
<td data-label="Note">{{ note }}</td><td data-label="Préférence">{{ preference }}</td>
<td data-label="Membres ayant noté">{{ reviewers }}</td>
<td data-label="Décision"><span>{{ decision }}</span></td></tr>
{% endfor %}</table>{% endif %}
{% if to_score %}<h3>À noter par vous ({{ to_score | length }})</h3>
<table>{% for id, organisation, preference, reviewers, decision in to_score %}
<tr><td data-label="Structure"><a href="/candidatures/{{ id }}">{{ organisation }}</a></td>
<td data-label="Préférence">{{ preference }}</td><td data-label="Membres ayant noté">{{ reviewers }}</td>
<td data-label="Décision"><span>{{ decision }}</span></td></tr>
{% endfor %}</table>{% endif %}
{% if not ranked and not to_score %}<p>Aucune candidature ne demande ce lot.</p>{% endif %}
{% endfor %}
"""
DECISION_WORDS = {None: "À décider", "accepted": "Retenu", "refused": "Refusé", "waiting": "Liste d'attente"}
PREFERENCE_WORDS = {n: "1er choix" if n == 1 else f"{n}e choix" for n in range(1, 10)}


def _note(points: int, denominator: int) -> str:
    """« 3,75 / 5 »: the mean of the reviewers' totals, Σ points / (reviewers × Σ weights),
    rounded half up to hundredths in whole numbers."""
    hundredths = (points * 200 + denominator) // (2 * denominator)
    return f"{hundredths // 100},{hundredths % 100:02d} / 5"


def _lots_ranked(found: list[Any]) -> list[tuple[str, list[list[Any]], list[tuple[Any, ...]]]]:
    """Each lot's code, its ranked rows (rank, tied, then what they show) and the viewer's
    unscored ones, from the rows in the ranking's order: a rank is shared while the mean
    stays the same, compared exactly (Σ points₁ × reviewers₂ = Σ points₂ × reviewers₁)."""
    lots: list[tuple[str, list[list[Any]], list[tuple[Any, ...]]]] = []
    last = before = None
    for _title, weight, lot, code, id_, organisation, preference, decision, reviewers, mine, points in found:
        if lot != last:
            last, before = lot, None
            lots.append((code, [], []))
        if id_ is None:  # a lot nobody wishes
            continue
        ranked, to_score = lots[-1][1], lots[-1][2]
        if not mine:
            to_score.append((id_, organisation, PREFERENCE_WORDS[preference], reviewers,
                             DECISION_WORDS[decision]))
            continue
        tied = before is not None and before[0] * reviewers == points * before[1]
        if tied:
            ranked[-1][1] = True
        ranked.append([ranked[-1][0] if tied else len(ranked) + 1, tied, id_, organisation,
                       _note(points, reviewers * weight), PREFERENCE_WORDS[preference], reviewers,
                       DECISION_WORDS[decision]])
        before = (points, reviewers)
    return lots


def review_routes(app: Flask, rows: Callable[..., list[Any]]) -> None:
    """The bound's ranking: the association, the call and the viewer in the URL, no login."""
    template = app.jinja_env.from_string(RANKING)

    @app.get("/<int:association>/appels/<int:call>/classement")
    def ranking(association: int, call: int) -> str:
        found = rows(RANKING_QUERY, association=association, call=call, viewer=int(request.args["personne"]))
        return template.render(title=found[0].title if found else "", lots=_lots_ranked(found))


# --- the parts: what each builds, its bound's routes, its pages -----------------------------

# What both apps must show alike, read back from each body, spaces left out (the pages print
# thousands and units with no-break spaces), entities decoded.
SPACES = re.compile(r"\s|&nbsp;|&#160;|&#8239;")
TIMELINE_SHOWN = re.compile(r"<th scope=\"row\">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>|"
                            r"data-label=\"Lot\">([^<]*)<span[^>]*>\(([^<]*)\)</span>|"
                            r"data-label=\"(\w+\.? \d{4})\">(?:<span[^>]*>)?([^<]*)<")
SITE_SHOWN = re.compile(r"Taux d'occupation : <strong>([^<]*)</strong>|"
                        r"\(([^()<]*) m² occupés sur ([^()<]*) m²,\s*(\d+) lots?\s+sur\s+(\d+)\)|"
                        r"Recettes par mois : <strong>([^<]*)</strong>|; ([^;<>]*?) € si tous|"
                        r"<li>Lot ([^ <]+) — « ([^<]*?) » jusqu'au ([^<·]*?)\s*·|"
                        r"data-label=\"(Lot|Surface|Redevance et charges par mois|Occupant aujourd'hui|"
                        r"Occupant|Du|Au)\">(?:<span[^>]*>)?([^<]*)<")

RANKING_SHOWN = re.compile(r"<h2>Lot ([^<]*)</h2>|À noter par vous \((\d+)\)|"
                           r"(Aucune candidature ne demande ce lot)|"
                           r"data-label=\"Rang\">(\d+)(?:\s*<span[^>]*>(ex æquo)</span>)?|"
                           r"data-label=\"(Structure|Note|Préférence|Membres ayant noté|Décision)\">"
                           r"(?:<a [^>]*>|<span[^>]*>)?([^<]*)<")


@dataclass
class Case:
    page: str
    url: str
    bound_url: str
    shown: re.Pattern[str]
    maillage: list[int] = field(default_factory=list)
    bound: list[int] = field(default_factory=list)
    maillage_cpu: list[int] = field(default_factory=list)  # the benchmark thread's CPU time
    bound_cpu: list[int] = field(default_factory=list)
    queries: Counter[int] = field(default_factory=Counter)
    bound_queries: Counter[int] = field(default_factory=Counter)
    compared: int = 0


def site_cases(plan: SitePlan, args: argparse.Namespace) -> list[Case]:
    base = f"/p/sites/{plan.team.slug}/sites/{plan.site_id}"
    bare = f"/{plan.team.association_id}/sites/{plan.site_id}"
    since = plan.since.isoformat()
    window = f"{MONTHS_ABBREVIATED[plan.since.month - 1]} {plan.since.year}, {RULES.timeline_months} months"
    return [Case(f"timeline ({window})", f"{base}/calendrier?depuis={since}",
                 f"{bare}/calendrier?depuis={since}&mois={RULES.timeline_months}", TIMELINE_SHOWN),
            Case("site page", base, bare, SITE_SHOWN)]


def site_data(app: Flask, team: Team, args: argparse.Namespace) -> SitePlan:
    return build_site(app, team, lots=args.lots, years=args.years, seed=args.seed)


def site_summary(plan: SitePlan) -> str:
    return (f"one site of {plan.lots} lots ({plan.empty_lots} never let), {plan.allocations:,} allocations "
            f"over {plan.years} years ({plan.running} running today), built in {plan.seconds:.1f} s")


def review_cases(plan: ReviewPlan, args: argparse.Namespace) -> list[Case]:
    return [Case(f"ranking ({plan.applications:,} applications)",
                 f"/p/sites/{plan.team.slug}/appels/{plan.call_id}/classement",
                 f"/{plan.team.association_id}/appels/{plan.call_id}/classement?personne={plan.team.coordinator_id}",
                 RANKING_SHOWN)]


def review_data(app: Flask, team: Team, args: argparse.Namespace) -> ReviewPlan:
    return build_review(app, team, lots=args.lots, applications=args.applications, seed=args.seed)


def review_summary(plan: ReviewPlan) -> str:
    return (f"one call opening {plan.lots} lots ({plan.unwished} wished by nobody, the most wished by "
            f"{plan.most_wished}), {plan.applications:,} applications wishing {plan.wishes:,} lots, "
            f"{plan.scores:,} scores by {plan.reviewers} reviewers ({plan.to_score} applications not fully "
            f"scored by the coordinator), {plan.decided} wishes decided, built in {plan.seconds:.1f} s")


@dataclass(frozen=True)
class Part:
    """A part of the plugin measured at scale: its data, its bound's routes, its pages."""

    name: str
    build: Callable[[Flask, Team, argparse.Namespace], Any]
    routes: Callable[[Flask, Callable[..., list[Any]]], None]
    cases: Callable[[Any, argparse.Namespace], list[Case]]
    summary: Callable[[Any], str]


PARTS = {part.name: part for part in [
    Part("site", site_data, site_routes, site_cases, site_summary),
    Part("review", review_data, review_routes, review_cases, review_summary)]}


# --- timing ---------------------------------------------------------------------------------


def bound_app(database_url: str, parts: list[Part]) -> Flask:
    """The bare app: no login, no permissions, no ORM, no layout; the ids in the URL."""
    app = Flask("sites_bound")
    engine = create_database_engine(database_url)
    app.extensions["bound_engine"] = engine
    app.jinja_env.filters["day"] = _day
    app.jinja_env.filters["decimal"] = _decimal

    def rows(sql: str, **params: Any) -> list[Any]:
        with engine.connect() as connection:
            return connection.execute(_statement(sql), params).all()

    for part in parts:
        part.routes(app, rows)
    return app


def shown(pattern: re.Pattern[str], body: str) -> list[tuple[str, ...]]:
    return [tuple(SPACES.sub("", html.unescape(value)) for value in found) for found in pattern.findall(body)]


def measure(app: Flask, team: Team, measured: list[Case], bound: Flask, args: argparse.Namespace) -> None:
    client = app.test_client()
    login(client, team.coordinator_email)
    bound_client = bound.test_client()
    engine: Engine = bound.extensions["bound_engine"]
    recorder, bound_recorder = Recorder(get_database(app).engine), Recorder(engine)
    for case in measured:
        ours = shown(case.shown, timed(client, case.url, recorder)[2])
        theirs = shown(case.shown, timed(bound_client, case.bound_url, bound_recorder)[2])
        if ours != theirs or not ours:
            different = next((i for i, pair in enumerate(zip([*ours, None], [*theirs, None], strict=False))
                              if pair[0] != pair[1]), 0)
            raise SystemExit(f"{case.page}: the page and the bound differ ({len(ours)} and {len(theirs)} "
                             f"figures; the first difference, #{different}: "
                             f"{ours[different:different + 1]} and {theirs[different:different + 1]})")
        case.compared = len(ours)
        for _ in range(args.warmup):
            timed(client, case.url, recorder)
            timed(bound_client, case.bound_url, bound_recorder)
        gc.collect()
        for n in range(args.rounds):
            # Who goes first alternates: neither always follows the other's cache misses.
            order = [(client, case.url, recorder, case.maillage, case.maillage_cpu, case.queries),
                     (bound_client, case.bound_url, bound_recorder, case.bound, case.bound_cpu,
                      case.bound_queries)]
            for who, url, rec, samples, cpu, counts in order if n % 2 == 0 else reversed(order):
                started = time.thread_time_ns()
                elapsed, count, _body = timed(who, url, rec)
                cpu.append(time.thread_time_ns() - started)
                samples.append(elapsed)
                counts[count] += 1
        progress(f"  {case.page:<34} Maillage {median_ms(case.maillage):7.1f} ms, "
                 f"bound {median_ms(case.bound):6.1f} ms")


def report(app: Flask, summaries: list[str], measured: list[Case], others: float | None,
           args: argparse.Namespace) -> None:
    engine = get_database(app).engine
    kind = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    print(f"# Sites en transition against the lower bound ({kind})\n")
    print(f"Machine: {describe_machine(database_version(engine))}")
    if others is not None:
        print(f"While timing, other processes kept {others:.2f} of the {os.cpu_count()} CPUs busy.")
    for summary in summaries:
        print(f"Data: {summary}.")
    if args.freeze_gc:
        print(f"What if: gc.freeze() before timing ({gc.get_freeze_count():,} objects left out of the "
              "collector's passes).")
    print(f"\n{args.rounds} requests each, alternately on each app (test client, logged in as the "
          "coordinator).\n")

    def queries(counts: Counter[int]) -> str:
        return "–".join(str(n) for n in sorted({min(counts), max(counts)}))

    markdown_table(
        ["page", "Maillage median ms", "p95", "bound median ms", "p95", "ratio", "median CPU ms",
         "Maillage queries", "bound queries", "figures compared"],
        [[c.page, f"{median_ms(c.maillage):.1f}", f"{p95_ms(c.maillage):.1f}", f"{median_ms(c.bound):.1f}",
          f"{p95_ms(c.bound):.1f}", f"{median_ms(c.maillage) / median_ms(c.bound):.1f}×",
          f"{median_ms(c.maillage_cpu):.1f} / {median_ms(c.bound_cpu):.1f}",
          queries(c.queries), queries(c.bound_queries), str(c.compared)] for c in measured], left=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", metavar="URL",
                        help="PostgreSQL database, emptied first; its name must contain 'bench' "
                             "(default: a fresh SQLite file in a temporary folder)")
    parser.add_argument("--part", action="append", choices=sorted(PARTS),
                        help="a part to measure, repeatable (default: all of them)")
    parser.add_argument("--lots", type=int, default=200, help="lots of the site (default 200)")
    parser.add_argument("--years", type=int, default=5, help="years of allocations (default 5)")
    parser.add_argument("--applications", type=int, default=2000,
                        help="applications to the call of the part review (default 2,000)")
    parser.add_argument("--rounds", type=int, default=100,
                        help="timed requests per page and app (default 100)")
    parser.add_argument("--warmup", type=int, default=5, metavar="N")
    parser.add_argument("--freeze-gc", action="store_true",
                        help="what if: gc.freeze() once the apps are built, so that the collector's "
                             "full passes no longer walk their objects (as a server could, the app loaded)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.rounds < 2:
        parser.error("--rounds must be at least 2")
    if args.lots < 1 or args.years < 1 or args.applications < 1:
        parser.error("--lots, --years and --applications must be at least 1")
    parts = [PARTS[name] for name in args.part or sorted(PARTS)]

    with tempfile.TemporaryDirectory(prefix="maillage-bench-sites-") as folder:
        os.environ["MAILLAGE_INSTANCE_PATH"] = str(Path(folder) / "instance")
        url = args.database_url or f"sqlite:///{Path(folder) / 'sites.sqlite3'}"
        if args.database_url:
            prepare_database(url)
        app = make_app(url, TESTING=False, LOG_LEVEL="WARNING")
        upgrade(app)
        team = found_team(app)
        progress(f"Building the data of {', '.join(part.name for part in parts)}…")
        plans = [(part, part.build(app, team, args)) for part in parts]
        if args.database_url:  # as autovacuum would, before anyone reads
            with get_database(app).engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM (ANALYZE)")
        summaries = [part.summary(plan) for part, plan in plans]
        progress("  " + "; ".join(summaries) + ". Timing, Maillage and the bound alternately:")
        bound = bound_app(get_database(app).engine.url.render_as_string(hide_password=False), parts)
        measured = [case for part, plan in plans for case in part.cases(plan, args)]
        if args.freeze_gc:
            gc.collect()
            gc.freeze()
        activity = Activity.now()
        measure(app, team, measured, bound, args)
        report(app, summaries, measured, Activity.now().others_since(activity), args)
        bound.extensions["bound_engine"].dispose()
        get_database(app).dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
