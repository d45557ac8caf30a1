"""Territoire zéro chômeur: bad input on every form of the plugin. Each is refused with 422,
a French message next to the field at fault, and nothing saved or lost; whatever text is
typed in any field, the answer is never a server error (Hypothesis). The step form of the
register has its own sweep in tests/test_tzcld_register.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from core.plugin_api import paris_to_utc
from plugins.tzcld.models import (
    Activity,
    ActivityStatus,
    CleMember,
    Decision,
    DecisionSubject,
    Employment,
    Meeting,
    Outcome,
    Ppde,
    PpdeStatus,
    Proposer,
    Transition,
    WorkingTime,
)
from tests.conftest import World
from tests.form_checks import dump
from tests.support import field_error, login, post

BASE = "/p/tzcld/alpha"
TABLES = ("tzcld_territories", "tzcld_territory_neighbourhoods", "tzcld_territory_ebes", "tzcld_ppde",
          "tzcld_transitions", "tzcld_employments", "tzcld_working_times", "tzcld_cde_rates",
          "tzcld_cle_members", "tzcld_meetings", "tzcld_meeting_attendees", "tzcld_decisions",
          "tzcld_decision_versions", "tzcld_activities", "tzcld_consultations")
REQUIRED = "obligatoire"
BAD_DATE = "Date invalide"
CHOICES = {"status", "subject", "outcome", "stage", "proposer", "person_id", "partner_id", "contact_id",
           "activity_id", "attendees"}


@dataclass(frozen=True)
class Records:
    ppde: int
    contract: int
    meeting: int
    decision: int
    activity: int  # proposed, reviewed by no one yet
    approved: int  # approved by the committee, not started
    running: int  # started on 1 March 2025


def records(db: Session, world: World) -> Records:
    a = world.asso_a.id
    ppde = Ppde(association_id=a, person_id=world.supported_a.id, status=PpdeStatus.IDENTIFIED,
                transitions=[Transition(association_id=a, status=PpdeStatus.IDENTIFIED, on=date(2025, 1, 2))])
    contract = Employment(association_id=a, person_id=world.volunteer_a.id, ppde=False,
                          started_on=date(2025, 1, 1),
                          hours=[WorkingTime(effective_on=date(2025, 1, 1), weekly_hours=Decimal(35))])
    meeting = Meeting(association_id=a, starts_at=paris_to_utc(datetime(2025, 2, 3, 18)),
                      ends_at=paris_to_utc(datetime(2025, 2, 3, 20)))
    activity = Activity(association_id=a, title="Jardins", need="Friches", proposer=Proposer.RESIDENT,
                        proposed_on=date(2025, 1, 10))
    approved = Activity(association_id=a, title="Recyclerie", need="Réemploi", proposer=Proposer.PPDE,
                        proposed_on=date(2025, 1, 10), status=ActivityStatus.APPROVED)
    running = Activity(association_id=a, title="Épicerie", need="Courses", proposer=Proposer.PARTNER,
                       proposed_on=date(2025, 1, 10), status=ActivityStatus.RUNNING,
                       started_on=date(2025, 3, 1), jobs=2)
    db.add_all([ppde, contract, meeting, activity, approved, running,
                CleMember(association_id=a, name="Mme Roussel")])
    db.flush()
    decision = Decision(association_id=a, meeting_id=meeting.id, subject=DecisionSubject.ACTIVITY,
                        activity_id=approved.id, title="Recyclerie", outcome=Outcome.APPROVED)
    db.add(decision)
    db.commit()
    return Records(ppde.id, contract.id, meeting.id, decision.id, activity.id, approved.id, running.id)


@dataclass(frozen=True)
class Case:
    url: Callable[[Records], str]
    valid: Callable[[World, Records], dict[str, Any]]
    bad: tuple[tuple[dict[str, Any], str, str], ...]  # (changes, field at fault, words of its message)


FORMS: dict[str, Case] = {
    "territory": Case(
        lambda r: "territoire",
        lambda w, r: {"name": "Territoire des Tilleuls", "stage": "authorised", "authorised_on": "2024-06-01",
                      "ended_on": ""},
        (({"name": "  "}, "name", REQUIRED), ({"stage": "conquered"}, "stage", "choix"),
         ({"authorised_on": ""}, "authorised_on", "date d'habilitation"),
         ({"authorised_on": "2024-02-30"}, "authorised_on", BAD_DATE),
         ({"stage": "ended", "ended_on": "2024-01-01"}, "ended_on", "précéder"),
         ({"name": "x" * 121}, "name", "120"))),
    "register": Case(
        lambda r: "registre/nouveau",
        lambda w, r: {"person_id": str(w.coordinator_a.id), "identified_on": "2024-09-01",
                      "without_work_since": "2023-01-01", "resident_since": "2020-01-01", "consent_on": ""},
        (({"person_id": ""}, "person_id", REQUIRED), ({"person_id": "999999"}, "person_id", "choix"),
         ({"person_id": str(0)}, "person_id", REQUIRED),
         ({"without_work_since": "hier"}, "without_work_since", BAD_DATE),
         ({"identified_on": "2099-01-01"}, "identified_on", "futur"),
         ({"identified_on": ""}, "identified_on", REQUIRED),
         ({"consent_on": "2099-01-01"}, "consent_on", "futur"))),
    "register_edit": Case(
        lambda r: f"registre/{r.ppde}/modifier",
        lambda w, r: {"without_work_since": "2023-01-01", "resident_since": "2020-01-01", "consent_on": ""},
        (({"resident_since": "2020-13-01"}, "resident_since", BAD_DATE),
         ({"consent_on": "01/01/20255"}, "consent_on", BAD_DATE),
         ({"without_work_since": "2099-01-01"}, "without_work_since", "futur"))),
    "step": Case(
        lambda r: f"registre/{r.ppde}/etape",
        lambda w, r: {"status": "met", "on": "2025-02-01", "note": ""},
        (({"on": "2025-01-01"}, "on", "précéder"), ({"on": "2099-01-01"}, "on", "futur"),
         ({"status": "hired", "weekly_hours": "1e400"}, "weekly_hours", "24"),
         ({"status": "hired", "weekly_hours": "9" * 27}, "weekly_hours", "24"),
         ({"status": "waiting"}, "status", ""))),
    "contract": Case(
        lambda r: "salaries/nouveau",
        lambda w, r: {"person_id": str(w.admin_a.id), "job": "Cuisine", "started_on": "2025-04-01",
                      "weekly_hours": "24"},
        (({"weekly_hours": "beaucoup"}, "weekly_hours", "17,5"),
         ({"weekly_hours": "1e400"}, "weekly_hours", "24"),
         ({"weekly_hours": "9" * 27}, "weekly_hours", "24"),
         ({"weekly_hours": "٣٥"}, "weekly_hours", "24"),
         ({"weekly_hours": "0,5"}, "weekly_hours", "48"),
         ({"weekly_hours": "0"}, "weekly_hours", "48"), ({"weekly_hours": "60"}, "weekly_hours", "48"),
         ({"started_on": ""}, "started_on", REQUIRED),
         ({"person_id": "999999"}, "person_id", "choix"), ({"job": "x" * 121}, "job", "120"))),
    "working_time": Case(
        lambda r: f"salaries/{r.contract}/temps",
        lambda w, r: {"effective_on": "2025-05-01", "weekly_hours": "17,5"},
        (({"effective_on": "2024-12-01"}, "effective_on", "entre le début"),
         ({"weekly_hours": "17.5.5"}, "weekly_hours", "17,5"),
         ({"weekly_hours": "1e30"}, "weekly_hours", "24"),
         ({"effective_on": ""}, "effective_on", REQUIRED))),
    "contract_end": Case(
        lambda r: f"salaries/{r.contract}/fin",
        lambda w, r: {"ended_on": "2025-06-30", "end_reason": "Fin de mission"},
        (({"ended_on": "2024-12-31"}, "ended_on", "précéder"), ({"end_reason": ""}, "end_reason", REQUIRED),
         ({"ended_on": "30/06"}, "ended_on", BAD_DATE))),
    "rates": Case(
        lambda r: "cde/taux",
        lambda w, r: {"year": "2025", "hourly_minimum_wage": "11,88", "state_rate": "95",
                      "departement_share": "20", "hours_per_year": "1820"},
        (({"year": "1999"}, "year", "2016"), ({"year": "deux mille"}, "year", "nombre"),
         ({"hourly_minimum_wage": "-1"}, "hourly_minimum_wage", ""),
         ({"hourly_minimum_wage": "1e30"}, "hourly_minimum_wage", "11,88"),
         ({"state_rate": "250"}, "state_rate", "200"),
         ({"departement_share": "-0,5"}, "departement_share", "positif"),
         ({"departement_share": "100,5"}, "departement_share", "100"),
         ({"state_rate": ""}, "state_rate", REQUIRED),
         ({"hours_per_year": "0"}, "hours_per_year", ""))),
    "member": Case(
        lambda r: "cle/membres/nouveau",
        lambda w, r: {"person_id": "0", "contact_id": "0", "name": "M. Benali", "partner_id": "0",
                      "organisation": "Conseil citoyen", "role": "Habitant"},
        (({"name": ""}, "name", ""), ({"person_id": "999999"}, "person_id", "choix"),
         ({"partner_id": "999999"}, "partner_id", "choix"), ({"contact_id": "x"}, "contact_id", "choix"),
         ({"role": "x" * 121}, "role", "120"))),
    "meeting": Case(
        lambda r: "cle/reunions/nouvelle",
        lambda w, r: {"starts_at": "2025-03-03T18:00", "ends_at": "2025-03-03T20:00", "place": "Mairie"},
        (({"ends_at": "2025-03-03T17:00"}, "ends_at", ""), ({"starts_at": ""}, "starts_at", REQUIRED),
         ({"starts_at": "2025-03-03T25:00"}, "starts_at", ""),
         ({"starts_at": "2026-03-29T02:30", "ends_at": "2026-03-29T03:30"}, "starts_at", "heure d'été"),
         ({"attendees": "999999"}, "attendees", "cochées"),
         ({"ends_at": "2025-03-03T17:00", "agenda": "x" * 5001}, "ends_at", "après le début"))),
    "decision": Case(
        lambda r: f"cle/reunions/{r.meeting}/decisions",
        lambda w, r: {"subject": "activity", "activity_id": str(r.activity), "title": "Jardins",
                      "outcome": "refused", "reasons": "Concurrence"},
        (({"reasons": ""}, "reasons", "motifs"), ({"activity_id": "0"}, "activity_id", "activité"),
         ({"outcome": "maybe"}, "outcome", "choix"), ({"subject": "x"}, "subject", "choix"),
         ({"activity_id": "999999"}, "activity_id", "choix"), ({"title": " "}, "title", REQUIRED))),
    "decision_edit": Case(
        lambda r: f"cle/decisions/{r.decision}/modifier",
        lambda w, r: {"title": "Recyclerie", "outcome": "approved", "reasons": "Local confirmé"},
        (({"outcome": "refused", "reasons": ""}, "reasons", "motifs"), ({"title": ""}, "title", REQUIRED),
         ({"outcome": ""}, "outcome", ""))),
    "activity": Case(
        lambda r: "activites/nouvelle",
        lambda w, r: {"title": "Laverie", "need": "Aucune laverie", "proposer": "resident",
                      "proposed_on": "2025-02-01"},
        (({"need": ""}, "need", REQUIRED), ({"proposer": "alien"}, "proposer", "choix"),
         ({"proposed_on": "2025-02-29"}, "proposed_on", BAD_DATE),
         ({"proposed_on": "2099-02-01"}, "proposed_on", "futur"), ({"title": "x" * 201}, "title", "200"))),
    "consultation": Case(
        lambda r: f"activites/{r.activity}/consultations",
        lambda w, r: {"consulted": "Garage Martin", "consulted_on": "2025-01-20", "answer": "Non concerné"},
        (({"consulted": ""}, "consulted", REQUIRED), ({"consulted_on": "le 20"}, "consulted_on", BAD_DATE),
         ({"consulted_on": "2025-01-09"}, "consulted_on", "précéder"),
         ({"consulted_on": "2099-01-09"}, "consulted_on", "futur"))),
    "start": Case(
        lambda r: f"activites/{r.approved}/demarrage",
        lambda w, r: {"started_on": "2025-03-01", "jobs": "3"},
        (({"started_on": "2025-01-01"}, "started_on", "précéder"), ({"jobs": "-1"}, "jobs", ""),
         ({"jobs": "trois"}, "jobs", "nombre"), ({"started_on": ""}, "started_on", REQUIRED))),
    "end": Case(
        lambda r: f"activites/{r.running}/fin",
        lambda w, r: {"ended_on": "2025-09-30"},
        (({"ended_on": "2025-02-28"}, "ended_on", "précéder"), ({"ended_on": ""}, "ended_on", REQUIRED))),
}
BAD = [(name, changes, field, words) for name, case in FORMS.items() for changes, field, words in case.bad]


@pytest.fixture
def coord(client, world: World, maillage_enable_plugin):
    maillage_enable_plugin("tzcld", world.asso_a)
    login(client, "coord.a@test.org")
    return client


@pytest.mark.parametrize("name", sorted(FORMS))
def test_the_valid_form_is_saved(coord, db, world, name):
    """The baseline the bad cases change one field of: it is accepted."""
    known = records(db, world)
    case = FORMS[name]
    response = post(coord, f"{BASE}/{case.url(known)}", case.valid(world, known))
    assert response.status_code == 303, (name, response.get_data(as_text=True)[-800:])


@pytest.mark.parametrize(("name", "changes", "field", "words"), BAD,
                         ids=[f"{name}-{field}-{i}" for i, (name, _, field, _) in enumerate(BAD)])
def test_bad_input_is_refused_next_to_its_field_and_nothing_changes(coord, db, world, name, changes, field,
                                                                    words):
    known = records(db, world)
    case = FORMS[name]
    before = dump(db, TABLES)
    response = post(coord, f"{BASE}/{case.url(known)}", {**case.valid(world, known), **changes})
    assert response.status_code == 422, name
    message = field_error(response, field)
    assert message, f"no message next to {field!r}"
    assert words.casefold() in message.casefold(), message
    assert not any(english in message for english in ("Not a valid", "This field", "Invalid")), message
    assert dump(db, TABLES) == before
    # what was typed is kept in the form, so that nothing is lost (a list offers its own choices)
    for key, value in changes.items():
        if key not in CHOICES and value.strip() and key != field and len(value) < 60:
            assert value in response.get_data(as_text=True), key


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_in_any_field_never_breaks_a_form(coord, db, world, data):
    known = db.info.get("tzcld_records")
    if known is None:
        known = db.info["tzcld_records"] = records(db, world)
    name = data.draw(st.sampled_from(sorted(FORMS)))
    case = FORMS[name]
    valid = case.valid(world, known)
    typed = {key: data.draw(TEXT | st.just(value)) for key, value in valid.items()}
    before = dump(db, TABLES)
    response = post(coord, f"{BASE}/{case.url(known)}", typed)
    # 400: a NUL character, refused before any form by the core (core/web/params.py)
    nul = any("\x00" in value for value in typed.values())
    assert response.status_code in (303, 422) or (nul and response.status_code == 400), (
        name, typed, response.status_code)
    if response.status_code == 422:
        assert dump(db, TABLES) == before, (name, typed)
