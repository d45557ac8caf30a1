"""Territoire zéro chômeur: the register through its pages — entry, eligibility shown with
its reasons, the pipeline and its bad steps, the wait for a job, and the scoping."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.plugin_api import add_months, paris_today
from plugins.tzcld.models import Employment, ExitReason, Ppde, PpdeStatus, Transition, WorkingTime
from tests.conftest import World
from tests.support import field_error, login, post, text_of

PLUGIN = "tzcld"
BASE = "/p/tzcld/alpha"


@pytest.fixture
def enabled(world: World, maillage_enable_plugin) -> World:
    maillage_enable_plugin(PLUGIN, world.asso_a)
    return world


@pytest.fixture
def coord(client, enabled):
    login(client, "coord.a@test.org")
    return client


def entry(db: Session, world: World, *, status: PpdeStatus = PpdeStatus.IDENTIFIED,
          association=None, person=None, eligible: bool = True, waiting_since: date | None = None,
          step_on: date | None = None) -> Ppde:
    today = paris_today()
    made = Ppde(association_id=(association or world.asso_a).id,
                person_id=(person or world.supported_a).id,
                without_work_since=add_months(today, -24) if eligible else add_months(today, -3),
                resident_since=add_months(today, -36), consent_on=add_months(today, -1),
                status=status, waiting_since=waiting_since)
    made.transitions.append(Transition(association_id=made.association_id, status=status,
                                       on=step_on or waiting_since or today - timedelta(days=10)))
    db.add(made)
    db.commit()
    return made


def iso(day: date) -> str:
    return day.isoformat()


def test_an_entry_is_written_and_shows_its_eligibility_with_reasons(coord, db, world):
    page = coord.get(f"{BASE}/registre/nouveau")
    assert page.status_code == 200 and "Suivi Samir" in text_of(page)
    today = paris_today()
    response = post(coord, f"{BASE}/registre/nouveau", {
        "person_id": str(world.supported_a.id), "identified_on": iso(today),
        "without_work_since": iso(add_months(today, -13)),
        "resident_since": iso(add_months(today, -2)), "consent_on": iso(today)})
    assert response.status_code == 303
    made = db.scalar(select(Ppde).where(Ppde.person_id == world.supported_a.id))
    assert made is not None and made.status is PpdeStatus.IDENTIFIED
    page = text_of(coord.get(response.headers["Location"]))
    assert "Pas éligible aujourd&#39;hui" in page or "Pas éligible aujourd'hui" in page
    assert "Sans emploi depuis plus de 12 mois" in page
    assert f"éligible à partir du {add_months(add_months(today, -2), 6):%d/%m/%Y}" in page


def test_someone_of_another_association_cannot_be_entered(coord, db, world):
    response = post(coord, f"{BASE}/registre/nouveau", {"person_id": str(world.supported_b.id)})
    assert response.status_code == 422
    assert field_error(response, "person_id")
    assert db.scalar(select(Ppde.id)) is None


def test_the_pipeline_from_met_to_hired_opens_the_contract(coord, db, world):
    made = entry(db, world, step_on=paris_today() - timedelta(days=40))
    today = paris_today()
    for status, on in (("met", today - timedelta(days=30)), ("waiting", today - timedelta(days=20))):
        assert post(coord, f"{BASE}/registre/{made.id}/etape", {"status": status, "on": iso(on)}
                    ).status_code == 303
    db.expire_all()
    assert db.get(Ppde, made.id).waiting_since == today - timedelta(days=20)
    assert "20 jours" in text_of(coord.get(f"{BASE}/exhaustivite"))
    response = post(coord, f"{BASE}/registre/{made.id}/etape",
                    {"status": "hired", "on": iso(today), "weekly_hours": "24,5"})
    assert response.status_code == 303
    db.expire_all()
    hired = db.get(Ppde, made.id)
    assert hired.status is PpdeStatus.HIRED and hired.waiting_since is None
    assert [t.status for t in hired.transitions] == [PpdeStatus.IDENTIFIED, PpdeStatus.MET,
                                                     PpdeStatus.WAITING, PpdeStatus.HIRED]
    assert hired.transitions[-1].recorded_by_id == world.coordinator_a.id
    contract = db.scalar(select(Employment).where(Employment.person_id == world.supported_a.id))
    assert contract is not None and contract.ppde and contract.started_on == today
    assert [(w.effective_on, w.weekly_hours) for w in db.scalars(select(WorkingTime))] == [
        (today, Decimal("24.50"))]


@pytest.mark.parametrize(("status", "form", "field", "message"), [
    # Only the steps that may follow are offered: a hire straight from « met » is not one.
    (PpdeStatus.MET, {"status": "hired", "weekly_hours": "24"}, "status", "choisissez dans la liste"),
    (PpdeStatus.WAITING, {"status": "hired"}, "weekly_hours", "temps de travail"),
    (PpdeStatus.WAITING, {"status": "hired", "weekly_hours": "40"}, "weekly_hours", "Entre 1 et 35"),
    (PpdeStatus.WAITING, {"status": "hired", "weekly_hours": "vingt"}, "weekly_hours", "nombre d'heures"),
    (PpdeStatus.MET, {"status": "exited"}, "exit_reason", "motif de sortie"),
    (PpdeStatus.MET, {"status": "waiting", "days": -30}, "on", "précéder"),
    (PpdeStatus.MET, {"status": "waiting", "days": 1}, "on", "futur"),
])
def test_bad_steps_are_refused_next_to_their_field(coord, db, world, status, form, field, message):
    made = entry(db, world, status=status, step_on=paris_today() - timedelta(days=10),
                 waiting_since=paris_today() - timedelta(days=10) if status is PpdeStatus.WAITING else None)
    data = {"on": iso(paris_today() + timedelta(days=form.pop("days", 0))), **form}
    response = post(coord, f"{BASE}/registre/{made.id}/etape", data)
    assert response.status_code == 422
    assert message in (field_error(response, field) or ""), text_of(response)
    db.expire_all()
    assert db.get(Ppde, made.id).status is status
    assert len(db.get(Ppde, made.id).transitions) == 1 and db.scalar(select(Employment.id)) is None


def test_an_ineligible_person_does_not_join_the_waiting_list(coord, db, world):
    made = entry(db, world, status=PpdeStatus.MET, eligible=False)
    response = post(coord, f"{BASE}/registre/{made.id}/etape",
                    {"status": "waiting", "on": iso(paris_today())})
    assert response.status_code == 422
    assert "Pas éligible" in field_error(response, "status")


def test_someone_who_left_may_come_back(coord, db, world):
    made = entry(db, world, status=PpdeStatus.MET, step_on=paris_today() - timedelta(days=9))
    assert post(coord, f"{BASE}/registre/{made.id}/etape", {
        "status": "exited", "exit_reason": ExitReason.TRAINING.value,
        "on": iso(paris_today() - timedelta(days=5))}).status_code == 303
    assert post(coord, f"{BASE}/registre/{made.id}/etape", {
        "status": "waiting", "on": iso(paris_today())}).status_code == 303
    db.expire_all()
    back = db.get(Ppde, made.id)
    assert back.status is PpdeStatus.WAITING and back.waiting_since == paris_today()
    assert back.transitions[-2].exit_reason is ExitReason.TRAINING


def test_exhaustiveness_counts_the_wait_and_lists_who_waits_too_long(coord, db, world):
    today = paris_today()
    entry(db, world, status=PpdeStatus.WAITING, waiting_since=today - timedelta(days=120))
    entry(db, world, status=PpdeStatus.WAITING, person=world.volunteer_a,
          waiting_since=today - timedelta(days=20))
    entry(db, world, status=PpdeStatus.WAITING, association=world.asso_b, person=world.supported_b,
          waiting_since=today - timedelta(days=500))  # Bêta's: not counted here
    page = text_of(coord.get(f"{BASE}/exhaustivite"))
    assert "<strong>2</strong> volontaires" in page
    assert "Attente médiane : 70 jours" in page and "la plus longue : 120 jours" in page.replace(
        "Attente la plus longue", "la plus longue")
    over = page.split("En attente depuis plus de 90 jours")[1].split("<h2>")[0]
    assert "120 jours" in over and world.volunteer_a.last_name not in over and "500" not in page
    # The distribution is a chart, with its values in a table for screen readers.
    assert page.count('role="img"') == 1 and "Voir les données du graphique" in page
    assert "Aucune embauche sur les 12 derniers mois." in page  # no hire: no empty drawing
    table = page.split("Durée d&#39;attente")[-1] if "Durée d&#39;attente" in page else page
    assert re.search(r"0 à 30 jours</th>\s*<td[^>]*>1</td>", table) and re.search(
        r"91 à 180 jours</th>\s*<td[^>]*>1</td>", table), table[:2000]


def test_another_associations_entry_answers_404(coord, db, world):
    theirs = entry(db, world, association=world.asso_b, person=world.supported_b)
    assert coord.get(f"{BASE}/registre/{theirs.id}").status_code == 404
    assert post(coord, f"{BASE}/registre/{theirs.id}/etape",
                {"status": "met", "on": iso(paris_today())}).status_code == 404


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(status=st.text(max_size=12), on=st.text(max_size=12), hours=st.text(max_size=8),
       reason=st.text(max_size=12))
def test_any_step_form_answers_without_error(coord, db, world, status, on, hours, reason):
    made = db.scalar(select(Ppde)) or entry(db, world, status=PpdeStatus.WAITING,
                                            waiting_since=paris_today() - timedelta(days=3))
    response = post(coord, f"{BASE}/registre/{made.id}/etape",
                    {"status": status, "on": on, "weekly_hours": hours, "exit_reason": reason})
    # A NUL character is refused by the core before any query (400), as everywhere.
    nul = "\x00" in status + on + hours + reason
    assert response.status_code in ((400,) if nul else (303, 422)), text_of(response)[:300]


def _running(db: Session, world: World) -> list[Employment]:
    db.expire_all()
    return db.scalars(select(Employment).where(Employment.person_id == world.supported_a.id,
                                               Employment.ended_on.is_(None))).all()


def test_an_exit_ends_the_contract_the_hire_opened_and_a_return_opens_one_only(coord, db, world):
    today = paris_today()
    made = entry(db, world, status=PpdeStatus.WAITING, waiting_since=today - timedelta(days=30))
    step = f"{BASE}/registre/{made.id}/etape"
    assert post(coord, step, {"status": "hired", "on": iso(today - timedelta(days=20)),
                              "weekly_hours": "35"}).status_code == 303
    [first] = _running(db, world)
    response = post(coord, step, {"status": "exited", "exit_reason": "job_elsewhere",
                                  "on": iso(today - timedelta(days=21))})
    assert response.status_code == 422 and "précéder" in field_error(response, "on")
    assert post(coord, step, {"status": "exited", "exit_reason": "job_elsewhere",
                              "on": iso(today - timedelta(days=10))}).status_code == 303
    assert _running(db, world) == []
    ended = db.get(Employment, first.id)
    assert ended.ended_on == today - timedelta(days=10) and "emploi ailleurs" in ended.end_reason
    assert post(coord, step, {"status": "waiting", "on": iso(today - timedelta(days=5))}).status_code == 303
    assert post(coord, step, {"status": "hired", "on": iso(today), "weekly_hours": "24"}).status_code == 303
    [second] = _running(db, world)
    assert second.id != first.id and second.hours[0].weekly_hours == Decimal(24)


def test_a_second_running_ppde_contract_is_refused(coord, db, world):
    today = paris_today()
    made = entry(db, world, status=PpdeStatus.WAITING, waiting_since=today - timedelta(days=30))
    start = today - timedelta(days=100)
    db.add(Employment(association_id=world.asso_a.id, person_id=world.supported_a.id, ppde=True,
                      started_on=start, hours=[WorkingTime(effective_on=start, weekly_hours=Decimal(20))]))
    db.commit()
    response = post(coord, f"{BASE}/registre/{made.id}/etape",
                    {"status": "hired", "on": iso(today), "weekly_hours": "35"})
    assert response.status_code == 422 and "déjà un contrat PPDE" in field_error(response, "status")
    assert len(_running(db, world)) == 1


def test_a_ppde_contract_ends_through_the_register_only(coord, db, world):
    today = paris_today()
    made = entry(db, world, status=PpdeStatus.WAITING, waiting_since=today - timedelta(days=30))
    assert post(coord, f"{BASE}/registre/{made.id}/etape", {
        "status": "hired", "on": iso(today - timedelta(days=20)), "weekly_hours": "35"}).status_code == 303
    [contract] = _running(db, world)
    for method in ("get", "post"):
        response = (coord.get(f"{BASE}/salaries/{contract.id}/fin") if method == "get" else
                    post(coord, f"{BASE}/salaries/{contract.id}/fin",
                         {"ended_on": iso(today), "end_reason": "Démission"}))
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/registre/{made.id}")
    assert _running(db, world) == [contract]
    assert "enregistrez sa sortie depuis le registre" in text_of(coord.get(f"{BASE}/registre/{made.id}"))


def test_a_register_kept_elsewhere_comes_in_with_its_dates(coord, db, world):
    """Someone identified in June and waiting since September is entered with those days, so
    their wait counts from then."""
    today = paris_today()
    identified, met, waiting = (today - timedelta(days=days) for days in (200, 150, 100))
    response = post(coord, f"{BASE}/registre/nouveau", {
        "person_id": str(world.supported_a.id), "identified_on": iso(identified),
        "without_work_since": iso(add_months(identified, -24)), "resident_since": iso(add_months(today, -60)),
        "consent_on": iso(met)})
    assert response.status_code == 303
    made = db.scalar(select(Ppde))
    for status, on in (("met", met), ("waiting", waiting)):
        assert post(coord, f"{BASE}/registre/{made.id}/etape", {"status": status, "on": iso(on)}
                    ).status_code == 303
    assert "100 jours" in text_of(coord.get(f"{BASE}/exhaustivite"))


def test_dates_corrected_after_the_waiting_list_are_saved_with_a_warning(coord, db, world):
    made = entry(db, world, status=PpdeStatus.WAITING, waiting_since=paris_today() - timedelta(days=20))
    response = post(coord, f"{BASE}/registre/{made.id}/modifier", {
        "without_work_since": iso(paris_today() - timedelta(days=60)),
        "resident_since": iso(add_months(paris_today(), -36)), "consent_on": iso(paris_today())})
    assert response.status_code == 303
    page = text_of(coord.get(response.headers["Location"]))
    assert "pas éligible le jour de son entrée en liste" in page


def test_after_an_exit_its_end_stays_the_registers_and_a_rehire_starts_the_day_after(coord, db, world):
    today = paris_today()
    made = entry(db, world, status=PpdeStatus.WAITING, waiting_since=today - timedelta(days=30))
    step = f"{BASE}/registre/{made.id}/etape"
    assert post(coord, step, {"status": "hired", "on": iso(today - timedelta(days=20)),
                              "weekly_hours": "35"}).status_code == 303
    exit_day = today - timedelta(days=10)
    assert post(coord, step, {"status": "exited", "exit_reason": "training",
                              "on": iso(exit_day)}).status_code == 303
    [closed] = db.scalars(select(Employment)).all()
    moved = post(coord, f"{BASE}/salaries/{closed.id}/fin", {"ended_on": iso(today), "end_reason": "x"})
    assert moved.status_code == 303 and moved.headers["Location"].endswith(f"/registre/{made.id}")
    db.expire_all()
    assert db.get(Employment, closed.id).ended_on == exit_day
    assert post(coord, step, {"status": "waiting", "on": iso(exit_day)}).status_code == 303
    response = post(coord, step, {"status": "hired", "on": iso(exit_day), "weekly_hours": "35"})
    assert response.status_code == 422 and "lendemain" in field_error(response, "on")
    assert post(coord, step, {"status": "hired", "on": iso(exit_day + timedelta(days=1)),
                              "weekly_hours": "35"}).status_code == 303
