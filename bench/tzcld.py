"""Territoire zéro chômeur at a territory's scale: 2,000 people on the register and 300
contracts with the EBE over five years; the plugin's pages against their lower bound.

Run from the repository root::

    .venv/bin/python bench/tzcld.py [--database-url URL] [--people 2000] [--employments 300] [--rounds 100]

It builds, in a fresh SQLite file (or the PostgreSQL database given, emptied first), an
association running the plugin, its coordinator, ``--people`` entries of the register taken
through the plugin's own steps (``enter`` and ``move``: identified, met, waiting; some hired,
some gone, a few back) and ``--employments`` contracts: nine in ten opened by those hires, the
others supervisors', with changes of working time, started and ended over five years. Then,
logged in as the coordinator (test client), it times the exhaustiveness page, the monthly table
of the last whole year and the plugin's home page, each alternately with a bare app that reads
what the page shows in one hand-written query and prints it with a minimal template. Both must
show the same figures, or it stops. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
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
from sqlalchemy import Boolean, Date, Numeric, select, text
from sqlalchemy.orm import selectinload
from versus import timed

from core.agenda.clock import paris_today
from core.auth.accounts import Account
from core.auth.passwords import hash_password
from core.database import get_database, session
from core.database.engine import create_database_engine
from core.database.migrate import upgrade
from core.members import Association, Membership, Person, Role
from core.plugin_api import add_months, month_bounds, month_label, months_between
from core.pluginhost.activation import PluginActivation
from core.testing import TEST_PASSWORD, login, make_app
from core.web.dates import MONTHS as MONTH_NAMES
from plugins.tzcld.models import CdeRates, Employment, ExitReason, PpdeStatus, Stage, Territory, WorkingTime
from plugins.tzcld.register import BINS, enter, move
from plugins.tzcld.settings import Rules

SEED = 2025
SLUG = "territoire"
YEARS = 5
NON_PPDE_SHARE = 0.1  # supervisors and support staff, the cap's share
HOURS = [Decimal(h) for h in ("35", "30", "28", "24", "20", "17.5")]
RULES = Rules({})  # the defaults: 35 h a full week, a 90-day alert, a 10 % cap

# --- the data: a territory five years on ----------------------------------------------------


@dataclass
class Plan:
    association_id: int
    slug: str
    coordinator_email: str
    statuses: Counter[str]
    contracts: int
    hour_changes: int
    seconds: float = 0.0


def build(app: Flask, *, people: int, employments: int, seed: int = SEED, slug: str = SLUG,
          password_hash: str | None = None) -> Plan:
    """The territory, committed: the register through the plugin's own steps (which open the
    hires' contracts), then the supervisors' contracts, ends and changes of working time."""
    rng = random.Random(seed)  # noqa: S311 - data, not secrets
    started = time.perf_counter()
    with app.app_context():
        today = paris_today()
        opened = add_months(today, -12 * YEARS)
        span = (today - opened).days
        association = Association(name=f"Territoire {slug}", short_name=slug[:20].capitalize(), slug=slug)
        coordinator = Person(first_name="Coline", last_name="Coordination",
                             email=f"coordination@{slug}.invalid",
                             memberships=[Membership(association=association, role=Role.COORDINATOR)],
                             account=Account(password_hash=password_hash or hash_password(TEST_PASSWORD)))
        supervisors = round(employments * NON_PPDE_SHARE)

        def member(n: int, role: Role) -> Person:
            return Person(first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                          last_name=LAST_NAMES[n * 7 % len(LAST_NAMES)],
                          memberships=[Membership(association=association, role=role)])

        register = [member(n, Role.SUPPORTED) for n in range(people)]
        staff = [member(people + n, Role.VOLUNTEER) for n in range(supervisors)]
        session.add_all([coordinator, *register, *staff])
        session.flush()
        session.add_all([
            PluginActivation(plugin="tzcld", association_id=association.id, settings={}),
            Territory(association_id=association.id, name=f"Territoire {slug}", stage=Stage.AUTHORISED,
                      authorised_on=opened),
            *(CdeRates(association_id=association.id, year=year, hourly_minimum_wage=Decimal("11.88"),
                       state_rate=Decimal(95), departement_share=Decimal(15)) for year in
              range(opened.year, today.year + 1))])

        def step(entry: Any, status: PpdeStatus, on: date, **extra: Any) -> bool:
            if on > today:
                return False
            move(entry, status, on, rules=RULES, today=today, recorded_by_id=coordinator.id, **extra)
            return True

        entries, waiting = [], []
        for person in register:
            # A third found in the first year's canvassing, the others since.
            first = opened + timedelta(days=rng.randrange(365 if rng.random() < 0.3 else span))
            entry = enter(association.id, person.id, first, recorded_by_id=coordinator.id,
                          without_work_since=add_months(first, -rng.randint(13, 96)),
                          resident_since=add_months(first, -rng.randint(7, 300)))
            entries.append(entry)
            if rng.random() < 0.08:  # said no at the first contact
                step(entry, PpdeStatus.EXITED, first + timedelta(days=rng.randint(7, 60)),
                     exit_reason=ExitReason.WITHDREW)
                continue
            met = first + timedelta(days=rng.randint(3, 90))
            if not step(entry, PpdeStatus.MET, met) or rng.random() < 0.1:
                continue  # not met yet, or not a volunteer (yet)
            entry.consent_on = met
            since = met + timedelta(days=rng.randint(0, 45))
            if step(entry, PpdeStatus.WAITING, since):
                waiting.append((entry, since))

        ready = [(entry, since) for entry, since in waiting if (today - since).days > 30]
        hired = {id(entry) for entry, _ in rng.sample(ready, min(employments - supervisors, len(ready)))}
        for entry, since in waiting:
            if id(entry) in hired:  # three in ten leave later: the exit ends their contract
                on = since + timedelta(days=rng.randint(30, min(720, (today - since).days)))
                step(entry, PpdeStatus.HIRED, on, weekly_hours=rng.choice(HOURS))
                reason = rng.choice([ExitReason.JOB_ELSEWHERE, ExitReason.OTHER])
                if rng.random() < 0.3:
                    step(entry, PpdeStatus.EXITED, on + timedelta(days=rng.randint(90, 1000)),
                         exit_reason=reason)
            elif rng.random() < 0.45:  # left the wait: a job elsewhere, a training, a move
                gone = since + timedelta(days=rng.randint(30, 700))
                if step(entry, PpdeStatus.EXITED, gone, exit_reason=rng.choice(list(ExitReason))) \
                        and rng.random() < 0.15:
                    step(entry, PpdeStatus.WAITING, gone + timedelta(days=rng.randint(60, 400)))

        contracts = list(session.scalars(select(Employment).where(Employment.association_id == association.id)
                                         .options(selectinload(Employment.hours))))
        for n, person in enumerate(staff):  # the first supervisor from the start
            start = opened + timedelta(days=rng.randrange(span) if n else 0)
            end = start + timedelta(days=rng.randint(180, 1500))
            contract = Employment(association_id=association.id, person_id=person.id, ppde=False,
                                  job="Encadrant technique", started_on=start,
                                  ended_on=end if end < today and rng.random() < 0.4 else None,
                                  hours=[WorkingTime(effective_on=start, weekly_hours=Decimal(35))])
            session.add(contract)
            contracts.append(contract)
        changes = 0
        for contract in contracts:
            room = ((contract.ended_on or today) - contract.started_on).days
            if room > 3 and rng.random() < 0.4:
                for offset in sorted(rng.sample(range(1, room + 1), rng.randint(1, 3))):
                    day = contract.started_on + timedelta(days=offset)
                    contract.hours.append(WorkingTime(effective_on=day, weekly_hours=rng.choice(HOURS)))
                    changes += 1
        plan = Plan(association.id, slug, coordinator.email or "", Counter(e.status.value for e in entries),
                    len(contracts), changes)
        session.commit()
    plan.seconds = time.perf_counter() - started
    return plan


# --- the lower bound: one query, a minimal template -----------------------------------------

# Typed NULLs: PostgreSQL types each column of a UNION from its first branches.
WAITING = """SELECT 'w' AS kind, p.id AS id, pe.first_name || ' ' || pe.last_name AS name,
       p.waiting_since AS day, CAST(NULL AS DATE) AS started_on, CAST(NULL AS DATE) AS ended_on,
       CAST(NULL AS NUMERIC) AS hours, CAST(NULL AS BOOLEAN) AS ppde
  FROM tzcld_ppde p JOIN people pe ON pe.id = p.person_id
 WHERE p.association_id = :association AND p.status = 'waiting' AND p.waiting_since IS NOT NULL"""
CONTRACTS = """SELECT 'c', e.id, NULL, w.effective_on, e.started_on, e.ended_on, w.weekly_hours, e.ppde
  FROM tzcld_employments e JOIN tzcld_working_times w ON w.employment_id = e.id
 WHERE e.association_id = :association AND e.started_on <= :last
   AND (e.ended_on IS NULL OR e.ended_on >= :first)"""
QUERIES = {
    # Who waits, and the hires of the last 12 months counted per day (the count as the id).
    "exhaustiveness": f"""{WAITING} UNION ALL
SELECT 'h', COUNT(*), NULL, t."on", NULL, NULL, NULL, NULL FROM tzcld_transitions t
 WHERE t.association_id = :association AND t.status = 'hired' AND t."on" >= :first AND t."on" <= :last
 GROUP BY t."on"
 ORDER BY 1, 4, 2""",  # noqa: S608 - constants only
    # The year's contracts with their working times and, on each row, the year's rates.
    "monthly": """SELECT e.id, e.ppde, e.started_on, e.ended_on, w.effective_on AS day,
       w.weekly_hours AS hours, r.hourly_minimum_wage AS wage, r.state_rate, r.departement_share,
       r.hours_per_year
  FROM tzcld_employments e JOIN tzcld_working_times w ON w.employment_id = e.id
  LEFT JOIN tzcld_cde_rates r ON r.association_id = e.association_id AND r.year = :year
 WHERE e.association_id = :association AND e.started_on <= :last
   AND (e.ended_on IS NULL OR e.ended_on >= :first)
 ORDER BY e.id, w.effective_on""",
    # The territory's name, who waits, this month's contracts.
    "home": f"""{WAITING} UNION ALL {CONTRACTS} UNION ALL
SELECT 't', 0, name, NULL, NULL, NULL, NULL, NULL FROM tzcld_territories
 WHERE association_id = :association
 ORDER BY 1, 4, 2""",  # noqa: S608 - constants only
}
EXHAUSTIVENESS = """<!doctype html><h1>Exhaustivité</h1>
<p><strong>{{ days | length }}</strong> en attente · Attente médiane : {{ median }} jours ·
Attente la plus longue : {{ longest }} jours</p>
<table>{% for label, count in bins %}<tr><th>{{ label }}</th><td>{{ count }}</td></tr>
{% endfor %}</table>
<ul>{% for r, d in over %}<li><a href="/p/tzcld/{{ slug }}/registre/{{ r.id }}">{{ r.name }}</a>
— {{ d }} jours (depuis le {{ r.day.day }} {{ months[r.day.month - 1] }} {{ r.day.year }})</li>
{% endfor %}</ul>
<table>{% for label, count in hires %}<tr><th>{{ label }}</th><td>{{ count }}</td></tr>
{% endfor %}</table>
"""
MONTHLY = """<!doctype html><h1>ETP {{ year }}</h1><table>{% for f in rows %}<tr>
<th data-label="Mois">{{ f.label }}</th><td data-label="ETP PPDE">{{ f.ppde | num }}</td>
<td data-label="ETP non PPDE">{{ f.other | num }}</td><td>{{ f.share }}</td>
<td data-label="Effectif fin de mois">{{ f.headcount }}</td><td data-label="Entrées">{{ f.entries }}</td>
<td data-label="Sorties">{{ f.exits }}</td><td data-label="Part de l'État">{{ f.state | euros }}</td>
<td data-label="Part du département">{{ f.departement | euros }}</td></tr>{% endfor %}
<tr><th>Année</th><td data-label="Part de l'État">{{ state | euros }}</td>
<td data-label="Part du département">{{ departement | euros }}</td></tr></table>
"""
HOME = """<!doctype html><h1>{{ name }}</h1>
<p>{{ days | length }} en attente · Attente médiane : {{ median }} jours ;
la plus longue : {{ longest }} jours</p>
<ul>{% for r, d in over[:10] %}<li>{{ r.name }} — {{ d }} jours
(depuis le {{ r.day.day }} {{ months[r.day.month - 1] }} {{ r.day.year }})</li>
{% endfor %}</ul>
<p>{{ f.headcount }} salariés sous contrat ; {{ f.ppde | num }} ETP PPDE,
{{ f.other | num }} ETP d'encadrement</p>
"""


def _statement(sql: str) -> Any:
    return text(sql).columns(day=Date(), started_on=Date(), ended_on=Date(), hours=Numeric(4, 2),
                             ppde=Boolean(), wage=Numeric(8, 4), state_rate=Numeric(6, 3),
                             departement_share=Numeric(6, 3))


def _months(rows: list[Any], months: list[date]) -> list[dict[str, Any]]:
    """Each working-time segment's hour-days cut by month, in hundredths of an hour (exact
    integers; rows are (contract, ppde, started_on, ended_on, effective_on, weekly hours)),
    then ETP and counts per month. A contract's ETP in a month is its hour-days over the
    month's full-time hour-days; the CDE is computed from the exact sum (a Fraction), as the
    plugin does."""
    bounds = [(first.toordinal(), last.toordinal()) for first, last in map(month_bounds, months)]
    stop = bounds[-1][1]
    hour_days: dict[int, list[int]] = {}
    contracts: dict[int, tuple[bool, int, int | None]] = {}
    rows = sorted(rows, key=lambda row: (row[0], row[4]))
    for (contract, ppde, started, ended, since, hours), following in zip(rows, [*rows[1:], None],
                                                                         strict=True):
        contracts[contract] = (ppde, started.toordinal(), ended and ended.toordinal())
        counted = hour_days.setdefault(contract, [0] * len(months))
        start = max(since, started).toordinal()
        end = min(following[4].toordinal() - 1 if following and following[0] == contract else stop,
                  ended.toordinal() if ended else stop)
        for index, (first, last) in enumerate(bounds):
            if start <= last and first <= end:
                counted[index] += int(hours * 100) * (min(end, last) - max(start, first) + 1)
    figures = []
    for index, (month, (first, last)) in enumerate(zip(months, bounds, strict=True)):
        full = int(RULES.full_time_hours) * 100 * (last - first + 1)
        summed = {True: 0, False: 0}
        for contract, (ppde, _s, _e) in contracts.items():
            summed[ppde] += hour_days[contract][index]
        ppde, other = Decimal(summed[True]) / full, Decimal(summed[False]) / full
        figures.append({
            "month": month, "label": month_label(month), "ppde": ppde, "other": other,
            "exact": Fraction(summed[True], full),
            "share": f"{other / (ppde + other) * 100:.1f}" if ppde + other else "—",
            "headcount": sum(s <= last and (e is None or e >= last) for _p, s, e in contracts.values()),
            "entries": sum(first <= s <= last for _p, s, _e in contracts.values()),
            "exits": sum(e is not None and first <= e <= last for _p, _s, e in contracts.values())})
    return figures


def _half_up(amount: Fraction) -> Decimal:
    """To the cent, half up, written apart from the plugin's ``cents`` on purpose."""
    hundredths, rest = divmod(amount * 100, 1)
    return Decimal(int(hundredths) + (rest >= Fraction(1, 2))) / 100


def _waiting(rows: list[Any], today: date) -> dict[str, Any]:
    waiting = [(r, (today - r.day).days) for r in rows if r.kind == "w"]
    days = [d for _r, d in waiting]
    return {"days": days, "over": [(r, d) for r, d in waiting if d > RULES.waiting_alert_days],
            "median": statistics.median(days or [0]), "longest": max(days, default=0),
            "bins": [(label, sum(low <= d and (high is None or d <= high) for d in days))
                     for low, high, label in BINS]}


def bound_app(database_url: str) -> Flask:
    """The bare app: no login, no permissions, no ORM, no layout; the association in the URL."""
    app = Flask("tzcld_bound")
    engine = create_database_engine(database_url)
    app.extensions["bound_engine"] = engine
    # Through a float, as the pages' '%.2f' | format does.
    app.jinja_env.filters["num"] = lambda value: f"{float(value):.2f}".replace(".", ",")
    app.jinja_env.filters["euros"] = lambda value: "—" if value is None else (
        f"{value:,.2f}".replace(",", " ").replace(".", ",") + " €")

    # Compiled once: the bound does per request only what a request needs.
    templates = {name: app.jinja_env.from_string(source) for name, source in
                 (("exhaustiveness", EXHAUSTIVENESS), ("monthly", MONTHLY), ("home", HOME))}

    def rows(name: str, **params: Any) -> list[Any]:
        with engine.connect() as connection:
            return list(connection.execute(_statement(QUERIES[name]), params))

    @app.get("/<int:association>/exhaustivite")
    def exhaustiveness(association: int) -> str:
        today = paris_today()
        first = add_months(today.replace(day=1), -11)
        found = rows("exhaustiveness", association=association, first=first, last=today)
        hires: Counter[date] = Counter()
        for r in found:
            if r.kind == "h":
                hires[r.day.replace(day=1)] += r.id
        waiting = _waiting(found, today)
        median = f"{round(waiting['median'], 1)}".replace(".0", "").replace(".", ",")
        return templates["exhaustiveness"].render(
            **{**waiting, "median": median}, months=MONTH_NAMES, slug=request.args["slug"],
            hires=[(month_label(m), hires[m]) for m in months_between(first, today)])

    @app.get("/<int:association>/etp")
    def monthly(association: int) -> str:
        year = request.args.get("annee", type=int) or paris_today().year
        found = rows("monthly", association=association, year=year, first=date(year, 1, 1),
                     last=date(year, 12, 31))
        figures = _months([(r.id, r.ppde, r.started_on, r.ended_on, r.day, r.hours) for r in found],
                          list(months_between(date(year, 1, 1), date(year, 12, 1))))
        rates = found[0] if found and found[0].wage is not None else None
        for f in figures:
            f["state"] = f["departement"] = None
            if rates:
                state = (f["exact"] * Fraction(rates.wage) * Fraction(rates.state_rate) / 100
                         * rates.hours_per_year / 12)
                f["state"] = _half_up(state)
                f["departement"] = _half_up(state * Fraction(rates.departement_share) / 100)
        total = None if rates is None else [sum(f[k] for f in figures) for k in ("state", "departement")]
        return templates["monthly"].render(year=year, rows=figures, state=total and total[0],
                                           departement=total and total[1])

    @app.get("/<int:association>/")
    def home(association: int) -> str:
        today = paris_today()
        found = rows("home", association=association, first=today.replace(day=1), last=today)
        contracts = [(r.id, r.ppde, r.started_on, r.ended_on, r.day, r.hours) for r in found if r.kind == "c"]
        waiting = _waiting(found, today)
        return templates["home"].render(
            **{**waiting, "median": f"{round(waiting['median'], 1)}".replace(".0", "").replace(".", ",")},
            months=MONTH_NAMES,
            name=next((r.name for r in found if r.kind == "t"), ""),
            f=_months(contracts, [today.replace(day=1)])[0])

    return app


# --- timing ---------------------------------------------------------------------------------

# What both apps must show alike, read back from each body, spaces left out (the pages print
# thousands and units with no-break spaces).
SPACES = re.compile(r"\s|&nbsp;|&#160;|&#8239;")
SHOWN = {
    "exhaustiveness": re.compile(r"<strong>(\d+)</strong>|Attente médiane : ([\d,]+) jours|"
                                 r"registre/(\d+)\">([^<]*)</a>\s*— (\d+) jours?\s*\(depuis le ([^)]*)\)"),
    "monthly": re.compile(r"data-label=\"(ETP PPDE|ETP non PPDE|Effectif fin de mois|Entrées|Sorties|"
                          r"Part de l'État|Part du département)\">([^<]*)<"),
    "home": re.compile(r"Attente médiane : ([\d,]+) jours|la plus longue : (\d+) jours|"
                       r"<li>([^<]*) — (\d+) jours?\s*\(depuis le ([^)]*)\)</li>|"
                       r"(\d+) salariés? sous contrat|([\d,]+) ETP"),
}


@dataclass
class Case:
    page: str
    kind: str
    url: str
    bound_url: str
    maillage: list[int] = field(default_factory=list)
    bound: list[int] = field(default_factory=list)
    queries: Counter[int] = field(default_factory=Counter)
    bound_queries: Counter[int] = field(default_factory=Counter)
    shown: int = 0


def cases(plan: Plan, year: int) -> list[Case]:
    base, bare = f"/p/tzcld/{plan.slug}", f"/{plan.association_id}"
    return [Case("exhaustiveness", "exhaustiveness", f"{base}/exhaustivite",
                 f"{bare}/exhaustivite?slug={plan.slug}"),
            Case(f"monthly table {year}", "monthly", f"{base}/etp?annee={year}", f"{bare}/etp?annee={year}"),
            Case("home", "home", f"{base}/", f"{bare}/")]


def measure(app: Flask, plan: Plan, args: argparse.Namespace) -> list[Case]:
    client = app.test_client()
    login(client, plan.coordinator_email)
    bound = bound_app(get_database(app).engine.url.render_as_string(hide_password=False))
    bound_client = bound.test_client()
    recorder, bound_recorder = Recorder(get_database(app).engine), Recorder(bound.extensions["bound_engine"])
    measured = cases(plan, args.year)
    for case in measured:
        ours, theirs = ([tuple(SPACES.sub("", value) for value in found)
                         for found in SHOWN[case.kind].findall(timed(who, url, rec)[2])]
                        for who, url, rec in ((client, case.url, recorder),
                                              (bound_client, case.bound_url, bound_recorder)))
        if ours != theirs:
            different = next(i for i, pair in enumerate(zip([*ours, None], [*theirs, None], strict=False))
                             if pair[0] != pair[1])
            raise SystemExit(f"{case.page}: the page and the bound differ ({len(ours)} and {len(theirs)} "
                             f"figures; the first difference, #{different}: "
                             f"{ours[different:different + 1]} and {theirs[different:different + 1]})")
        case.shown = len(ours)
        for _ in range(args.warmup):
            timed(client, case.url, recorder)
            timed(bound_client, case.bound_url, bound_recorder)
        gc.collect()
        for n in range(args.rounds):
            # Who goes first alternates: neither always follows the other's cache misses.
            order = [(client, case.url, recorder, case.maillage, case.queries),
                     (bound_client, case.bound_url, bound_recorder, case.bound, case.bound_queries)]
            for who, url, rec, samples, counts in order if n % 2 == 0 else reversed(order):
                elapsed, count, _body = timed(who, url, rec)
                samples.append(elapsed)
                counts[count] += 1
        progress(f"  {case.page:<20} Maillage {median_ms(case.maillage):7.1f} ms, "
                 f"bound {median_ms(case.bound):6.1f} ms")
    bound.extensions["bound_engine"].dispose()
    return measured


def report(app: Flask, plan: Plan, measured: list[Case], others: float | None,
           args: argparse.Namespace) -> None:
    engine = get_database(app).engine
    kind = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    print(f"# Territoire zéro chômeur against the lower bound ({kind})\n")
    print(f"Machine: {describe_machine(database_version(engine))}")
    if others is not None:
        print(f"While timing, other processes kept {others:.2f} of the {os.cpu_count()} CPUs busy.")
    statuses = ", ".join(f"{count:,} {status}" for status, count in plan.statuses.most_common())
    print(f"Data: {sum(plan.statuses.values()):,} people on the register ({statuses}); {plan.contracts} "
          f"contracts, {plan.hour_changes} changes of working time; built in {plan.seconds:.1f} s.\n")
    print(f"{args.rounds} requests each, alternately on each app (test client, logged in as the "
          "coordinator).\n")

    def queries(counts: Counter[int]) -> str:
        return "–".join(str(n) for n in sorted({min(counts), max(counts)}))

    markdown_table(
        ["page", "Maillage median ms", "p95", "bound median ms", "p95", "ratio", "Maillage queries",
         "bound queries", "figures compared"],
        [[c.page, f"{median_ms(c.maillage):.1f}", f"{p95_ms(c.maillage):.1f}", f"{median_ms(c.bound):.1f}",
          f"{p95_ms(c.bound):.1f}", f"{median_ms(c.maillage) / median_ms(c.bound):.1f}×",
          queries(c.queries), queries(c.bound_queries), str(c.shown)] for c in measured], left=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", metavar="URL",
                        help="PostgreSQL database, emptied first; its name must contain 'bench' "
                             "(default: a fresh SQLite file in a temporary folder)")
    parser.add_argument("--people", type=int, default=2_000, help="entries of the register (default 2,000)")
    parser.add_argument("--employments", type=int, default=300, help="contracts with the EBE (default 300)")
    parser.add_argument("--rounds", type=int, default=100,
                        help="timed requests per page and app (default 100)")
    parser.add_argument("--warmup", type=int, default=5, metavar="N")
    parser.add_argument("--year", type=int, default=paris_today().year - 1,
                        help="the monthly table's year (default: the last whole year)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.rounds < 2:
        parser.error("--rounds must be at least 2")

    with tempfile.TemporaryDirectory(prefix="maillage-bench-tzcld-") as folder:
        os.environ["MAILLAGE_INSTANCE_PATH"] = str(Path(folder) / "instance")
        url = args.database_url or f"sqlite:///{Path(folder) / 'tzcld.sqlite3'}"
        if args.database_url:
            prepare_database(url)
        app = make_app(url, TESTING=False, LOG_LEVEL="WARNING")
        upgrade(app)
        progress(f"Building {args.people:,} people on the register and {args.employments} contracts…")
        plan = build(app, people=args.people, employments=args.employments, seed=args.seed)
        if args.database_url:  # as autovacuum would, before anyone reads
            with get_database(app).engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM (ANALYZE)")
        progress(f"  done in {plan.seconds:.1f} s. Timing, Maillage and the bound alternately:")
        activity = Activity.now()
        measured = measure(app, plan, args)
        report(app, plan, measured, Activity.now().others_since(activity), args)
        get_database(app).dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
