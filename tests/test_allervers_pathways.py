"""Aller-vers: pathways with a single referent — stages, barriers, actions, referent
changes, exit, target public checks, the timeline, the list, the dashboard widget."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.members import Neighbourhood, Role
from core.plugin_api import french_date as french
from core.plugin_api import paris_today
from plugins.allervers.models_pathways import (
    BarrierStatus,
    ExitOutcome,
    Pathway,
    PathwayAction,
    PathwayBarrier,
    PathwayReferent,
    PathwayStage,
)
from tests.allervers_pathways_world import (
    BASE,
    COORD_A,
    STAGES,
    VOLUNTEER_A,
    count,
    enable,
    make_pathway,
    pathway,
)
from tests.conftest import add_person
from tests.form_checks import dump
from tests.support import committed, count_queries, field_error, login, post
from tests.support import text_of as raw_text

TODAY = paris_today()


@pytest.fixture(autouse=True)
def _today_in_paris() -> None:
    global TODAY
    TODAY = paris_today()


@pytest.fixture
def enabled(world, maillage_enable_plugin):
    return enable(world, maillage_enable_plugin)


@pytest.fixture
def coord(client, enabled):
    login(client, COORD_A)
    return client


def text_of(response) -> str:
    return html.unescape(raw_text(response))


def iso(day: date) -> str:
    return day.isoformat()


def stages(db, pathway_id: int) -> list[tuple[str, date, date | None, int | None]]:
    db.expire_all()
    return [(s.name, s.started_on, s.ended_on, s.partner_id) for s in db.scalars(
        select(PathwayStage).where(PathwayStage.pathway_id == pathway_id).order_by(PathwayStage.id))]


# --- A pathway for a person already supported ----------------------------------------------

def test_a_pathway_opens_for_a_supported_person_once(coord, db, world):
    form = {"person_id": str(world.supported_a.id), "first_contact_on": iso(TODAY - timedelta(days=7)),
            "age_at_first_contact": "22", "neighbourhood_id": str(world.neighbourhood.id),
            "referent_id": str(world.coordinator_a.id), "started_on": iso(TODAY),
            "stage_partner_id": str(world.partner.id)}
    page = coord.get(f"{BASE}/parcours/nouveau")
    assert page.status_code == 200 and "Samir Suivi" in text_of(page)
    response = post(coord, f"{BASE}/parcours/nouveau", form)
    assert response.status_code == 303
    created = db.scalar(select(Pathway))
    assert (created.person_id, created.first_contact_on, created.age_at_first_contact,
            created.contact_id) == (world.supported_a.id, TODAY - timedelta(days=7), 22, None)
    assert stages(db, created.id) == [(STAGES[0], TODAY, None, world.partner.id)]

    again = post(coord, f"{BASE}/parcours/nouveau", form)
    assert again.status_code == 422
    assert field_error(again, "person_id") == "Cette personne a déjà un parcours en cours dans l'association."
    assert count(db, Pathway) == 1
    # Another association's person cannot be chosen.
    other = post(coord, f"{BASE}/parcours/nouveau", {**form, "person_id": str(world.supported_b.id)})
    assert other.status_code == 422 and count(db, Pathway) == 1


# --- Stages ------------------------------------------------------------------------------

def test_moving_to_the_next_stage_closes_the_current_one(app, coord, db, world):
    start = TODAY - timedelta(days=30)
    pathway_id = make_pathway(app, world, started_on=start)
    url = f"{BASE}/parcours/{pathway_id}/etape-suivante"
    assert "Accompagner vers" in text_of(coord.get(url))
    too_early = post(coord, url, {"on": iso(start - timedelta(days=1)), "partner_id": "0"})
    assert too_early.status_code == 422 and "ne peut commencer avant" in field_error(too_early, "on")
    future = post(coord, url, {"on": iso(TODAY + timedelta(days=1)), "partner_id": "0"})
    assert future.status_code == 422 and field_error(future, "on").startswith("Cette date est dans le futur")

    middle = TODAY - timedelta(days=10)
    assert post(coord, url, {"on": iso(middle), "partner_id": str(world.partner.id)}).status_code == 303
    assert post(coord, url, {"on": iso(TODAY), "partner_id": "0"}).status_code == 303
    assert stages(db, pathway_id) == [(STAGES[0], start, middle, None),
                                      (STAGES[1], middle, TODAY, world.partner.id),
                                      (STAGES[2], TODAY, None, None)]
    last = post(coord, url, {"on": iso(TODAY), "partner_id": "0"})
    assert last.status_code == 422 and "dernière étape" in field_error(last, "on")
    detail = text_of(coord.get(f"{BASE}/parcours/{pathway_id}"))
    assert "Étape en cours : « Accès à l'entreprise »" in detail and "Mission Locale Test" in detail


# --- Barriers ------------------------------------------------------------------------------

def test_a_barrier_is_identified_then_being_lifted_then_lifted_with_its_days(app, coord, db, world):
    start = TODAY - timedelta(days=30)
    pathway_id = make_pathway(app, world, started_on=start)
    url = f"{BASE}/parcours/{pathway_id}/freins"
    assert "Mobilité" in text_of(coord.get(url))
    d1, d2, d3 = start, start + timedelta(days=5), start + timedelta(days=20)
    assert post(coord, url, {"barrier": "mobility", "status": "identified", "on": iso(d1)}).status_code == 303
    lifting = {"barrier": "mobility", "status": "being_lifted"}
    assert post(coord, url, {**lifting, "on": iso(d2)}).status_code == 303
    before = post(coord, url, {"barrier": "mobility", "status": "lifted", "on": iso(d2 - timedelta(days=1))})
    assert before.status_code == 422 and "levée a commencé" in field_error(before, "on")
    assert post(coord, url, {"barrier": "mobility", "status": "lifted", "on": iso(d3)}).status_code == 303
    db.expire_all()
    row = db.scalar(select(PathwayBarrier))
    assert (row.barrier, row.status, row.identified_on, row.being_lifted_on, row.lifted_on) == (
        "mobility", BarrierStatus.LIFTED, d1, d2, d3)
    unknown = post(coord, url, {"barrier": "astrology", "status": "identified", "on": iso(d1)})
    assert unknown.status_code == 422 and field_error(unknown, "barrier")
    before_contact = post(coord, url, {"barrier": "housing", "status": "identified",
                                       "on": iso(start - timedelta(days=1))})
    assert before_contact.status_code == 422 and "premier contact" in field_error(before_contact, "on")
    assert count(db, PathwayBarrier) == 1
    detail = text_of(coord.get(f"{BASE}/parcours/{pathway_id}"))
    assert "Frein levé : Mobilité" in detail and "Frein en cours de levée : Mobilité" in detail
    # Back to « being lifted »: the lifting day is forgotten.
    assert post(coord, url, {**lifting, "on": iso(TODAY)}).status_code == 303
    db.expire_all()
    row = db.scalar(select(PathwayBarrier))
    assert (row.status, row.being_lifted_on, row.lifted_on) == (BarrierStatus.BEING_LIFTED, TODAY, None)


# --- Actions ------------------------------------------------------------------------------

def test_an_action_is_dated_and_shown(app, coord, db, world):
    pathway_id = make_pathway(app, world, started_on=TODAY - timedelta(days=3))
    url = f"{BASE}/parcours/{pathway_id}/actions/nouvelle"
    response = post(coord, url, {"done_on": iso(TODAY), "description": "Atelier CV à la Mission Locale",
                                 "partner_id": str(world.partner.id)})
    assert response.status_code == 303
    action = db.scalar(select(PathwayAction))
    assert (action.done_on, action.partner_id, action.by_person_id, action.referral_id) == (
        TODAY, world.partner.id, world.coordinator_a.id, None)
    early = post(coord, url, {"done_on": iso(TODAY - timedelta(days=9)), "description": "Avant",
                              "partner_id": "0"})
    assert early.status_code == 422 and "premier contact" in field_error(early, "done_on")
    blank = post(coord, url, {"done_on": iso(TODAY), "description": "   ", "partner_id": "0"})
    assert blank.status_code == 422 and field_error(blank, "description") == "Ce champ est obligatoire."
    assert count(db, PathwayAction) == 1
    assert "Atelier CV à la Mission Locale" in text_of(coord.get(f"{BASE}/parcours/{pathway_id}"))


# --- Referrals from an action -------------------------------------------------------------

TOKEN = re.compile(r"/orientation/([A-Za-z0-9_\-]+)")


def orient_form(world, **changes: str) -> dict[str, str]:
    data = {"done_on": iso(TODAY), "description": "Garde d'enfants pour suivre la formation",
            "partner_id": str(world.partner.id), "orient": "y",
            "service_id": str(world.partner.services[0].id), "barriers": "childcare",
            "recipient_email": "accueil@ml-test.org"}
    data.update(changes)
    return data


def test_an_action_can_refer_the_person_to_a_partners_service(app, coord, db, world, maillage_outbox):
    from core.referrals import engine
    from core.referrals.models import Referral

    pathway_id = make_pathway(app, world, started_on=TODAY - timedelta(days=3))
    url = f"{BASE}/parcours/{pathway_id}/actions/nouvelle"
    page = text_of(coord.get(url))
    assert "Mission Locale Test — Garde d'enfants solidaire" in page and "Garde d'enfants" in page
    # A service of another partner, or no address to send it to: refused, nothing saved.
    wrong = post(coord, url, orient_form(world, service_id=str(world.other_partner.services[0].id)))
    assert wrong.status_code == 422
    assert field_error(wrong, "service_id") == "Ce service n'est pas proposé par ce partenaire."
    nowhere = post(coord, url, orient_form(world, recipient_email=""))
    assert nowhere.status_code == 422 and "adresse e-mail" in field_error(nowhere, "recipient_email")
    no_partner = post(coord, url, orient_form(world, partner_id="0"))
    assert no_partner.status_code == 422 and field_error(no_partner, "partner_id")
    assert count(db, PathwayAction) == 0 and count(db, Referral) == 0 and not maillage_outbox

    assert post(coord, url, orient_form(world)).status_code == 303
    action = db.scalar(select(PathwayAction))
    referral = db.get(Referral, action.referral_id)
    assert (referral.plugin, referral.person_id, referral.partner_id, referral.referent_id,
            referral.reason) == ("allervers", world.supported_a.id, world.partner.id,
                                 world.coordinator_a.id, "Garde d'enfants pour suivre la formation")
    assert len(maillage_outbox) == 1 and maillage_outbox[0]["To"] == "accueil@ml-test.org"
    detail = text_of(coord.get(f"{BASE}/parcours/{pathway_id}"))
    assert "Envoyée, sans réponse" in detail and "Orientation envoyée : Mission Locale Test" in detail

    # The partner accepts through the link: the page reads the status live, the hook is called.
    token = TOKEN.search(maillage_outbox[0].get_content()).group(1)
    before = pathway(db, pathway_id).updated_at
    appointment = TODAY + timedelta(days=4)
    committed(app, engine.accept, token, appointment)
    assert pathway(db, pathway_id).updated_at > before  # referral_changed touched the pathway
    detail = text_of(coord.get(f"{BASE}/parcours/{pathway_id}"))
    assert "Acceptée" in detail and f"Rendez-vous le {french(appointment)}" in detail
    assert "Orientation acceptée par Mission Locale Test : rendez-vous le" in detail
    # And on the referent's dashboard.
    assert "Mission Locale Test a accepté l'orientation" in text_of(coord.get("/"))


def test_referral_changed_is_called_for_refusals_and_says_so_to_the_referent(app, coord, db, world,
                                                                             maillage_outbox, monkeypatch):
    from core.referrals import engine
    from plugins.allervers import plugin

    pathway_id = make_pathway(app, world, started_on=TODAY - timedelta(days=3))
    sent = post(coord, f"{BASE}/parcours/{pathway_id}/actions/nouvelle", orient_form(world))
    assert sent.status_code == 303
    seen = []
    real = plugin.pathways.referral_changed

    def spy(referral_id: int, association_id: int):
        seen.append(referral_id)
        return real(referral_id, association_id)

    monkeypatch.setattr(plugin.pathways, "referral_changed", spy)
    token = TOKEN.search(maillage_outbox[0].get_content()).group(1)
    committed(app, engine.refuse, token, "Plus de place avant la rentrée")
    action = db.scalar(select(PathwayAction))
    assert seen == [action.referral_id]
    detail = text_of(coord.get(f"{BASE}/parcours/{pathway_id}"))
    assert "Refusée" in detail and "Motif : Plus de place avant la rentrée" in detail
    assert "Mission Locale Test a refusé l'orientation" in text_of(coord.get("/"))


# --- Referent -----------------------------------------------------------------------------

def test_changing_referent_keeps_the_history(app, coord, db, world):
    start = TODAY - timedelta(days=30)
    pathway_id = make_pathway(app, world, started_on=start)
    url = f"{BASE}/parcours/{pathway_id}/referent"
    same = post(coord, url, {"referent_id": str(world.coordinator_a.id), "on": iso(TODAY)})
    assert same.status_code == 422 and "déjà" in field_error(same, "referent_id")
    early = post(coord, url, {"referent_id": str(world.admin_a.id), "on": iso(start - timedelta(days=1))})
    assert early.status_code == 422 and field_error(early, "on")
    outsider = post(coord, url, {"referent_id": str(world.coordinator_b.id), "on": iso(TODAY)})
    assert outsider.status_code == 422  # not one of the association's people
    changed_on = TODAY - timedelta(days=5)
    assert post(coord, url, {"referent_id": str(world.admin_a.id), "on": iso(changed_on)}).status_code == 303
    db.expire_all()
    assert pathway(db, pathway_id).referent_id == world.admin_a.id
    history = db.scalars(select(PathwayReferent).order_by(PathwayReferent.id)).all()
    assert [(r.referent_id, r.from_on, r.until_on) for r in history] == [
        (world.coordinator_a.id, start, changed_on), (world.admin_a.id, changed_on, None)]
    detail = text_of(coord.get(f"{BASE}/parcours/{pathway_id}"))
    assert "Changement de personne référente : Alice Admin succède à Chloé Coord" in detail


# --- Exit ---------------------------------------------------------------------------------

def test_the_exit_requires_an_outcome_and_ends_the_pathway(app, coord, db, world):
    start = TODAY - timedelta(days=30)
    pathway_id = make_pathway(app, world, started_on=start)
    url = f"{BASE}/parcours/{pathway_id}/sortie"
    missing = post(coord, url, {"ended_on": iso(TODAY), "exit_outcome": "", "exit_note": "Note gardée"})
    assert missing.status_code == 422
    assert field_error(missing, "exit_outcome") == "Ce champ est obligatoire."
    assert "Note gardée" in text_of(missing)
    early = post(coord, url, {"ended_on": iso(start - timedelta(days=1)), "exit_outcome": "job"})
    assert early.status_code == 422 and field_error(early, "ended_on")
    assert pathway(db, pathway_id).ended_on is None
    assert post(coord, url, {"ended_on": iso(TODAY), "exit_outcome": "job",
                             "exit_note": "CDI chez un partenaire"}).status_code == 303
    ended = pathway(db, pathway_id)
    assert (ended.ended_on, ended.exit_outcome, ended.exit_note) == (TODAY, ExitOutcome.JOB,
                                                                     "CDI chez un partenaire")
    assert stages(db, pathway_id) == [(STAGES[0], start, TODAY, None)]
    # An ended pathway takes nothing more.
    after = post(coord, f"{BASE}/parcours/{pathway_id}/etape-suivante", {"on": iso(TODAY), "partner_id": "0"})
    assert after.status_code == 422 and field_error(after, "on") == "Ce parcours est terminé."
    assert post(coord, url, {"ended_on": iso(TODAY), "exit_outcome": "other"}).status_code == 422
    detail = text_of(coord.get(f"{BASE}/parcours/{pathway_id}"))
    assert "Parcours terminé le" in detail and "Sortie : Emploi" in detail


# --- Target public ------------------------------------------------------------------------

def test_the_pathway_tells_the_target_public_by_age_and_neighbourhood(app, coord, db, world):
    inside = make_pathway(app, world, age=19, neighbourhood_id=world.neighbourhood.id)
    text = text_of(coord.get(f"{BASE}/parcours/{inside}"))
    assert "19 ans au premier contact : dans le public cible 16–29 ans" in text
    assert "quartier prioritaire de la politique de la ville (QPV QN09316M)" in text
    plain = Neighbourhood(name="Centre-ville", city="Saint-Denis", qpv_code=None)
    db.add(plain)
    db.commit()
    other_person = add_person(db, "Jean", "Âgé", None, [(world.asso_a, Role.SUPPORTED)])
    db.commit()
    outside = make_pathway(app, world, person_id=other_person.id, age=34, neighbourhood_id=plain.id)
    text = text_of(coord.get(f"{BASE}/parcours/{outside}"))
    assert "34 ans au premier contact : hors du public cible 16–29 ans" in text
    assert "vérifiez que l'accompagnement entre dans l'action financée" in text
    assert "Centre-ville (Saint-Denis) : hors quartier prioritaire" in text


# --- Access -------------------------------------------------------------------------------

def test_another_associations_pathway_is_404_and_volunteers_get_403(app, client, db, enabled, world):
    theirs = make_pathway(app, world, association_id=world.asso_b.id, person_id=world.supported_b.id,
                          referent_id=world.coordinator_b.id)
    ours = make_pathway(app, world)
    login(client, COORD_A)
    for suffix in ("", "/etape-suivante", "/freins", "/actions/nouvelle", "/referent", "/sortie"):
        assert client.get(f"{BASE}/parcours/{theirs}{suffix}").status_code == 404, suffix
    assert post(client, f"{BASE}/parcours/{theirs}/sortie",
                {"ended_on": iso(TODAY), "exit_outcome": "job"}).status_code == 404
    assert pathway(db, theirs).ended_on is None
    page = client.get(f"{BASE}/parcours/{ours}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    volunteer = app.test_client()
    login(volunteer, VOLUNTEER_A)
    assert volunteer.get(f"{BASE}/parcours/").status_code == 403
    assert volunteer.get(f"{BASE}/parcours/{ours}").status_code == 403
    assert post(volunteer, f"{BASE}/parcours/{ours}/sortie",
                {"ended_on": iso(TODAY), "exit_outcome": "job"}).status_code == 403


# --- Timeline on the person's page --------------------------------------------------------

def test_the_timeline_shows_on_the_persons_page(app, coord, db, world):
    start = TODAY - timedelta(days=20)
    pathway_id = make_pathway(app, world, started_on=start, first_contact_on=start - timedelta(days=5))
    post(coord, f"{BASE}/parcours/{pathway_id}/freins", {"barrier": "housing", "status": "identified",
                                                         "on": iso(start)})
    post(coord, f"{BASE}/parcours/{pathway_id}/actions/nouvelle",
         {"done_on": iso(TODAY), "description": "Visite du CCAS", "partner_id": "0"})
    post(coord, f"{BASE}/parcours/{pathway_id}/etape-suivante", {"on": iso(TODAY), "partner_id": "0"})
    page = coord.get(f"/personnes/{world.supported_a.id}")
    assert page.status_code == 200
    text = text_of(page)
    for expected in ("Historique du parcours", "Premier contact avec l'association", "Entrée en parcours",
                     "Personne référente : Chloé Coord", "Frein repéré : Logement", "Visite du CCAS",
                     "Étape « Accompagner vers »"):
        assert expected in text, expected
    # In date order: the first contact before the start, the start before the action.
    assert (text.index("Premier contact avec l'association") < text.index("Entrée en parcours")
            < text.index("Visite du CCAS"))
    # Volunteers see the person's page without the pathway.
    volunteer = app.test_client()
    login(volunteer, VOLUNTEER_A)
    seen = volunteer.get(f"/personnes/{world.supported_a.id}")
    assert "Historique du parcours" not in text_of(seen)


# --- The list -----------------------------------------------------------------------------

def test_the_list_filters_by_referent_stage_and_state(app, coord, db, world):
    first = make_pathway(app, world)
    other = add_person(db, "Nina", "Zed", None, [(world.asso_a, Role.SUPPORTED)])
    db.commit()
    second = make_pathway(app, world, person_id=other.id, referent_id=world.admin_a.id)
    post(coord, f"{BASE}/parcours/{second}/etape-suivante", {"on": iso(TODAY), "partner_id": "0"})
    text = text_of(coord.get(f"{BASE}/parcours/"))
    assert "Samir Suivi" in text and "Nina Zed" in text
    by_referent = text_of(coord.get(f"{BASE}/parcours/", query_string={"referent": world.admin_a.id}))
    assert "Nina Zed" in by_referent and "Samir Suivi" not in by_referent
    by_stage = text_of(coord.get(f"{BASE}/parcours/", query_string={"etape": STAGES[1]}))
    assert "Nina Zed" in by_stage and "Samir Suivi" not in by_stage
    post(coord, f"{BASE}/parcours/{first}/sortie", {"ended_on": iso(TODAY), "exit_outcome": "training"})
    assert "Samir Suivi" not in text_of(coord.get(f"{BASE}/parcours/"))
    ended = text_of(coord.get(f"{BASE}/parcours/", query_string={"etat": "termines"}))
    assert "Samir Suivi" in ended and "Nina Zed" not in ended
    odd = coord.get(f"{BASE}/parcours/", query_string={"etat": "x", "etape": "y", "referent": "z"})
    assert odd.status_code == 200


def test_the_list_takes_the_same_queries_for_3_or_12_pathways(app, coord, db, world):
    def queries() -> int:
        coord.get(f"{BASE}/parcours/")  # warm
        with count_queries(app) as statements:
            assert coord.get(f"{BASE}/parcours/", query_string={"etat": "tous"}).status_code == 200
        return len(statements)

    def add(n: int) -> None:
        for i in range(n):
            person = add_person(db, f"P{i}", f"N{count(db, Pathway)}", None, [(world.asso_a, Role.SUPPORTED)])
            db.commit()
            make_pathway(app, world, person_id=person.id)

    add(3)
    few = queries()
    add(9)
    assert queries() == few


# --- The dashboard widget -----------------------------------------------------------------

def test_the_widget_shows_progress_towards_the_target(app, client, db, world, maillage_enable_plugin):
    maillage_enable_plugin("allervers", world.asso_a, {"target_people": 330, "target_start_year": TODAY.year,
                                                       "target_months": 24})
    login(client, COORD_A)
    make_pathway(app, world, started_on=TODAY)
    make_pathway(app, world, association_id=world.asso_b.id, person_id=world.supported_b.id,
                 referent_id=world.coordinator_b.id, started_on=TODAY)  # another association's
    text = text_of(client.get("/"))
    assert f"1 / 330 personnes accompagnées depuis le 1er janvier {TODAY.year}" in text
    volunteer = app.test_client()
    login(volunteer, VOLUNTEER_A)
    assert "personnes accompagnées depuis" not in text_of(volunteer.get("/"))


# --- Any input ----------------------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
FORMS = {
    "parcours/{id}/etape-suivante": {"on": "2026-01-15", "partner_id": "0"},
    "parcours/{id}/freins": {"barrier": "housing", "status": "identified", "on": "2026-01-15"},
    "parcours/{id}/actions/nouvelle": {"done_on": "2026-01-15", "description": "Atelier", "partner_id": "0",
                                       "orient": "y", "service_id": "0", "barriers": "housing",
                                       "recipient_email": "a@b.org"},
    "parcours/{id}/referent": {"referent_id": "", "on": "2026-01-15"},
    "parcours/{id}/sortie": {"ended_on": "2026-01-15", "exit_outcome": "job", "exit_note": ""},
    "parcours/nouveau": {"person_id": "", "first_contact_on": "2026-01-15", "age_at_first_contact": "20",
                         "neighbourhood_id": "0", "referent_id": "", "started_on": "2026-01-15",
                         "stage_partner_id": "0"},
}
TABLES = (*(model.__tablename__ for model in (Pathway, PathwayStage, PathwayBarrier, PathwayAction,
                                              PathwayReferent)), "referrals", "people")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_in_any_field_never_breaks_a_pathway_form(app, coord, db, world, data):
    known = db.info.get("allervers_pathway")
    if known is None:
        known = db.info["allervers_pathway"] = make_pathway(app, world, started_on=date(2026, 1, 10))
    name = data.draw(st.sampled_from(sorted(FORMS)))
    typed = {key: data.draw(TEXT | st.just(value)) for key, value in FORMS[name].items()}
    before = dump(db, TABLES)
    response = post(coord, f"{BASE}/{name.format(id=known)}", typed)
    nul = any("\x00" in value for value in typed.values())
    assert response.status_code in (303, 422) or (nul and response.status_code == 400), (
        name, typed, response.status_code)
    if response.status_code != 303:
        assert dump(db, TABLES) == before, typed
