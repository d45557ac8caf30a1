"""Template globals, filters and the navigation of the core."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import BuildError

from core.auth.permissions import Level, has_level
from core.database import session
from core.members.collective import Collective
from core.pluginhost.host import get_host
from core.web import plurals
from core.web.contact_links import mailto, tel
from core.web.dates import format_date, format_datetime
from core.web.numbers import format_number
from core.web.reading import id_urls

logger = logging.getLogger("maillage.plugins")


@dataclass(frozen=True)
class CoreLink:
    label: str
    endpoint: str
    level: Level


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool
    endpoint: str


NAVIGATION = [
    CoreLink("Accueil", "members.dashboard", Level.AUTHENTICATED),
    CoreLink("Agenda", "agenda.upcoming", Level.AUTHENTICATED),
    CoreLink("Associations", "members.association_list", Level.MEMBER),
    CoreLink("Personnes", "members.person_list", Level.MANAGER),
    CoreLink("Partenaires", "partners.partner_list", Level.MEMBER),
    CoreLink("Quartiers", "members.neighbourhood_list", Level.MEMBER),
    CoreLink("Administration", "members.collective_admin_list", Level.COLLECTIVE_ADMIN),
    CoreLink("Modules", "plugin_admin.collective_plugins", Level.COLLECTIVE_ADMIN),
]


def _is_current(endpoint: str) -> bool:
    # "members.person_list" is current on every "members.person_*" page.
    prefix = endpoint.rsplit("_", 1)[0]
    return bool(request.endpoint) and request.endpoint.startswith(prefix)


def _navigation() -> list[Link]:
    if "_maillage_navigation" not in g:  # the layout and the dashboard both show it
        g._maillage_navigation = _build_navigation()
    return g._maillage_navigation


def _build_navigation() -> list[Link]:
    links = [
        Link(entry.label, url_for(entry.endpoint), _is_current(entry.endpoint), entry.endpoint)
        for entry in NAVIGATION
        if has_level(entry.level)
    ]
    if not current_user.is_authenticated:
        return links
    for plugin, entry in get_host().navigation():
        try:
            url = url_for(entry.endpoint, **entry.values)
        except BuildError:
            logger.exception("plugin %s: navigation entry to unknown page %s", plugin, entry.endpoint)
            if current_app.config["PLUGINS_STRICT"]:
                raise
            continue
        current = bool(request.endpoint) and request.endpoint.split(".")[0] == plugin
        links.append(Link(entry.label, url, current, entry.endpoint))
    return links


def _collective_name() -> str:
    if "_maillage_collective_name" not in g:  # the layout shows it twice
        name = session.scalar(select(Collective.name).order_by(Collective.id).limit(1))
        g._maillage_collective_name = name or "Maillage"
    return g._maillage_collective_name


def _context() -> dict[str, Any]:
    # Callables, evaluated only by the templates that use them.
    return {"navigation": _navigation, "collective_name": _collective_name,
            "has_level": lambda name: has_level(Level(name))}


def init_app(app: Flask) -> None:
    plurals.init_app(app)
    app.context_processor(_context)
    app.jinja_env.filters["date_fr"] = format_date
    app.jinja_env.filters["datetime_fr"] = format_datetime
    # Any CLDR pattern, e.g. {{ day | date("EEEE d MMMM") }}; datetimes are shown in Paris time.
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.globals["id_urls"] = id_urls
    app.jinja_env.filters["number"] = format_number  # {{ 1234.5 | number(2) }}: « 1 234,50 »
    app.jinja_env.filters["tel"] = tel
    app.jinja_env.filters["mailto"] = mailto
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
