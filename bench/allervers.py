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
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fractions import Fraction
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

REFERRALS_PAGE = 50  # as core/referrals/views.py's PAGE_SIZE
STATUS_LABELS = {"sent": "Envoyée, sans réponse", "accepted": "Acceptée", "done": "Réalisée",
                 "refused": "Refusée", "expired": "Expirée sans réponse", "withdrawn": "Retirée"}
# The association's referrals, newest first, one page of them, and how many there are in all.
REFERRALS_QUERY = """SELECT r.id, p.first_name, p.last_name, pa.name AS partner, s.name AS service,
       f.first_name AS referent_first, f.last_name AS referent_last, r.status, r.sent_at,
       r.appointment_on, COUNT(*) OVER () AS total
  FROM referrals r JOIN people p ON p.id = r.person_id JOIN partners pa ON pa.id = r.partner_id
  LEFT JOIN partner_services s ON s.id = r.service_id LEFT JOIN people f ON f.id = r.referent_id
 WHERE r.association_id = :association
 ORDER BY r.sent_at DESC, r.id DESC
 LIMIT :limit OFFSET :offset"""
REFERRALS = """<!doctype html><h1>Orientations</h1>
<p role="status">{{ total }} orientation{{ 's' if total > 1 }}</p>
<table>{% for r in rows %}<tr>
<td data-label="Envoyée le"><a href="/orientations/{{ r.id }}">{{ r.sent_at | day }}</a></td>
<td data-label="Personne">{{ r.first_name }} {{ r.last_name }}</td>
<td data-label="Partenaire">{{ r.partner }}{% if r.service %} — {{ r.service }}{% endif %}</td>
<td data-label="Référent·e">{% if r.referent_first is none %}—{% else %}{{ r.referent_first }} \
{{ r.referent_last }}{% endif %}</td>
<td data-label="Statut"><span>{{ labels[r.status] }}</span>{% if r.appointment_on %} rendez-vous le \
{{ r.appointment_on | day }}{% endif %}</td></tr>
{% endfor %}</table>{% if pages > 1 %}<span>Page {{ page }} sur {{ pages }}</span>{% endif %}
"""


def referrals_routes(app: Flask, rows: Callable[..., list[Any]]) -> None:
    template = app.jinja_env.from_string(REFERRALS)

    @app.get("/<int:association>/orientations")
    def referrals(association: int) -> str:
        page = int(request.args.get("page", 1))
        found = rows(REFERRALS_QUERY, association=association, limit=REFERRALS_PAGE,
                     offset=(page - 1) * REFERRALS_PAGE)
        total = found[0].total if found else 0
        return template.render(rows=found, total=total, labels=STATUS_LABELS, page=page,
                               pages=max((total + REFERRALS_PAGE - 1) // REFERRALS_PAGE, 1))


# --- the funnel -----------------------------------------------------------------------------

OUTCOMES = [("job", "Emploi"), ("training", "Formation"), ("job_search", "Relais vers le droit commun"),
            ("other", "Autre sortie"), ("dropped_out", "Abandon")]
PLACE_LABELS = {"street": "Rue", "market": "Marché", "event": "Événement",
                "partner_premises": "Locaux d'un partenaire", "other": "Autre lieu"}
ACTIONS_SHOWN = 50  # as plugins/allervers/funnel.py's: the most recent actions get a line each
NO_NEIGHBOURHOOD = "Sans quartier"
MEASURES = ["tallies", "contacts", "direct", "engaged", *(o for o, _ in OUTCOMES)]
# The SQL below is built from these constants only.
_OUTCOME_SUMS = ",\n         ".join(f"SUM(CASE WHEN outcome = '{o}' THEN 1 ELSE 0 END) AS {o}"
                                   for o, _ in OUTCOMES)
_SUMS = ", ".join(f"SUM(m.{c}) AS {c}" for c in MEASURES)
_ACTION_SUMS = ", ".join(f"COALESCE(m.{c}, 0) AS {c}" for c in MEASURES)
# Each person reached once: a tally, or a contact met by name with no tally first; each
# contact identified, perhaps engaged, perhaps out of their pathway with an outcome. Summed per
# action, then for the most recent actions (one more than shown, to say the list is cut), per
# place kind and per neighbourhood; the actions first, so that PostgreSQL types the columns
# the other two leave NULL from theirs.
FUNNEL_QUERY = f"""WITH met AS (
  SELECT t.action_id, 1 AS tallies, 0 AS contacts, 0 AS direct, 0 AS engaged, NULL AS outcome
    FROM allervers_tallies t WHERE t.association_id = :association
  UNION ALL
  SELECT c.action_id, 0, 1, CASE WHEN c.tally_id IS NULL THEN 1 ELSE 0 END,
         CASE WHEN c.person_id IS NULL THEN 0 ELSE 1 END, p.exit_outcome
    FROM allervers_contacts c
    LEFT JOIN allervers_pathways p ON p.contact_id = c.id AND p.ended_on IS NOT NULL
                                  AND p.association_id = c.association_id
   WHERE c.association_id = :association),
per_action AS (
  SELECT action_id, SUM(tallies) AS tallies, SUM(contacts) AS contacts, SUM(direct) AS direct,
         SUM(engaged) AS engaged, {_OUTCOME_SUMS}
    FROM met GROUP BY action_id),
latest AS (
  SELECT id FROM allervers_actions WHERE association_id = :association
   ORDER BY starts_at DESC, id DESC LIMIT {ACTIONS_SHOWN + 1})
SELECT 'a' AS kind, a.place AS label, a.id, a.starts_at, {_ACTION_SUMS}
  FROM latest l JOIN allervers_actions a ON a.id = l.id LEFT JOIN per_action m ON m.action_id = a.id
UNION ALL
SELECT 'p', a.place_kind, NULL, NULL, {_SUMS}
  FROM per_action m JOIN allervers_actions a ON a.id = m.action_id GROUP BY a.place_kind
UNION ALL
SELECT 'n', n.name, NULL, NULL, {_SUMS}
  FROM per_action m JOIN allervers_actions a ON a.id = m.action_id
  LEFT JOIN neighbourhoods n ON n.id = a.neighbourhood_id GROUP BY n.name"""  # noqa: S608
FUNNEL = """<!doctype html><h1>Entonnoir</h1>
{% macro table(rows, first) %}<table>{% for r in rows %}<tr>
<th scope="row" data-label="{{ first }}">{{ r.label }}</th>
<td data-label="Rencontrées">{{ r.reached }}</td>
<td data-label="Identifiées">{{ r.contacts }} <span>({{ r.rates[0] }})</span></td>
<td data-label="Accompagnées">{{ r.engaged }} <span>({{ r.rates[1] }})</span></td>
<td data-label="Sorties">{{ r.exited }} <span>({{ r.rates[2] }})</span></td></tr>{% endfor %}</table>
{% endmacro %}{{ table([total], "Actions") }}
<p>Comptées : {{ total.tallies }} ; identifiées sans avoir été comptées : {{ total.direct }}.</p>
{% if total.exited %}<dl>{% for outcome, label in outcomes %}<dt>{{ label }}</dt>\
<dd>{{ total[outcome] }}</dd>\
{% endfor %}</dl>{% endif %}
{{ table(places, "Type de lieu") }}{{ table(neighbourhoods, "Quartier") }}{{ table(actions, "Action") }}
{% if capped %}<p>Les {{ shown }} actions les plus récentes</p>{% endif %}
"""


def _rate(part: int, whole: int) -> str:
    """« 42 % », « 12,5 % » (tenths rounded half to even, in exact fractions); « — » for
    nothing to divide."""
    if whole <= 0:
        return "—"
    if 100 * part % whole == 0:
        return f"{100 * part // whole}\u00a0%"
    tenths = round(Fraction(1000 * part, whole))
    return f"{tenths // 10},{tenths % 10}\u00a0%"


def _line(label: str, row: Any) -> dict[str, Any]:
    line = {name: int(getattr(row, name) or 0) for name in MEASURES}
    return _rated(label, line)


def _rated(label: str, line: dict[str, Any]) -> dict[str, Any]:
    line["label"] = label
    line["reached"] = line["tallies"] + line["direct"]
    line["exited"] = sum(line[o] for o, _ in OUTCOMES)
    line["rates"] = [_rate(line["contacts"], line["reached"]), _rate(line["engaged"], line["contacts"]),
                     _rate(line["exited"], line["engaged"])]
    return line


def _funnel(found: list[Any]) -> dict[str, Any]:
    order = list(PLACE_LABELS)
    places = sorted((r for r in found if r.kind == "p"), key=lambda r: order.index(r.label))
    hoods = sorted(((r.label or NO_NEIGHBOURHOOD, r) for r in found if r.kind == "n"),
                   key=lambda pair: (pair[0] == NO_NEIGHBOURHOOD, pair[0].casefold()))
    actions = sorted((r for r in found if r.kind == "a"), key=lambda r: (r.starts_at, r.id), reverse=True)
    total = dict.fromkeys(MEASURES, 0)
    lines = [_line(PLACE_LABELS[r.label], r) for r in places]
    for line in lines:
        for name in total:
            total[name] += line[name]
    return {"total": _rated("Total", total), "places": lines, "outcomes": OUTCOMES,
            "neighbourhoods": [_line(label, r) for label, r in hoods],
            "actions": [_line(f"{_day(r.starts_at)} — {r.label}", r) for r in actions[:ACTIONS_SHOWN]],
            "capped": len(actions) > ACTIONS_SHOWN, "shown": ACTIONS_SHOWN}


def funnel_routes(app: Flask, rows: Callable[..., list[Any]]) -> None:
    template = app.jinja_env.from_string(FUNNEL)

    @app.get("/<int:association>/entonnoir")
    def funnel(association: int) -> str:
        return template.render(_funnel(rows(FUNNEL_QUERY, association=association)))


# --- the parts ------------------------------------------------------------------------------

REFERRALS_SHOWN = re.compile(r"role=\"status\">(\d+) orientations?<|Page (\d+) sur (\d+)|"
                             r"data-label=\"Envoyée le\"><a href=\"[^\"]*/orientations/(\d+)\">([^<]*)<|"
                             r"data-label=\"(Personne|Partenaire|Référent·e)\">([^<]*)<|"
                             r"data-label=\"Statut\">\s*<span[^>]*>([^<]*)</span>\s*([^<]*)<")
FUNNEL_SHOWN = re.compile(r"<th scope=\"row\" data-label=\"([^\"]*)\">([^<]*)</th>|"
                          r"data-label=\"(Rencontrées|Identifiées|Accompagnées|Sorties)\">([^<]*)"
                          r"(?:<span[^>]*>\(([^)<]*)\)</span>)?|"
                          r"Comptées : (\d+) ; identifiées sans avoir été comptées : (\d+)|"
                          r"<dt>([^<]*)</dt><dd>(\d+)</dd>|(Les \d+ actions les plus récentes)")


def referrals_cases(plan: data.Plan, _args: argparse.Namespace) -> list[Case]:
    return [Case(f"referrals list (page 1 of {plan.counts['referrals']:,})",
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
                                                                starts_at=UTCDateTime()), params).all()

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


# The funnel's first statement (plugins/allervers/funnel.py, the tallies counted per place
# kind) as the page sends it, and with the tallies' association given too: on SQLite, without
# it the planner scans every tally of the index (association_id, action_id) once per action.
WHAT_IF = """SELECT a.place_kind, count(t.id) FROM allervers_tallies t
  JOIN allervers_actions a ON a.id = t.action_id{}
 WHERE a.association_id = :association GROUP BY a.place_kind"""
WHAT_IF_JOIN = " AND t.association_id = a.association_id"


def what_if(app: Flask, plan: data.Plan, runs: int = 7) -> list[tuple[str, float]]:
    """The median time of the funnel's slowest statement on SQLite, as written and with the
    tallies' association in the join."""
    found = []
    with get_database(app).engine.connect() as connection:
        for label, extra in (("as the page sends it", ""), ("with" + WHAT_IF_JOIN, WHAT_IF_JOIN)):
            times = []
            for _ in range(runs):
                started = time.perf_counter_ns()
                connection.execute(text(WHAT_IF.format(extra)), {"association": plan.association_id}).all()
                times.append(time.perf_counter_ns() - started)
            found.append((label, median_ms(times)))
    return found


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
    if any(c.url.endswith("/entonnoir") for c in measured):
        print("\nWhat if: the funnel's tallies per place kind (the first of its grouped statements), "
              "alone, median of 7:")
        for label, ms in what_if(app, plan):
            print(f"- {label}: {ms:.1f} ms")


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
