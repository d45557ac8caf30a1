"""No input answers 500: every route of the app (core and plugins), driven with generated
values, as each role that can reach it.

The routes come from the app's URL map; their arguments from the permission matrix's world
(real ids) or generated (zero, negative, beyond 64 bits). The query-string parameters of a
page are those its GET forms and links use, plus the ones the views are known to read; the
fields of a POST route are those of the forms that post to it on the pages the role sees.
Each request must answer under 500, raise nothing, and a 422 must say what is wrong in French.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter, Rule
from werkzeug.routing.converters import NumberConverter

from tests import test_permissions_matrix
from tests.support import csrf_token, login
from tests.test_permissions_matrix import EMAILS, MATRIX, MatrixWorld

# The matrix's world: a record of each kind, the route arguments it gives are real.
matrix_world = test_permissions_matrix.matrix_world

# Per route and role: enough to meet each edge value a few times across the roles (the edges
# are drawn first by each shape's strategy), within a minute a database: the routes grew to
# nearly 300, and the sweep was CI's longest test.
EXAMPLES = 10
ROLES = ["volunteer_a", "coordinator_a", "collective_admin"]
# What the views read from query strings, besides what their pages' forms and links show.
KNOWN_PARAMETERS = ("jour", "mois", "semaine", "page", "association", "quartier", "q", "type",
                    "frein", "statut", "personne", "role", "inactives", "places", "next")
# Ending the session or erasing people would leave the following requests nothing to reach.
SKIPPED = {"auth.logout", "members.person_erase", "static"}

HUGE = [str(2**31 - 1), str(2**31), str(2**63 - 1), str(2**63), str(2**64), "9" * 30, "-" + "9" * 30]
EDGES = [
    "", " ", "\x00", "a\x00b", "0", "-1", "1", *HUGE, "1.5", "1e400", "abc", "é", "🙂", "x" * 5000,
    "0001-01-01", "0001-01-02", "9999-12-31", "9999-12-25", "0000-00-00", "2026-02-31",
    "31/02/2026", "30/06/2026", "01/01/0001", "31/12/9999", "0001-01", "9999-12", "2026-13",
    "0001-W01", "9999-W52", "0001-01-01T00:00", "9999-12-31T23:59", "2026-06-30T25:00",
    "00:00", "23:59", "24:00", "99:99", "2026-06-30",
]
values = st.one_of(
    st.sampled_from(EDGES),
    st.integers().map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%d/%m/") + f"{d.year:04d}"),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M") if d.year >= 1000 else "0999-01-01T00:00"),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
)
DAYS = ["0001-01-01", "0001-01-02", "9999-12-31", "9999-12-25", "1899-12-31", "3000-01-01",
        "2026-02-31", "31/02/2026", "30/06/2026", "01/01/0001", "31/12/9999"]
MOMENTS = ["0001-01-01T00:00", "0001-01-01T01:00", "9999-12-31T23:59", "9999-12-31T00:00",
           "2026-06-30T25:00", "30/06/2026 14:00", "2026-03-29T02:30"]
MONTHS = ["0001-01", "9999-12", "0000-01", "2026-13", "2026-00", "10000-01", "-1-01"]
NUMBERS = [*HUGE, "0", "-1", "1", "00", "+1", "1_000"]
# What a parameter holds, told by its name (query strings) or by the value the page put in it.
SHAPES = {
    "day": st.one_of(st.sampled_from(DAYS), st.dates().map(lambda d: d.isoformat()), values),
    "moment": st.one_of(st.sampled_from(MOMENTS), values),
    "month": st.one_of(st.sampled_from(MONTHS), values),
    "number": st.one_of(st.sampled_from(NUMBERS), st.integers().map(str), values),
    "text": values,
}
NAMED = {"jour": "day", "semaine": "day", "mois": "month", "page": "number", "association": "number",
         "quartier": "number", "personne": "number"}


EDGES_OF = {"day": DAYS, "moment": MOMENTS, "month": MONTHS, "number": NUMBERS}


def _shape(name: str, default: str) -> str:
    if name in NAMED:
        return NAMED[name]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", default):
        return "day"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", default):
        return "moment"
    if re.fullmatch(r"-?\d+", default) or name.endswith("_id") or name.startswith("presence-"):
        return "number"
    return "text"


route_numbers = st.one_of(st.sampled_from([0, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30]),
                          st.integers(min_value=0))


class _Forms(HTMLParser):
    """The forms of a page (method, action, fields with their values) and its links."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self.links: list[str] = []
        self._current: tuple[str, str, dict[str, str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(html.unescape(a["href"]))
        elif tag == "form":
            self._current = (a.get("method", "get").lower(), html.unescape(a.get("action", "")), {})
            self.forms.append(self._current)
        elif self._current is not None and tag in {"input", "textarea", "select", "button"}:
            name = a.get("name")
            if not name or name == "csrf_token":
                return
            fields = self._current[2]
            if tag == "input" and a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                fields.setdefault(name, "")
                return
            fields[name] = a.get("value", "") if tag != "select" else fields.get(name, "")
            self._select = name if tag == "select" else None
        elif tag == "option" and self._current is not None and self._select:
            fields = self._current[2]
            if "selected" in a or not fields[self._select]:
                fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


@dataclass
class Target:
    """A route and what can be sent to it."""

    rule: Rule
    method: str
    real_args: list[dict[str, Any]] = field(default_factory=list)
    parameters: set[str] = field(default_factory=set)  # query string (GET) or form fields (POST)
    seen: set[str] = field(default_factory=set)  # those the pages show (forms, links)
    defaults: dict[str, str] = field(default_factory=dict)  # a form as the page fills it

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule.endpoint}"


def _match(adapter: MapAdapter, url: str, method: str) -> tuple[Rule, dict[str, Any]] | None:
    try:
        rule, args = adapter.match(urlsplit(url).path, method=method, return_rule=True)
    except HTTPException:
        return None
    return rule, args


def _targets(app: Flask, client: FlaskClient, w: MatrixWorld) -> list[Target]:
    """Every route with real arguments (from the matrix) and what its pages show it is sent."""
    adapter = app.url_map.bind("localhost")
    targets: dict[tuple[str, str], Target] = {}
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if rule.endpoint not in SKIPPED:
                targets[rule.endpoint, method] = Target(rule, method)
    for case in MATRIX:
        found = _match(adapter, case.url(w), case.method)
        target = found and targets.get((found[0].endpoint, case.method))
        if target:
            target.real_args.append(found[1])
            target.seen |= set(case.form(w)) if case.method == "POST" else set()
    for target in [t for t in targets.values() if t.method == "GET"]:
        target.parameters |= set(KNOWN_PARAMETERS)
        for args in target.real_args:
            page = client.get(adapter.build(target.rule.endpoint, args))
            if page.status_code != 200 or "html" not in page.content_type:
                continue
            parser = _Forms()
            parser.feed(page.get_data(as_text=True))
            for method, action, fields in parser.forms:
                found = _match(adapter, action or page.request.path, method.upper())
                other = found and targets.get((found[0].endpoint, method.upper()))
                if other:
                    other.seen |= set(fields)
                    other.defaults = {**fields, **other.defaults}
            for link in parser.links:
                found = _match(adapter, link, "GET")
                other = found and targets.get((found[0].endpoint, "GET"))
                if other:
                    other.seen |= {k for k, _ in parse_qsl(urlsplit(link).query)}
    for target in targets.values():
        target.parameters |= target.seen
    return [t for t in targets.values() if t.real_args or t.rule.arguments]


def _url(adapter: MapAdapter, target: Target, data: st.DataObject) -> str:
    args = dict(data.draw(st.sampled_from(target.real_args))) if target.real_args else {}
    for name in sorted(target.rule.arguments):
        converter = target.rule._converters.get(name)
        numeric = isinstance(converter, NumberConverter)
        if name not in args or data.draw(st.integers(0, 3)) == 0:
            args[name] = data.draw(route_numbers) if numeric else data.draw(
                st.one_of(st.sampled_from(["x", "0", *HUGE]), st.text(min_size=1, max_size=20)))
    return adapter.build(target.rule.endpoint, args)


def _problem(target: Target, url: str, sent: dict[str, str], response: Any) -> str | None:
    status = response.status_code
    where = f"{target.name} {url} {sent!r}"[:600]
    if status >= 500:
        return f"{status} {where}"
    if status == 422:
        body = response.get_data(as_text=True)
        if not re.search(r'class="(field-error|flash flash--error)"', body):
            return f"422 without a message: {where}"
    return None


def _drive(app: Flask, client: FlaskClient, target: Target, problems: list[str],
           examples: int) -> None:
    adapter = app.url_map.bind("localhost")
    token = csrf_token(client) if target.method == "POST" else ""
    shapes = {p: _shape(p, target.defaults.get(p, "")) for p in sorted(target.parameters)}
    generated = st.fixed_dictionaries({}, optional={p: SHAPES[s] for p, s in shapes.items()})

    def send(url: str, sent: dict[str, str]) -> None:
        try:
            if target.method == "GET":
                response = client.get(url + ("?" + urlencode(sent) if sent else ""))
            else:
                form = {**target.defaults, **sent, "csrf_token": token}
                response = client.open(url, method=target.method, data=form)
        except Exception as error:  # in tests the app lets exceptions through: each is a 500
            first_line = str(error).splitlines()[0][:200]
            problems.append(f"{type(error).__name__}: {first_line} at {target.name} {url} {sent!r}"[:600])
            return
        found = _problem(target, url, sent, response)
        if found:
            problems.append(found)

    # Each edge value alone in each field the pages show, the others as the page fills them:
    # random draws seldom put exactly 9999-12-31 in exactly one field.
    for args in target.real_args[:1]:
        url = adapter.build(target.rule.endpoint, args)
        for name in sorted(target.seen):
            for edge in EDGES_OF.get(shapes[name], []):
                send(url, {name: edge})

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], print_blob=False,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data(), sent=generated)
    def run(data: st.DataObject, sent: dict[str, str]) -> None:
        send(_url(adapter, target, data), sent)

    run()


def _summary(problems: list[str]) -> Iterator[str]:
    """One line per route and kind of failure, with how many requests failed so."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for problem in problems:
        key = re.sub(r" (/\S*) .*", "", problem)[:200]
        grouped[key].append(problem)
    for _key, group in sorted(grouped.items()):
        yield f"{len(group)} x {group[0]}"


@pytest.mark.parametrize("role", ROLES)
def test_no_input_answers_500(app: Flask, matrix_world: MatrixWorld, role: str) -> None:
    client = app.test_client()
    login(client, EMAILS[role])
    problems: list[str] = []
    for target in _targets(app, client, matrix_world):
        _drive(app, client, target, problems, examples=EXAMPLES)
    assert problems == [], f"{len(problems)} requests failed:\n" + "\n".join(_summary(problems))
