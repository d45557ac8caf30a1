"""Aller-vers' pathway rows of the route × role matrix (tests/test_permissions_matrix.py).

The plugin is enabled for Alpha only; each association has an identified contact (not yet
engaged) and a pathway (Bêta's written as the plugin would have, before Bêta turned it off).
Every pathway page is the coordinators': volunteers get 403, another association's records
404. Rows are ``(endpoint, path, expected, method, data, label)``; ``path`` is formatted
with the records' ids (``{pathway_a}``…) and put under ``/p/allervers/<association>/``.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from core.agenda.clock import paris_today
from core.database import session
from core.plugin_api import paris_to_utc
from core.pluginhost.activation import PluginActivation
from plugins.allervers.models_outreach import Contact, OutreachAction, PlaceKind
from plugins.allervers.pathways import start_pathway
from tests.conftest import World

LOGIN = 302
TEAM = (LOGIN, 403, 200, 200, 200)  # coordinators and up (the collective admin too)
OTHER = (LOGIN, 403, 404, 404, 404)  # another association's record, or none
FORM = (LOGIN, 403, 422, 422, 422)  # a form refused, nothing changed
DONE = (LOGIN, 403, 303, 303, 303)
UNKNOWN = 999999


def records(world: World) -> dict[str, int]:
    """Enables the plugin for Alpha (unless another part of the matrix did); a contact and a
    pathway in each association."""
    if session.scalar(select(PluginActivation.id).where(
            PluginActivation.plugin == "allervers",
            PluginActivation.association_id == world.asso_a.id)) is None:
        session.add(PluginActivation(plugin="allervers", association_id=world.asso_a.id))
    today = paris_today()
    ids: dict[str, int] = {}
    for suffix, association, person, referent in (
            ("a", world.asso_a, world.supported_a, world.coordinator_a),
            ("b", world.asso_b, world.supported_b, world.coordinator_b)):
        day = today - timedelta(days=10)
        action = OutreachAction(association_id=association.id, place_kind=PlaceKind.STREET,
                                place="Tournée de rue", neighbourhood_id=None, notes="",
                                starts_at=paris_to_utc(datetime.combine(day, time(17))),
                                ends_at=paris_to_utc(datetime.combine(day, time(19))))
        session.add(action)
        session.flush()
        contact = Contact(association_id=association.id, action_id=action.id, name="Lina",
                          reach="06 40 00 00 01", age_at_first_contact=18, consent_on=day,
                          consent_explained="Ce que l'association garde, et le droit de retrait.")
        session.add(contact)
        pathway = start_pathway(association.id, person.id, first_contact_on=day,
                                started_on=today - timedelta(days=5), first_stage="Aller vers",
                                today=today, referent_id=referent.id, age_at_first_contact=20)
        session.flush()
        ids[f"contact_{suffix}"], ids[f"pathway_{suffix}"] = contact.id, pathway.id
    return ids


def _today() -> str:
    return paris_today().isoformat()


def _engage() -> dict[str, Any]:
    return {"last_name": "Haddad", "first_name": "Lina", "email": "", "phone": "",
            "referent_id": lambda w: str(w.coordinator_a.id), "started_on": _today(),
            "stage_partner_id": "0"}


Row = tuple[str, str, tuple[int, int, int, int, int], str, dict[str, Any], str]

PAGES = ("etape-suivante", "freins", "actions/nouvelle", "referent", "sortie")
ENDPOINTS = dict(zip(PAGES, ("stage_next", "barrier_edit", "action_create", "referent_edit",
                             "exit_edit"), strict=True))

GETS: list[Row] = [
    ("allervers.pathway_list", "parcours/", TEAM, "GET", {}, ""),
    ("allervers.pathway_list", "parcours/?etat=tous&etape=Aller%20vers&referent=1", TEAM, "GET", {},
     "filtered"),
    ("allervers.pathway_list", "beta:parcours/", (LOGIN, 404, 404, 404, 404), "GET", {}, "Bêta, not enabled"),
    ("allervers.pathway_create", "parcours/nouveau", TEAM, "GET", {}, ""),
    ("allervers.pathway_detail", "parcours/{pathway_a}", TEAM, "GET", {}, ""),
    ("allervers.pathway_detail", "parcours/{pathway_b}", OTHER, "GET", {}, "Bêta's"),
    ("allervers.pathway_detail", f"parcours/{UNKNOWN}", OTHER, "GET", {}, "unknown"),
    *((f"allervers.{ENDPOINTS[page]}", f"parcours/{{pathway_a}}/{page}", TEAM, "GET", {}, "")
      for page in PAGES),
    *((f"allervers.{ENDPOINTS[page]}", f"parcours/{{pathway_b}}/{page}", OTHER, "GET", {}, "Bêta's")
      for page in PAGES),
    ("allervers.contact_engage", "contacts/{contact_a}/engager", TEAM, "GET", {}, ""),
    ("allervers.contact_engage", "contacts/{contact_b}/engager", OTHER, "GET", {}, "Bêta's"),
    ("allervers.contact_engage", f"contacts/{UNKNOWN}/engager", OTHER, "GET", {}, "unknown"),
]

POSTS: list[Row] = [
    ("allervers.pathway_create", "parcours/nouveau", FORM, "POST", {}, ""),
    ("allervers.contact_engage", "contacts/{contact_a}/engager", FORM, "POST", {}, ""),
    ("allervers.contact_engage", "contacts/{contact_b}/engager", OTHER, "POST", _engage(), "Bêta's"),
    ("allervers.contact_engage", "contacts/{contact_a}/engager", DONE, "POST", _engage(), "engaged"),
    *((f"allervers.{ENDPOINTS[page]}", f"parcours/{{pathway_a}}/{page}", FORM, "POST", {}, "empty")
      for page in PAGES),
    *((f"allervers.{ENDPOINTS[page]}", f"parcours/{{pathway_b}}/{page}", OTHER, "POST", {}, "Bêta's")
      for page in PAGES),
    ("allervers.stage_next", "parcours/{pathway_a}/etape-suivante", DONE, "POST",
     {"on": _today(), "partner_id": "0"}, "next stage"),
    ("allervers.barrier_edit", "parcours/{pathway_a}/freins", DONE, "POST",
     {"barrier": "housing", "status": "identified", "on": _today()}, "a barrier"),
    ("allervers.action_create", "parcours/{pathway_a}/actions/nouvelle", DONE, "POST",
     {"done_on": _today(), "description": "Atelier CV", "partner_id": "0", "service_id": "0"},
     "an action"),
    ("allervers.referent_edit", "parcours/{pathway_a}/referent", DONE, "POST",
     {"referent_id": lambda w: str(w.admin_a.id), "on": _today()}, "another referent"),
    ("allervers.exit_edit", "parcours/{pathway_a}/sortie", DONE, "POST",
     {"ended_on": _today(), "exit_outcome": "training", "exit_note": ""}, "the exit"),
]

DESTRUCTIVE: list[Row] = []


def url(path: str, ids: dict[str, int]) -> str:
    """``beta:`` puts the path under Bêta's address; an absolute path stays as it is."""
    if path.startswith("/"):
        return path
    association, _, rest = path.rpartition(":")
    return f"/p/allervers/{association or 'alpha'}/{rest.format_map(ids)}"


__all__ = ["DESTRUCTIVE", "GETS", "POSTS", "records", "url"]
