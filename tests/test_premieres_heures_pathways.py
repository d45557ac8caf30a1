"""Premières Heures: pathways, hours plan, reviews, waivers, social support and exit."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.partners import Partner, PartnerKind
from core.plugin_api import paris_to_utc, paris_today
from plugins.premieres_heures import pathways as domain
from plugins.premieres_heures.models import (
    Decision,
    ExitOutcome,
    HoursStage,
    Pathway,
    PathwayStatus,
    Review,
    SupportAction,
    SupportDomain,
    SupportStatus,
    Waiver,
)
from plugins.premieres_heures.pathways import (
    DUPLICATE_PATHWAY,
    EXIT_BEFORE_START,
    REVIEW_BEFORE_START,
    add_months,
    reviews_due,
    waiver_states,
)
from plugins.premieres_heures.plan import target_on
from tests.conftest import World
from tests.support import field_error, login, post, text_of

PLUGIN = "premieres_heures"
BASE = "/p/premieres_heures/alpha"
COORD_A = "coord.a@test.org"
ADMIN_A = "admin.a@test.org"
VOLUNTEER_A = "benevole.a@test.org"
COORD_B = "coord.b@test.org"
TODAY = paris_today()


@pytest.fixture(autouse=True)
def _today_in_paris() -> None:
    """Read Paris's date when each test starts, not when the module loads: a run that
    crosses midnight in Paris would otherwise expect yesterday's date."""
    global TODAY
    TODAY = paris_today()


def iso(day: date) -> str:
    return day.isoformat()


@pytest.fixture
def host(db: Session) -> Partner:
    partner = Partner(name="Chantier du Canal", kind=PartnerKind.INSERTION_STRUCTURE)
    db.add(partner)
    db.commit()
    return partner


@pytest.fixture
def enabled(world: World, maillage_enable_plugin) -> World:
    maillage_enable_plugin(PLUGIN, world.asso_a)
    return world


@pytest.fixture
def coord(client, enabled):
    login(client, COORD_A)
    return client


def make_pathway(db: Session, world: World, *, start: date, association=None, person=None,
                 hours: int = 4, status: PathwayStatus = PathwayStatus.ACTIVE,
                 orienteur: str = "Paul Conseiller") -> Pathway:
    association = association or world.asso_a
    person = person or world.supported_a
    pathway = Pathway(association_id=association.id, person_id=person.id, orienteur_name=orienteur,
                      start_date=start, planned_end=add_months(start, 6), status=status)
    pathway.stages = [HoursStage(effective_date=start, weekly_hours=hours)]
    db.add(pathway)
    db.commit()
    return pathway


def pathway_form(world: World, **changes: str) -> dict[str, str]:
    data = {"person_id": str(world.supported_a.id), "orienteur_name": "Paul Conseiller",
            "orienteur_contact": "06 12 34 56 78", "orienteur_partner_id": str(world.partner.id),
            "referent_id": str(world.coordinator_a.id), "host_partner_id": "0",
            "start_date": "2026-01-31", "planned_end": ""}
    data.update(changes)
    return data


def review_form(**changes: str) -> dict[str, str]:
    data = {"held_on": iso(TODAY), "participants": "Samir Suivi, Paul Conseiller, Chloé Coord",
            "observations": "Ponctuel, à l'aise avec l'équipe.", "decision": "raise",
            "new_weekly_hours": "", "next_review_on": ""}
    data.update(changes)
    return data


def stages_of(db: Session, pathway_id: int) -> list[tuple[date, int, int | None]]:
    db.expire_all()
    return [(s.effective_date, s.weekly_hours, s.review_id) for s in db.scalars(
        select(HoursStage).where(HoursStage.pathway_id == pathway_id)
        .order_by(HoursStage.effective_date))]


def count(db: Session, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


# --- Pathways -----------------------------------------------------------------------------

def test_create_pathway_opens_discovery_with_first_stage_and_default_end(coord, db, world, host):
    page = coord.get(f"{BASE}/parcours/nouveau")
    assert page.status_code == 200
    assert "Chantier du Canal" in text_of(page) and "Samir Suivi" in text_of(page)

    response = post(coord, f"{BASE}/parcours/nouveau",
                    pathway_form(world, host_partner_id=str(host.id)))
    assert response.status_code == 303
    pathway = db.scalar(select(Pathway))
    assert response.headers["Location"].endswith(f"{BASE}/parcours/{pathway.id}")
    assert (pathway.status, pathway.start_date, pathway.planned_end) == (
        PathwayStatus.DISCOVERY, date(2026, 1, 31), date(2026, 7, 31))  # 6 months by default
    assert (pathway.host_partner_id, pathway.orienteur_partner_id, pathway.referent_id) == (
        host.id, world.partner.id, world.coordinator_a.id)
    assert stages_of(db, pathway.id) == [(date(2026, 1, 31), 4, None)]  # the ladder's first rung

    detail = text_of(coord.get(f"{BASE}/parcours/{pathway.id}"))
    assert "Paul Conseiller" in detail and "Mission Locale Test" in detail
    assert "Chantier du Canal" in detail and "Découverte" in detail


def test_planned_end_follows_the_duration_setting(client, db, world, host, maillage_enable_plugin):
    maillage_enable_plugin(PLUGIN, world.asso_a)
    login(client, ADMIN_A)
    settings = {"duration_months": "9", "hours_ladder": "6, 10, 15, 20",
                "review_interval_weeks": "6", "absence_flag_threshold": "3",
                "waiver_warning_days": "30"}
    saved = post(client, "/associations/alpha/modules/premieres_heures/reglages", settings)
    assert saved.status_code == 303

    assert "9 mois" in text_of(client.get(f"{BASE}/parcours/nouveau"))
    response = post(client, f"{BASE}/parcours/nouveau", pathway_form(world, start_date="2026-05-31"))
    assert response.status_code == 303
    pathway = db.scalar(select(Pathway))
    assert pathway.planned_end == date(2027, 2, 28)  # 9 months, end of the shorter month
    assert stages_of(db, pathway.id) == [(date(2026, 5, 31), 6, None)]


def test_a_planned_end_typed_is_kept_and_checked(coord, db, world):
    response = post(coord, f"{BASE}/parcours/nouveau",
                    pathway_form(world, start_date="2026-03-01", planned_end="2026-02-01"))
    assert response.status_code == 422
    assert field_error(response, "planned_end") == "La fin prévue doit être après le début du parcours."
    assert count(db, Pathway) == 0

    response = post(coord, f"{BASE}/parcours/nouveau",
                    pathway_form(world, start_date="2026-03-01", planned_end="2026-12-15"))
    assert response.status_code == 303
    assert db.scalar(select(Pathway.planned_end)) == date(2026, 12, 15)


def test_second_pathway_for_the_same_person_is_refused(coord, db, world):
    assert post(coord, f"{BASE}/parcours/nouveau", pathway_form(world)).status_code == 303
    response = post(coord, f"{BASE}/parcours/nouveau",
                    pathway_form(world, orienteur_name="Autre Personne"))
    assert response.status_code == 422
    assert field_error(response, "person_id") == DUPLICATE_PATHWAY
    assert 'value="Autre Personne"' in text_of(response)  # the input is kept
    assert count(db, Pathway) == 1 and count(db, HoursStage) == 1


def test_a_concurrent_duplicate_is_caught_by_the_constraint(coord, db, world, monkeypatch):
    make_pathway(db, world, start=date(2026, 1, 5))
    # Another request created it between the check and the insert: the check sees nothing.
    monkeypatch.setattr(domain, "pathway_of_person", lambda *_args: None)
    response = post(coord, f"{BASE}/parcours/nouveau", pathway_form(world))
    assert response.status_code == 422
    assert field_error(response, "person_id") == DUPLICATE_PATHWAY
    assert count(db, Pathway) == 1 and count(db, HoursStage) == 1


def test_bad_input_gets_french_messages_next_to_fields(coord, db, world):
    response = post(coord, f"{BASE}/parcours/nouveau", pathway_form(
        world, person_id=str(world.supported_b.id), orienteur_name="  ", start_date="31/02/2026",
        referent_id=str(world.supported_a.id)))
    assert response.status_code == 422
    assert field_error(response, "person_id") == "Ce choix n'est pas possible : choisissez dans la liste."
    assert field_error(response, "orienteur_name") == "Ce champ est obligatoire."
    assert field_error(response, "start_date") == "Date invalide (exemple : 30/06/2026)."
    assert field_error(response, "referent_id") == "Ce choix n'est pas possible : choisissez dans la liste."
    assert count(db, Pathway) == 0


def test_edit_pathway_moves_the_first_stage_with_the_start(coord, db, world, host):
    pathway = make_pathway(db, world, start=date(2026, 3, 2), status=PathwayStatus.DISCOVERY)
    page = coord.get(f"{BASE}/parcours/{pathway.id}/modifier")
    assert page.status_code == 200 and 'value="2026-03-02"' in text_of(page)
    response = post(coord, f"{BASE}/parcours/{pathway.id}/modifier", {
        "orienteur_name": "Paula Conseillère", "orienteur_contact": "", "orienteur_partner_id": "0",
        "referent_id": "0", "host_partner_id": str(host.id), "start_date": "2026-03-09",
        "planned_end": "", "status": "active"})
    assert response.status_code == 303
    db.expire_all()
    pathway = db.get(Pathway, pathway.id)
    assert (pathway.orienteur_name, pathway.host_partner_id, pathway.status) == (
        "Paula Conseillère", host.id, PathwayStatus.ACTIVE)
    assert (pathway.start_date, pathway.planned_end) == (date(2026, 3, 9), date(2026, 9, 9))
    assert stages_of(db, pathway.id) == [(date(2026, 3, 9), 4, None)]


def test_start_cannot_move_past_a_review(coord, db, world):
    pathway = make_pathway(db, world, start=date(2026, 3, 2))
    db.add(Review(pathway_id=pathway.id, held_on=date(2026, 4, 1), participants="Paul Conseiller",
                  decision=Decision.KEEP))
    db.commit()
    response = post(coord, f"{BASE}/parcours/{pathway.id}/modifier", {
        "orienteur_name": "Paul Conseiller", "orienteur_partner_id": "0", "referent_id": "0",
        "host_partner_id": "0", "start_date": "2026-04-15", "planned_end": "", "status": "active"})
    assert response.status_code == 422
    assert "avant le premier bilan" in field_error(response, "start_date")
    db.expire_all()
    assert db.get(Pathway, pathway.id).start_date == date(2026, 3, 2)


def test_list_shows_status_target_next_review_and_waiver_and_filters(coord, db, world):
    started = TODAY - timedelta(days=20)
    active = make_pathway(db, world, start=started, hours=8)
    db.add(Waiver(pathway_id=active.id, starts_on=started, ends_on=TODAY + timedelta(days=10)))
    make_pathway(db, world, start=started, person=world.volunteer2_a, status=PathwayStatus.PAUSED)
    db.commit()

    page = text_of(coord.get(f"{BASE}/parcours/"))
    assert "Samir Suivi" in page and "Valérie Volontaire" in page
    assert "8 h/semaine" in page and "En cours" in page and "En pause" in page
    assert "Dérogation à renouveler" in page
    next_review = started + timedelta(weeks=6)
    assert re.search(rf"{next_review.day}\s+\w+\s+{next_review.year}", page)

    filtered = text_of(coord.get(f"{BASE}/parcours/?statut=paused"))
    assert "Valérie Volontaire" in filtered and "Samir Suivi" not in filtered
    assert coord.get(f"{BASE}/parcours/?statut=nimportequoi").status_code == 200


# --- Scope and permissions ----------------------------------------------------------------

def test_another_associations_pathway_answers_404(client, db, world, maillage_enable_plugin):
    maillage_enable_plugin(PLUGIN, world.asso_a)
    maillage_enable_plugin(PLUGIN, world.asso_b)
    theirs = make_pathway(db, world, start=date(2026, 1, 5), association=world.asso_b,
                          person=world.supported_b)
    waiver = Waiver(pathway_id=theirs.id, starts_on=date(2026, 1, 5), ends_on=date(2026, 6, 5))
    db.add(waiver)
    db.commit()
    login(client, COORD_A)
    for path in ("", "/modifier", "/bilans/nouveau", "/paliers/nouveau", "/derogations/nouvelle",
                 "/accompagnement/nouvelle", "/sortie", f"/derogations/{waiver.id}/modifier"):
        assert client.get(f"{BASE}/parcours/{theirs.id}{path}").status_code == 404, path
    assert post(client, f"{BASE}/parcours/{theirs.id}/sortie",
                {"exit_date": "2026-02-01", "exit_outcome": "job"}).status_code == 404
    # Nor through the other association's address, which is not theirs.
    assert client.get(f"/p/premieres_heures/beta/parcours/{theirs.id}").status_code == 404
    db.expire_all()
    assert db.get(Pathway, theirs.id).status is PathwayStatus.ACTIVE


def test_a_record_of_another_pathway_answers_404(coord, db, world):
    mine = make_pathway(db, world, start=date(2026, 1, 5))
    other = make_pathway(db, world, start=date(2026, 1, 5), person=world.volunteer2_a)
    action = SupportAction(pathway_id=other.id, domain=SupportDomain.HOUSING, description="Dossier",
                           opened_on=date(2026, 1, 6))
    db.add(action)
    db.commit()
    assert coord.get(f"{BASE}/parcours/{mine.id}/accompagnement/{action.id}/modifier").status_code == 404
    assert coord.get(f"{BASE}/parcours/{other.id}/accompagnement/{action.id}/modifier").status_code == 200
    assert coord.get(f"{BASE}/parcours/999999").status_code == 404


def test_disabled_plugin_answers_404(client, db, world, maillage_enable_plugin):
    login(client, COORD_A)
    assert client.get(f"{BASE}/parcours/").status_code == 404
    maillage_enable_plugin(PLUGIN, world.asso_a, enabled=False)
    assert client.get(f"{BASE}/parcours/").status_code == 404
    assert client.get(f"{BASE}/parcours/nouveau").status_code == 404


def test_volunteer_is_refused(client, db, world, enabled):
    pathway = make_pathway(db, world, start=date(2026, 1, 5))
    login(client, VOLUNTEER_A)
    assert client.get(f"{BASE}/parcours/").status_code == 403
    assert client.get(f"{BASE}/parcours/{pathway.id}").status_code == 403
    assert post(client, f"{BASE}/parcours/nouveau", pathway_form(world)).status_code == 403
    assert count(db, Pathway) == 1


def test_manager_elsewhere_but_volunteer_here_is_refused(client, db, world, enabled):
    """Level.MANAGER lets a coordinator of Bêta in; in Alpha they are a volunteer: 403."""
    from core.members import Membership, Role
    db.add(Membership(person_id=world.coordinator_b.id, association_id=world.asso_a.id,
                      role=Role.VOLUNTEER))
    db.commit()
    login(client, COORD_B)
    assert client.get(f"{BASE}/parcours/").status_code == 403


def test_the_home_page_links_to_the_list(coord):
    page = text_of(coord.get("/p/premieres_heures/"))
    assert f'href="{BASE}/parcours/"' in page


# --- Hours plan ---------------------------------------------------------------------------

def test_manual_stages_and_current_target(coord, db, app, world):
    start = TODAY - timedelta(days=60)
    pathway = make_pathway(db, world, start=start)
    url = f"{BASE}/parcours/{pathway.id}/paliers/nouveau"
    page = text_of(coord.get(url))
    assert "4 h, 8 h, 12 h, 16 h, 20 h" in page

    assert post(coord, url, {"effective_date": iso(TODAY - timedelta(days=30)), "rung": "8",
                             "other_hours": ""}).status_code == 303
    assert post(coord, url, {"effective_date": iso(TODAY + timedelta(days=7)), "rung": "0",
                             "other_hours": "10"}).status_code == 303
    assert stages_of(db, pathway.id) == [(start, 4, None), (TODAY - timedelta(days=30), 8, None),
                                         (TODAY + timedelta(days=7), 10, None)]
    with app.app_context():
        assert target_on(pathway.id, TODAY) == 8
        assert target_on(pathway.id, TODAY + timedelta(days=7)) == 10

    detail = text_of(coord.get(f"{BASE}/parcours/{pathway.id}"))
    assert "Objectif actuel : 8 h/semaine" in detail
    assert detail.index("Objectif actuel") < detail.index("Plan d'heures")
    assert "Ajout par la coordination" in detail and "Début du parcours" in detail


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"rung": "0", "other_hours": ""}, "other_hours",
     "Indiquez le nombre d'heures (de 1 à 35), ou choisissez un palier."),
    ({"rung": "0", "other_hours": "40"}, "other_hours", "Heures par semaine : un nombre entre 1 et 35."),
    ({"rung": "0", "other_hours": "dix"}, "other_hours", "Un nombre entier est attendu (exemple : 12)."),
    ({"rung": "8", "other_hours": "9"}, "other_hours",
     "Choisissez « Autre nombre d'heures » pour en indiquer un, ou laissez ce champ vide."),
    ({"rung": "7", "other_hours": ""}, "rung", "Ce choix n'est pas possible : choisissez dans la liste."),
    ({"rung": "8", "effective_date": "2025-12-01"}, "effective_date",
     "Un palier ne peut pas commencer avant le début du parcours."),
    ({"rung": "8", "effective_date": "2026-01-05"}, "effective_date",
     "Un palier commence déjà ce jour-là (4 h par semaine)."),
])
def test_stage_bad_input_is_refused(coord, db, world, data, field, message):
    pathway = make_pathway(db, world, start=date(2026, 1, 5))
    form = {"effective_date": "2026-02-02", "other_hours": "", **data}
    response = post(coord, f"{BASE}/parcours/{pathway.id}/paliers/nouveau", form)
    assert response.status_code == 422
    assert field_error(response, field).startswith(message)
    assert stages_of(db, pathway.id) == [(date(2026, 1, 5), 4, None)]


# --- Reviews ------------------------------------------------------------------------------

def test_reviews_raise_along_the_ladder_then_lower(coord, db, world):
    start = date(2026, 1, 5)
    pathway = make_pathway(db, world, start=start, status=PathwayStatus.DISCOVERY)
    url = f"{BASE}/parcours/{pathway.id}/bilans/nouveau"
    page = coord.get(url)
    assert page.status_code == 200
    assert "Paul Conseiller" in text_of(page)  # the orienteur, pre-filled among the participants

    response = post(coord, url, review_form(held_on="2026-02-16"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{BASE}/parcours/{pathway.id}")
    first = db.scalar(select(Review))
    assert (first.decision, first.new_weekly_hours, first.next_review_on) == (
        Decision.RAISE, 8, date(2026, 3, 30))  # 6 weeks later by default
    db.expire_all()
    assert db.get(Pathway, pathway.id).status is PathwayStatus.ACTIVE

    assert post(coord, url, review_form(held_on="2026-03-30")).status_code == 303
    assert post(coord, url, review_form(held_on="2026-05-11", decision="raise",
                                        new_weekly_hours="14")).status_code == 303
    assert post(coord, url, review_form(held_on="2026-06-22", decision="lower")).status_code == 303
    reviews = db.scalars(select(Review).order_by(Review.held_on)).all()
    assert [(s[0], s[1]) for s in stages_of(db, pathway.id)] == [
        (start, 4), (date(2026, 2, 16), 8), (date(2026, 3, 30), 12), (date(2026, 5, 11), 14),
        (date(2026, 6, 22), 12)]
    assert [s[2] for s in stages_of(db, pathway.id)] == [None, *(r.id for r in reviews)]

    detail = text_of(coord.get(f"{BASE}/parcours/{pathway.id}"))
    assert "Bilan du 16 février 2026" in detail and "Augmenter les heures" in detail
    assert "Diminuer" in detail


def test_keep_leaves_the_plan_and_uses_the_interval_setting(client, db, world, maillage_enable_plugin):
    maillage_enable_plugin(PLUGIN, world.asso_a, settings={"review_interval_weeks": 4})
    login(client, COORD_A)
    pathway = make_pathway(db, world, start=date(2026, 1, 5), hours=8)
    response = post(client, f"{BASE}/parcours/{pathway.id}/bilans/nouveau",
                    review_form(held_on="2026-02-02", decision="keep"))
    assert response.status_code == 303
    review = db.scalar(select(Review))
    assert (review.new_weekly_hours, review.next_review_on) == (None, date(2026, 3, 2))
    assert stages_of(db, pathway.id) == [(date(2026, 1, 5), 8, None)]


def test_a_review_on_the_start_day_replaces_the_first_stage(coord, db, world):
    pathway = make_pathway(db, world, start=date(2026, 1, 5))
    response = post(coord, f"{BASE}/parcours/{pathway.id}/bilans/nouveau",
                    review_form(held_on="2026-01-05", new_weekly_hours="6",
                                next_review_on="2026-02-01"))
    assert response.status_code == 303
    review = db.scalar(select(Review))
    assert review.next_review_on == date(2026, 2, 1)
    assert stages_of(db, pathway.id) == [(date(2026, 1, 5), 6, review.id)]


def test_pause_then_resume(coord, db, world):
    pathway = make_pathway(db, world, start=date(2026, 1, 5), hours=8)
    url = f"{BASE}/parcours/{pathway.id}/bilans/nouveau"
    assert post(coord, url, review_form(held_on="2026-02-02", decision="pause")).status_code == 303
    db.expire_all()
    assert db.get(Pathway, pathway.id).status is PathwayStatus.PAUSED
    assert stages_of(db, pathway.id) == [(date(2026, 1, 5), 8, None)]
    assert "En pause" in text_of(coord.get(f"{BASE}/parcours/{pathway.id}"))

    assert post(coord, url, review_form(held_on="2026-03-02", decision="keep")).status_code == 303
    db.expire_all()
    assert db.get(Pathway, pathway.id).status is PathwayStatus.ACTIVE


def test_end_decision_ends_the_pathway_and_leads_to_the_exit(coord, db, world):
    pathway = make_pathway(db, world, start=date(2026, 1, 5))
    response = post(coord, f"{BASE}/parcours/{pathway.id}/bilans/nouveau",
                    review_form(held_on="2026-04-06", decision="end"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{BASE}/parcours/{pathway.id}/sortie")
    db.expire_all()
    ended = db.get(Pathway, pathway.id)
    assert (ended.status, ended.exit_date, ended.exit_outcome) == (
        PathwayStatus.ENDED, date(2026, 4, 6), None)
    assert db.scalar(select(Review.next_review_on)) is None
    exit_page = text_of(coord.get(f"{BASE}/parcours/{pathway.id}/sortie"))
    assert 'value="2026-04-06"' in exit_page
    assert "La sortie reste à préciser" in text_of(coord.get(f"{BASE}/parcours/{pathway.id}"))

    refused = post(coord, f"{BASE}/parcours/{pathway.id}/bilans/nouveau",
                   review_form(held_on="2026-05-04", decision="keep"))
    assert refused.status_code == 422
    assert count(db, Review) == 1


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"held_on": "2026-01-04"}, "held_on", REVIEW_BEFORE_START),
    ({"participants": "Samir Suivi, Chloé Coord"}, "participants",
     "L'orienteur·ice participe à chaque bilan : ajoutez « Paul Conseiller » aux participants."),
    ({"decision": "raise", "new_weekly_hours": "8"}, "new_weekly_hours",
     "Pour augmenter, indiquez plus que les 8 h actuelles."),
    ({"decision": "lower", "new_weekly_hours": "12"}, "new_weekly_hours",
     "Pour diminuer, indiquez moins que les 8 h actuelles."),
    ({"decision": "keep", "new_weekly_hours": "12"}, "new_weekly_hours",
     "Le nombre d'heures ne se donne que pour augmenter ou diminuer."),
    ({"new_weekly_hours": "36"}, "new_weekly_hours", "Heures par semaine : un nombre entre 1 et 35."),
    ({"next_review_on": "2026-02-01"}, "next_review_on", "Le prochain bilan vient après celui-ci."),
    ({"decision": "end", "next_review_on": "2026-04-01"}, "next_review_on",
     "Un parcours arrêté n'a pas de prochain bilan : laissez ce champ vide."),
    ({"decision": "maybe"}, "decision", "Ce choix n'est pas possible : choisissez dans la liste."),
    ({"held_on": ""}, "held_on", "Ce champ est obligatoire."),
])
def test_review_bad_input_saves_nothing(coord, db, world, changes, field, message):
    pathway = make_pathway(db, world, start=date(2026, 1, 5), hours=8)
    response = post(coord, f"{BASE}/parcours/{pathway.id}/bilans/nouveau",
                    review_form(**{"held_on": "2026-02-02", **changes}))
    assert response.status_code == 422
    assert field_error(response, field) == message
    assert "Ponctuel, à l&#39;aise avec l&#39;équipe." in text_of(response)  # the input is kept
    assert count(db, Review) == 0
    assert stages_of(db, pathway.id) == [(date(2026, 1, 5), 8, None)]
    db.expire_all()
    assert db.get(Pathway, pathway.id).status is PathwayStatus.ACTIVE


def test_the_top_rung_needs_a_number_to_raise(coord, db, world):
    pathway = make_pathway(db, world, start=date(2026, 1, 5), hours=20)
    url = f"{BASE}/parcours/{pathway.id}/bilans/nouveau"
    response = post(coord, url, review_form(held_on="2026-02-02"))
    assert response.status_code == 422
    assert field_error(response, "new_weekly_hours").startswith("Le dernier palier (20 h) est atteint")
    assert post(coord, url, review_form(held_on="2026-02-02", new_weekly_hours="24")).status_code == 303
    assert stages_of(db, pathway.id)[-1][:2] == (date(2026, 2, 2), 24)


# --- Waivers ------------------------------------------------------------------------------

def test_waiver_of_more_than_12_months_is_refused(coord, db, world):
    pathway = make_pathway(db, world, start=date(2026, 3, 1))
    url = f"{BASE}/parcours/{pathway.id}/derogations/nouvelle"
    response = post(coord, url, {"starts_on": "2026-03-01", "ends_on": "2027-03-01", "review_id": "0"})
    assert response.status_code == 422
    assert field_error(response, "ends_on").startswith("Une dérogation dure 12 mois au plus.")
    assert count(db, Waiver) == 0
    assert post(coord, url, {"starts_on": "2026-03-01", "ends_on": "2027-02-28",
                             "review_id": "0"}).status_code == 303
    assert db.scalar(select(Waiver.ends_on)) == date(2027, 2, 28)


def test_renewal_after_a_review_starts_the_next_day(coord, db, world):
    pathway = make_pathway(db, world, start=date(2026, 3, 1))
    db.add(Waiver(pathway_id=pathway.id, starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28)))
    review = Review(pathway_id=pathway.id, held_on=date(2027, 2, 1), participants="Paul Conseiller",
                    decision=Decision.KEEP)
    db.add(review)
    db.commit()
    url = f"{BASE}/parcours/{pathway.id}/derogations/nouvelle"
    page = text_of(coord.get(url))
    assert 'value="2027-03-01"' in page and 'value="2028-02-29"' in page  # the day after; 12 months
    assert f'<option selected value="{review.id}">' in page or f'value="{review.id}" selected' in page

    refused = post(coord, url, {"starts_on": "2027-03-01", "ends_on": "2028-02-29", "review_id": "0"})
    assert refused.status_code == 422
    assert field_error(refused, "review_id") == (
        "Un renouvellement se décide en bilan : choisissez le bilan qui l'a décidé.")
    overlap = post(coord, url, {"starts_on": "2027-02-01", "ends_on": "2027-12-31",
                                "review_id": str(review.id)})
    assert overlap.status_code == 422
    assert field_error(overlap, "starts_on") == "Elle chevauche la dérogation du 01/03/2026 au 28/02/2027."
    assert count(db, Waiver) == 1

    assert post(coord, url, {"starts_on": "2027-03-01", "ends_on": "2028-02-29",
                             "review_id": str(review.id)}).status_code == 303
    renewal = db.scalar(select(Waiver).order_by(Waiver.starts_on.desc()))
    assert (renewal.starts_on, renewal.ends_on, renewal.review_id) == (
        date(2027, 3, 1), date(2028, 2, 29), review.id)


def test_waiver_warning_before_its_end_and_notice_when_none(coord, db, world):
    pathway = make_pathway(db, world, start=TODAY - timedelta(days=100), hours=8)
    detail = f"{BASE}/parcours/{pathway.id}"
    assert "Dérogation à prévoir" in text_of(coord.get(detail))  # 8 h, and no waiver

    waiver = Waiver(pathway_id=pathway.id, starts_on=TODAY - timedelta(days=100),
                    ends_on=TODAY + timedelta(days=30))
    db.add(waiver)
    db.commit()
    page = text_of(coord.get(detail))
    assert "Dérogation à prévoir" not in page
    assert "prévoyez son renouvellement en bilan" in page  # 30 days before, the default delay

    waiver.ends_on = TODAY + timedelta(days=31)
    db.commit()
    assert "prévoyez son renouvellement en bilan" not in text_of(coord.get(detail))

    edit = post(coord, f"{detail}/derogations/{waiver.id}/modifier", {
        "starts_on": iso(TODAY - timedelta(days=100)), "ends_on": iso(TODAY + timedelta(days=5)),
        "review_id": "0"})
    assert edit.status_code == 303
    assert "prévoyez son renouvellement en bilan" in text_of(coord.get(detail))


def test_no_waiver_notice_from_20_hours(coord, db, world):
    pathway = make_pathway(db, world, start=TODAY - timedelta(days=10), hours=20)
    assert "Dérogation à prévoir" not in text_of(coord.get(f"{BASE}/parcours/{pathway.id}"))


# --- Social support and exit --------------------------------------------------------------

def test_support_actions_are_added_edited_and_listed(coord, db, world):
    pathway = make_pathway(db, world, start=date(2026, 1, 5))
    url = f"{BASE}/parcours/{pathway.id}/accompagnement/nouvelle"
    assert coord.get(url).status_code == 200
    response = post(coord, url, {"domain": "housing", "description": "Demande de logement-relais",
                                 "status": "planned", "opened_on": "2026-01-12", "closed_on": ""})
    assert response.status_code == 303
    action = db.scalar(select(SupportAction))
    assert (action.domain, action.status, action.opened_on, action.closed_on) == (
        SupportDomain.HOUSING, SupportStatus.PLANNED, date(2026, 1, 12), None)

    edit = f"{BASE}/parcours/{pathway.id}/accompagnement/{action.id}/modifier"
    refused = post(coord, edit, {"domain": "housing", "description": "Demande de logement-relais",
                                 "status": "done", "opened_on": "2026-01-12", "closed_on": "2026-01-02"})
    assert refused.status_code == 422
    assert field_error(refused, "closed_on") == "La clôture ne peut pas précéder l'ouverture."
    assert post(coord, edit, {"domain": "rights", "description": "Ouverture des droits CSS",
                              "status": "done", "opened_on": "2026-01-12",
                              "closed_on": ""}).status_code == 303
    db.expire_all()
    action = db.get(SupportAction, action.id)
    assert (action.domain, action.status, action.closed_on) == (
        SupportDomain.RIGHTS, SupportStatus.DONE, max(TODAY, date(2026, 1, 12)))

    page = text_of(coord.get(f"{BASE}/parcours/{pathway.id}"))
    assert "Accès aux droits" in page and "Ouverture des droits CSS" in page and "Faite" in page


def test_support_bad_input(coord, db, world):
    pathway = make_pathway(db, world, start=date(2026, 1, 5))
    response = post(coord, f"{BASE}/parcours/{pathway.id}/accompagnement/nouvelle", {
        "domain": "", "description": "", "status": "in_progress", "opened_on": "2026-01-12",
        "closed_on": "2026-02-01"})
    assert response.status_code == 422
    assert field_error(response, "domain") == "Ce champ est obligatoire."
    assert field_error(response, "description") == "Ce champ est obligatoire."
    assert count(db, SupportAction) == 0


def test_exit_before_start_is_refused_then_recorded(coord, db, world):
    pathway = make_pathway(db, world, start=date(2026, 1, 5))
    url = f"{BASE}/parcours/{pathway.id}/sortie"
    response = post(coord, url, {"exit_date": "2026-01-04", "exit_outcome": "job", "exit_note": "CDD"})
    assert response.status_code == 422
    assert field_error(response, "exit_date") == EXIT_BEFORE_START
    db.expire_all()
    assert db.get(Pathway, pathway.id).status is PathwayStatus.ACTIVE

    response = post(coord, url, {"exit_date": "2026-07-03", "exit_outcome": "insertion_contract",
                                 "exit_note": "CDDI de 26 h au chantier."})
    assert response.status_code == 303
    db.expire_all()
    ended = db.get(Pathway, pathway.id)
    assert (ended.status, ended.exit_date, ended.exit_outcome, ended.exit_note) == (
        PathwayStatus.ENDED, date(2026, 7, 3), ExitOutcome.INSERTION_CONTRACT,
        "CDDI de 26 h au chantier.")
    page = text_of(coord.get(f"{BASE}/parcours/{pathway.id}"))
    assert "Contrat d&#39;insertion" in page and "Terminé" in page
    edit = text_of(coord.get(f"{BASE}/parcours/{pathway.id}/modifier"))
    assert 'name="status"' not in edit  # an ended pathway's status follows its exit


def test_forms_need_the_csrf_token(coord, db, world):
    pathway = make_pathway(db, world, start=date(2026, 1, 5))
    response = post(coord, f"{BASE}/parcours/{pathway.id}/sortie",
                    {"exit_date": "2026-03-01", "exit_outcome": "job"}, csrf=False)
    assert response.status_code == 400
    db.expire_all()
    assert db.get(Pathway, pathway.id).status is PathwayStatus.ACTIVE


# --- Queries for the dashboard ------------------------------------------------------------

def test_reviews_due(app, db, world):
    soon = make_pathway(db, world, start=TODAY - timedelta(weeks=5))  # first review in 1 week
    make_pathway(db, world, start=TODAY, person=world.volunteer2_a)  # in 6 weeks
    reviewed = make_pathway(db, world, start=TODAY - timedelta(weeks=20), person=world.volunteer_a)
    db.add_all([
        Review(pathway_id=reviewed.id, held_on=TODAY - timedelta(weeks=10), participants="P",
               decision=Decision.RAISE, next_review_on=TODAY + timedelta(days=3)),
        Review(pathway_id=reviewed.id, held_on=TODAY - timedelta(weeks=1), participants="P",
               decision=Decision.KEEP, next_review_on=TODAY + timedelta(weeks=5)),
    ])
    late = make_pathway(db, world, start=TODAY - timedelta(weeks=30), person=world.coordinator_a)
    db.add(Review(pathway_id=late.id, held_on=TODAY - timedelta(weeks=8), participants="P",
                  decision=Decision.KEEP, next_review_on=TODAY - timedelta(days=2)))
    make_pathway(db, world, start=TODAY - timedelta(weeks=5), person=world.admin_a,
                 status=PathwayStatus.ENDED)
    theirs = make_pathway(db, world, start=TODAY - timedelta(weeks=5), association=world.asso_b,
                          person=world.supported_b)
    db.commit()
    with app.app_context():
        due = reviews_due(world.asso_a.id, TODAY)
        assert due == [(late.id, world.coordinator_a.id, TODAY - timedelta(days=2)),
                       (soon.id, world.supported_a.id, TODAY + timedelta(weeks=1))]
        assert due[0].next_review_on == TODAY - timedelta(days=2)
        assert reviews_due(world.asso_a.id, TODAY, days=3)[0].pathway_id == late.id
        # With 4 weeks between reviews, the first one was due a week ago: overdue, it comes first.
        assert [r.pathway_id for r in reviews_due(world.asso_a.id, TODAY, interval_weeks=4)] == [
            soon.id, late.id]
        assert [r.pathway_id for r in reviews_due(world.asso_b.id, TODAY)] == [theirs.id]


def test_waivers_ending_soon(app, db, world):
    ending = make_pathway(db, world, start=TODAY - timedelta(days=300))
    later = make_pathway(db, world, start=TODAY - timedelta(days=300), person=world.volunteer2_a)
    renewed = make_pathway(db, world, start=TODAY - timedelta(days=300), person=world.volunteer_a)
    ended = make_pathway(db, world, start=TODAY - timedelta(days=300), person=world.admin_a,
                         status=PathwayStatus.ENDED)
    theirs = make_pathway(db, world, start=TODAY - timedelta(days=300), association=world.asso_b,
                          person=world.supported_b)
    begin = TODAY - timedelta(days=300)
    db.add_all([
        Waiver(pathway_id=ending.id, starts_on=begin, ends_on=TODAY + timedelta(days=10)),
        Waiver(pathway_id=later.id, starts_on=begin, ends_on=TODAY + timedelta(days=40)),
        Waiver(pathway_id=renewed.id, starts_on=begin, ends_on=TODAY + timedelta(days=5)),
        Waiver(pathway_id=renewed.id, starts_on=TODAY + timedelta(days=6),
               ends_on=TODAY + timedelta(days=200)),
        Waiver(pathway_id=ended.id, starts_on=begin, ends_on=TODAY + timedelta(days=10)),
        Waiver(pathway_id=theirs.id, starts_on=begin, ends_on=TODAY + timedelta(days=10)),
        Waiver(pathway_id=ending.id, starts_on=begin - timedelta(days=60),
               ends_on=begin - timedelta(days=1)),
    ])
    db.commit()
    def ending_soon(association, days: int) -> list[tuple[int, object]]:
        with app.app_context():
            pathways = list(db.scalars(select(Pathway).where(Pathway.association_id == association.id)
                                       .order_by(Pathway.id)))
            states = waiver_states(pathways, TODAY, days)
        return [(p.id, states[p.id].latest_end) for p in pathways if states[p.id].ending_soon]

    assert ending_soon(world.asso_a, 30) == [(ending.id, TODAY + timedelta(days=10))]
    assert [pathway_id for pathway_id, _end in ending_soon(world.asso_a, 45)] == [ending.id, later.id]
    assert ending_soon(world.asso_b, 30) == [(theirs.id, TODAY + timedelta(days=10))]


def test_dashboard_queries_are_one_query_each(app, db, world):
    from tests.support import count_queries

    for person in (world.supported_a, world.volunteer2_a, world.volunteer_a):
        pathway = make_pathway(db, world, start=TODAY - timedelta(weeks=5), person=person)
        db.add(Waiver(pathway_id=pathway.id, starts_on=TODAY - timedelta(weeks=5),
                      ends_on=TODAY + timedelta(days=3)))
    db.commit()
    with app.app_context():
        with count_queries(app) as statements:
            assert len(reviews_due(world.asso_a.id, TODAY)) == 3
        assert len([s for s in statements if s.lstrip().startswith("SELECT")]) == 1
        pathways = list(db.scalars(select(Pathway)))
        with count_queries(app) as statements:
            states = waiver_states(pathways, TODAY, 30)
        assert sum(state.ending_soon for state in states.values()) == 3
        assert len([s for s in statements if s.lstrip().startswith("SELECT")]) == 2


def test_add_months_keeps_the_day_or_the_months_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 3, 15), 12) == date(2027, 3, 15)


def test_a_host_filed_under_another_kind_is_kept_by_an_edit(coord, db, world):
    pathway = make_pathway(db, world, start=date(2026, 3, 2))
    pathway.host_partner_id = world.partner.id  # a mission locale: not offered for new pathways
    db.commit()
    page = text_of(coord.get(f"{BASE}/parcours/{pathway.id}/modifier"))
    assert f'<option selected value="{world.partner.id}">' in page
    response = post(coord, f"{BASE}/parcours/{pathway.id}/modifier", {
        "orienteur_name": "Paul Conseiller", "orienteur_partner_id": "0", "referent_id": "0",
        "host_partner_id": str(world.partner.id), "start_date": "2026-03-02", "planned_end": "",
        "status": "active"})
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Pathway, pathway.id).host_partner_id == world.partner.id


# --- Hours per month (a chart of the core's) -----------------------------------------------

def _session_row(pathway: Pathway, starts_at: datetime, hours: float, attendance=None):
    from plugins.premieres_heures.models import WorkSession

    return WorkSession(pathway_id=pathway.id, person_id=pathway.person_id,
                       association_id=pathway.association_id, starts_at=starts_at,
                       ends_at=starts_at + timedelta(hours=hours), attendance=attendance)


def _month_label(month: date) -> str:
    from babel.dates import format_date

    return format_date(month, "MMM yyyy", locale="fr_FR")


def test_the_pathway_page_charts_hours_planned_and_worked_by_month(coord, db, world):
    import xml.etree.ElementTree as ET

    from plugins.premieres_heures.models import Attendance

    this_month = TODAY.replace(day=1)
    first = add_months(this_month, -2)
    second = add_months(this_month, -1)
    pathway = make_pathway(db, world, start=first)
    paris = paris_to_utc
    db.add_all([
        _session_row(pathway, paris(datetime(first.year, first.month, 10, 9)), 3, Attendance.PRESENT),
        _session_row(pathway, paris(datetime(first.year, first.month, 12, 9)), 2.5, Attendance.ABSENT),
        _session_row(pathway, paris(datetime(second.year, second.month, 3, 14)), 4, Attendance.PRESENT),
    ])
    db.commit()
    page = text_of(coord.get(f"{BASE}/parcours/{pathway.id}"))
    [figure] = re.findall(r'<figure class="chart".*?</figure>', page, re.DOTALL)
    chart = ET.fromstring(figure)  # noqa: S314 - our own page
    rows = [["".join(cell.itertext()) for cell in row] for row in chart.iter("tr")]
    assert rows == [["Mois", "Prévues (h)", "Travaillées (h)"],
                    [_month_label(first), "5,5", "3,0"],
                    [_month_label(second), "4,0", "4,0"],
                    [_month_label(this_month), "0,0", "0,0"]]
    assert len(list(chart.iter("{http://www.w3.org/2000/svg}rect"))) >= 6  # 3 months × 2 series
    assert "Heures prévues et travaillées par mois" in figure


def test_hours_fall_in_their_paris_month_and_a_pathway_to_come_has_no_chart(app, coord, db, world):
    from plugins.premieres_heures.models import Attendance
    from plugins.premieres_heures.monthly import monthly_hours

    this_month = TODAY.replace(day=1)
    start = add_months(this_month, -1)
    pathway = make_pathway(db, world, start=start)
    # 00:30 in Paris on the 1st is still the previous month in UTC.
    db.add(_session_row(pathway, paris_to_utc(datetime.combine(this_month, time(0, 30))), 2,
                        Attendance.PRESENT))
    db.commit()
    with app.app_context():
        months, planned, worked = monthly_hours(db.get(Pathway, pathway.id), TODAY)
    assert months == [start, this_month]
    assert (planned, worked) == ([0.0, 2.0], [0.0, 2.0])

    later = make_pathway(db, world, start=TODAY + timedelta(days=40), person=world.volunteer2_a)
    page = text_of(coord.get(f"{BASE}/parcours/{later.id}"))
    assert "Aucune séance pour l&#39;instant." in page and "<svg" not in page.split("Heures par mois")[1]
