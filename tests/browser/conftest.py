"""Real-browser tests: Debian's Chromium, driven by Playwright, on the app served by a real
HTTP server on the suite's database (SQLite, or PostgreSQL when MAILLAGE_TEST_DATABASE_URL is
set).

One Chromium for the whole run and one set of data for this package (built once: the server
outlives a test); each test opens its own browser contexts (cookies, viewport), closed after
it. The people sign in through the login form once, at set-up; their cookies are then handed
to each new context. A test fails when the server logs an error, when a page throws a
JavaScript error, or when the browser refuses something (a Content-Security-Policy breach).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.agenda.clock import paris_today
from core.agenda.engine import book
from core.database import session
from core.mail import OUTBOX_KEY
from core.members import Membership, Person, Role
from core.pluginhost.activation import PluginActivation
from core.pluginhost.refs import association_ref
from core.referrals.api import create_referral
from core.referrals.models import Referral
from core.testing import TEST_PASSWORD, empty_tables
from plugins.allervers import demo as allervers_demo
from plugins.allervers.models_outreach import Contact, OutreachAction
from plugins.allervers.models_pathways import Pathway as OutreachPathway
from plugins.premieres_heures.pathways import create_pathway
from plugins.premieres_heures.schedule import SessionFields, save_session
from plugins.premieres_heures.settings import DEFAULT_SETTINGS, parse_ladder
from plugins.sites import demo as sites_demo
from plugins.sites.models import Lot
from plugins.sites.models import Site as OccupiedSite
from plugins.sites.models_calls import Application, Call, CallLot, Choice, Criterion, Field, LegalForm
from plugins.tzcld import demo as tzcld_demo
from plugins.tzcld.models import Activity, Meeting, Ppde
from tests.conftest import World, build_world
from tests.sites_agreements_world import browser_records as agreement_records
from tests.sites_review_world import add_application, add_scores, make_call
from tests.support import ErrorLog, committed, live_server, upcoming_event

CHROMIUM = Path("/usr/bin/chromium")
# The network is closed: without these, Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE, DESKTOP = 360, 1280  # viewport widths, in CSS pixels
WIDTHS = [pytest.param(PHONE, id="360px"), pytest.param(DESKTOP, id="1280px")]
EMAILS = {
    "volunteer": "benevole.a@test.org",
    "coordinator": "coord.a@test.org",
    "admin": "admin.a@test.org",
    "collective_admin": "collectif@test.org",
}
PH = "/p/premieres_heures/alpha"
TZ = "/p/tzcld/alpha"
SITES = "/p/sites/alpha"
ALLERVERS = "/p/allervers/alpha"
REFERRAL_TOKEN = "jeton-d-orientation"  # the answer link of the referral _allervers sends


@dataclass
class Site:
    """The served app and what the pages are about (ids of the data built for them)."""

    app: Flask
    base: str
    log: ErrorLog
    world: World
    signed_in: dict[str, dict[str, Any]]  # Playwright storage state (cookies), by role
    booked_event: int  # Alpha's workshop the volunteer is already booked on
    ph_monday: date  # the Premières Heures week shown, the one holding yesterday
    ph_pathway: int  # supported_a's pathway, hosted by world.partner
    ids: dict[str, object] = field(default_factory=dict)

    def url(self, path: str) -> str:
        """A page's address; ``{name}`` stands for one of ``ids`` (``{pathway}``, ``{event}``…)."""
        return path.format_map(self.ids)


def _premieres_heures(app: Flask, world: World, db: Session) -> tuple[date, int]:
    """Premières Heures on for Alpha, two people on a pathway at world.partner, with work
    sessions every weekday of the week holding yesterday (so one has always started), made
    through the plugin's own services."""
    db.add(PluginActivation(plugin="premieres_heures", association_id=world.asso_a.id))
    second = Person(first_name="Rachida", last_name="Parcours",
                    memberships=[Membership(association_id=world.asso_a.id, role=Role.SUPPORTED)])
    db.add(second)
    db.commit()
    yesterday = paris_today() - timedelta(days=1)
    monday = yesterday - timedelta(days=yesterday.weekday())
    first_hours = parse_ladder(DEFAULT_SETTINGS["hours_ladder"])[0]

    def arrange() -> int:
        pathways = [
            create_pathway(world.asso_a.id, person_id, start_date=monday - timedelta(days=30),
                           planned_end=monday + timedelta(days=150), first_hours=first_hours,
                           orienteur_name="Inès Orient", host_partner_id=world.partner.id)
            for person_id in (world.supported_a.id, second.id)
        ]
        # Monday, Wednesday and Friday for one (over the first stage's hours), Tuesday and
        # Thursday for the other; Monday is never after yesterday.
        for pathway, days, start in ((pathways[0], (0, 2, 4), time(9)), (pathways[1], (1, 3), time(14))):
            for offset in days:
                save_session(pathway, SessionFields(
                    day=monday + timedelta(days=offset), start=start,
                    end=start.replace(hour=start.hour + 2), supervisor="Marc Encadrant",
                    task="Tri et mise en rayon des dons"))
        return pathways[0].id

    return monday, committed(app, arrange)


def _tzcld(app: Flask, world: World, db: Session) -> dict[str, int]:
    """Territoire zéro chômeur on for Alpha, filled by the plugin's own demo data (a territory,
    its register, the EBE's staff, a committee with its meetings and decisions, activities)."""
    db.add(PluginActivation(plugin="tzcld", association_id=world.asso_a.id))
    db.commit()

    def arrange() -> dict[str, int]:
        tzcld_demo.load(association_ref(world.asso_a), paris_today())
        session.flush()
        return {"tz_meeting": session.scalar(select(Meeting.id).order_by(Meeting.starts_at).limit(1)),
                "tz_activity": session.scalar(select(Activity.id).order_by(Activity.id).limit(1)),
                "tz_ppde": session.scalar(select(Ppde.id).order_by(Ppde.id).limit(1))}

    return committed(app, arrange)


def _sites(app: Flask, world: World, db: Session) -> dict[str, int]:
    """Sites en transition on for Alpha, filled by the plugin's own demo data (a site, its lots
    and allocations)."""
    db.add(PluginActivation(plugin="sites", association_id=world.asso_a.id))
    db.commit()

    def arrange() -> dict[str, int]:
        sites_demo.load(association_ref(world.asso_a), paris_today())
        session.flush()
        site = session.scalar(select(OccupiedSite.id).order_by(OccupiedSite.id).limit(1))
        ids = {"site": site, "lot": session.scalar(select(Lot.id).order_by(Lot.id).limit(1)),
               "call": _open_call(world.asso_a.id, site)}
        # A call with an application, scored by the coordinator, for the review's pages.
        call = make_call(session, world.asso_a.id, lots=("R1", "R2"))
        application = add_application(session, call, "Recyclerie du quartier", ("R1", "R2"))
        add_scores(session, call, "Recyclerie du quartier", world.coordinator_a.id, [4, 3], "Projet solide")
        room = session.scalar(select(Lot.id).where(Lot.kind == "shared_room").order_by(Lot.code).limit(1))
        return ids | {"review_call": call.call, "application": application, "room": room,
                      **agreement_records()}

    return committed(app, arrange)


def _allervers(app: Flask, world: World, db: Session) -> dict[str, int]:
    """Aller-vers on for Alpha, filled by the plugin's demo data (actions, tallies, contacts,
    pathways), and a referral of the core sent to world.partner, answerable at
    ``/orientation/<REFERRAL_TOKEN>``."""
    db.add(PluginActivation(plugin="allervers", association_id=world.asso_a.id))
    db.commit()

    def arrange() -> dict[str, int]:
        alpha = association_ref(world.asso_a)
        allervers_demo.load(alpha, paris_today())
        session.flush()
        referral = create_referral(alpha, world.supported_a.id, partner_id=world.partner.id,
                                   reason="Cherche une solution de garde pour reprendre une formation.",
                                   referent_id=world.coordinator_a.id,
                                   recipient_email="accueil@mission-locale.test")
        session.get(Referral, referral.id).token_digest = hashlib.sha256(REFERRAL_TOKEN.encode()).hexdigest()
        first = select(OutreachAction.id).where(OutreachAction.association_id == world.asso_a.id)
        return {
            "outreach_action": session.scalar(first.order_by(OutreachAction.starts_at.desc()).limit(1)),
            "contact": session.scalar(select(Contact.id).where(Contact.person_id.is_(None))
                                      .order_by(Contact.id).limit(1)),
            "outreach_pathway": session.scalar(select(OutreachPathway.id)
                                               .order_by(OutreachPathway.id).limit(1)),
            "referral": referral.id,
        }

    return committed(app, arrange)


SITES_TOKEN = "jeton-de-candidature"  # the link of the application _open_call receives


def _open_call(association_id: int, site_id: int) -> int:
    """A call for applications open today on three of the site's lots, with a criterion and
    an application (read back at ``candidature/<SITES_TOKEN>``)."""
    today = paris_today()
    lots = session.scalars(select(Lot.id).where(Lot.site_id == site_id).order_by(Lot.code).limit(3)).all()
    call = Call(association_id=association_id, site_id=site_id, title="Ateliers à l'ancienne école",
                presentation="Des ateliers pour des projets du quartier.", published=True,
                opens_on=today - timedelta(days=3), closes_on=today + timedelta(days=30))
    session.add(call)
    session.flush()
    session.add_all(CallLot(call_id=call.id, lot_id=lot) for lot in lots)
    session.add(Criterion(call_id=call.id, label="Ancrage dans le quartier", weight=3, position=1))
    application = Application(
        association_id=association_id, call_id=call.id, organisation="Recyclerie du canal",
        legal_form=LegalForm.ASSOCIATION, field=Field.CIRCULAR, project="Réparer des meubles.",
        for_the_neighbourhood="Des ateliers ouverts le samedi.", jobs=2, contact_name="Inès Martin",
        contact_email="ines@exemple.org", view_token_hash=hashlib.sha256(SITES_TOKEN.encode()).hexdigest())
    session.add(application)
    session.flush()
    session.add(Choice(association_id=association_id, application_id=application.id, lot_id=lots[0],
                       preference=1))
    return call.id


def _agenda(app: Flask, world: World) -> dict[str, int]:
    """Workshops in the coming days; the volunteer is booked on one, a supported person too."""
    booked, booked_bookable = upcoming_event(app, world.asso_a.id, capacity=12,
                                             title="Atelier numérique", days=2)
    other, _ = upcoming_event(app, world.asso_b.id, capacity=8, title="Forum de l'emploi", days=5)
    for person in (world.volunteer_a, world.supported_a):
        committed(app, book, booked_bookable, person.id)
    return {"event": booked, "beta_event": other}


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make install-test` installs Debian's chromium "
                    "(apt-get install chromium).", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _sign_in(chromium: Browser, base: str, email: str) -> dict[str, Any]:
    context = chromium.new_context(base_url=base)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    assert page.url == base + "/", f"{email} could not sign in: {page.url}"
    state: dict[str, Any] = dict(context.storage_state())
    context.close()
    return state


@pytest.fixture(scope="package")
def site(maillage_migrated_app: Flask, maillage_autocommit_engine: Engine,
         maillage_password_hash: str, chromium: Browser) -> Iterator[Site]:
    app = maillage_migrated_app
    empty_tables(app)
    try:
        with Session(maillage_autocommit_engine, expire_on_commit=False) as db:
            world = build_world(db, maillage_password_hash)
            ph_monday, ph_pathway = _premieres_heures(app, world, db)
            tzcld = _tzcld(app, world, db) | _sites(app, world, db) | _allervers(app, world, db)
        ids = _agenda(app, world) | tzcld | {
            "pathway": ph_pathway, "partner": world.partner.id, "supported": world.supported_a.id,
            "volunteer": world.volunteer_a.id, "neighbourhood": world.neighbourhood.id,
            "ph_monday": ph_monday.isoformat(),
        }
        with live_server(app) as served:
            signed_in = {role: _sign_in(chromium, served.base, email) for role, email in EMAILS.items()}
            assert not served.log.messages, served.log.text()
            yield Site(app=app, base=served.base, log=served.log, world=world, signed_in=signed_in,
                       booked_event=int(ids["event"]), ph_monday=ph_monday, ph_pathway=ph_pathway,
                       ids=ids)
    finally:
        app.extensions.pop(OUTBOX_KEY, None)
        empty_tables(app)


OpenPage = Callable[..., Page]
_REFUSED_RESOURCE = "Failed to load resource: the server responded with a status of 4"


@pytest.fixture
def open_page(site: Site, chromium: Browser) -> Iterator[OpenPage]:
    """``open_page(role=None, width=DESKTOP)``: a new page in its own context, signed in as
    ``role`` (None: anonymous). Confirmation dialogs are accepted, as a person would."""
    contexts: list[BrowserContext] = []
    troubles: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # A 4xx answer is a test's business (a form refused answers 422), not a breakage.
        if message.type == "error" and not message.text.startswith(_REFUSED_RESOURCE):
            troubles.append(f"console error on {message.location.get('url')}: {message.text}")

    def open_(role: str | None = None, width: int = DESKTOP, *, touch: bool = False) -> Page:
        context = chromium.new_context(
            base_url=site.base, viewport={"width": width, "height": 800}, locale="fr-FR",
            has_touch=touch, is_mobile=touch,
            storage_state=site.signed_in[role] if role else None)  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        page.on("pageerror", lambda error: troubles.append(f"JavaScript error: {error}"))
        page.on("console", on_console)
        return page

    site.log.messages.clear()
    site.app.extensions.setdefault(OUTBOX_KEY, []).clear()
    yield open_
    for context in contexts:
        context.close()
    assert not site.log.messages, f"the server logged errors:\n{site.log.text()}"
    assert not troubles, "\n".join(troubles)


# How long the browser tests took, said at the end of the run (CI reports each part's time).
_SPENT: dict[str, float] = {"seconds": 0.0, "tests": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _SPENT["seconds"] += report.duration
    if report.when == "call":
        _SPENT["tests"] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _SPENT["tests"]:
        terminalreporter.write_line(
            f"browser tests (tests/browser, Chromium {CHROMIUM}): {_SPENT['tests']:.0f} run "
            f"in {_SPENT['seconds']:.0f} s")
