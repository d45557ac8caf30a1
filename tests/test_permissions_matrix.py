"""Route x role matrix: every route of the core and the built-in plugins, every role, the
expected status.

A route that is added without an entry here makes ``test_matrix_covers_every_route``
fail, so a new page cannot ship without deciding who may see it. A plugin installed from
elsewhere covers its routes in its own tests, with the testing kit's
``maillage_route_matrix``: installing one does not make this suite fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from core.agenda import engine
from core.agenda.bookings import Booking, BookingStatus
from core.agenda.clock import paris_to_utc, paris_today
from core.agenda.events import Event, EventKind, Visibility
from core.agenda.feed_tokens import new_feed_token
from core.agenda.scheduling import EventFields, Places, create_events
from core.auth.permissions import Level, access
from core.database import session
from core.members import Association, Person
from core.pluginhost.activation import PluginActivation
from core.pluginhost.host import get_host
from core.testing_routes import as_case, matrix_problems
from plugins.premieres_heures.models import SupportDomain, SupportStatus
from plugins.premieres_heures.pathways import (
    SupportInput,
    WaiverInput,
    create_pathway,
    save_support,
    save_waiver,
)
from plugins.premieres_heures.schedule import SessionFields, save_session
from plugins.premieres_heures.settings import DEFAULT_SETTINGS, parse_ladder
from plugins.tzcld.models import (
    Activity,
    Decision,
    DecisionSubject,
    Employment,
    Meeting,
    Outcome,
    Ppde,
    Proposer,
    WorkingTime,
)
from plugins.tzcld.views.exports import TABLES as TZCLD_TABLES
from tests import matrix_allervers_outreach, matrix_allervers_pathways, matrix_referrals, matrix_sites
from tests.conftest import SUITE_PLUGINS, World, make_app
from tests.support import login, post, text_of

ROLES = ["anonymous", "volunteer_a", "coordinator_a", "admin_a", "collective_admin"]
EMAILS = {
    "volunteer_a": "benevole.a@test.org",
    "coordinator_a": "coord.a@test.org",
    "admin_a": "admin.a@test.org",
    "collective_admin": "collectif@test.org",
}
LOGIN = 302  # anonymous visitors are sent to the login page
BUILT_IN = Path(__file__).resolve().parent.parent / "plugins"
TIERS = "tests.plugin_fixtures.tiers.plugin"


@dataclass
class MatrixWorld(World):
    """The suite's world plus agenda events and bookings (ids) the agenda routes are checked on."""

    alpha_event: int  # Alpha, association members only, places, in three days
    alpha_bookable: int
    alpha_past: int  # Alpha, association only, places, three days ago, one person booked
    beta_event: int  # Bêta, association members only, places
    beta_shared: int  # Bêta, seen by the whole collective, places
    collective_event: int  # the collective's own (no association), places
    no_signup: int  # Alpha, whole collective, without sign-up
    volunteer_booking: int  # volunteer_a on alpha_event
    volunteer_booking_beta: int  # volunteer_a on beta_shared: theirs, on another's event
    beta_shared_booking: int  # supported_b on beta_shared
    beta_booking: int  # supported_b on beta_event
    feed_token: str  # coordinator_b's private feed
    # Premières Heures, enabled for Alpha only. Each association has a pathway (first stage,
    # waiver, support action, a work session started yesterday); Alpha's is hosted by
    # ``partner``, Bêta's by ``other_partner``.
    ph_pathway_a: int
    ph_waiver_a: int
    ph_action_a: int
    ph_session_a: int
    ph_pathway_b: int
    ph_waiver_b: int
    ph_action_b: int
    ph_session_b: int
    # Territoire zéro chômeur, enabled for Alpha only: an entry of the register in each.
    tz_ppde_a: int
    tz_ppde_b: int
    tz_contract_a: int  # a contract with the EBE in each
    tz_contract_b: int
    tz_meeting_a: int  # a committee meeting with a decision about an activity, in each
    tz_meeting_b: int
    tz_decision_a: int
    tz_decision_b: int
    tz_activity_a: int
    tz_activity_b: int
    # Sites en transition, enabled for Alpha only: its records' ids (tests/matrix_sites.py).
    sites: dict[str, int]
    # Referrals of each association (tests/matrix_referrals.py).
    referrals: dict[str, Any] = field(default_factory=dict)
    # Aller-vers, enabled for Alpha only: its outreach records (tests/matrix_allervers_outreach.py).
    allervers: dict[str, int] = field(default_factory=dict)
    # Aller-vers' pathways, enabled for Alpha only (tests/matrix_allervers_pathways.py).
    allervers_pathways: dict[str, int] = field(default_factory=dict)


UNKNOWN = 999999  # an id no record has


@dataclass
class Case:
    endpoint: str
    url: Callable[[MatrixWorld], str]
    expected: tuple[int, int, int, int, int]  # in the order of ROLES
    method: str = "GET"
    # Values may depend on the world (a person's id): given as a function of it; so may the
    # whole form, when its field names do (``presence-<session id>``).
    data: (dict[str, str | Callable[[MatrixWorld], str]]
           | Callable[[MatrixWorld], dict[str, str]]) = field(default_factory=dict)
    label: str = ""
    logs_out: bool = False  # the route ends the session: the next cases log in again

    @property
    def name(self) -> str:
        return f"{self.method} {self.endpoint}{' ' + self.label if self.label else ''}"

    def form(self, w: MatrixWorld) -> dict[str, str]:
        if callable(self.data):
            return self.data(w)
        return {key: value(w) if callable(value) else value for key, value in self.data.items()}


def every(code: int) -> tuple[int, int, int, int, int]:
    return (code, code, code, code, code)


def logged(code: int) -> tuple[int, int, int, int, int]:
    return (LOGIN, code, code, code, code)


MEMBER = logged(200)
MANAGER_PAGE = (LOGIN, 403, 200, 200, 200)
COLLECTIVE_PAGE = (LOGIN, 403, 403, 403, 200)
PA = lambda w: w.supported_a.id  # noqa: E731
PB = lambda w: w.supported_b.id  # noqa: E731


def ev(attribute: str, suffix: str = "") -> Callable[[MatrixWorld], str]:
    """The address of one of the matrix's events (``UNKNOWN`` for an id nobody has)."""
    return lambda w: f"/agenda/{getattr(w, attribute) if attribute else UNKNOWN}{suffix}"


def bk(attribute: str) -> Callable[[MatrixWorld], str]:
    """The cancel address of one of the matrix's bookings."""
    return lambda w: f"/agenda/inscriptions/{getattr(w, attribute) if attribute else UNKNOWN}/annuler"


# Premières Heures: pages of Alpha's coordinators and admins (the collective admin holds every
# role); a record of Bêta's behind Alpha's address does not exist for them.
PH_OTHER = (LOGIN, 403, 404, 404, 404)
PH_FORM = (LOGIN, 403, 422, 422, 422)  # a form refused, nothing changed
PH_DONE = (LOGIN, 403, 303, 303, 303)  # a valid form, saved
PH_FIRST_HOURS = parse_ladder(DEFAULT_SETTINGS["hours_ladder"])[0]


def ph(path: str, association: str = "alpha") -> Callable[[MatrixWorld], str]:
    """A Premières Heures address; ``{ph_pathway_a}``, ``{partner.id}``… are the world's."""
    return lambda w: f"/p/premieres_heures/{association}/{path.format_map(vars(w))}"


def tz(path: str, association: str = "alpha") -> Callable[[MatrixWorld], str]:
    """A Territoire zéro chômeur address; ``{tz_ppde_a}``… are the world's."""
    return lambda w: f"/p/tzcld/{association}/{path.format_map(vars(w))}"


def _tzcld(world: World) -> dict[str, int]:
    """Territoire zéro chômeur enabled for Alpha only; an entry of the register in each
    association (Bêta's written as the plugin would have, before Bêta turned it off)."""
    session.add(PluginActivation(plugin="tzcld", association_id=world.asso_a.id))
    ids = {}
    for suffix, association, person in (("a", world.asso_a, world.supported_a),
                                        ("b", world.asso_b, world.supported_b)):
        entry = Ppde(association_id=association.id, person_id=person.id)
        # A supervisor's contract: a PPDE's ends through the register (tests/test_tzcld_register.py).
        contract = Employment(association_id=association.id, person_id=person.id, ppde=False,
                              started_on=paris_today() - timedelta(days=30))
        contract.hours.append(WorkingTime(effective_on=contract.started_on, weekly_hours=Decimal(24)))
        start = paris_to_utc(datetime.combine(paris_today() - timedelta(days=7), time(18)))
        meeting = Meeting(association_id=association.id, starts_at=start, ends_at=start + timedelta(hours=2))
        activity = Activity(association_id=association.id, title="Recyclerie", need="Réemploi",
                            proposer=Proposer.RESIDENT, proposed_on=paris_today() - timedelta(days=30))
        session.add_all([entry, contract, meeting, activity])
        session.flush()
        decision = Decision(association_id=association.id, meeting_id=meeting.id, activity_id=activity.id,
                            subject=DecisionSubject.ACTIVITY, title="Recyclerie", outcome=Outcome.POSTPONED)
        session.add(decision)
        session.flush()
        ids |= {f"tz_ppde_{suffix}": entry.id, f"tz_contract_{suffix}": contract.id,
                f"tz_meeting_{suffix}": meeting.id, f"tz_decision_{suffix}": decision.id,
                f"tz_activity_{suffix}": activity.id}
    return ids


def day(offset: int) -> Callable[[MatrixWorld], str]:
    """The Paris day ``offset`` days from today, as a form sends it."""
    return lambda w: (paris_today() + timedelta(days=offset)).isoformat()


def presence(attribute: str, value: str) -> Callable[[MatrixWorld], dict[str, str]]:
    """An attendance form noting one of the matrix's work sessions."""
    return lambda w: {f"presence-{getattr(w, attribute)}": value}


def _event(association: Association | None, title: str, days: int, visibility: Visibility,
           *, signup: bool = True) -> Event:
    start = paris_to_utc(datetime.combine(paris_today() + timedelta(days=days), time(14)))
    [event] = create_events(EventFields(
        title=title, kind=EventKind.WORKSHOP, visibility=visibility, starts_at=start,
        ends_at=start + timedelta(hours=2),
        association_id=association.id if association else None), Places(capacity=10) if signup else None)
    return event


def _book(event: Event, person: Person) -> int:
    assert event.bookable_id is not None
    return engine.book(event.bookable_id, person.id).id


def _premieres_heures(world: World) -> dict[str, int]:
    """Premières Heures enabled for Alpha only (Bêta never enabled it), and a pathway in each
    association with its records, made through the plugin's own services."""
    session.add(PluginActivation(plugin="premieres_heures", association_id=world.asso_a.id))
    start = paris_today() - timedelta(days=60)
    ids = {}
    for suffix, association, person, host in (
            ("a", world.asso_a, world.supported_a, world.partner),
            ("b", world.asso_b, world.supported_b, world.other_partner)):
        pathway = create_pathway(association.id, person.id, start_date=start,
                                 planned_end=start + timedelta(days=180), first_hours=PH_FIRST_HOURS,
                                 orienteur_name="Inès Orient", host_partner_id=host.id)
        waiver = save_waiver(pathway, WaiverInput(starts_on=start, ends_on=start + timedelta(days=179),
                                                  review_id=None))
        action = save_support(pathway, SupportInput(
            domain=SupportDomain.HOUSING, description="Domiciliation au CCAS",
            status=SupportStatus.IN_PROGRESS, opened_on=start, closed_on=None))
        work = save_session(pathway, SessionFields(
            day=paris_today() - timedelta(days=1), start=time(9), end=time(12),
            supervisor="Marc Encadrant", task="Tri des dons")).row
        ids |= {f"ph_pathway_{suffix}": pathway.id, f"ph_waiver_{suffix}": waiver.id,
                f"ph_action_{suffix}": action.id, f"ph_session_{suffix}": work.id}
    return ids


@pytest.fixture
def matrix_world(app: Flask, world: World) -> MatrixWorld:
    """``world`` with agenda events and bookings, made through the agenda's own services, and
    Premières Heures enabled for Alpha with a pathway in each association."""
    with app.app_context():
        alpha = _event(world.asso_a, "Atelier Alpha", 3, Visibility.ASSOCIATION)
        past = _event(world.asso_a, "Atelier Alpha passé", -3, Visibility.ASSOCIATION)
        beta = _event(world.asso_b, "Atelier Bêta", 3, Visibility.ASSOCIATION)
        shared = _event(world.asso_b, "Forum Bêta", 4, Visibility.COLLECTIVE)
        collective = _event(None, "Assemblée du collectif", 5, Visibility.COLLECTIVE)
        no_signup = _event(world.asso_a, "Permanence", 6, Visibility.COLLECTIVE, signup=False)
        bookings = {
            "volunteer_booking": _book(alpha, world.volunteer_a),
            "volunteer_booking_beta": _book(shared, world.volunteer_a),
            "beta_shared_booking": _book(shared, world.supported_b),
            "beta_booking": _book(beta, world.supported_b),
        }
        # The engine refuses bookings once an event has started: the past one is written as is.
        session.add(Booking(bookable_id=past.bookable_id, person_id=world.supported_a.id,
                            status=BookingStatus.CONFIRMED, pool="open",
                            queued_at=past.starts_at - timedelta(days=7)))
        assert past.bookable is not None
        past.bookable.taken_open = 1
        token = new_feed_token(world.coordinator_b.id)
        plugin = _premieres_heures(world) | _tzcld(world)
        sites = matrix_sites.records(world)
        referrals = matrix_referrals.records(world)
        allervers = matrix_allervers_outreach.records(world)
        allervers_pathways = matrix_allervers_pathways.records(world)
        session.commit()
        agenda = {
            "alpha_event": alpha.id, "alpha_bookable": alpha.bookable_id, "alpha_past": past.id,
            "beta_event": beta.id, "beta_shared": shared.id, "collective_event": collective.id,
            "no_signup": no_signup.id, "feed_token": token, **bookings, **plugin, "sites": sites,
            "referrals": referrals,
            "allervers": allervers,
            "allervers_pathways": allervers_pathways,
        }
    return MatrixWorld(**{f.name: getattr(world, f.name) for f in fields(World)}, **agenda)


GETS = [
    Case("auth.login", lambda w: "/login", (200, 302, 302, 302, 302)),
    Case("auth.forgotten_password", lambda w: "/mot-de-passe/oublie", every(200)),
    Case("auth.reset_password", lambda w: "/mot-de-passe/nouveau/inconnu", every(404)),
    Case("auth.my_account", lambda w: "/compte", MEMBER),
    Case("health.healthz", lambda w: "/healthz", every(200)),
    Case("members.dashboard", lambda w: "/", MEMBER),
    Case("members.association_list", lambda w: "/associations/", MEMBER),
    Case("members.association_create", lambda w: "/associations/nouvelle", COLLECTIVE_PAGE),
    Case("members.association_detail", lambda w: "/associations/alpha", MEMBER, label="own"),
    Case("members.association_detail", lambda w: "/associations/beta", MEMBER, label="other"),
    Case("members.association_detail", lambda w: "/associations/nulle-part", logged(404),
         label="unknown"),
    Case("members.association_edit", lambda w: "/associations/alpha/modifier",
         (LOGIN, 403, 403, 200, 200), label="own"),
    Case("members.association_edit", lambda w: "/associations/beta/modifier",
         (LOGIN, 403, 404, 404, 200), label="other"),
    Case("members.neighbourhood_list", lambda w: "/quartiers/", MEMBER),
    Case("members.neighbourhood_create", lambda w: "/quartiers/nouveau", COLLECTIVE_PAGE),
    Case("members.neighbourhood_edit", lambda w: f"/quartiers/{w.neighbourhood.id}/modifier",
         COLLECTIVE_PAGE),
    Case("members.person_list", lambda w: "/personnes/", MANAGER_PAGE),
    # Lists downloaded as files answer as their pages do; an unknown format does not exist.
    Case("members.person_list_export", lambda w: "/personnes/export.csv", MANAGER_PAGE),
    Case("members.person_list_export", lambda w: "/personnes/export.xlsx?role=supported",
         MANAGER_PAGE, label="Excel, filtered"),
    Case("members.person_list_export", lambda w: "/personnes/export.pdf",
         (LOGIN, 403, 404, 404, 404), label="unknown format"),
    Case("members.association_people_export", lambda w: "/associations/alpha/personnes/export.csv",
         (LOGIN, 403, 200, 200, 200), label="own"),
    Case("members.association_people_export", lambda w: "/associations/beta/personnes/export.xlsx",
         (LOGIN, 403, 404, 404, 200), label="other"),
    Case("members.association_people_export",
         lambda w: "/associations/nulle-part/personnes/export.csv", (LOGIN, 403, 404, 404, 404),
         label="unknown"),
    Case("members.association_people_export", lambda w: "/associations/alpha/personnes/export.ods",
         (LOGIN, 403, 404, 404, 404), label="unknown format"),
    Case("members.person_create", lambda w: "/personnes/nouvelle", MANAGER_PAGE),
    Case("members.person_detail", lambda w: f"/personnes/{PA(w)}", (LOGIN, 404, 200, 200, 200),
         label="in A"),
    Case("members.person_detail", lambda w: f"/personnes/{PB(w)}", (LOGIN, 404, 404, 404, 200),
         label="in B"),
    Case("members.person_detail", lambda w: f"/personnes/{w.volunteer_a.id}", MEMBER,
         label="volunteer's own page"),
    Case("members.person_edit", lambda w: f"/personnes/{PA(w)}/modifier", MANAGER_PAGE,
         label="in A"),
    Case("members.person_edit", lambda w: f"/personnes/{PB(w)}/modifier",
         (LOGIN, 403, 404, 404, 200), label="in B"),
    Case("members.person_edit", lambda w: f"/personnes/{w.admin_a.id}/modifier",
         (LOGIN, 403, 403, 200, 200), label="someone who outranks a coordinator"),
    Case("members.collective_admin_list", lambda w: "/administration-collectif", COLLECTIVE_PAGE),
    Case("members.person_export", lambda w: f"/personnes/{PA(w)}/donnees.json", MANAGER_PAGE),
    Case("members.person_export", lambda w: f"/personnes/{PB(w)}/donnees.json",
         (LOGIN, 403, 404, 404, 200), label="in B"),
    Case("partners.partner_list", lambda w: "/partenaires/", MEMBER),
    Case("partners.partner_list_export", lambda w: "/partenaires/export.csv", MEMBER),
    Case("partners.partner_list_export", lambda w: "/partenaires/export.xlsx?type=ccas", MEMBER,
         label="Excel, filtered"),
    Case("partners.partner_list_export", lambda w: "/partenaires/export.json", logged(404),
         label="unknown format"),
    Case("partners.partner_create", lambda w: "/partenaires/nouveau", MANAGER_PAGE),
    Case("partners.partner_detail", lambda w: f"/partenaires/{w.partner.id}", MEMBER),
    Case("partners.partner_edit", lambda w: f"/partenaires/{w.partner.id}/modifier",
         MANAGER_PAGE),
    Case("partners.contact_create", lambda w: f"/partenaires/{w.partner.id}/contacts/nouveau",
         MANAGER_PAGE),
    Case("partners.contact_edit",
         lambda w: f"/partenaires/{w.partner.id}/contacts/{w.partner.contacts[0].id}/modifier",
         MANAGER_PAGE),
    Case("partners.contact_edit",
         lambda w: f"/partenaires/{w.partner.id}/contacts/{w.other_partner.contacts[0].id}/modifier",
         (LOGIN, 403, 404, 404, 404), label="contact of another partner"),
    Case("partners.service_create", lambda w: f"/partenaires/{w.partner.id}/services/nouveau",
         MANAGER_PAGE),
    Case("partners.service_edit",
         lambda w: f"/partenaires/{w.partner.id}/services/{w.partner.services[0].id}/modifier",
         MANAGER_PAGE),
    Case("plugin_admin.association_plugins", lambda w: "/associations/alpha/modules",
         (LOGIN, 403, 403, 200, 200), label="own"),
    Case("plugin_admin.association_plugins", lambda w: "/associations/beta/modules",
         (LOGIN, 403, 404, 404, 200), label="other"),
    Case("plugin_admin.association_plugin_settings",
         lambda w: "/associations/alpha/modules/exemplum/reglages", (LOGIN, 403, 403, 200, 200)),
    Case("plugin_admin.association_plugin_settings",
         lambda w: "/associations/alpha/modules/inconnu/reglages", (LOGIN, 403, 403, 404, 404),
         label="unknown plugin"),
    Case("plugin_admin.collective_plugins", lambda w: "/administration/modules", COLLECTIVE_PAGE),
    # A plugin nobody enabled: its pages do not exist for anyone.
    Case("exemplum.home", lambda w: "/p/exemplum/", logged(404)),
    Case("exemplum.index", lambda w: "/p/exemplum/alpha/", logged(404)),
    # The agenda: every signed-in person reads it (the collective admin, who belongs to
    # no association, included); association-only events stay with their association.
    Case("agenda.upcoming", lambda w: "/agenda/", MEMBER),
    Case("agenda.week", lambda w: "/agenda/semaine", MEMBER),
    Case("agenda.month", lambda w: "/agenda/mois", MEMBER),
    Case("agenda.my_bookings", lambda w: "/agenda/mes-inscriptions", MEMBER),
    Case("agenda.calendar", lambda w: "/agenda/calendrier", MEMBER),
    Case("agenda.event_detail", ev("alpha_event"), MEMBER, label="Alpha, association only"),
    Case("agenda.event_detail", ev("alpha_past"), MEMBER, label="Alpha, past"),
    Case("agenda.event_detail", ev("beta_event"), (LOGIN, 404, 404, 404, 200),
         label="Bêta, association only"),
    Case("agenda.event_detail", ev("beta_shared"), MEMBER, label="Bêta, whole collective"),
    Case("agenda.event_detail", ev("collective_event"), MEMBER, label="the collective's own"),
    Case("agenda.event_detail", ev(""), logged(404), label="unknown"),
    # The list of bookings the event page shows its team, as a file: as book_for_form.
    Case("agenda.bookings_export", ev("alpha_event", "/inscriptions/export.csv"), MANAGER_PAGE,
         label="Alpha"),
    Case("agenda.bookings_export", ev("alpha_past", "/inscriptions/export.xlsx"), MANAGER_PAGE,
         label="Alpha, past"),
    Case("agenda.bookings_export", ev("beta_shared", "/inscriptions/export.csv"), COLLECTIVE_PAGE,
         label="Bêta, seen but not theirs"),
    Case("agenda.bookings_export", ev("beta_event", "/inscriptions/export.csv"),
         (LOGIN, 403, 404, 404, 200), label="Bêta, association only"),
    Case("agenda.bookings_export", ev("collective_event", "/inscriptions/export.csv"),
         COLLECTIVE_PAGE, label="the collective's own"),
    Case("agenda.bookings_export", ev("no_signup", "/inscriptions/export.csv"),
         (LOGIN, 403, 404, 404, 404), label="no sign-up"),
    Case("agenda.bookings_export", ev("", "/inscriptions/export.csv"), (LOGIN, 403, 404, 404, 404),
         label="unknown"),
    Case("agenda.bookings_export", ev("alpha_event", "/inscriptions/export.html"),
         (LOGIN, 403, 404, 404, 404), label="unknown format"),
    Case("agenda.event_create", lambda w: "/agenda/nouveau", MANAGER_PAGE),
    Case("agenda.event_edit", ev("alpha_event", "/modifier"), MANAGER_PAGE, label="Alpha"),
    Case("agenda.event_edit", ev("beta_shared", "/modifier"), COLLECTIVE_PAGE,
         label="Bêta, seen but not theirs"),
    Case("agenda.event_edit", ev("beta_event", "/modifier"), (LOGIN, 403, 404, 404, 200),
         label="Bêta, association only"),
    Case("agenda.event_edit", ev("collective_event", "/modifier"), COLLECTIVE_PAGE,
         label="the collective's own"),
    Case("agenda.event_edit", ev("", "/modifier"), (LOGIN, 403, 404, 404, 404), label="unknown"),
    Case("agenda.book_for_form", ev("alpha_event", "/inscrire"), MANAGER_PAGE, label="Alpha"),
    Case("agenda.book_for_form", ev("beta_shared", "/inscrire"), COLLECTIVE_PAGE,
         label="Bêta, seen but not theirs"),
    Case("agenda.book_for_form", ev("beta_event", "/inscrire"), (LOGIN, 403, 404, 404, 200),
         label="Bêta, association only"),
    Case("agenda.book_for_form", ev("collective_event", "/inscrire"), COLLECTIVE_PAGE,
         label="the collective's own"),
    Case("agenda.book_for_form", ev("alpha_past", "/inscrire"), (LOGIN, 403, 303, 303, 303),
         label="started: back to the event"),
    Case("agenda.book_for_form", ev("no_signup", "/inscrire"), (LOGIN, 403, 404, 404, 404),
         label="no sign-up"),
    Case("agenda.book_for_form", ev("", "/inscrire"), (LOGIN, 403, 404, 404, 404), label="unknown"),
    # Calendar feeds are read by calendar apps, without a session.
    Case("agenda.public_feed", lambda w: "/agenda/alpha.ics", every(200)),
    Case("agenda.public_feed", lambda w: "/agenda/nulle-part.ics", every(404), label="unknown"),
    Case("agenda.private_feed", lambda w: f"/agenda/flux/{w.feed_token}.ics", every(200)),
    Case("agenda.private_feed", lambda w: "/agenda/flux/inconnu.ics", every(404), label="unknown"),
    # Premières Heures, enabled for Alpha only: for its coordinators and admins (a volunteer is
    # refused). The host answers 404 for an association that did not enable it, before the
    # page's own check; a record of Bêta's behind Alpha's address answers 404.
    Case("premieres_heures.home", lambda w: "/p/premieres_heures/", MANAGER_PAGE),
    Case("premieres_heures.pathway_list", ph("parcours/"), MANAGER_PAGE),
    Case("premieres_heures.pathway_list", ph("parcours/", "beta"), logged(404),
         label="Bêta, not enabled"),
    Case("premieres_heures.pathway_create", ph("parcours/nouveau"), MANAGER_PAGE),
    Case("premieres_heures.pathway_create", ph("parcours/nouveau", "beta"), logged(404),
         label="Bêta, not enabled"),
    Case("premieres_heures.pathway_detail", ph("parcours/{ph_pathway_a}"), MANAGER_PAGE),
    Case("premieres_heures.pathway_detail", ph("parcours/{ph_pathway_b}"), PH_OTHER, label="Bêta's"),
    Case("premieres_heures.pathway_detail", ph("parcours/{ph_pathway_b}", "beta"), logged(404),
         label="Bêta's, at Bêta's address (not enabled)"),
    Case("premieres_heures.pathway_detail", ph(f"parcours/{UNKNOWN}"), PH_OTHER, label="unknown"),
    Case("premieres_heures.pathway_edit", ph("parcours/{ph_pathway_a}/modifier"), MANAGER_PAGE),
    Case("premieres_heures.pathway_edit", ph("parcours/{ph_pathway_b}/modifier"), PH_OTHER,
         label="Bêta's"),
    Case("premieres_heures.stage_create", ph("parcours/{ph_pathway_a}/paliers/nouveau"), MANAGER_PAGE),
    Case("premieres_heures.stage_create", ph("parcours/{ph_pathway_b}/paliers/nouveau"), PH_OTHER,
         label="Bêta's"),
    Case("premieres_heures.review_create", ph("parcours/{ph_pathway_a}/bilans/nouveau"), MANAGER_PAGE),
    Case("premieres_heures.review_create", ph("parcours/{ph_pathway_b}/bilans/nouveau"), PH_OTHER,
         label="Bêta's"),
    Case("premieres_heures.waiver_create", ph("parcours/{ph_pathway_a}/derogations/nouvelle"),
         MANAGER_PAGE),
    Case("premieres_heures.waiver_create", ph("parcours/{ph_pathway_b}/derogations/nouvelle"),
         PH_OTHER, label="Bêta's"),
    Case("premieres_heures.waiver_edit",
         ph("parcours/{ph_pathway_a}/derogations/{ph_waiver_a}/modifier"), MANAGER_PAGE),
    Case("premieres_heures.waiver_edit",
         ph("parcours/{ph_pathway_a}/derogations/{ph_waiver_b}/modifier"), PH_OTHER,
         label="Bêta's waiver behind Alpha's pathway"),
    Case("premieres_heures.waiver_edit",
         ph("parcours/{ph_pathway_b}/derogations/{ph_waiver_b}/modifier"), PH_OTHER, label="Bêta's"),
    Case("premieres_heures.support_create", ph("parcours/{ph_pathway_a}/accompagnement/nouvelle"),
         MANAGER_PAGE),
    Case("premieres_heures.support_create", ph("parcours/{ph_pathway_b}/accompagnement/nouvelle"),
         PH_OTHER, label="Bêta's"),
    Case("premieres_heures.support_edit",
         ph("parcours/{ph_pathway_a}/accompagnement/{ph_action_a}/modifier"), MANAGER_PAGE),
    Case("premieres_heures.support_edit",
         ph("parcours/{ph_pathway_a}/accompagnement/{ph_action_b}/modifier"), PH_OTHER,
         label="Bêta's action behind Alpha's pathway"),
    Case("premieres_heures.support_edit",
         ph("parcours/{ph_pathway_b}/accompagnement/{ph_action_b}/modifier"), PH_OTHER,
         label="Bêta's"),
    Case("premieres_heures.exit_edit", ph("parcours/{ph_pathway_a}/sortie"), MANAGER_PAGE),
    Case("premieres_heures.exit_edit", ph("parcours/{ph_pathway_b}/sortie"), PH_OTHER, label="Bêta's"),
    Case("premieres_heures.week_overview", ph("semaine/"), MANAGER_PAGE),
    Case("premieres_heures.week_overview", ph("semaine/", "beta"), logged(404),
         label="Bêta, not enabled"),
    Case("premieres_heures.host_week", ph("semaine/structure/{partner.id}"), MANAGER_PAGE),
    Case("premieres_heures.host_week", ph("semaine/structure/{other_partner.id}"), PH_OTHER,
         label="Bêta's host structure"),
    Case("premieres_heures.host_week", ph(f"semaine/structure/{UNKNOWN}"), PH_OTHER, label="unknown"),
    Case("premieres_heures.person_week", ph("semaine/parcours/{ph_pathway_a}"), MANAGER_PAGE),
    Case("premieres_heures.person_week", ph("semaine/parcours/{ph_pathway_b}"), PH_OTHER,
         label="Bêta's"),
    Case("premieres_heures.session_new", ph("parcours/{ph_pathway_a}/seances/nouvelle"), MANAGER_PAGE),
    Case("premieres_heures.session_new", ph("parcours/{ph_pathway_b}/seances/nouvelle"), PH_OTHER,
         label="Bêta's"),
    Case("premieres_heures.session_edit",
         ph("parcours/{ph_pathway_a}/seances/{ph_session_a}/modifier"), MANAGER_PAGE),
    Case("premieres_heures.session_edit",
         ph("parcours/{ph_pathway_a}/seances/{ph_session_b}/modifier"), PH_OTHER,
         label="Bêta's session behind Alpha's pathway"),
    Case("premieres_heures.session_edit",
         ph("parcours/{ph_pathway_b}/seances/{ph_session_b}/modifier"), PH_OTHER, label="Bêta's"),
    # Aller-vers: enabled for Alpha only; its rows are in tests/matrix_allervers_outreach.py.
    # Territoire zéro chômeur, enabled for Alpha only (as Premières Heures, above).
    Case("tzcld.index", lambda w: "/p/tzcld/", MANAGER_PAGE),
    Case("tzcld.home", lambda w: "/p/tzcld/alpha/", MANAGER_PAGE),
    Case("tzcld.home", lambda w: "/p/tzcld/beta/", logged(404), label="Bêta, not enabled"),
    Case("tzcld.register_list", tz("registre/"), MANAGER_PAGE),
    Case("tzcld.register_list", tz("registre/", "beta"), logged(404), label="Bêta, not enabled"),
    Case("tzcld.register_create", tz("registre/nouveau"), MANAGER_PAGE),
    Case("tzcld.register_detail", tz("registre/{tz_ppde_a}"), MANAGER_PAGE),
    Case("tzcld.register_detail", tz("registre/{tz_ppde_b}"), PH_OTHER, label="Bêta's"),
    Case("tzcld.register_detail", tz(f"registre/{UNKNOWN}"), PH_OTHER, label="unknown"),
    Case("tzcld.register_edit", tz("registre/{tz_ppde_a}/modifier"), MANAGER_PAGE),
    Case("tzcld.register_edit", tz("registre/{tz_ppde_b}/modifier"), PH_OTHER, label="Bêta's"),
    Case("tzcld.exhaustiveness", tz("exhaustivite"), MANAGER_PAGE),
    Case("tzcld.exhaustiveness", tz("exhaustivite", "beta"), logged(404), label="Bêta, not enabled"),
    Case("tzcld.contract_list", tz("salaries/"), MANAGER_PAGE),
    Case("tzcld.contract_create", tz("salaries/nouveau"), MANAGER_PAGE),
    Case("tzcld.working_time", tz("salaries/{tz_contract_a}/temps"), MANAGER_PAGE),
    Case("tzcld.working_time", tz("salaries/{tz_contract_b}/temps"), PH_OTHER, label="Bêta's"),
    Case("tzcld.contract_end", tz("salaries/{tz_contract_a}/fin"), MANAGER_PAGE),
    Case("tzcld.contract_end", tz("salaries/{tz_contract_b}/fin"), PH_OTHER, label="Bêta's"),
    Case("tzcld.monthly_table", tz("etp"), MANAGER_PAGE),
    Case("tzcld.monthly_table", tz("etp", "beta"), logged(404), label="Bêta, not enabled"),
    Case("tzcld.rates", tz("cde/taux"), MANAGER_PAGE),
    Case("tzcld.territory_edit", tz("territoire"), MANAGER_PAGE),
    Case("tzcld.territory_edit", tz("territoire", "beta"), logged(404), label="Bêta, not enabled"),
    Case("tzcld.committee", tz("cle/"), MANAGER_PAGE),
    Case("tzcld.committee", tz("cle/", "beta"), logged(404), label="Bêta, not enabled"),
    Case("tzcld.member_create", tz("cle/membres/nouveau"), MANAGER_PAGE),
    Case("tzcld.meeting_create", tz("cle/reunions/nouvelle"), MANAGER_PAGE),
    Case("tzcld.meeting_detail", tz("cle/reunions/{tz_meeting_a}"), MANAGER_PAGE),
    Case("tzcld.meeting_detail", tz("cle/reunions/{tz_meeting_b}"), PH_OTHER, label="Bêta's"),
    Case("tzcld.decision_edit", tz("cle/decisions/{tz_decision_a}/modifier"), MANAGER_PAGE),
    Case("tzcld.decision_edit", tz("cle/decisions/{tz_decision_b}/modifier"), PH_OTHER, label="Bêta's"),
    Case("tzcld.activity_list", tz("activites/"), MANAGER_PAGE),
    Case("tzcld.activity_create", tz("activites/nouvelle"), MANAGER_PAGE),
    Case("tzcld.activity_detail", tz("activites/{tz_activity_a}"), MANAGER_PAGE),
    Case("tzcld.activity_detail", tz("activites/{tz_activity_b}"), PH_OTHER, label="Bêta's"),
    Case("tzcld.activity_detail", tz(f"activites/{UNKNOWN}"), PH_OTHER, label="unknown"),
    *(Case("tzcld.download", tz(f"telecharger/{table}.{format}"), MANAGER_PAGE, label=f"{table}.{format}")
      for table in TZCLD_TABLES for format in ("csv", "xlsx")),
    Case("tzcld.download", tz("telecharger/registre.csv", "beta"), logged(404), label="Bêta, not enabled"),
    Case("tzcld.download", tz("telecharger/etapes.csv?inscription={tz_ppde_a}"), MANAGER_PAGE,
         label="one person's steps"),
    Case("tzcld.download", tz("telecharger/etapes.csv?inscription={tz_ppde_b}"), PH_OTHER,
         label="Bêta's person's steps"),
    Case("tzcld.download", tz("telecharger/inconnue.csv"), PH_OTHER, label="unknown table"),
    Case("tzcld.download", tz("telecharger/registre.pdf"), PH_OTHER, label="unknown format"),
]

# POSTs carry a valid CSRF token. Empty forms answer 422 to those allowed in, which
# shows the permission check passed without changing anything.
POSTS = [
    Case("tzcld.register_create", tz("registre/nouveau"), PH_FORM, "POST"),
    Case("tzcld.register_create", tz("registre/nouveau"), PH_FORM, "POST",
         {"person_id": lambda w: str(PB(w))}, label="a person of Bêta's"),
    Case("tzcld.register_move", tz("registre/{tz_ppde_a}/etape"), PH_FORM, "POST"),
    Case("tzcld.register_move", tz("registre/{tz_ppde_b}/etape"), PH_OTHER, "POST",
         {"status": "met", "on": day(0)}, label="Bêta's"),
    Case("tzcld.register_edit", tz("registre/{tz_ppde_a}/modifier"), PH_DONE, "POST",
         {"resident_since": day(-400)}),
    Case("tzcld.register_edit", tz("registre/{tz_ppde_b}/modifier"), PH_OTHER, "POST",
         {"resident_since": day(-400)}, label="Bêta's"),
    Case("tzcld.contract_create", tz("salaries/nouveau"), PH_FORM, "POST"),
    Case("tzcld.contract_create", tz("salaries/nouveau"), PH_FORM, "POST",
         {"person_id": lambda w: str(PB(w)), "started_on": day(0), "weekly_hours": "24"},
         label="a person of Bêta's"),
    Case("tzcld.working_time", tz("salaries/{tz_contract_a}/temps"), PH_FORM, "POST"),
    Case("tzcld.working_time", tz("salaries/{tz_contract_b}/temps"), PH_OTHER, "POST",
         {"effective_on": day(0), "weekly_hours": "30"}, label="Bêta's"),
    Case("tzcld.contract_end", tz("salaries/{tz_contract_a}/fin"), PH_FORM, "POST"),
    Case("tzcld.contract_end", tz("salaries/{tz_contract_b}/fin"), PH_OTHER, "POST",
         {"ended_on": day(0), "end_reason": "Démission"}, label="Bêta's"),
    Case("tzcld.rates", tz("cde/taux"), PH_FORM, "POST"),
    Case("tzcld.territory_edit", tz("territoire"), PH_FORM, "POST"),
    Case("tzcld.member_create", tz("cle/membres/nouveau"), PH_FORM, "POST"),
    Case("tzcld.meeting_create", tz("cle/reunions/nouvelle"), PH_FORM, "POST"),
    Case("tzcld.decision_create", tz("cle/reunions/{tz_meeting_a}/decisions"), PH_FORM, "POST"),
    Case("tzcld.decision_create", tz("cle/reunions/{tz_meeting_b}/decisions"), PH_OTHER, "POST",
         {"subject": "other", "title": "Budget", "outcome": "approved"}, label="Bêta's"),
    Case("tzcld.decision_create", tz("cle/reunions/{tz_meeting_a}/decisions"), PH_FORM, "POST",
         {"subject": "activity", "activity_id": lambda w: str(w.tz_activity_b), "title": "Recyclerie",
          "outcome": "approved"}, label="about Bêta's activity (not a choice)"),
    Case("tzcld.decision_edit", tz("cle/decisions/{tz_decision_a}/modifier"), PH_FORM, "POST"),
    Case("tzcld.decision_edit", tz("cle/decisions/{tz_decision_b}/modifier"), PH_OTHER, "POST",
         {"title": "Recyclerie", "outcome": "approved"}, label="Bêta's"),
    Case("tzcld.activity_create", tz("activites/nouvelle"), PH_FORM, "POST"),
    Case("tzcld.consultation_create", tz("activites/{tz_activity_a}/consultations"), PH_FORM, "POST"),
    Case("tzcld.consultation_create", tz("activites/{tz_activity_b}/consultations"), PH_OTHER, "POST",
         {"consulted": "Garage", "consulted_on": day(0)}, label="Bêta's"),
    Case("tzcld.activity_start", tz("activites/{tz_activity_a}/demarrage"), PH_FORM, "POST",
         {"started_on": day(0), "jobs": "2"}, label="postponed, not approved"),
    Case("tzcld.activity_start", tz("activites/{tz_activity_b}/demarrage"), PH_OTHER, "POST",
         {"started_on": day(0), "jobs": "2"}, label="Bêta's"),
    Case("tzcld.activity_end", tz("activites/{tz_activity_a}/fin"), PH_FORM, "POST",
         {"ended_on": day(0)}, label="not running"),
    Case("tzcld.activity_end", tz("activites/{tz_activity_b}/fin"), PH_OTHER, "POST",
         {"ended_on": day(0)}, label="Bêta's"),
    Case("tzcld.territory_edit", tz("territoire", "beta"), logged(404), "POST",
         {"name": "Territoire", "stage": "emerging"}, label="Bêta, not enabled"),
    Case("auth.login", lambda w: "/login", (422, 302, 302, 302, 302), "POST"),
    Case("auth.forgotten_password", lambda w: "/mot-de-passe/oublie", every(422), "POST"),
    Case("auth.reset_password", lambda w: "/mot-de-passe/nouveau/inconnu", every(404), "POST"),
    Case("auth.change_password", lambda w: "/compte/mot-de-passe", logged(422), "POST"),
    Case("members.association_create", lambda w: "/associations/nouvelle",
         (LOGIN, 403, 403, 403, 422), "POST"),
    Case("members.association_edit", lambda w: "/associations/alpha/modifier",
         (LOGIN, 403, 403, 422, 422), "POST", {"name": ""}),
    Case("members.association_edit", lambda w: "/associations/beta/modifier",
         (LOGIN, 403, 404, 404, 422), "POST", {"name": ""}, label="other"),
    Case("members.association_status", lambda w: "/associations/alpha/statut",
         (LOGIN, 403, 403, 403, 303), "POST", {"active": "1"}),
    Case("members.neighbourhood_create", lambda w: "/quartiers/nouveau",
         (LOGIN, 403, 403, 403, 422), "POST"),
    Case("members.neighbourhood_edit", lambda w: f"/quartiers/{w.neighbourhood.id}/modifier",
         (LOGIN, 403, 403, 403, 422), "POST", {"name": ""}),
    Case("members.person_create", lambda w: "/personnes/nouvelle", (LOGIN, 403, 422, 422, 422),
         "POST"),
    Case("members.person_edit", lambda w: f"/personnes/{PA(w)}/modifier",
         (LOGIN, 403, 422, 422, 422), "POST", {"first_name": ""}),
    Case("members.person_edit", lambda w: f"/personnes/{PB(w)}/modifier",
         (LOGIN, 403, 404, 404, 422), "POST", {"first_name": ""}, label="in B"),
    Case("members.person_status", lambda w: f"/personnes/{PA(w)}/statut",
         (LOGIN, 403, 403, 303, 303), "POST", {"active": "1"}),
    Case("members.person_status", lambda w: f"/personnes/{PB(w)}/statut",
         (LOGIN, 403, 404, 404, 303), "POST", {"active": "1"}, label="in B"),
    Case("members.membership_save", lambda w: f"/personnes/{PA(w)}/roles",
         (LOGIN, 403, 422, 422, 422), "POST"),
    Case("members.membership_save", lambda w: f"/personnes/{PB(w)}/roles",
         (LOGIN, 403, 404, 404, 422), "POST", label="in B"),
    Case("members.account_invite", lambda w: f"/personnes/{PA(w)}/acces",
         (LOGIN, 403, 303, 303, 303), "POST"),
    Case("members.account_invite", lambda w: f"/personnes/{PB(w)}/acces",
         (LOGIN, 403, 404, 404, 303), "POST", label="in B"),
    Case("members.collective_admin_toggle", lambda w: f"/personnes/{w.admin_a.id}/administration-collectif",
         (LOGIN, 403, 403, 403, 303), "POST", {"grant": "0"}),
    Case("partners.partner_create", lambda w: "/partenaires/nouveau",
         (LOGIN, 403, 422, 422, 422), "POST"),
    Case("partners.partner_edit", lambda w: f"/partenaires/{w.partner.id}/modifier",
         (LOGIN, 403, 422, 422, 422), "POST", {"name": ""}),
    Case("partners.partner_status", lambda w: f"/partenaires/{w.partner.id}/statut",
         (LOGIN, 403, 403, 403, 303), "POST", {"active": "1"}),
    Case("partners.contact_create", lambda w: f"/partenaires/{w.partner.id}/contacts/nouveau",
         (LOGIN, 403, 422, 422, 422), "POST"),
    Case("partners.contact_edit",
         lambda w: f"/partenaires/{w.partner.id}/contacts/{w.partner.contacts[0].id}/modifier",
         (LOGIN, 403, 422, 422, 422), "POST", {"first_name": ""}),
    Case("partners.service_create", lambda w: f"/partenaires/{w.partner.id}/services/nouveau",
         (LOGIN, 403, 422, 422, 422), "POST"),
    Case("partners.service_edit",
         lambda w: f"/partenaires/{w.partner.id}/services/{w.partner.services[0].id}/modifier",
         (LOGIN, 403, 422, 422, 422), "POST", {"name": ""}),
    Case("plugin_admin.association_plugin_settings",
         lambda w: "/associations/alpha/modules/exemplum/reglages", (LOGIN, 403, 403, 422, 422),
         "POST", {"greeting": ""}),
    Case("plugin_admin.association_plugin_toggle", lambda w: "/associations/alpha/modules/exemplum/etat",
         (LOGIN, 403, 403, 303, 303), "POST", {"enabled": "0"}),
    Case("plugin_admin.association_plugin_toggle", lambda w: "/associations/beta/modules/exemplum/etat",
         (LOGIN, 403, 404, 404, 303), "POST", {"enabled": "0"}, label="other"),
    Case("plugin_admin.collective_plugin_policy", lambda w: "/administration/modules/exemplum/interdiction",
         (LOGIN, 403, 403, 403, 303), "POST", {"forbidden": "0"}),
    Case("exemplum.reserve", lambda w: f"/p/exemplum/alpha/reserver/{w.alpha_bookable}",
         logged(404), "POST", label="plugin not enabled"),
    # The agenda. Each role runs on a fresh world, so every booking below is made once per
    # run; cases that depend on an earlier one say so.
    Case("agenda.event_create", lambda w: "/agenda/nouveau", (LOGIN, 403, 422, 422, 422), "POST"),
    Case("agenda.event_edit", ev("alpha_event", "/modifier"), (LOGIN, 403, 422, 422, 422), "POST",
         {"title": ""}, label="Alpha"),
    Case("agenda.event_edit", ev("beta_shared", "/modifier"), (LOGIN, 403, 403, 403, 422), "POST",
         {"title": ""}, label="Bêta, seen but not theirs"),
    Case("agenda.event_edit", ev("beta_event", "/modifier"), (LOGIN, 403, 404, 404, 422), "POST",
         {"title": ""}, label="Bêta, association only"),
    Case("agenda.book", ev("collective_event", "/inscription"), logged(303), "POST",
         label="the collective's own"),
    Case("agenda.book", ev("collective_event", "/inscription"), logged(409), "POST",
         label="the same again: already booked"),
    Case("agenda.book", ev("alpha_event", "/inscription"), (LOGIN, 409, 303, 303, 303), "POST",
         label="Alpha (volunteer_a booked beforehand)"),
    Case("agenda.book", ev("beta_shared", "/inscription"), (LOGIN, 409, 303, 303, 303), "POST",
         label="Bêta, whole collective (volunteer_a booked beforehand)"),
    Case("agenda.book", ev("beta_event", "/inscription"), (LOGIN, 404, 404, 404, 303), "POST",
         label="Bêta, association only"),
    Case("agenda.book", ev("alpha_past", "/inscription"), logged(409), "POST", label="started"),
    Case("agenda.book", ev("no_signup", "/inscription"), logged(404), "POST", label="no sign-up"),
    Case("agenda.book", ev("", "/inscription"), logged(404), "POST", label="unknown"),
    Case("agenda.book_for", ev("alpha_event", "/inscrire"), (LOGIN, 403, 303, 303, 303), "POST",
         {"person_id": lambda w: str(w.volunteer2_a.id)}, label="Alpha"),
    Case("agenda.book_for", ev("alpha_event", "/inscrire"), (LOGIN, 403, 422, 422, 422), "POST",
         label="Alpha, nobody chosen"),
    Case("agenda.book_for", ev("beta_shared", "/inscrire"), (LOGIN, 403, 403, 403, 303), "POST",
         {"person_id": lambda w: str(w.coordinator_b.id)}, label="Bêta, seen but not theirs"),
    Case("agenda.book_for", ev("beta_event", "/inscrire"), (LOGIN, 403, 404, 404, 303), "POST",
         {"person_id": lambda w: str(w.coordinator_b.id)}, label="Bêta, association only"),
    Case("agenda.book_for", ev("collective_event", "/inscrire"), (LOGIN, 403, 403, 403, 303), "POST",
         {"person_id": lambda w: str(w.volunteer2_a.id)}, label="the collective's own"),
    Case("agenda.booking_cancel", bk("volunteer_booking"), (LOGIN, 303, 303, 303, 303), "POST",
         label="volunteer_a's, on Alpha's event"),
    Case("agenda.booking_cancel", bk("volunteer_booking_beta"), (LOGIN, 303, 404, 404, 303), "POST",
         label="volunteer_a's, on Bêta's shared event"),
    Case("agenda.booking_cancel", bk("beta_shared_booking"), (LOGIN, 404, 404, 404, 303), "POST",
         label="someone of Bêta's, on Bêta's shared event"),
    Case("agenda.booking_cancel", bk("beta_booking"), (LOGIN, 404, 404, 404, 303), "POST",
         label="someone of Bêta's, on an association-only event"),
    Case("agenda.booking_cancel", bk(""), logged(404), "POST", label="unknown"),
    Case("agenda.attendance", ev("alpha_past", "/presences"), (LOGIN, 403, 303, 303, 303), "POST",
         label="Alpha, past"),
    Case("agenda.attendance", ev("alpha_event", "/presences"), (LOGIN, 403, 409, 409, 409), "POST",
         label="Alpha, not started"),
    Case("agenda.attendance", ev("beta_event", "/presences"), (LOGIN, 403, 404, 404, 409), "POST",
         label="Bêta, association only"),
    Case("agenda.calendar_new_link", lambda w: "/agenda/calendrier/lien", logged(200), "POST"),
    Case("agenda.calendar_revoke", lambda w: "/agenda/calendrier/supprimer", logged(303), "POST"),
    # Premières Heures (Alpha only). Each valid form below is sent once per run, on the
    # records the fixture made; none clashes with another (the new session is tomorrow).
    Case("premieres_heures.pathway_create", ph("parcours/nouveau"), PH_FORM, "POST"),
    Case("premieres_heures.pathway_create", ph("parcours/nouveau"), PH_FORM, "POST",
         {"person_id": lambda w: str(PA(w)), "orienteur_name": "Inès Orient", "start_date": day(0),
          "orienteur_partner_id": "0", "referent_id": "0", "host_partner_id": "0"},
         label="supported_a, who already has one"),
    Case("premieres_heures.pathway_create", ph("parcours/nouveau", "beta"), logged(404), "POST",
         {"person_id": lambda w: str(PB(w)), "orienteur_name": "Inès Orient", "start_date": day(0),
          "orienteur_partner_id": "0", "referent_id": "0", "host_partner_id": "0"},
         label="Bêta, not enabled"),
    Case("premieres_heures.pathway_edit", ph("parcours/{ph_pathway_a}/modifier"), PH_FORM, "POST",
         {"orienteur_name": ""}),
    Case("premieres_heures.pathway_edit", ph("parcours/{ph_pathway_b}/modifier"), PH_OTHER, "POST",
         {"orienteur_name": ""}, label="Bêta's"),
    Case("premieres_heures.stage_create", ph("parcours/{ph_pathway_a}/paliers/nouveau"), PH_DONE,
         "POST", {"effective_date": day(7), "rung": "12"}),
    Case("premieres_heures.stage_create", ph("parcours/{ph_pathway_b}/paliers/nouveau"), PH_OTHER,
         "POST", {"effective_date": day(7), "rung": "12"}, label="Bêta's"),
    Case("premieres_heures.review_create", ph("parcours/{ph_pathway_a}/bilans/nouveau"), PH_DONE,
         "POST", {"held_on": day(0), "participants": "Samir Suivi, Inès Orient", "decision": "keep"}),
    Case("premieres_heures.review_create", ph("parcours/{ph_pathway_b}/bilans/nouveau"), PH_OTHER,
         "POST", {"held_on": day(0), "participants": "Sarah Suivie, Inès Orient", "decision": "keep"},
         label="Bêta's"),
    Case("premieres_heures.waiver_create", ph("parcours/{ph_pathway_a}/derogations/nouvelle"),
         PH_FORM, "POST"),
    Case("premieres_heures.waiver_create", ph("parcours/{ph_pathway_b}/derogations/nouvelle"),
         PH_OTHER, "POST", label="Bêta's"),
    Case("premieres_heures.waiver_edit",
         ph("parcours/{ph_pathway_a}/derogations/{ph_waiver_a}/modifier"), PH_DONE, "POST",
         {"starts_on": day(-60), "ends_on": day(119), "review_id": "0"}),
    Case("premieres_heures.waiver_edit",
         ph("parcours/{ph_pathway_a}/derogations/{ph_waiver_b}/modifier"), PH_OTHER, "POST",
         {"starts_on": day(-60), "ends_on": day(119), "review_id": "0"},
         label="Bêta's waiver behind Alpha's pathway"),
    Case("premieres_heures.support_create", ph("parcours/{ph_pathway_a}/accompagnement/nouvelle"),
         PH_DONE, "POST", {"domain": "rights", "description": "Ouverture des droits",
                           "status": "planned", "opened_on": day(0)}),
    Case("premieres_heures.support_create", ph("parcours/{ph_pathway_b}/accompagnement/nouvelle"),
         PH_OTHER, "POST", {"domain": "rights", "description": "Ouverture des droits",
                            "status": "planned", "opened_on": day(0)}, label="Bêta's"),
    Case("premieres_heures.support_edit",
         ph("parcours/{ph_pathway_a}/accompagnement/{ph_action_a}/modifier"), PH_FORM, "POST",
         {"description": ""}),
    Case("premieres_heures.support_edit",
         ph("parcours/{ph_pathway_a}/accompagnement/{ph_action_b}/modifier"), PH_OTHER, "POST",
         {"description": ""}, label="Bêta's action behind Alpha's pathway"),
    Case("premieres_heures.exit_edit", ph("parcours/{ph_pathway_a}/sortie"), PH_FORM, "POST"),
    Case("premieres_heures.exit_edit", ph("parcours/{ph_pathway_b}/sortie"), PH_OTHER, "POST",
         {"exit_date": day(0), "exit_outcome": "job"}, label="Bêta's"),
    Case("premieres_heures.host_week_attendance", ph("semaine/structure/{partner.id}/presences"),
         PH_DONE, "POST", presence("ph_session_a", "absent")),
    Case("premieres_heures.host_week_attendance", ph("semaine/structure/{partner.id}/presences"),
         PH_OTHER, "POST", presence("ph_session_b", "absent"), label="a session of Bêta's"),
    Case("premieres_heures.host_week_attendance",
         ph("semaine/structure/{other_partner.id}/presences"), PH_OTHER, "POST",
         presence("ph_session_b", "absent"), label="Bêta's host structure"),
    Case("premieres_heures.person_week_attendance", ph("semaine/parcours/{ph_pathway_a}/presences"),
         PH_DONE, "POST", presence("ph_session_a", "present")),
    Case("premieres_heures.person_week_attendance", ph("semaine/parcours/{ph_pathway_a}/presences"),
         PH_OTHER, "POST", presence("ph_session_b", "present"), label="a session of Bêta's"),
    Case("premieres_heures.person_week_attendance", ph("semaine/parcours/{ph_pathway_b}/presences"),
         PH_OTHER, "POST", presence("ph_session_b", "present"), label="Bêta's"),
    Case("premieres_heures.person_week_attendance",
         ph("semaine/parcours/{ph_pathway_b}/presences", "beta"), logged(404), "POST",
         presence("ph_session_b", "present"), label="Bêta's, at Bêta's address (not enabled)"),
    Case("premieres_heures.session_new", ph("parcours/{ph_pathway_a}/seances/nouvelle"), PH_FORM,
         "POST"),
    Case("premieres_heures.session_new", ph("parcours/{ph_pathway_a}/seances/nouvelle"), PH_DONE,
         "POST", {"day": day(1), "start": "14:00", "end": "16:00", "task": "Espaces verts"},
         label="tomorrow"),
    Case("premieres_heures.session_new", ph("parcours/{ph_pathway_b}/seances/nouvelle"), PH_OTHER,
         "POST", {"day": day(1), "start": "14:00", "end": "16:00"}, label="Bêta's"),
    Case("premieres_heures.session_edit",
         ph("parcours/{ph_pathway_a}/seances/{ph_session_a}/modifier"), PH_FORM, "POST", {"day": ""}),
    Case("premieres_heures.session_edit",
         ph("parcours/{ph_pathway_a}/seances/{ph_session_a}/modifier"), PH_DONE, "POST",
         {"day": day(-1), "start": "09:00", "end": "12:30"}, label="half an hour longer"),
    Case("premieres_heures.session_edit",
         ph("parcours/{ph_pathway_a}/seances/{ph_session_b}/modifier"), PH_OTHER, "POST",
         {"day": day(-1), "start": "09:00", "end": "12:30"},
         label="Bêta's session behind Alpha's pathway"),
]

# Destructive actions come last so that earlier cases still find their records.
DESTRUCTIVE = [
    Case("agenda.event_cancel", ev("alpha_event", "/annuler"), (LOGIN, 403, 303, 303, 303), "POST",
         label="Alpha"),
    Case("agenda.event_cancel", ev("beta_shared", "/annuler"), (LOGIN, 403, 403, 403, 303), "POST",
         label="Bêta, seen but not theirs"),
    Case("agenda.event_cancel", ev("beta_event", "/annuler"), (LOGIN, 403, 404, 404, 303), "POST",
         label="Bêta, association only"),
    Case("agenda.event_cancel", ev("collective_event", "/annuler"), (LOGIN, 403, 403, 403, 303),
         "POST", label="the collective's own"),
    Case("members.membership_remove",
         lambda w: (f"/personnes/{w.volunteer2_a.id}/roles/"
                    f"{w.membership_id(w.volunteer2_a, w.asso_a)}/retirer"),
         (LOGIN, 403, 303, 303, 303), "POST"),
    Case("members.membership_remove",
         lambda w: f"/personnes/{PB(w)}/roles/{w.membership_id(w.supported_b, w.asso_b)}/retirer",
         (LOGIN, 403, 404, 404, 303), "POST", label="in B"),
    Case("partners.contact_delete",
         lambda w: f"/partenaires/{w.partner.id}/contacts/{w.partner.contacts[0].id}/supprimer",
         (LOGIN, 403, 303, 303, 303), "POST"),
    Case("partners.service_delete",
         lambda w: f"/partenaires/{w.partner.id}/services/{w.partner.services[0].id}/supprimer",
         (LOGIN, 403, 303, 303, 303), "POST"),
    # Premières Heures: Bêta's records are tried first, while they still exist; the exit ends
    # Alpha's pathway.
    Case("premieres_heures.session_delete",
         ph("parcours/{ph_pathway_a}/seances/{ph_session_b}/supprimer"), PH_OTHER, "POST",
         label="Bêta's session behind Alpha's pathway"),
    Case("premieres_heures.session_delete",
         ph("parcours/{ph_pathway_b}/seances/{ph_session_b}/supprimer"), PH_OTHER, "POST",
         label="Bêta's"),
    Case("premieres_heures.session_delete",
         ph("parcours/{ph_pathway_b}/seances/{ph_session_b}/supprimer", "beta"), logged(404), "POST",
         label="Bêta's, at Bêta's address (not enabled)"),
    Case("premieres_heures.session_delete",
         ph("parcours/{ph_pathway_a}/seances/{ph_session_a}/supprimer"), PH_DONE, "POST"),
    Case("premieres_heures.exit_edit", ph("parcours/{ph_pathway_a}/sortie"), PH_DONE, "POST",
         {"exit_date": day(0), "exit_outcome": "job"}, label="the exit"),
    Case("members.person_erase", lambda w: f"/personnes/{PB(w)}/effacer",
         (LOGIN, 403, 403, 403, 303), "POST"),
    Case("auth.end_session", lambda w: "/compte/appareils/999999/deconnecter",
         logged(404), "POST", label="not one's own"),
    Case("auth.end_all_sessions", lambda w: "/compte/appareils/deconnecter",
         (LOGIN, 303, 303, 303, 303), "POST", logs_out=True),
    Case("auth.logout", lambda w: "/logout", (LOGIN, 303, 303, 303, 303), "POST"),
]



def _sites(rows: list[matrix_sites.Row]) -> list[Case]:
    return [Case(endpoint, lambda w, path=path: matrix_sites.url(path, w.sites), expected, method, data,
                 label) for endpoint, path, expected, method, data, label in rows]


GETS += _sites(matrix_sites.GETS)
POSTS += _sites(matrix_sites.POSTS)
DESTRUCTIVE = _sites(matrix_sites.DESTRUCTIVE) + DESTRUCTIVE


def _referrals(rows: list[matrix_referrals.Row]) -> list[Case]:
    def form(data: dict[str, Any]) -> Callable[[MatrixWorld], dict[str, str]]:
        return lambda w: {key: value.format_map(w.referrals) if isinstance(value, str) else value(w)
                          for key, value in data.items()}

    return [Case(endpoint, lambda w, path=path: matrix_referrals.url(path, w.referrals), expected,
                 method, form(data), label)
            for endpoint, path, expected, method, data, label in rows]


GETS += _referrals(matrix_referrals.GETS)
POSTS += _referrals(matrix_referrals.POSTS)
DESTRUCTIVE = _referrals(matrix_referrals.DESTRUCTIVE) + DESTRUCTIVE
def _allervers(rows: list[matrix_allervers_outreach.Row]) -> list[Case]:
    return [Case(endpoint, lambda w, path=path: matrix_allervers_outreach.url(path, w.allervers), expected,
                 method, data, label) for endpoint, path, expected, method, data, label in rows]


GETS += _allervers(matrix_allervers_outreach.GETS)
POSTS += _allervers(matrix_allervers_outreach.POSTS)
DESTRUCTIVE = _allervers(matrix_allervers_outreach.DESTRUCTIVE) + DESTRUCTIVE


def _allervers_pathways(rows: list[matrix_allervers_pathways.Row]) -> list[Case]:
    return [Case(endpoint, lambda w, path=path: matrix_allervers_pathways.url(path, w.allervers_pathways),
                 expected, method, data, label) for endpoint, path, expected, method, data, label in rows]


GETS += _allervers_pathways(matrix_allervers_pathways.GETS)
POSTS += _allervers_pathways(matrix_allervers_pathways.POSTS)
DESTRUCTIVE = _allervers_pathways(matrix_allervers_pathways.DESTRUCTIVE) + DESTRUCTIVE

MATRIX = GETS + POSTS + DESTRUCTIVE


def routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def third_party_plugins(app: Flask) -> set[str]:
    """Installed plugins that are not under plugins/: each covers its routes in its own
    tests (the testing kit's ``maillage_route_matrix``), not in the core's suite."""
    return {name for name, plugin in get_host(app).plugins.items()
            if plugin.module is None or not Path(plugin.module.__file__ or "").is_relative_to(BUILT_IN)}


def uncovered_routes(app: Flask, cases: list[Case]) -> set[tuple[str, str]]:
    """Routes of the core and the built-in plugins without an expected status per role."""
    others = third_party_plugins(app)
    covered = {(case.endpoint, case.method) for case in cases}
    return {(endpoint, method) for endpoint, method in routes(app) - covered
            if endpoint.split(".", 1)[0] not in others}


def test_matrix_covers_every_route(app: Flask) -> None:
    assert uncovered_routes(app, MATRIX) == set(), "routes without an expected status per role"
    covered = {(case.endpoint, case.method) for case in MATRIX}
    assert covered - routes(app) == set(), "matrix entries for routes that no longer exist"


def test_a_third_party_plugin_does_not_make_the_core_matrix_fail(database_url: str, app: Flask) -> None:
    installed = make_app(database_url, PLUGIN_MODULES={**SUITE_PLUGINS, "tiers": TIERS})
    assert ("tiers.home", "GET") in routes(installed) - {(c.endpoint, c.method) for c in MATRIX}
    assert uncovered_routes(installed, MATRIX) == set()
    # The plugin's own matrix (the testing kit's, as its tests call it) is the one that fails.
    assert matrix_problems(installed, "tiers", []) == [
        "GET tiers.home (/p/tiers/): no case gives its status per role"]
    assert matrix_problems(installed, "tiers", [as_case(("GET", "/p/tiers/", {
        "anonymous": 302, "volunteer": 200, "coordinator": 200, "admin": 200,
        "collective_admin": 200}))]) == []
    # A route of the core or of a built-in plugin still has to be in the matrix.
    assert uncovered_routes(installed, [c for c in MATRIX if c.endpoint != "agenda.upcoming"]) == {
        ("agenda.upcoming", "GET")}
    assert ("premieres_heures.home", "GET") in uncovered_routes(
        installed, [c for c in MATRIX if not c.endpoint.startswith("premieres_heures.")])


@pytest.mark.parametrize("role", ROLES)
def test_route_role_matrix(app: Flask, matrix_world: MatrixWorld, role: str) -> None:
    client = app.test_client()
    if role != "anonymous":
        login(client, EMAILS[role])
    column = ROLES.index(role)
    failures = []
    for case in MATRIX:
        url = case.url(matrix_world)
        response = client.get(url) if case.method == "GET" else post(client, url, case.form(matrix_world))
        if response.status_code != case.expected[column]:
            failures.append(f"{case.name} {url}: {response.status_code}, "
                            f"expected {case.expected[column]}")
        if response.status_code == LOGIN and case.expected[column] == LOGIN and role == "anonymous":
            assert "/login" in response.headers["Location"]
        if case.logs_out and role != "anonymous":
            assert client.get("/compte").status_code != 200, f"{case.name} left them in"
            login(client, EMAILS[role])
    assert failures == [], "\n".join(failures)


def test_every_post_route_refuses_a_missing_csrf_token(app: Flask, matrix_world: MatrixWorld) -> None:
    client = app.test_client()
    login(client, EMAILS["collective_admin"])
    for case in POSTS + DESTRUCTIVE:
        response = client.post(case.url(matrix_world), data=case.form(matrix_world))
        assert response.status_code == 400, case.name
        assert "Le formulaire a expiré" in text_of(response), case.name


def test_app_refuses_to_start_with_a_route_without_access_rule(database_url: str) -> None:
    def extra_routes(app: Flask) -> None:
        @app.get("/oubli")
        def forgotten_rule() -> str:
            return "sans règle"

    def with_rule(app: Flask) -> None:
        @app.get("/avec-regle")
        @access(Level.MEMBER)
        def ruled() -> str:
            return "ok"

    from core.app import _check_every_route_has_a_rule

    app = make_app(database_url)
    with_rule(app)
    _check_every_route_has_a_rule(app)  # a guarded route passes
    extra_routes(app)
    with pytest.raises(RuntimeError, match="forgotten_rule"):
        _check_every_route_has_a_rule(app)
