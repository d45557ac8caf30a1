"""Template globals, filters and the navigation of the core."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime
from sqlalchemy import select

from core.auth.permissions import Level, has_level
from core.database import session
from core.members.collective import Collective


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    level: Level

    @property
    def url(self) -> str:
        return url_for(self.endpoint)

    @property
    def current(self) -> bool:
        blueprint_prefix = self.endpoint.rsplit("_", 1)[0]
        return bool(request.endpoint) and request.endpoint.startswith(blueprint_prefix)


NAVIGATION = [
    NavEntry("Accueil", "members.dashboard", Level.AUTHENTICATED),
    NavEntry("Associations", "members.association_list", Level.MEMBER),
    NavEntry("Personnes", "members.person_list", Level.MANAGER),
    NavEntry("Partenaires", "partners.partner_list", Level.MEMBER),
    NavEntry("Quartiers", "members.neighbourhood_list", Level.MEMBER),
    NavEntry("Administration", "members.collective_admin_list", Level.COLLECTIVE_ADMIN),
]


def _navigation() -> list[NavEntry]:
    return [entry for entry in NAVIGATION if has_level(entry.level)]


def _collective_name() -> str:
    name = session.scalar(select(Collective.name).order_by(Collective.id).limit(1))
    return name or "Maillage"


def _context() -> dict[str, Any]:
    return {"navigation": _navigation, "collective_name": _collective_name}


def init_app(app: Flask) -> None:
    app.context_processor(_context)
    app.jinja_env.filters["date_fr"] = lambda value: format_date(value, "d MMMM yyyy") if value else ""
    app.jinja_env.filters["datetime_fr"] = (
        lambda value: format_datetime(value, "d MMMM yyyy 'à' HH:mm") if value else ""
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
