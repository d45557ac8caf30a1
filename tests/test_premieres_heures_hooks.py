"""Premières Heures as the rest of Maillage sees it: the dashboard widget, the section on a
person's page, the agenda, personal data (export and erasure), funder indicators, the
settings form on the modules page, and nothing at all for an association that did not
enable the plugin."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from flask import url_for
from flask_login import login_user
from sqlalchemy import func, select

from core.auth.accounts import Account
from core.database import session as app_session
from core.members import Person, Role
from core.plugin_api import MASKED_UNIT, PersonRef
from core.pluginhost.activation import PluginActivation
from core.pluginhost.cli import plugins_group
from core.pluginhost.refs import association_ref
from plugins.premieres_heures import plugin
from plugins.premieres_heures.models import (
    Attendance,
    Decision,
    ExitOutcome,
    HoursStage,
    Pathway,
    PathwayStatus,
    Review,
    SupportAction,
    SupportDomain,
    Waiver,
    WorkSession,
)
from plugins.premieres_heures.plan import week_of
from tests.conftest import add_person
from tests.support import count_queries, field_error, login, post, text_of

PARIS = ZoneInfo("Europe/Paris")
NAME = "premieres_heures"
WIDGET_ALPHA = "Premières Heures — Alpha"


def today() -> date:
    return datetime.now(PARIS).date()


def fr(day: date) -> str:
    return format_date(day, "d MMMM yyyy", locale="fr_FR")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Paris wall-clock time, as the aware UTC datetime the database keeps."""
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)


def new_pathway(db, association, person, *, status=PathwayStatus.ACTIVE, start: date | None = None,
                hours: int = 8, host=None, referent=None, **fields) -> Pathway:
    start = start or today() - timedelta(days=60)
    pathway = Pathway(association_id=association.id, person_id=person.id, orienteur_name="Inès Orienteuse",
                      orienteur_contact="ines@ccas.test", start_date=start,
                      planned_end=start + timedelta(days=180), status=status,
                      host_partner_id=host.id if host else None,
                      referent_id=referent.id if referent else None, **fields)
    pathway.stages = [HoursStage(effective_date=start, weekly_hours=hours)]
    db.add(pathway)
    db.flush()
    return pathway


def work(db, pathway: Pathway, start: datetime, hours: float, attendance: Attendance | None) -> WorkSession:
    row = WorkSession(pathway_id=pathway.id, person_id=pathway.person_id,
                      association_id=pathway.association_id, host_partner_id=pathway.host_partner_id,
                      starts_at=start, ends_at=start + timedelta(hours=hours), attendance=attendance)
    db.add(row)
    return row


def supported(db, association, first: str, last: str):
    person = add_person(db, first, last, None, [(association, Role.SUPPORTED)])
    db.flush()
    return person


def pathway_url(app, slug: str, pathway_id: int) -> str:
    with app.test_request_context():
        return url_for("premieres_heures.pathway_detail", association=slug, pathway_id=pathway_id)


@pytest.fixture
def alpha_on(world, maillage_enable_plugin):
    maillage_enable_plugin(NAME, world.asso_a)


@pytest.fixture
def scene(db, world, alpha_on):
    """Alpha runs Premières Heures: Samir works this week and has a review and the end of
    his waiver coming; Mika, in discovery, missed her last three sessions; Nora's pathway
    ended. Beta (plugin not enabled) has a pathway too."""
    monday, _ = week_of(today())
    samir = new_pathway(db, world.asso_a, world.supported_a, host=world.partner,
                        referent=world.coordinator_a)
    db.add(Review(pathway_id=samir.id, held_on=today() - timedelta(days=30), participants="Inès Orienteuse",
                  observations="Bonne dynamique.", decision=Decision.KEEP,
                  next_review_on=today() + timedelta(days=5)))
    db.add(Waiver(pathway_id=samir.id, starts_on=today() - timedelta(days=300),
                  ends_on=today() + timedelta(days=10)))
    db.add(SupportAction(pathway_id=samir.id, domain=SupportDomain.HOUSING,
                         description="Demande de logement social", opened_on=today() - timedelta(days=50)))
    work(db, samir, at(monday, 9), 3, Attendance.PRESENT)
    work(db, samir, at(monday + timedelta(days=1), 9), 2, None)
    mika = new_pathway(db, world.asso_a, supported(db, world.asso_a, "Mika", "Nouvel"),
                       status=PathwayStatus.DISCOVERY, start=today() - timedelta(days=25), hours=4,
                       referent=world.coordinator_a)
    for days_ago in (21, 20, 19):
        work(db, mika, at(today() - timedelta(days=days_ago), 9), 2, Attendance.ABSENT)
    nora = new_pathway(db, world.asso_a, supported(db, world.asso_a, "Nora", "Partie"),
                       status=PathwayStatus.ENDED, exit_date=today() - timedelta(days=3),
                       exit_outcome=ExitOutcome.JOB)
    db.add(Waiver(pathway_id=nora.id, starts_on=today() - timedelta(days=200),
                  ends_on=today() + timedelta(days=3)))
    sarah = new_pathway(db, world.asso_b, world.supported_b, host=world.partner)
    work(db, sarah, at(monday, 14), 2, Attendance.PRESENT)
    db.commit()
    return {"samir": samir.id, "mika": mika.id, "nora": nora.id, "sarah": sarah.id, "monday": monday}


# --- the dashboard ---------------------------------------------------------------------------


def test_the_widget_gives_coordinators_the_week_at_a_glance(app, client, world, scene):
    login(client, "coord.a@test.org")
    page = text_of(client.get("/"))
    assert WIDGET_ALPHA in page
    assert "2 (découverte ou en cours)" in page  # Samir and Mika; Nora's pathway ended
    assert "3 h sur 5 h prévues" in page  # present 3 h of the 5 h planned this week
    assert "(objectifs : 12 h)" in page  # 8 h + 4 h a week
    samir_url = pathway_url(app, "alpha", scene["samir"])
    assert (f'<a href="{samir_url}">Samir Suivi</a> : bilan le {fr(today() + timedelta(days=5))}'
            in page)
    assert (f'<a href="{samir_url}">Samir Suivi</a> : dérogation jusqu\'au '
            f'{fr(today() + timedelta(days=10))}' in page)
    assert "Nora Partie" not in page  # ended: her waiver needs no warning
    mika_url = pathway_url(app, "alpha", scene["mika"])
    assert f'<a href="{mika_url}">Mika Nouvel</a> : 3 absences de suite' in page
    assert "Sarah" not in page and "Bêta" not in page  # another association, plugin off there


def test_the_admin_sees_the_widget_too(client, world, scene):
    login(client, "admin.a@test.org")
    assert WIDGET_ALPHA in text_of(client.get("/"))


def test_volunteers_do_not_get_the_widget(client, world, scene):
    login(client, "benevole.a@test.org")
    page = text_of(client.get("/"))
    assert client.get("/").status_code == 200
    assert WIDGET_ALPHA not in page and "Personnes en parcours" not in page


def test_the_waiver_warning_follows_the_associations_setting(client, db, world, alpha_on):
    pathway = new_pathway(db, world.asso_a, world.supported_a)
    db.add(Waiver(pathway_id=pathway.id, starts_on=today() - timedelta(days=100),
                  ends_on=today() + timedelta(days=40)))
    db.commit()
    login(client, "coord.a@test.org")
    assert "Samir Suivi</a> : dérogation" not in text_of(client.get("/"))  # 30 days by default
    activation = db.scalar(select(PluginActivation).where(PluginActivation.plugin == NAME))
    activation.settings = {"waiver_warning_days": 45}
    db.commit()
    assert "Samir Suivi</a> : dérogation" in text_of(client.get("/"))


def rich_data(db, world, first: int, count: int) -> None:
    """``count`` more pathways in Alpha, each with everything the widget reads."""
    monday, _ = week_of(today())
    for index in range(first, first + count):
        person = supported(db, world.asso_a, "Personne", f"N{index}")
        pathway = new_pathway(db, world.asso_a, person, host=world.partner, referent=world.coordinator_a)
        db.add(Review(pathway_id=pathway.id, held_on=today() - timedelta(days=20),
                      participants="Inès Orienteuse", decision=Decision.RAISE, new_weekly_hours=12,
                      next_review_on=today() + timedelta(days=3)))
        db.add(Waiver(pathway_id=pathway.id, starts_on=today() - timedelta(days=100),
                      ends_on=today() + timedelta(days=7)))
        work(db, pathway, at(today() - timedelta(days=40), 9), 1, Attendance.PRESENT)
        if index % 2:  # half of them missed their last three sessions
            for days_ago in (30, 29, 28):
                work(db, pathway, at(today() - timedelta(days=days_ago), 9), 1, Attendance.ABSENT)
        work(db, pathway, at(monday, 8), 1, Attendance.PRESENT if index % 2 == 0 else None)
    db.commit()


def test_the_dashboard_query_count_does_not_grow_with_the_pathways(app, db, world, alpha_on):
    def measure() -> tuple[int, str]:
        client = app.test_client()
        login(client, "coord.a@test.org")
        client.get("/")  # warm-up: what is read once per process
        with count_queries(app) as statements:
            response = client.get("/")
        assert response.status_code == 200
        return len(statements), text_of(response)

    rich_data(db, world, 0, 3)
    few, page = measure()
    assert page.count(": 3 absences de suite") == 1 and page.count(": bilan le ") == 3
    rich_data(db, world, 3, 30)
    many, page = measure()
    assert page.count(": 3 absences de suite") == 16 and page.count(": bilan le ") == 33
    assert many == few, (few, many)


# --- a person's page -------------------------------------------------------------------------


def test_the_person_page_shows_the_pathway_at_a_glance(app, client, world, scene):
    login(client, "coord.a@test.org")
    response = client.get(f"/personnes/{world.supported_a.id}")
    page = text_of(response)
    assert response.status_code == 200
    assert WIDGET_ALPHA in page
    for expected in ("En cours", "Mission Locale Test", "8 h par semaine",
                     fr(today() + timedelta(days=5)), f"jusqu'au {fr(today() + timedelta(days=10))}",
                     "Dérogation à renouveler", "3 h travaillées sur 5 h prévues",
                     f"Présent·e le {fr(scene['monday'])}"):
        assert expected in page, expected
    assert f'href="{pathway_url(app, "alpha", scene["samir"])}"' in page


def test_no_section_for_a_person_without_a_pathway(client, world, scene):
    login(client, "coord.a@test.org")
    response = client.get(f"/personnes/{world.volunteer2_a.id}")
    assert response.status_code == 200
    assert WIDGET_ALPHA not in text_of(response)


def test_the_section_is_only_for_coordinators(app, world, scene):
    """The core shows a person's page to those who manage them; the section asks for the
    coordinator role in the association all the same."""
    ref = PersonRef(id=world.supported_a.id, first_name="Samir", last_name="Suivi")
    for email, shown in (("benevole.a@test.org", False), ("coord.b@test.org", False),
                         ("coord.a@test.org", True), ("admin.a@test.org", True)):
        with app.test_request_context():
            login_user(app_session.scalar(select(Account).join(Account.person)
                                          .where(Person.email == email)))
            sections = plugin.person_sections(association=association_ref(world.asso_a), person=ref)
            assert bool(sections) is shown, email


# --- a disabled plugin ------------------------------------------------------------------------


def test_nothing_for_an_association_that_has_not_enabled_it(app, client, db, world, scene):
    # Beta did not enable the plugin: its coordinator gets no widget, no section, no pages.
    login(client, "coord.b@test.org")
    assert "Premières Heures" not in text_of(client.get("/"))
    person_page = client.get(f"/personnes/{world.supported_b.id}")
    assert person_page.status_code == 200 and "Premières Heures" not in text_of(person_page)
    assert client.get("/p/premieres_heures/").status_code == 404
    assert client.get(pathway_url(app, "beta", scene["sarah"])).status_code == 404
    # Alpha's coordinator cannot reach Beta's pages either.
    alpha = app.test_client()
    login(alpha, "coord.a@test.org")
    assert alpha.get(pathway_url(app, "beta", scene["sarah"])).status_code == 404


def test_switching_it_off_removes_everything_at_once(app, client, db, world, scene):
    login(client, "coord.a@test.org")
    assert client.get(pathway_url(app, "alpha", scene["samir"])).status_code == 200
    activation = db.scalar(select(PluginActivation).where(PluginActivation.plugin == NAME))
    activation.enabled = False
    db.commit()
    assert WIDGET_ALPHA not in text_of(client.get("/"))
    assert WIDGET_ALPHA not in text_of(client.get(f"/personnes/{world.supported_a.id}"))
    assert client.get("/p/premieres_heures/").status_code == 404
    assert client.get(pathway_url(app, "alpha", scene["samir"])).status_code == 404


def test_agenda_items_come_only_from_associations_that_enabled_it(app, db, world, scene):
    from core.agenda.plugin_items import Viewer, plugin_items

    start = at(scene["monday"], 0)
    end = start + timedelta(days=7)
    everyone = Viewer(person_id=None, manages=None)
    with app.test_request_context():
        found = plugin_items([association_ref(world.asso_a), association_ref(world.asso_b)],
                             start, end, viewer=everyone)
        assert sorted((p.association.slug, p.item.start) for p in found if p.plugin == NAME) == [
            ("alpha", at(scene["monday"], 9)), ("alpha", at(scene["monday"] + timedelta(days=1), 9))]
        assert all(p.item.person_ids == {world.supported_a.id} and "Samir" not in p.item.title
                   for p in found)
        direct = plugin.agenda_items(association=association_ref(world.asso_b), start=start, end=end)
        assert len(direct) == 1  # the hook itself would answer: the host does the gating
    activation = db.scalar(select(PluginActivation).where(PluginActivation.plugin == NAME))
    activation.enabled = False
    db.commit()
    with app.test_request_context():
        assert plugin_items([association_ref(world.asso_a)], start, end, viewer=everyone) == []


# --- personal data ---------------------------------------------------------------------------


def test_the_export_holds_the_whole_pathway(client, world, scene):
    login(client, "admin.a@test.org")
    response = client.get(f"/personnes/{world.supported_a.id}/donnees.json")
    assert response.status_code == 200
    module = response.get_json()["modules"][NAME]
    assert module["titre"].startswith("Premières Heures")
    [record] = module["donnees"]
    assert record["type"] == "parcours"
    assert record["orienteur"] == "Inès Orienteuse"
    assert record["referent_id"] == world.coordinator_a.id
    assert record["structure_d_accueil"] == "Mission Locale Test"
    assert record["statut"] == "active" and record["sortie"] is None
    assert record["paliers"] == [{"a_partir_du": (today() - timedelta(days=60)).isoformat(),
                                  "heures_par_semaine": 8}]
    assert [(s["heures"], s["presence"]) for s in record["seances"]] == [(3.0, "present"), (2.0, None)]
    assert record["bilans"][0]["decision"] == "keep"
    assert record["bilans"][0]["observations"] == "Bonne dynamique."
    assert record["bilans"][0]["prochain_bilan"] == (today() + timedelta(days=5)).isoformat()
    assert record["derogations"] == [{"du": (today() - timedelta(days=300)).isoformat(),
                                      "au": (today() + timedelta(days=10)).isoformat()}]
    assert record["accompagnement"][0]["action"] == "Demande de logement social"


def test_a_referent_learns_that_they_are_one_but_nothing_of_the_others(client, world, scene):
    login(client, "collectif@test.org")
    data = client.get(f"/personnes/{world.coordinator_a.id}/donnees.json").get_json()
    module = data["modules"][NAME]
    assert module["donnees"] == [{"type": "referent", "association_id": world.asso_a.id,
                                  "parcours_suivis_comme_referent": 2}]
    dumped = json.dumps(module, ensure_ascii=False)
    assert "Samir" not in dumped and "Mika" not in dumped and "Orienteuse" not in dumped


def test_nothing_to_export_for_someone_without_pathway(client, world, scene):
    login(client, "collectif@test.org")
    data = client.get(f"/personnes/{world.volunteer_a.id}/donnees.json").get_json()
    assert NAME not in data["modules"]


def test_the_export_and_erasure_happen_even_when_the_plugin_is_off(app, db, world):
    # Never enabled anywhere, but data left from an earlier switch-on: still exported.
    new_pathway(db, world.asso_a, world.supported_a)
    db.commit()
    client = app.test_client()
    login(client, "collectif@test.org")
    assert NAME in client.get(f"/personnes/{world.supported_a.id}/donnees.json").get_json()["modules"]
    assert post(client, f"/personnes/{world.supported_a.id}/effacer").status_code == 303
    assert db.scalar(select(func.count(Pathway.id))) == 0


def test_erasure_deletes_the_pathway_and_everything_under_it(client, db, world, scene):
    login(client, "collectif@test.org")
    assert post(client, f"/personnes/{world.supported_a.id}/effacer").status_code == 303
    db.expire_all()
    assert db.get(Pathway, scene["samir"]) is None
    for model in (HoursStage, WorkSession, Review, Waiver, SupportAction):
        owner = model.pathway_id == scene["samir"]
        assert db.scalar(select(func.count()).select_from(model).where(owner)) == 0, model
    assert db.get(Pathway, scene["mika"]) is not None  # other people's are untouched


def test_erasing_a_referent_keeps_the_pathways_they_followed(client, db, world, scene):
    login(client, "collectif@test.org")
    assert post(client, f"/personnes/{world.coordinator_a.id}/effacer").status_code == 303
    db.expire_all()
    for key in ("samir", "mika"):
        pathway = db.get(Pathway, scene[key])
        assert pathway is not None and pathway.referent_id is None


def test_erase_counts_what_it_deleted_and_does_not_commit(app, world, scene):
    samir = PersonRef(id=world.supported_a.id, first_name="Samir", last_name="Suivi")
    with app.app_context():
        # 1 pathway, 1 stage, 2 sessions, 1 review, 1 waiver, 1 support action
        assert plugin.erase_person_data(person=samir) == 7
        app_session.rollback()
        assert app_session.get(Pathway, scene["samir"]) is not None
        coordinator = PersonRef(id=world.coordinator_a.id, first_name="Chloé", last_name="Coord")
        assert plugin.erase_person_data(person=coordinator) == 2  # two referent links cleared
        app_session.rollback()


# --- funder indicators ---------------------------------------------------------------------------


def run_indicators(app, slug: str, start: str, end: str) -> dict[str, tuple[str, str]]:
    result = app.test_cli_runner().invoke(plugins_group, ["indicators", slug, "--from", start, "--to", end])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.splitlines()]
    return {key: (value, label) for plugin_name, key, value, label in lines if plugin_name == NAME}


def test_indicators_count_participants_hours_entries_and_exits(app, db, world, alpha_on):
    def person(index: int, start: date, **fields) -> Pathway:
        return new_pathway(db, world.asso_a, supported(db, world.asso_a, "P", str(index)), start=start,
                           **fields)

    # P1: two days of work in the period: a participant.
    p1 = person(1, date(2025, 1, 2))
    work(db, p1, at(date(2025, 1, 6), 9), 3, Attendance.PRESENT)
    work(db, p1, at(date(2025, 1, 7), 9), 2, Attendance.PRESENT)
    # P2: two sessions, one day: not a participant (an action of one day or less).
    p2 = person(2, date(2025, 1, 15), status=PathwayStatus.ENDED, exit_date=date(2025, 2, 20),
                exit_outcome=ExitOutcome.TRAINING)
    work(db, p2, at(date(2025, 2, 3), 9), 2, Attendance.PRESENT)
    work(db, p2, at(date(2025, 2, 3), 14), 2, Attendance.PRESENT)
    # P3: one day in the period, one before it: a participant.
    p3 = person(3, date(2024, 12, 1), status=PathwayStatus.ENDED, exit_date=date(2025, 3, 20),
                exit_outcome=ExitOutcome.JOB)
    work(db, p3, at(date(2024, 12, 20), 9), 4, Attendance.PRESENT)
    work(db, p3, at(date(2025, 3, 3), 9), 1, Attendance.PRESENT)
    # P4: one day present, the other absent: not a participant.
    p4 = person(4, date(2025, 3, 1), status=PathwayStatus.ENDED, exit_date=date(2025, 3, 25),
                exit_outcome=ExitOutcome.JOB)
    work(db, p4, at(date(2025, 3, 10), 9), 3, Attendance.PRESENT)
    work(db, p4, at(date(2025, 3, 11), 9), 3, Attendance.ABSENT)
    # P5: worked only before the period: not counted, but exited in it.
    p5 = person(5, date(2024, 10, 1), status=PathwayStatus.ENDED, exit_date=date(2025, 1, 10),
                exit_outcome=ExitOutcome.JOB)
    work(db, p5, at(date(2024, 11, 4), 9), 2, Attendance.PRESENT)
    work(db, p5, at(date(2024, 11, 5), 9), 2, Attendance.PRESENT)
    # P6: 31 March late evening, then just after midnight on 1 April, Paris time (still
    # 31 March in UTC): the second day is outside the period. Exit after the period.
    p6 = person(6, date(2025, 3, 15), status=PathwayStatus.ENDED, exit_date=date(2025, 4, 5),
                exit_outcome=ExitOutcome.INTERRUPTION)
    work(db, p6, at(date(2025, 3, 31), 21), 1, Attendance.PRESENT)
    work(db, p6, at(date(2025, 4, 1), 0, 30), 0.5, Attendance.PRESENT)
    # Beta's data never counts for Alpha.
    other = new_pathway(db, world.asso_b, world.supported_b, start=date(2025, 1, 2))
    work(db, other, at(date(2025, 1, 6), 9), 3, Attendance.PRESENT)
    work(db, other, at(date(2025, 1, 8), 9), 3, Attendance.PRESENT)
    db.commit()

    found = run_indicators(app, "alpha", "2025-01-01", "2025-03-31")
    assert found[f"{NAME}.participants"] == ("2 personnes", "Participants (au moins deux jours de travail)")
    assert found[f"{NAME}.hours_worked"][0] == "14.0 heures"  # 3+2 + 2+2 + 1 + 3 + 1
    assert found[f"{NAME}.entries"][0] == "4 personnes"  # P1, P2, P4, P6
    assert found[f"{NAME}.exits.job"] == ("3 personnes", "Sorties vers un emploi")
    # One exit to training: a small cell, masked.
    assert found[f"{NAME}.exits.training"] == (f"0 {MASKED_UNIT}", "Sorties vers une formation")
    assert found[f"{NAME}.exits.interruption"][0] == "0 personnes"  # after the period
    assert found[f"{NAME}.exits.insertion_contract"][0] == "0 personnes"
    assert found[f"{NAME}.exits.other"][0] == "0 personnes"
    assert len(found) == 8

    # The next quarter: P6's 1 April session is there, her first day is not in it.
    spring = run_indicators(app, "alpha", "2025-04-01", "2025-06-30")
    assert spring[f"{NAME}.participants"][0] == "1 personnes"
    assert spring[f"{NAME}.hours_worked"][0] == "0.5 heures"
    assert spring[f"{NAME}.exits.interruption"][0] == f"0 {MASKED_UNIT}"
    # Beta did not enable the plugin: nothing asked.
    assert run_indicators(app, "beta", "2025-01-01", "2025-03-31") == {}


def test_the_small_cell_rule_of_the_plugin_api():
    from core.plugin_api import SMALL_CELL, masked_count

    assert SMALL_CELL == 3
    assert [masked_count(n) for n in (0, 1, 2, 3, 10)] == [
        (0, "personnes"), (0, MASKED_UNIT), (0, MASKED_UNIT), (3, "personnes"), (10, "personnes")]
    assert masked_count(2, "familles") == (0, MASKED_UNIT)
    assert masked_count(4, "familles") == (4, "familles")


# --- settings on the modules page ------------------------------------------------------------------

GOOD_SETTINGS = {"duration_months": "9", "hours_ladder": "4, 8, 12, 20", "review_interval_weeks": "4",
                 "absence_flag_threshold": "2", "waiver_warning_days": "45"}
SETTINGS_URL = f"/associations/alpha/modules/{NAME}/reglages"


def test_the_settings_form_is_on_the_modules_page(client, world, alpha_on):
    login(client, "admin.a@test.org")
    page = text_of(client.get("/associations/alpha/modules"))
    assert "Premières Heures" in page and f'href="{SETTINGS_URL}"' in page
    form = client.get(SETTINGS_URL)
    assert form.status_code == 200
    for label in ("Durée prévue d&#39;un parcours (mois)", "Paliers d&#39;heures par semaine",
                  "Bilan toutes les … semaines", "4, 8, 12, 16, 20"):
        assert label in text_of(form), label


def test_good_settings_are_saved(client, db, world, alpha_on):
    login(client, "admin.a@test.org")
    response = post(client, SETTINGS_URL, GOOD_SETTINGS)
    assert response.status_code == 303
    saved = db.scalar(select(PluginActivation.settings).where(PluginActivation.plugin == NAME))
    assert saved == {"duration_months": 9, "hours_ladder": "4, 8, 12, 20", "review_interval_weeks": 4,
                     "absence_flag_threshold": 2, "waiver_warning_days": 45}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("hours_ladder", "4, huit", "Des nombres d'heures séparés par des virgules (exemple : 4, 8, 12)."),
    ("hours_ladder", "8, 4", "Les étapes vont en croissant, sans doublon (exemple : 4, 8, 12)."),
    ("hours_ladder", "4, 40", "Chaque étape est comprise entre 1 et 35 heures."),
    ("duration_months", "12", "Durée : un nombre entre 6 et 9."),
    ("duration_months", "six", "Un nombre entier est attendu (exemple : 12)."),
    ("waiver_warning_days", "0", "Délai : un nombre entre 1 et 90."),
])
def test_bad_settings_are_refused_in_french(client, db, world, alpha_on, field, value, message):
    login(client, "admin.a@test.org")
    response = post(client, SETTINGS_URL, {**GOOD_SETTINGS, field: value})
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert f'value="{value}"' in text_of(response)  # what was typed stays
    assert db.scalar(select(PluginActivation.settings).where(PluginActivation.plugin == NAME)) == {}


def test_two_bad_values_at_once(client, world, alpha_on):
    login(client, "admin.a@test.org")
    response = post(client, SETTINGS_URL, {**GOOD_SETTINGS, "hours_ladder": "4, huit",
                                           "duration_months": "12"})
    assert response.status_code == 422
    assert field_error(response, "hours_ladder") == (
        "Des nombres d'heures séparés par des virgules (exemple : 4, 8, 12).")
    assert field_error(response, "duration_months") == "Durée : un nombre entre 6 et 9."
