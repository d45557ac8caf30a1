"""The route matrix of the testing kit: every route of a plugin, every role, the status.

A plugin's tests state, in one table, what each role gets from each of its routes; a route
of the plugin that no case covers fails the check, so a page cannot ship without someone
deciding who may see it. The core's own suite holds the same table for the core and the
built-in plugins (tests/test_permissions_matrix.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

from core.testing_client import csrf_token

# The people of ``maillage_users``, and a visitor who is not logged in.
MATRIX_ROLES = ("anonymous", "volunteer", "coordinator", "admin", "collective_admin")
_IGNORED_METHODS = {"HEAD", "OPTIONS"}


@dataclass(frozen=True)
class RouteCase:
    method: str
    url: str
    expected: Mapping[str, int]
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.method} {self.url}"


def as_case(case: tuple[Any, ...]) -> RouteCase:
    """``(method, url, {role: status})`` or ``(method, url, {role: status}, form data)``."""
    if not isinstance(case, tuple) or len(case) not in (3, 4):
        pytest.fail(f"route case {case!r}: write (method, url, {{role: status}}[, data])",
                    pytrace=False)
    return RouteCase(str(case[0]).upper(), *case[1:])


def plugin_routes(app: Flask, plugin: str) -> dict[tuple[str, str], str]:
    """(method, endpoint) -> rule of every route of the plugin's blueprint."""
    return {
        (method, rule.endpoint): rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(f"{plugin}.") and rule.endpoint != f"{plugin}.static"
        for method in (rule.methods or set()) - _IGNORED_METHODS
    }


def route_of(app: Flask, case: RouteCase) -> str | None:
    """The endpoint that answers the case's URL and method, as the app routes it."""
    path = case.url.split("?", 1)[0]
    try:
        endpoint, _ = app.url_map.bind("localhost").match(path, method=case.method)
    except HTTPException:  # no such page, wrong method, or a redirect to another address
        return None
    return str(endpoint)


def matrix_problems(app: Flask, plugin: str, cases: list[RouteCase]) -> list[str]:
    """Why the table cannot be trusted: routes it misses, cases no route answers, roles
    without an expected status. [] when it is complete."""
    problems = []
    covered = set()
    for case in cases:
        endpoint = route_of(app, case)
        if endpoint is None:
            problems.append(f"{case.name}: no route of the app answers it")
        covered.add((case.method, endpoint))
        missing = [role for role in MATRIX_ROLES if role not in case.expected]
        unknown = sorted(set(case.expected) - set(MATRIX_ROLES))
        if missing:
            problems.append(f"{case.name}: no expected status for {', '.join(missing)}")
        if unknown:
            problems.append(f"{case.name}: unknown role {', '.join(unknown)} "
                            f"(roles: {', '.join(MATRIX_ROLES)})")
    routes = plugin_routes(app, plugin)
    problems += [f"{method} {endpoint} ({rule}): no case gives its status per role"
                 for (method, endpoint), rule in sorted(routes.items())
                 if (method, endpoint) not in covered]
    return problems


def check_route_matrix(app: Flask, plugin: str, cases: list[tuple[Any, ...]], role: str,
                       client_of: Callable[[str], FlaskClient]) -> None:
    """Fail on an incomplete table, then on every case whose status for ``role`` (on the
    client ``client_of(role)`` gives) is not the expected one. Cases run in order, on the
    same data: put those that delete something last."""
    table = [as_case(case) for case in cases]
    problems = matrix_problems(app, plugin, table)
    if problems:
        pytest.fail(f"route matrix of {plugin}:\n" + "\n".join(problems), pytrace=False)
    client = client_of(role)
    failures = []
    for case in table:
        if case.method == "GET":
            response = client.get(case.url)
        else:
            response = client.open(case.url, method=case.method,
                                   data={**case.data, "csrf_token": csrf_token(client)})
        if response.status_code != case.expected[role]:
            failures.append(f"{case.name}: {response.status_code}, "
                            f"expected {case.expected[role]}")
    if failures:
        pytest.fail(f"route matrix of {plugin}, as {role}:\n" + "\n".join(failures),
                    pytrace=False)
