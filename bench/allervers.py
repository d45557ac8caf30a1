"""Aller-vers and the core's referrals at a busy association's scale: the list of its
referrals and the outreach funnel, with 20,000 people reached and 5,000 referrals, each
against a lower bound.

Run from the repository root::

    .venv/bin/python bench/allervers.py [--database-url URL] [--part referrals|funnel]
                                        [--contacts 20000] [--referrals 5000] [--actions 200]
                                        [--rounds 100]

It builds, in a fresh SQLite file (or the PostgreSQL database given, emptied first), the data
of bench/allervers_data.py: one association running the plugin, ``--actions`` outreach actions
over two years, ``--contacts`` people reached (anonymous tallies, contacts who consented,
pathways, some ended), ``--referrals`` referrals to 30 partners in every status. Then, logged
in as a coordinator (test client), it times each part's page alternately with a bare app that
reads what the page shows in one hand-written query and prints it with a minimal template.
Both must show the same figures, or it stops. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import allervers_data as data
from agenda import database_version, markdown_table, prepare_database, progress
from flask import Flask, request
from machine_load import Activity, describe_machine, median_ms, p95_ms
from sites import Case, measure
from sqlalchemy import Date, text

from core.database import get_database
from core.database.base import UTCDateTime
from core.database.engine import create_database_engine
from core.database.migrate import upgrade
from core.testing import make_app

PARIS = ZoneInfo("Europe/Paris")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")


def _day(value: date | datetime | None) -> str:
    """« 1er mars 2026 »; a moment as its day in Paris."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(PARIS).date()
    number = "1er" if value.day == 1 else str(value.day)
    return f"{number} {MONTHS[value.month - 1]} {value.year}"


# --- the referrals list ---------------------------------------------------------------------

REFERRALS_PAGE = 50  # rows a page of the list shows
STATUS_LABELS = {"sent": "Envoyée, sans réponse", "accepted": "Acceptée", "done": "Réalisée",
                 "refused": "Refusée", "expired": "Expirée sans réponse", "withdrawn": "Retirée"}
# The association's referrals, newest first, the first page, and how many there are in all.
REFERRALS_QUERY = """SELECT r.id, p.first_name, p.last_name, pa.name AS partner, s.name AS service,
       f.first_name AS referent_first, f.last_name AS referent_last, r.status, r.sent_at,
       r.answered_at, r.appointment_on, COUNT(*) OVER () AS total
  FROM referrals r JOIN people p ON p.id = r.person_id JOIN partners pa ON pa.id = r.partner_id
  LEFT JOIN partner_services s ON s.id = r.service_id LEFT JOIN people f ON f.id = r.referent_id
 WHERE r.association_id = :association
 ORDER BY r.sent_at DESC, r.id DESC
 LIMIT :limit OFFSET :offset"""
REFERRALS = """<!doctype html><h1>Orientations</h1><p>{{ total }} orientations</p>
<table>{% for r in rows %}<tr><td data-label="Personne"><a href="/personnes/{{ r.id }}">{{ r.first_name }} \
{{ r.last_name }}</a></td>
<td data-label="Partenaire">{{ r.partner }}{% if r.service %} — {{ r.service }}{% endif %}</td>
<td data-label="Référent">{{ r.referent_first or '' }} {{ r.referent_last or '' }}</td>
<td data-label="Statut">{{ labels[r.status] }}</td>
<td data-label="Envoyée le">{{ r.sent_at | day }}</td>
<td data-label="Rendez-vous">{{ r.appointment_on | day }}</td></tr>
{% endfor %}</table>
"""


def referrals_routes(app: Flask, rows: Callable[..., list[Any]]) -> None:
    template = app.jinja_env.from_string(REFERRALS)

    @app.get("/<int:association>/orientations")
    def referrals(association: int) -> str:
        page = int(request.args.get("page", 1))
        found = rows(REFERRALS_QUERY, association=association, limit=REFERRALS_PAGE,
                     offset=(page - 1) * REFERRALS_PAGE)
        return template.render(rows=found, total=found[0].total if found else 0, labels=STATUS_LABELS)


# --- the funnel -----------------------------------------------------------------------------

# Each person reached once: a tally, or a contact met by name with no tally; a contact is
# identified, engaged with a pathway, out of it with an outcome. By the action's neighbourhood.
FUNNEL_QUERY = """WITH reached AS (
  SELECT t.action_id, 1 AS reached, 0 AS identified, 0 AS engaged, 0 AS exited
    FROM allervers_tallies t WHERE t.association_id = :association
  UNION ALL
  SELECT c.action_id, CASE WHEN c.tally_id IS NULL THEN 1 ELSE 0 END, 1,
         CASE WHEN p.id IS NULL THEN 0 ELSE 1 END, CASE WHEN p.ended_on IS NULL THEN 0 ELSE 1 END
    FROM allervers_contacts c LEFT JOIN allervers_pathways p ON p.contact_id = c.id
   WHERE c.association_id = :association)
SELECT COALESCE(n.name, 'Sans quartier') AS label, SUM(r.reached) AS reached, SUM(r.identified) AS identified,
       SUM(r.engaged) AS engaged, SUM(r.exited) AS exited
  FROM reached r JOIN allervers_actions a ON a.id = r.action_id
  LEFT JOIN neighbourhoods n ON n.id = a.neighbourhood_id
 GROUP BY COALESCE(n.name, 'Sans quartier')
 ORDER BY 1"""
FUNNEL = """<!doctype html><h1>Entonnoir</h1>
<table>{% for r in rows %}<tr><th scope="row">{{ r.label }}</th>
<td data-label="Rencontrées">{{ r.reached }}</td>
<td data-label="Identifiées">{{ r.identified }}</td><td data-label="Accompagnées">{{ r.engaged }}</td>
<td data-label="Sorties">{{ r.exited }}</td></tr>{% endfor %}</table>
"""


def funnel_routes(app: Flask, rows: Callable[..., list[Any]]) -> None:
    template = app.jinja_env.from_string(FUNNEL)

    @app.get("/<int:association>/entonnoir")
    def funnel(association: int) -> str:
        return template.render(rows=rows(FUNNEL_QUERY, association=association))


# --- the parts ------------------------------------------------------------------------------

REFERRALS_SHOWN = re.compile(
    r"data-label=\"(Personne|Partenaire|Référent|Statut|Envoyée le|Rendez-vous)\">(?:<a [^>]*>)?([^<]*)<")
FUNNEL_SHOWN = re.compile(
    r"<th scope=\"row\">([^<]*)</th>|data-label=\"(Rencontrées|Identifiées|Accompagnées|Sorties)\">([^<]*)<")


def referrals_cases(plan: data.Plan, _args: argparse.Namespace) -> list[Case]:
    return [Case(f"referrals list (page 1 of {plan.volumes.referrals:,})",
                 f"/associations/{plan.slug}/orientations",
                 f"/{plan.association_id}/orientations", REFERRALS_SHOWN)]


def funnel_cases(plan: data.Plan, _args: argparse.Namespace) -> list[Case]:
    return [Case(f"funnel ({plan.volumes.contacts:,} reached)", f"/p/allervers/{plan.slug}/entonnoir",
                 f"/{plan.association_id}/entonnoir", FUNNEL_SHOWN)]


@dataclass(frozen=True)
class Part:
    name: str
    routes: Callable[[Flask, Callable[..., list[Any]]], None]
    cases: Callable[[data.Plan, argparse.Namespace], list[Case]]


PARTS = {part.name: part for part in [Part("referrals", referrals_routes, referrals_cases),
                                      Part("funnel", funnel_routes, funnel_cases)]}


def bound_app(database_url: str, parts: list[Part]) -> Flask:
    """The bare app: no login, no permissions, no ORM, no layout; the association in the URL."""
    app = Flask("allervers_bound")
    engine = create_database_engine(database_url)
    app.extensions["bound_engine"] = engine
    app.jinja_env.filters["day"] = _day

    def rows(sql: str, **params: Any) -> list[Any]:
        with engine.connect() as connection:
            return connection.execute(text(sql).columns(appointment_on=Date(), sent_at=UTCDateTime(),
                                                                answered_at=UTCDateTime()), params).all()

    for part in parts:
        part.routes(app, rows)
    return app


def summary(plan: data.Plan) -> str:
    c = plan.counts
    statuses = ", ".join(f"{n:,} {status}" for status, n in sorted(plan.statuses.items()))
    return (f"{c['allervers_actions']} outreach actions since {plan.first_day.isoformat()}, "
            f"{plan.volumes.contacts:,} people reached ({c['allervers_tallies']:,} tallies, "
            f"{c['allervers_contacts']:,} contacts, {c['allervers_pathways']:,} pathways), "
            f"{c['referrals']:,} referrals to {c['partners']} partners ({statuses}; "
            f"{c['referral_events']:,} events), built in {plan.seconds:.1f} s")


def report(app: Flask, plan: data.Plan, measured: list[Case], others: float | None,
           args: argparse.Namespace) -> None:
    engine = get_database(app).engine
    kind = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    print(f"# Aller-vers and the referrals against the lower bound ({kind})\n")
    print(f"Machine: {describe_machine(database_version(engine))}")
    if others is not None:
        print(f"While timing, other processes kept {others:.2f} of the {os.cpu_count()} CPUs busy.")
    print(f"Data: {summary(plan)}.")
    print(f"\n{args.rounds} requests each, alternately on each app (test client, logged in as a "
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
                        help="a page to measure, repeatable (default: both)")
    defaults = data.Volumes()
    parser.add_argument("--actions", type=int, default=defaults.actions)
    parser.add_argument("--contacts", type=int, default=defaults.contacts,
                        help=f"people reached (default {defaults.contacts:,})")
    parser.add_argument("--referrals", type=int, default=defaults.referrals,
                        help=f"referrals (default {defaults.referrals:,})")
    parser.add_argument("--rounds", type=int, default=100,
                        help="timed requests per page and app (default 100)")
    parser.add_argument("--warmup", type=int, default=5, metavar="N")
    parser.add_argument("--seed", type=int, default=data.SEED)
    args = parser.parse_args(argv)
    if args.rounds < 2:
        parser.error("--rounds must be at least 2")
    if min(args.actions, args.contacts, args.referrals) < 1:
        parser.error("--actions, --contacts and --referrals must be at least 1")
    parts = [PARTS[name] for name in args.part or sorted(PARTS)]
    volumes = data.Volumes(actions=args.actions, contacts=args.contacts, referrals=args.referrals)

    with tempfile.TemporaryDirectory(prefix="maillage-bench-allervers-") as folder:
        os.environ["MAILLAGE_INSTANCE_PATH"] = str(Path(folder) / "instance")
        url = args.database_url or f"sqlite:///{Path(folder) / 'allervers.sqlite3'}"
        if args.database_url:
            prepare_database(url)
        app = make_app(url, TESTING=False, LOG_LEVEL="WARNING")
        upgrade(app)
        progress("Building the data…")
        plan = data.build(app, volumes, seed=args.seed)
        if args.database_url:  # as autovacuum would, before anyone reads
            with get_database(app).engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM (ANALYZE)")
        progress(f"  {summary(plan)}. Timing, Maillage and the bound alternately:")
        bound = bound_app(get_database(app).engine.url.render_as_string(hide_password=False), parts)
        measured = [case for part in parts for case in part.cases(plan, args)]
        activity = Activity.now()
        measure(app, plan, measured, bound, args)  # type: ignore[arg-type]  # a Plan has what a Team has
        report(app, plan, measured, Activity.now().others_since(activity), args)
        bound.extensions["bound_engine"].dispose()
        get_database(app).dispose()
    gc.collect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
