"""Territoire zéro chômeur: the local employment committee and useful-work activities —
a decision never changed silently, refusals with reasons, an activity that starts only once
approved, meetings in the team's agenda."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.plugin_api import paris_today
from plugins.tzcld.models import Activity, ActivityStatus, CleMember, Decision, DecisionVersion, Meeting
from tests.conftest import World
from tests.support import field_error, login, post, text_of

BASE = "/p/tzcld/alpha"


@pytest.fixture
def coord(client, world: World, maillage_enable_plugin):
    maillage_enable_plugin("tzcld", world.asso_a)
    login(client, "coord.a@test.org")
    return client


def meeting(coord, days: int = -3) -> int:
    day = (paris_today() + timedelta(days=days)).isoformat()
    response = post(coord, f"{BASE}/cle/reunions/nouvelle", {
        "starts_at": f"{day}T18:00", "ends_at": f"{day}T20:00", "place": "Mairie annexe",
        "agenda": "Activités proposées"})
    assert response.status_code == 303
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def activity(coord) -> int:
    response = post(coord, f"{BASE}/activites/nouvelle", {
        "title": "Recyclerie de quartier", "need": "Pas de réemploi à moins de 10 km",
        "proposer": "resident", "proposer_name": "Conseil citoyen",
        "proposed_on": date(2025, 1, 10).isoformat()})
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_an_activity_starts_only_after_the_committee_approves_it(coord, db):
    activity_id, meeting_id = activity(coord), meeting(coord)
    start = {"started_on": paris_today().isoformat(), "jobs": "3"}
    response = post(coord, f"{BASE}/activites/{activity_id}/demarrage", start)
    assert response.status_code == 422 and "approuve" in field_error(response, "started_on")
    assert post(coord, f"{BASE}/activites/{activity_id}/consultations", {
        "consulted": "Garage Martin", "consulted_on": paris_today().isoformat(),
        "answer": "Pas concerné", "competition": ""}).status_code == 303
    decision = {"subject": "activity", "activity_id": str(activity_id), "title": "Recyclerie",
                "outcome": "refused", "reasons": ""}
    response = post(coord, f"{BASE}/cle/reunions/{meeting_id}/decisions", decision)
    assert response.status_code == 422 and "motifs" in field_error(response, "reasons")
    assert db.scalar(select(Decision.id)) is None
    assert post(coord, f"{BASE}/cle/reunions/{meeting_id}/decisions",
                {**decision, "outcome": "approved"}).status_code == 303
    db.expire_all()
    assert db.get(Activity, activity_id).status is ActivityStatus.APPROVED
    assert post(coord, f"{BASE}/activites/{activity_id}/demarrage", start).status_code == 303
    db.expire_all()
    running = db.get(Activity, activity_id)
    assert running.status is ActivityStatus.RUNNING and running.jobs == 3
    page = text_of(coord.get(f"{BASE}/activites/{activity_id}"))
    assert "Garage Martin" in page and "Approuvée" in page


def test_a_decision_changed_keeps_its_previous_wording(coord, db, world):
    meeting_id = meeting(coord)
    assert post(coord, f"{BASE}/cle/reunions/{meeting_id}/decisions", {
        "subject": "budget", "activity_id": "0", "title": "Budget 2026", "outcome": "postponed",
        "reasons": "Chiffres attendus"}).status_code == 303
    decision = db.scalar(select(Decision))
    assert post(coord, f"{BASE}/cle/decisions/{decision.id}/modifier", {
        "title": "Budget 2026", "outcome": "approved", "reasons": "Chiffres reçus"}).status_code == 303
    assert post(coord, f"{BASE}/cle/decisions/{decision.id}/modifier", {  # nothing changed: no version
        "title": "Budget 2026", "outcome": "approved", "reasons": "Chiffres reçus"}).status_code == 303
    [version] = db.scalars(select(DecisionVersion)).all()
    assert (version.outcome.value, version.reasons, version.replaced_by_id) == (
        "postponed", "Chiffres attendus", world.coordinator_a.id)
    page = text_of(coord.get(f"{BASE}/cle/decisions/{decision.id}/modifier"))
    assert "Chiffres attendus" in page and world.coordinator_a.last_name in page


def test_a_meeting_that_ends_before_it_starts_is_refused(coord, db):
    response = post(coord, f"{BASE}/cle/reunions/nouvelle",
                    {"starts_at": "2026-03-02T18:00", "ends_at": "2026-03-02T17:00"})
    assert response.status_code == 422 and field_error(response, "ends_at")
    assert db.scalar(select(Meeting.id)) is None


def test_meetings_show_in_the_teams_agenda_only(app, coord, client, db, world):
    meeting(coord, days=2)
    week = text_of(coord.get(f"/agenda/semaine?jour={(paris_today() + timedelta(days=2)).isoformat()}"))
    assert "Comité local pour l" in week
    other = app.test_client()
    login(other, "benevole.a@test.org")
    week = text_of(other.get(f"/agenda/semaine?jour={(paris_today() + timedelta(days=2)).isoformat()}"))
    assert "Comité local pour l" not in week


def test_a_member_is_someone_of_the_collective_or_a_named_contact(coord, db, world):
    response = post(coord, f"{BASE}/cle/membres/nouveau", {"person_id": "0", "contact_id": "0",
                                                           "partner_id": "0", "name": ""})
    assert response.status_code == 422 and "contact" in field_error(response, "name")
    assert post(coord, f"{BASE}/cle/membres/nouveau", {
        "person_id": "0", "contact_id": "0", "partner_id": str(world.partner.id), "name": "Irène Conseil",
        "role": "Représentante", "reads_decisions": "y"}).status_code == 303
    assert "Irène Conseil" in text_of(coord.get(f"{BASE}/cle/"))


def test_a_partners_contact_sits_on_the_committee_from_the_directory(coord, db, world):
    contact = world.partner.contacts[0]
    form = coord.get(f"{BASE}/cle/membres/nouveau").get_data(as_text=True)
    assert f"{contact.first_name} {contact.last_name} ({world.partner.name})" in form
    assert post(coord, f"{BASE}/cle/membres/nouveau", {
        "person_id": "0", "contact_id": str(contact.id), "partner_id": "0", "name": "", "organisation": "",
        "role": ""}).status_code == 303
    member = db.scalar(select(CleMember))
    assert (member.name, member.partner_id, member.organisation, member.role) == (
        f"{contact.first_name} {contact.last_name}", world.partner.id, world.partner.name, contact.job_title)
    response = post(coord, f"{BASE}/cle/membres/nouveau", {"person_id": "0", "contact_id": "999999"})
    assert response.status_code == 422 and field_error(response, "contact_id")


def test_no_decision_at_a_meeting_not_yet_held(coord, db):
    activity_id, later = activity(coord), meeting(coord, days=5)
    response = post(coord, f"{BASE}/cle/reunions/{later}/decisions", {
        "subject": "activity", "activity_id": str(activity_id), "title": "Recyclerie", "outcome": "approved"})
    assert response.status_code == 422 and "pas encore eu lieu" in field_error(response, "subject")
    assert db.scalar(select(Decision.id)) is None
    assert "une fois la réunion tenue" in text_of(coord.get(f"{BASE}/cle/reunions/{later}"))


def test_an_activity_starts_on_the_day_of_its_approving_meeting_or_later(coord, db):
    activity_id, held = activity(coord), meeting(coord, days=-3)
    assert post(coord, f"{BASE}/cle/reunions/{held}/decisions", {
        "subject": "activity", "activity_id": str(activity_id), "title": "Recyclerie",
        "outcome": "approved"}).status_code == 303
    start = f"{BASE}/activites/{activity_id}/demarrage"
    day_before = (paris_today() - timedelta(days=4)).isoformat()
    response = post(coord, start, {"started_on": day_before, "jobs": "2"})
    assert response.status_code == 422 and "précéder la réunion" in field_error(response, "started_on")
    assert post(coord, start, {"started_on": (paris_today() - timedelta(days=3)).isoformat(),
                               "jobs": "2"}).status_code == 303


def test_correcting_an_earlier_decision_does_not_undo_a_later_one(coord, db):
    activity_id, first, second = activity(coord), meeting(coord, days=-30), meeting(coord, days=-3)
    refusal = {"subject": "activity", "activity_id": str(activity_id), "title": "Recyclerie",
               "outcome": "refused", "reasons": "Local introuvable"}
    assert post(coord, f"{BASE}/cle/reunions/{first}/decisions", refusal).status_code == 303
    assert post(coord, f"{BASE}/cle/reunions/{second}/decisions",
                {**refusal, "outcome": "approved", "reasons": "Local trouvé"}).status_code == 303
    earlier = db.scalar(select(Decision).where(Decision.meeting_id == first))
    assert post(coord, f"{BASE}/cle/decisions/{earlier.id}/modifier", {
        "title": "Recyclerie", "outcome": "refused", "reasons": "Local introuvable (faute corrigée)"}
                ).status_code == 303
    db.expire_all()
    assert db.get(Activity, activity_id).status is ActivityStatus.APPROVED
    unchanged = post(coord, f"{BASE}/cle/decisions/{earlier.id}/modifier", {
        "title": "Recyclerie", "outcome": "refused", "reasons": "Local introuvable (faute corrigée)"})
    assert "a changé : la décision reste telle quelle" in text_of(coord.get(unchanged.headers["Location"]))


def test_a_decision_entered_late_for_an_earlier_meeting_does_not_override_the_later_one(coord, db):
    activity_id = activity(coord)  # proposed on 10 January 2025
    later, earlier = meeting(coord, days=-3), meeting(coord, days=-20)
    approval = {"subject": "activity", "activity_id": str(activity_id), "title": "Recyclerie",
                "outcome": "approved"}
    assert post(coord, f"{BASE}/cle/reunions/{later}/decisions", approval).status_code == 303
    assert post(coord, f"{BASE}/cle/reunions/{earlier}/decisions",
                {**approval, "outcome": "postponed"}).status_code == 303
    db.expire_all()
    assert db.get(Activity, activity_id).status is ActivityStatus.APPROVED


def test_no_decision_about_an_activity_at_a_meeting_before_its_proposal(coord, db):
    activity_id = activity(coord)
    before = meeting(coord, days=-(paris_today() - date(2025, 1, 9)).days)
    response = post(coord, f"{BASE}/cle/reunions/{before}/decisions", {
        "subject": "activity", "activity_id": str(activity_id), "title": "Recyclerie", "outcome": "approved"})
    assert response.status_code == 422 and "précède la proposition" in field_error(response, "activity_id")


def test_an_activity_neither_starts_nor_ends_in_the_future(coord, db):
    activity_id, held = activity(coord), meeting(coord, days=-3)
    assert post(coord, f"{BASE}/cle/reunions/{held}/decisions", {
        "subject": "activity", "activity_id": str(activity_id), "title": "Recyclerie",
        "outcome": "approved"}).status_code == 303
    tomorrow = (paris_today() + timedelta(days=1)).isoformat()
    response = post(coord, f"{BASE}/activites/{activity_id}/demarrage", {"started_on": tomorrow, "jobs": "2"})
    assert response.status_code == 422 and "futur" in field_error(response, "started_on")
    assert post(coord, f"{BASE}/activites/{activity_id}/demarrage",
                {"started_on": paris_today().isoformat(), "jobs": "2"}).status_code == 303
    response = post(coord, f"{BASE}/activites/{activity_id}/fin", {"ended_on": tomorrow})
    assert response.status_code == 422 and "futur" in field_error(response, "ended_on")
