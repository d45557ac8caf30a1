"""Sites en transition's rows of the route × role matrix (tests/test_permissions_matrix.py).

The plugin is enabled for Alpha only; each association has a site with a lot, an allocation,
a photo (stored through the core's upload helper) and an owner (Bêta's written as the plugin
would have, before Bêta turned it off). Every page is the team's: volunteers get 403,
another association's records 404, as does Bêta's address.
Rows are ``(endpoint, path, expected, method, data, label)``; ``path`` is formatted with the
records' ids (``{lot_a}``…) and put under ``/p/sites/<association>/``.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from werkzeug.datastructures import FileStorage

from core.agenda.clock import paris_today
from core.database import session
from core.plugin_api import store_upload
from core.pluginhost.activation import PluginActivation
from plugins.sites.allocations import AllocationFields, save_allocation
from plugins.sites.forms_documents import DOCUMENT_KINDS, DOCUMENT_MAX
from plugins.sites.models import DocumentKind, Lot, LotKind, Owner, Site, SiteDocument
from plugins.sites.views.exports import TABLES
from tests import matrix_sites_rooms as rooms
from tests.conftest import World
from tests.matrix_sites_agreements import records_agreements
from tests.matrix_sites_calls import records_calls
from tests.matrix_sites_review import named_after, records_review

LOGIN = 302
TEAM = (LOGIN, 403, 200, 200, 200)
OTHER = (LOGIN, 403, 404, 404, 404)  # another association's record, or none
FORM = (LOGIN, 403, 422, 422, 422)  # a form refused, nothing changed
DONE = (LOGIN, 403, 303, 303, 303)
NOT_ENABLED = (LOGIN, 404, 404, 404, 404)
UNKNOWN = 999999
PUBLIC = (200, 200, 200, 200, 200)  # a public page: anyone, signed in or not
NOWHERE = (404, 404, 404, 404, 404)
PHOTO = (Path(__file__).parent / "data" / "uploads" / "python.png").read_bytes()


def records(world: World) -> dict[str, int]:
    session.add(PluginActivation(plugin="sites", association_id=world.asso_a.id))
    today = paris_today()
    ids = {}
    for suffix, association in (("a", world.asso_a), ("b", world.asso_b)):
        owner = Owner(association_id=association.id, name="Ville")
        session.add(owner)
        session.flush()
        site = Site(association_id=association.id, owner_id=owner.id, name="Friche", address="1 rue Haute",
                    total_area=Decimal(500), available_from=today - timedelta(days=365),
                    available_until=today + timedelta(days=3 * 365))
        session.add(site)
        session.flush()
        lot = Lot(association_id=association.id, site_id=site.id, code="A1", kind=LotKind.OFFICE,
                  area=Decimal(20), fee_per_m2=Decimal(8), charges=Decimal(20))
        session.add(lot)
        session.flush()
        allocation = save_allocation(site, lot, AllocationFields(
            occupant="Coopérative", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=60)))
        photo = FileStorage(io.BytesIO(PHOTO), "façade.png")
        document = SiteDocument(association_id=association.id, site_id=site.id, kind=DocumentKind.PHOTO,
                                file=store_upload(photo, plugin="sites", kinds=DOCUMENT_KINDS,
                                                  max_bytes=DOCUMENT_MAX))
        session.add(document)
        session.flush()
        ids |= {f"owner_{suffix}": owner.id, f"site_{suffix}": site.id, f"lot_{suffix}": lot.id,
                f"allocation_{suffix}": allocation.id, f"document_{suffix}": document.id}
    ids |= records_calls(world)
    ids |= records_review(world)
    ids |= rooms.records_rooms(world)
    ids |= records_agreements(world)
    return ids


def _day(offset: int) -> str:
    return (paris_today() + timedelta(days=offset)).isoformat()


def _site(**changes: str) -> dict[str, str]:
    return {"name": "Friche", "owner_id": "0", "address": "1 rue Haute", "neighbourhood_id": "0",
            "total_area": "500", "available_from": _day(-365), "available_until": _day(3 * 365), **changes}


def _id(name: str) -> Any:
    return lambda w: str(w.sites[name])


def _call(**changes: Any) -> dict[str, Any]:
    return {"site_id": _id("call_site_a"), "title": "Appel d'été", "opens_on": _day(1), "closes_on": _day(30),
            "lot_ids": _id("call_lot_a"), "published": "y", **changes}


def _application() -> dict[str, Any]:
    return {"organisation": "Recyclerie", "legal_form": "association", "field": "circular",
            "project": "Réparer.", "for_the_neighbourhood": "Ateliers.", "jobs": "2",
            "wish_1": _id("call_lot_a"), "contact_name": "Inès", "contact_email": "ines@exemple.org",
            "consent": "y"}


Row = tuple[str, str, tuple[int, int, int, int, int], str, dict[str, Any], str]

GETS: list[Row] = [
    ("sites.index", "/p/sites/", TEAM, "GET", {}, ""),
    ("sites.home", "", TEAM, "GET", {}, ""),
    ("sites.home", "beta:", NOT_ENABLED, "GET", {}, "Bêta, not enabled"),
    ("sites.owner_list", "proprietaires/", TEAM, "GET", {}, ""),
    ("sites.owner_create", "proprietaires/nouveau", TEAM, "GET", {}, ""),
    ("sites.owner_edit", "proprietaires/{owner_a}/modifier", TEAM, "GET", {}, ""),
    ("sites.owner_edit", "proprietaires/{owner_b}/modifier", OTHER, "GET", {}, "Bêta's"),
    ("sites.site_create", "sites/nouveau", TEAM, "GET", {}, ""),
    ("sites.site_detail", "sites/{site_a}", TEAM, "GET", {}, ""),
    ("sites.site_detail", "sites/{site_b}", OTHER, "GET", {}, "Bêta's"),
    ("sites.site_detail", f"sites/{UNKNOWN}", OTHER, "GET", {}, "unknown"),
    ("sites.site_detail", "beta:sites/{site_b}", NOT_ENABLED, "GET", {}, "Bêta's, at Bêta's address"),
    ("sites.site_edit", "sites/{site_a}/modifier", TEAM, "GET", {}, ""),
    ("sites.site_edit", "sites/{site_b}/modifier", OTHER, "GET", {}, "Bêta's"),
    ("sites.site_timeline", "sites/{site_a}/calendrier", TEAM, "GET", {}, ""),
    ("sites.site_timeline", "sites/{site_a}/calendrier?depuis=2030-02-10", TEAM, "GET", {}, "a later month"),
    ("sites.site_timeline", "sites/{site_b}/calendrier", OTHER, "GET", {}, "Bêta's"),
    ("sites.lot_create", "sites/{site_a}/lots/nouveau", TEAM, "GET", {}, ""),
    ("sites.lot_create", "sites/{site_b}/lots/nouveau", OTHER, "GET", {}, "Bêta's site"),
    ("sites.lot_edit", "lots/{lot_a}/modifier", TEAM, "GET", {}, ""),
    ("sites.lot_edit", "lots/{lot_b}/modifier", OTHER, "GET", {}, "Bêta's"),
    ("sites.allocation_create", "lots/{lot_a}/attributions/nouvelle", TEAM, "GET", {}, ""),
    ("sites.allocation_create", "lots/{lot_b}/attributions/nouvelle", OTHER, "GET", {}, "Bêta's lot"),
    ("sites.allocation_edit", "attributions/{allocation_a}/modifier", TEAM, "GET", {}, ""),
    ("sites.allocation_edit", "attributions/{allocation_b}/modifier", OTHER, "GET", {}, "Bêta's"),
    *(("sites.download", f"sites/{{site_a}}/telecharger/{table}.{format}", TEAM, "GET", {},
       f"{table}.{format}") for table in TABLES for format in ("csv", "xlsx")),
    ("sites.document_file", "documents/{document_a}", TEAM, "GET", {}, ""),
    ("sites.document_file", "documents/{document_b}", OTHER, "GET", {}, "Bêta's"),
    ("sites.document_file", f"documents/{UNKNOWN}", OTHER, "GET", {}, "unknown"),
    ("sites.document_file", "beta:documents/{document_b}", NOT_ENABLED, "GET", {},
     "Bêta's, at Bêta's address"),
    ("sites.download", "sites/{site_b}/telecharger/lots.csv", OTHER, "GET", {}, "Bêta's site"),
    ("sites.download", "sites/{site_a}/telecharger/inconnue.csv", OTHER, "GET", {}, "unknown table"),
    ("sites.download", "sites/{site_a}/telecharger/lots.pdf", OTHER, "GET", {}, "unknown format"),
    ("sites.call_download", "appels/{review_call_a}/telecharger/candidatures.csv", TEAM, "GET", {}, ""),
    ("sites.call_download", "appels/{review_call_a}/telecharger/candidatures.xlsx", TEAM, "GET", {}, ""),
    ("sites.call_download", "appels/{review_call_a}/telecharger/candidatures.pdf", OTHER, "GET", {},
     "unknown format"),
    ("sites.call_download", "appels/{review_call_b}/telecharger/candidatures.csv", OTHER, "GET", {},
     "Bêta's"),
    # Calls for applications: the team's pages, then the public ones (tests/matrix_sites_calls.py).
    ("sites.call_list", "appels/", TEAM, "GET", {}, ""),
    ("sites.call_create", "appels/nouveau", TEAM, "GET", {}, ""),
    ("sites.call_create", "appels/nouveau?site=abc", TEAM, "GET", {}, "a bad site asked for"),
    ("sites.call_detail", "appels/{call_a}", TEAM, "GET", {}, ""),
    ("sites.call_detail", "appels/{draft_a}", TEAM, "GET", {}, "a draft"),
    ("sites.call_detail", "appels/{call_b}", OTHER, "GET", {}, "Bêta's"),
    ("sites.call_detail", "beta:appels/{call_b}", NOT_ENABLED, "GET", {}, "Bêta's, at Bêta's address"),
    ("sites.call_edit", "appels/{call_a}/modifier", TEAM, "GET", {}, ""),
    ("sites.call_edit", "appels/{call_b}/modifier", OTHER, "GET", {}, "Bêta's"),
    ("sites.criterion_create", "appels/{call_a}/criteres/nouveau", TEAM, "GET", {}, ""),
    ("sites.criterion_create", "appels/{call_b}/criteres/nouveau", OTHER, "GET", {}, "Bêta's call"),
    ("sites.criterion_edit", "criteres/{criterion_a}/modifier", TEAM, "GET", {}, ""),
    ("sites.criterion_edit", "criteres/{criterion_b}/modifier", OTHER, "GET", {}, "Bêta's"),
    ("sites.criterion_edit", f"criteres/{UNKNOWN}/modifier", OTHER, "GET", {}, "unknown"),
    ("sites.attachment_file", "pieces/{attachment_a}", TEAM, "GET", {}, ""),
    ("sites.attachment_file", "pieces/{attachment_b}", OTHER, "GET", {}, "Bêta's"),
    ("sites.attachment_file", f"pieces/{UNKNOWN}", OTHER, "GET", {}, "unknown"),
    ("sites.public_calls", "candidater/", PUBLIC, "GET", {}, ""),
    ("sites.public_calls", "beta:candidater/", NOWHERE, "GET", {}, "Bêta, not enabled"),
    ("sites.public_call", "candidater/{call_a}", PUBLIC, "GET", {}, ""),
    ("sites.public_call", "candidater/{closed_a}", PUBLIC, "GET", {}, "closed: says so"),
    ("sites.public_call", "candidater/{draft_a}", NOWHERE, "GET", {}, "a draft"),
    ("sites.public_call", "candidater/{call_b}", NOWHERE, "GET", {}, "Bêta's, at Alpha's address"),
    ("sites.public_call", "beta:candidater/{call_b}", NOWHERE, "GET", {}, "Bêta, not enabled"),
    ("sites.public_thanks", "candidater/{call_a}/merci", PUBLIC, "GET", {}, ""),
    ("sites.public_thanks", "candidater/{draft_a}/merci", NOWHERE, "GET", {}, "a draft"),
    ("sites.public_application", "candidature/matrice-alpha", PUBLIC, "GET", {}, "its token"),
    ("sites.public_application", "candidature/matrice-beta", NOWHERE, "GET", {}, "Bêta's token"),
    ("sites.public_application", "candidature/inconnu", NOWHERE, "GET", {}, "unknown token"),
    # The review of calls (tests/matrix_sites_review.py).
    ("sites.application_list", "appels/{review_call_a}/candidatures", TEAM, "GET", {}, ""),
    ("sites.application_list", "appels/{review_call_b}/candidatures", OTHER, "GET", {}, "Bêta's"),
    ("sites.application_list", f"appels/{UNKNOWN}/candidatures", OTHER, "GET", {}, "unknown"),
    ("sites.application_list", "beta:appels/{review_call_b}/candidatures", NOT_ENABLED, "GET", {},
     "Bêta's, at Bêta's address"),
    ("sites.application_detail", "candidatures/{application_a}", TEAM, "GET", {}, ""),
    ("sites.application_detail", "candidatures/{application_b}", OTHER, "GET", {}, "Bêta's"),
    ("sites.application_detail", f"candidatures/{UNKNOWN}", OTHER, "GET", {}, "unknown"),
    ("sites.call_ranking", "appels/{review_call_a}/classement", TEAM, "GET", {}, ""),
    ("sites.call_ranking", "appels/{review_call_b}/classement", OTHER, "GET", {}, "Bêta's"),
    ("sites.call_notify", "appels/{review_call_a}/notifier", TEAM, "GET", {}, ""),
    ("sites.call_notify", "appels/{review_call_b}/notifier", OTHER, "GET", {}, "Bêta's"),
    ("sites.allocation_create", "lots/{review_lot_a}/attributions/nouvelle?candidature={application_a}",
     TEAM, "GET", {}, "from an application"),
    ("sites.allocation_create", "lots/{review_lot_a}/attributions/nouvelle?candidature={application_b}",
     OTHER, "GET", {}, "from Bêta's application"),
    ("sites.allocation_create", "lots/{review_lot_a}/attributions/nouvelle?candidature=x", TEAM, "GET", {},
     "from no application"),
    # Shared rooms: every member, volunteers included (tests/matrix_sites_rooms.py).
    ("sites.rooms_index", "/p/sites/salles/", (LOGIN, 302, 302, 302, 302), "GET", {}, "to their association"),
    ("sites.room_list", "salles/", rooms.OPEN, "GET", {}, ""),
    ("sites.room_list", "beta:salles/", NOT_ENABLED, "GET", {}, "Bêta, not enabled"),
    ("sites.room_week", "salles/{room_a}", rooms.OPEN, "GET", {}, ""),
    ("sites.room_week", "salles/{room_a}?semaine=2030-02-30", rooms.OPEN, "GET", {}, "a bad week"),
    ("sites.room_week", "salles/{room_b}", rooms.NOT_FOUND, "GET", {}, "Bêta's"),
    ("sites.room_week", "salles/{lot_a}", rooms.NOT_FOUND, "GET", {}, "not a shared room"),
    ("sites.room_reserve", "salles/{room_a}/reserver", rooms.OPEN, "GET", {}, ""),
    ("sites.room_reserve", "salles/{room_b}/reserver", rooms.NOT_FOUND, "GET", {}, "Bêta's"),
    # Agreements and commitments (records: tests/matrix_sites_agreements.py).
    ("sites.agreement_edit", "attributions/{allocation_a}/convention", TEAM, "GET", {}, "none yet"),
    ("sites.agreement_edit", "attributions/{agr_allocation_a}/convention", TEAM, "GET", {}, ""),
    ("sites.agreement_edit", "attributions/{agr_allocation_b}/convention", OTHER, "GET", {}, "Bêta's"),
    ("sites.agreement_edit", "beta:attributions/{agr_allocation_b}/convention", NOT_ENABLED, "GET", {},
     "Bêta's, at Bêta's address"),
    ("sites.agreement_insurance", "conventions/{agreement_a}/assurance", TEAM, "GET", {}, ""),
    ("sites.agreement_insurance", "conventions/{agreement_b}/assurance", OTHER, "GET", {}, "Bêta's"),
    ("sites.agreement_insurance", f"conventions/{UNKNOWN}/assurance", OTHER, "GET", {}, "unknown"),
    ("sites.agreement_signed", "conventions/{agreement_a}/signee", TEAM, "GET", {}, ""),
    ("sites.agreement_signed", "conventions/{agreement_b}/signee", OTHER, "GET", {}, "Bêta's"),
    ("sites.agreement_signed", "beta:conventions/{agreement_b}/signee", NOT_ENABLED, "GET", {},
     "Bêta's, at Bêta's address"),
    ("sites.agreement_print", "conventions/{agreement_a}/imprimer", TEAM, "GET", {}, ""),
    ("sites.agreement_print", "conventions/{agreement_b}/imprimer", OTHER, "GET", {}, "Bêta's"),
    ("sites.static", "/p/sites/static/agreement_print.css", (LOGIN, 200, 200, 200, 200), "GET", {},
     "the print stylesheet"),
    ("sites.static", "/p/sites/static/inconnu.css", (LOGIN, 404, 404, 404, 404), "GET", {}, "unknown"),
    ("sites.commitment_list", "attributions/{agr_allocation_a}/engagements", TEAM, "GET", {}, ""),
    ("sites.commitment_list", "attributions/{agr_allocation_b}/engagements", OTHER, "GET", {}, "Bêta's"),
    ("sites.commitment_edit", "engagements/{commitment_a}/modifier", TEAM, "GET", {}, ""),
    ("sites.commitment_edit", "engagements/{commitment_b}/modifier", OTHER, "GET", {}, "Bêta's"),
    ("sites.commitment_follow_up", "engagements/{commitment_a}/suivi", TEAM, "GET", {}, ""),
    ("sites.commitment_follow_up", "engagements/{commitment_a}/suivi?annee=abc", TEAM, "GET", {},
     "a bad year"),
    ("sites.commitment_follow_up", "engagements/{commitment_b}/suivi", OTHER, "GET", {}, "Bêta's"),
]

POSTS: list[Row] = [
    ("sites.owner_create", "proprietaires/nouveau", FORM, "POST", {}, ""),
    ("sites.owner_create", "proprietaires/nouveau", DONE, "POST", {"partner_id": "0", "name": "Bailleur"},
     "a named owner"),
    ("sites.owner_edit", "proprietaires/{owner_a}/modifier", FORM, "POST", {"partner_id": "0", "name": ""},
     ""),
    ("sites.owner_edit", "proprietaires/{owner_b}/modifier", OTHER, "POST", {"partner_id": "0", "name": "X"},
     "Bêta's"),
    ("sites.site_create", "sites/nouveau", FORM, "POST", {}, ""),
    ("sites.site_create", "beta:sites/nouveau", NOT_ENABLED, "POST", _site(), "Bêta, not enabled"),
    ("sites.site_edit", "sites/{site_a}/modifier", FORM, "POST", {"name": ""}, ""),
    ("sites.site_edit", "sites/{site_b}/modifier", OTHER, "POST", _site(), "Bêta's"),
    ("sites.lot_create", "sites/{site_a}/lots/nouveau", FORM, "POST", {}, ""),
    ("sites.lot_create", "sites/{site_b}/lots/nouveau", OTHER, "POST",
     {"code": "Z9", "kind": "office", "area": "10", "fee_per_m2": "5"}, "Bêta's site"),
    ("sites.lot_edit", "lots/{lot_a}/modifier", FORM, "POST", {"code": ""}, ""),
    ("sites.lot_edit", "lots/{lot_b}/modifier", OTHER, "POST",
     {"code": "A1", "kind": "office", "area": "10", "fee_per_m2": "5"}, "Bêta's"),
    ("sites.allocation_create", "lots/{lot_a}/attributions/nouvelle", FORM, "POST", {}, ""),
    ("sites.allocation_create", "lots/{lot_a}/attributions/nouvelle", FORM, "POST",
     {"occupant": "Autre", "starts_on": _day(0), "ends_on": _day(10), "contact_person_id": "0"},
     "overlapping the allocation"),
    ("sites.allocation_create", "lots/{lot_b}/attributions/nouvelle", OTHER, "POST",
     {"occupant": "Autre", "starts_on": _day(200), "ends_on": _day(210), "contact_person_id": "0"},
     "Bêta's lot"),
    ("sites.document_upload", "sites/{site_a}/documents", FORM, "POST", {"kind": "photo"}, "no file"),
    ("sites.document_upload", "sites/{site_b}/documents", OTHER, "POST", {"kind": "photo"}, "Bêta's site"),
    ("sites.allocation_edit", "attributions/{allocation_a}/modifier", FORM, "POST", {"occupant": ""}, ""),
    ("sites.allocation_edit", "attributions/{allocation_b}/modifier", OTHER, "POST",
     {"occupant": "Autre", "starts_on": _day(0), "ends_on": _day(10), "contact_person_id": "0"}, "Bêta's"),
    # Calls for applications (tests/matrix_sites_calls.py). The public form: each role's run
    # posts it three times from one address, under the limit of five an hour.
    ("sites.call_create", "appels/nouveau", FORM, "POST", {}, ""),
    ("sites.call_create", "appels/nouveau", DONE, "POST", _call(), "its site's lot"),
    ("sites.call_create", "appels/nouveau", FORM, "POST", _call(lot_ids=_id("lot_a")), "another site's lot"),
    ("sites.call_edit", "appels/{call_a}/modifier", FORM, "POST", _call(title=""), ""),
    ("sites.call_edit", "appels/{call_b}/modifier", OTHER, "POST", _call(), "Bêta's"),
    ("sites.criterion_create", "appels/{call_a}/criteres/nouveau", FORM, "POST", {"label": "", "weight": "1"},
     ""),
    ("sites.criterion_create", "appels/{call_a}/criteres/nouveau", DONE, "POST",
     {"label": "Solidité", "weight": "2"}, "a criterion"),
    ("sites.criterion_create", "appels/{call_b}/criteres/nouveau", OTHER, "POST",
     {"label": "Solidité", "weight": "2"}, "Bêta's call"),
    ("sites.criterion_edit", "criteres/{criterion_a}/modifier", FORM, "POST", {"label": "x", "weight": "11"},
     ""),
    ("sites.criterion_edit", "criteres/{criterion_b}/modifier", OTHER, "POST", {"label": "x", "weight": "1"},
     "Bêta's"),
    ("sites.public_call", "candidater/{call_a}", (422,) * 5, "POST", {"organisation": ""}, "refused"),
    ("sites.public_call", "candidater/{call_a}", (303,) * 5, "POST", _application(), "an application"),
    ("sites.public_call", "candidater/{closed_a}", (410,) * 5, "POST", _application(), "closed"),
    ("sites.public_call", "candidater/{draft_a}", NOWHERE, "POST", _application(), "a draft"),
    ("sites.public_call", "beta:candidater/{call_b}", NOWHERE, "POST", _application(), "Bêta, not enabled"),
    # The review of calls (tests/matrix_sites_review.py).
    ("sites.application_score", "candidatures/{application_a}/notes", FORM, "POST",
     named_after("score_{review_criterion_a}", "6"), "a score out of range"),
    ("sites.application_score", "candidatures/{application_a}/notes", DONE, "POST",
     named_after("score_{review_criterion_a}", "4"), ""),
    ("sites.application_score", "candidatures/{application_b}/notes", OTHER, "POST",
     named_after("score_{review_criterion_b}", "4"), "Bêta's"),
    ("sites.application_decide", "candidatures/{application_a}/decisions", FORM, "POST",
     named_after("decision_{choice_a}", "refused"), "a refusal without reasons"),
    ("sites.application_decide", "candidatures/{application_a}/decisions", DONE, "POST",
     named_after("decision_{choice_a}", "waiting"), ""),
    ("sites.application_decide", "candidatures/{application_b}/decisions", OTHER, "POST",
     named_after("decision_{choice_b}", "waiting"), "Bêta's"),
    ("sites.call_notify", "appels/{review_call_a}/notifier", DONE, "POST", {}, ""),
    ("sites.call_notify", "appels/{review_call_b}/notifier", OTHER, "POST", {}, "Bêta's"),
    ("sites.room_reserve", "salles/{room_a}/reserver", rooms.REFUSED, "POST", {}, ""),
    ("sites.room_reserve", "salles/{room_a}/reserver", rooms.REFUSED, "POST", rooms.OVERLAPPING, "overlap"),
    ("sites.room_reserve", "salles/{room_a}/reserver", rooms.SAVED, "POST", rooms.FREE, ""),
    ("sites.room_reserve", "salles/{room_b}/reserver", rooms.NOT_FOUND, "POST", rooms.FREE, "Bêta's room"),
    ("sites.room_reserve", "salles/{lot_a}/reserver", rooms.NOT_FOUND, "POST", rooms.FREE, "an office"),
    # Agreements and commitments.
    ("sites.agreement_edit", "attributions/{agr_allocation_a}/convention", FORM, "POST", {}, ""),
    ("sites.agreement_edit", "attributions/{agr_allocation_a}/convention", FORM, "POST",
     {"fee": "200", "starts_on": _day(-31), "ends_on": _day(200)}, "before the allocation"),
    ("sites.agreement_edit", "attributions/{agr_allocation_a}/convention", DONE, "POST",
     {"fee": "1 250,50", "starts_on": _day(-30), "ends_on": _day(100)}, "part of the allocation"),
    ("sites.agreement_edit", "attributions/{agr_allocation_b}/convention", OTHER, "POST",
     {"fee": "200", "starts_on": _day(-30), "ends_on": _day(100)}, "Bêta's"),
    ("sites.commitment_list", "attributions/{agr_allocation_a}/engagements", FORM, "POST", {}, ""),
    ("sites.commitment_list", "attributions/{agr_allocation_a}/engagements", DONE, "POST",
     {"kind": "public_opening", "description": "Portes ouvertes", "target": "4"}, "a commitment"),
    ("sites.commitment_list", "attributions/{agr_allocation_b}/engagements", OTHER, "POST",
     {"kind": "public_opening", "description": "Portes ouvertes", "target": "4"}, "Bêta's"),
    ("sites.commitment_edit", "engagements/{commitment_a}/modifier", FORM, "POST", {"kind": "other"}, ""),
    ("sites.commitment_edit", "engagements/{commitment_b}/modifier", OTHER, "POST",
     {"kind": "other", "description": "Autre", "target": "1"}, "Bêta's"),
    ("sites.commitment_follow_up", "engagements/{commitment_a}/suivi", FORM, "POST",
     {"year": "1999", "achieved": "1"}, "a year outside the allocation"),
    ("sites.commitment_follow_up", "engagements/{commitment_a}/suivi", DONE, "POST",
     {"year": str(paris_today().year), "achieved": "3"}, "this year again"),
    ("sites.commitment_follow_up", "engagements/{commitment_b}/suivi", OTHER, "POST",
     {"year": str(paris_today().year), "achieved": "3"}, "Bêta's"),
]

DESTRUCTIVE: list[Row] = [
    ("sites.allocation_delete", "attributions/{allocation_b}/supprimer", OTHER, "POST", {}, "Bêta's"),
    ("sites.allocation_delete", "beta:attributions/{allocation_b}/supprimer", NOT_ENABLED, "POST", {},
     "Bêta's, at Bêta's address"),
    ("sites.allocation_delete", f"attributions/{UNKNOWN}/supprimer", OTHER, "POST", {}, "unknown"),
    ("sites.allocation_delete", "attributions/{allocation_a}/supprimer", DONE, "POST", {}, ""),
    ("sites.document_delete", "documents/{document_b}/supprimer", OTHER, "POST", {}, "Bêta's"),
    ("sites.document_delete", "beta:documents/{document_b}/supprimer", NOT_ENABLED, "POST", {},
     "Bêta's, at Bêta's address"),
    ("sites.document_delete", f"documents/{UNKNOWN}/supprimer", OTHER, "POST", {}, "unknown"),
    ("sites.document_delete", "documents/{document_a}/supprimer", DONE, "POST", {}, ""),
    ("sites.criterion_delete", "criteres/{criterion_b}/supprimer", OTHER, "POST", {}, "Bêta's"),
    ("sites.criterion_delete", "beta:criteres/{criterion_b}/supprimer", NOT_ENABLED, "POST", {},
     "Bêta's, at Bêta's address"),
    ("sites.criterion_delete", f"criteres/{UNKNOWN}/supprimer", OTHER, "POST", {}, "unknown"),
    ("sites.criterion_delete", "criteres/{criterion_a}/supprimer", DONE, "POST", {}, ""),
    # The review of calls (tests/matrix_sites_review.py).
    ("sites.application_erase_contact", "candidatures/{application_b}/coordonnees/effacer", OTHER, "POST", {},
     "Bêta's"),
    ("sites.application_erase_contact", "beta:candidatures/{application_b}/coordonnees/effacer", NOT_ENABLED,
     "POST", {}, "Bêta's, at Bêta's address"),
    ("sites.application_erase_contact", f"candidatures/{UNKNOWN}/coordonnees/effacer", OTHER, "POST", {},
     "unknown"),
    ("sites.application_erase_contact", "candidatures/{application_a}/coordonnees/effacer", DONE, "POST", {},
     ""),
    ("sites.reservation_cancel", "reservations/{reservation_b}/annuler", rooms.NOT_FOUND, "POST", {},
     "Bêta's"),
    ("sites.reservation_cancel", "beta:reservations/{reservation_b}/annuler", NOT_ENABLED, "POST", {},
     "Bêta's, at Bêta's address"),
    ("sites.reservation_cancel", f"reservations/{UNKNOWN}/annuler", rooms.NOT_FOUND, "POST", {}, "unknown"),
    ("sites.reservation_cancel", "reservations/{reservation_team}/annuler", DONE, "POST", {},
     "the coordinator's: its author and the team"),
    ("sites.reservation_cancel", "reservations/{reservation_volunteer}/annuler", rooms.SAVED, "POST", {},
     "the volunteer's own"),
    # Agreements and commitments.
    ("sites.agreement_delete", "conventions/{agreement_b}/supprimer", OTHER, "POST", {}, "Bêta's"),
    ("sites.agreement_delete", "beta:conventions/{agreement_b}/supprimer", NOT_ENABLED, "POST", {},
     "Bêta's, at Bêta's address"),
    ("sites.agreement_delete", f"conventions/{UNKNOWN}/supprimer", OTHER, "POST", {}, "unknown"),
    ("sites.agreement_delete", "conventions/{agreement_a}/supprimer", DONE, "POST", {}, ""),
    ("sites.commitment_delete", "engagements/{commitment_b}/supprimer", OTHER, "POST", {}, "Bêta's"),
    ("sites.commitment_delete", f"engagements/{UNKNOWN}/supprimer", OTHER, "POST", {}, "unknown"),
    ("sites.commitment_delete", "engagements/{commitment_a}/supprimer", DONE, "POST", {}, ""),
]


def url(path: str, ids: dict[str, int]) -> str:
    """``beta:`` puts the path under Bêta's address; an absolute path stays as it is."""
    if path.startswith("/"):
        return path
    association, _, rest = path.rpartition(":")
    return f"/p/sites/{association or 'alpha'}/{rest.format_map(ids)}"


__all__ = ["DESTRUCTIVE", "GETS", "POSTS", "records", "url"]
