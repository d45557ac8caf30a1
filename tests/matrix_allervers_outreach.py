"""Aller-vers' outreach records, for the route × role matrix and the plugin's tests: an
upcoming action of Alpha with a tally and an identified contact, and Bêta's (written
directly: the plugin is enabled for Alpha only). Volunteers see the actions and record
tallies and contacts; only coordinators create, edit and delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.agenda.clock import paris_today
from core.database import session
from core.pluginhost.activation import PluginActivation
from plugins.allervers.models_outreach import (
    AgeBand,
    Contact,
    Gender,
    OutreachAction,
    PlaceKind,
    Request,
    Tally,
)
from tests.conftest import World

LOGIN = 302
OPEN = (LOGIN, 200, 200, 200, 200)  # volunteers too (the collective admin is an admin everywhere)
TEAM_ONLY = (LOGIN, 403, 200, 200, 200)  # coordinators and up
NOT_FOUND = (LOGIN, 404, 404, 404, 404)  # another association's record
SAVED = (LOGIN, 303, 303, 303, 303)
TEAM_SAVES = (LOGIN, 403, 303, 303, 303)


def make_action(association_id: int, *, days: int = 0, kind: PlaceKind = PlaceKind.MARKET,
                place: str = "Marché de la place", neighbourhood_id: int | None = None) -> OutreachAction:
    start = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=days)
    action = OutreachAction(association_id=association_id, starts_at=start,
                            ends_at=start + timedelta(hours=2), place_kind=kind, place=place,
                            neighbourhood_id=neighbourhood_id, notes="")
    session.add(action)
    session.flush()
    return action


def make_tally(action: OutreachAction, **values: object) -> Tally:
    row = Tally(association_id=action.association_id, action_id=action.id,
                age_band=values.pop("age_band", AgeBand.FROM_18_TO_25),
                gender=values.pop("gender", Gender.NOT_STATED),
                request=values.pop("request", Request.JOB), recorded_at=datetime.now(UTC), **values)
    session.add(row)
    session.flush()
    return row


def make_contact(action: OutreachAction, name: str = "Yanis", *, tally: Tally | None = None,
                 person_id: int | None = None) -> Contact:
    row = Contact(association_id=action.association_id, action_id=action.id,
                  tally_id=tally.id if tally else None, name=name, reach="06 12 34 56 78",
                  age_at_first_contact=19, consent_on=paris_today(),
                  consent_explained="Pourquoi, qui le voit, effacement possible.",
                  person_id=person_id, engaged_on=paris_today() if person_id else None)
    session.add(row)
    session.flush()
    return row


def records(world: World) -> dict[str, int]:
    """Enables the plugin for Alpha; an action, a tally and a contact in each association."""
    session.add(PluginActivation(plugin="allervers", association_id=world.asso_a.id))
    ids: dict[str, int] = {}
    for suffix, association in (("a", world.asso_a), ("b", world.asso_b)):
        action = make_action(association.id)
        tally = make_tally(action)
        contact = make_contact(action, tally=tally)
        ids[f"action_{suffix}"], ids[f"tally_{suffix}"], ids[f"contact_{suffix}"] = (
            action.id, tally.id, contact.id)
    return ids


def valid_action() -> dict[str, str]:
    day = paris_today() - timedelta(days=2)  # past: contacts can then be recorded on it
    return {"starts_at": f"{day.isoformat()}T14:00", "ends_at": f"{day.isoformat()}T16:00",
            "place_kind": "street", "place": "Parvis de la gare", "neighbourhood_id": "",
            "notes": ""}


VALID_TALLY = {"age_band": "18_25", "gender": "woman", "situations": "neet", "request": "job"}


def valid_contact() -> dict[str, str]:
    return {"name": "Inès", "reach": "06 00 00 00 00", "age_at_first_contact": "20",
            "consent": "y", "consent_explained": "Pourquoi on garde son prénom, qui le voit.",
            "consent_on": paris_today().isoformat()}


Row = tuple[str, str, tuple[int, int, int, int, int], str, dict[str, Any], str]
UNKNOWN = 999999
OTHER = (LOGIN, 403, 404, 404, 404)  # a coordinators' page on another association's record
FORM = (LOGIN, 422, 422, 422, 422)
TEAM_FORM = (LOGIN, 403, 422, 422, 422)
NOT_ENABLED = (LOGIN, 404, 404, 404, 404)

GETS: list[Row] = [
    ("allervers.index", "/p/allervers/", OPEN, "GET", {}, ""),
    ("allervers.home", "", OPEN, "GET", {}, ""),
    ("allervers.home", "beta:", NOT_ENABLED, "GET", {}, "Bêta, not enabled"),
    ("allervers.static", "/p/allervers/static/allervers.css", OPEN, "GET", {}, ""),
    ("allervers.actions", "actions/", OPEN, "GET", {}, ""),
    ("allervers.action_detail", "actions/{action_a}", OPEN, "GET", {}, ""),
    ("allervers.action_detail", "actions/{action_b}", NOT_FOUND, "GET", {}, "Bêta's"),
    ("allervers.action_detail", "beta:actions/{action_b}", NOT_ENABLED, "GET", {}, "at Bêta's address"),
    ("allervers.action_new", "actions/nouvelle", TEAM_ONLY, "GET", {}, ""),
    ("allervers.action_edit", "actions/{action_a}/modifier", TEAM_ONLY, "GET", {}, ""),
    ("allervers.action_edit", "actions/{action_b}/modifier", OTHER, "GET", {}, "Bêta's"),
    ("allervers.tally", "actions/{action_a}/comptage", OPEN, "GET", {}, ""),
    ("allervers.tally", "actions/{action_b}/comptage", NOT_FOUND, "GET", {}, "Bêta's"),
    ("allervers.action_contacts", "actions/{action_a}/contacts", OPEN, "GET", {}, ""),
    ("allervers.action_contacts", "actions/{action_b}/contacts", NOT_FOUND, "GET", {}, "Bêta's"),
    ("allervers.contact_new", "actions/{action_a}/contacts/nouveau", OPEN, "GET", {}, ""),
    ("allervers.contact_new", "actions/{action_b}/contacts/nouveau", NOT_FOUND, "GET", {}, "Bêta's"),
    ("allervers.contact_detail", "contacts/{contact_a}", OPEN, "GET", {}, ""),
    ("allervers.contact_detail", "contacts/{contact_b}", NOT_FOUND, "GET", {}, "Bêta's"),
    ("allervers.contact_detail", f"contacts/{UNKNOWN}", NOT_FOUND, "GET", {}, "unknown"),
    ("allervers.contact_edit", "contacts/{contact_a}/modifier", TEAM_ONLY, "GET", {}, ""),
    ("allervers.contact_edit", "contacts/{contact_b}/modifier", OTHER, "GET", {}, "Bêta's"),
    ("allervers.funnel", "entonnoir", TEAM_ONLY, "GET", {}, ""),
    ("allervers.funnel", "entonnoir?du=n'importe&lieu=lune&quartier=x", TEAM_ONLY, "GET", {}, "bad filters"),
]

POSTS: list[Row] = [
    ("allervers.action_new", "actions/nouvelle", TEAM_FORM, "POST", {}, ""),
    ("allervers.action_new", "actions/nouvelle", TEAM_SAVES, "POST", valid_action(), "valid"),
    ("allervers.action_edit", "actions/{action_a}/modifier", TEAM_SAVES, "POST", valid_action(), ""),
    ("allervers.action_edit", "actions/{action_b}/modifier", OTHER, "POST", valid_action(), "Bêta's"),
    ("allervers.tally", "actions/{action_a}/comptage", SAVED, "POST", VALID_TALLY, ""),
    ("allervers.tally", "actions/{action_a}/comptage", FORM, "POST", {"age_band": "99_ans"}, "bad band"),
    ("allervers.tally", "actions/{action_b}/comptage", NOT_FOUND, "POST", VALID_TALLY, "Bêta's"),
    ("allervers.tally_undo", "actions/{action_a}/comptage/annuler", SAVED, "POST", {}, ""),
    ("allervers.tally_undo", "actions/{action_b}/comptage/annuler", NOT_FOUND, "POST", {}, "Bêta's"),
    ("allervers.contact_new", "actions/{action_a}/contacts/nouveau", SAVED, "POST", valid_contact(), ""),
    ("allervers.contact_new", "actions/{action_a}/contacts/nouveau", FORM, "POST",
     {**valid_contact(), "consent": ""}, "without consent"),
    ("allervers.contact_new", "actions/{action_b}/contacts/nouveau", NOT_FOUND, "POST", valid_contact(),
     "Bêta's"),
    ("allervers.contact_edit", "contacts/{contact_a}/modifier", TEAM_SAVES, "POST",
     {"name": "Inès", "reach": "06 11 22 33 44"}, ""),
    ("allervers.contact_edit", "contacts/{contact_b}/modifier", OTHER, "POST", {"name": "X", "reach": "Y"},
     "Bêta's"),
]

DESTRUCTIVE: list[Row] = [
    ("allervers.contact_delete", "contacts/{contact_b}/supprimer", OTHER, "POST", {}, "Bêta's"),
    ("allervers.contact_delete", "contacts/{contact_a}/supprimer", TEAM_SAVES, "POST", {}, ""),
    ("allervers.action_delete", "actions/{action_b}/supprimer", OTHER, "POST", {}, "Bêta's"),
    ("allervers.action_delete", "actions/{action_a}/supprimer", TEAM_SAVES, "POST", {}, ""),
]


def url(path: str, ids: dict[str, int]) -> str:
    """``beta:`` puts the path under Bêta's address; an absolute path stays as it is."""
    if path.startswith("/"):
        return path
    association, _, rest = path.rpartition(":")
    return f"/p/allervers/{association or 'alpha'}/{rest.format_map(ids)}"
