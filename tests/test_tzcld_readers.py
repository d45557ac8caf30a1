"""Territoire zéro chômeur: the committee's members given read access (``reads_decisions``)
read the committee, its decisions, the activities and the figures counted over everyone —
never a person's file nor a list of names, and they change nothing. Volunteers who are not
such readers see nothing. The other roles are in the permission matrix."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from core.plugin_api import PARIS, paris_to_utc, paris_today
from core.web.dates import format_datetime
from plugins.tzcld.models import Activity, CleMember, Decision, Meeting, Ppde, PpdeStatus, Proposer
from plugins.tzcld.views.exports import TABLES
from tests.conftest import World
from tests.support import login, post, text_of
from tests.tzcld_world import territory

BASE = "/p/tzcld/alpha"
READABLE = ["", "exhaustivite", "etp?annee=2025", "cle/", "cle/reunions/{meeting}", "activites/",
            "activites/{activity}"]
TEAM_ONLY = ["registre/", "registre/nouveau", "registre/{ppde}", "registre/{ppde}/modifier",
             "salaries/", "salaries/nouveau", "cde/taux", "territoire", "cle/membres/nouveau",
             "cle/reunions/nouvelle", "cle/decisions/{decision}/modifier", "activites/nouvelle"]


def ids(db: Session) -> dict[str, int]:
    return {"ppde": db.query(Ppde.id).filter(Ppde.status == PpdeStatus.WAITING).order_by(Ppde.id).first()[0],
            "meeting": db.query(Meeting.id).scalar(), "decision": db.query(Decision.id).scalar(),
            "activity": db.query(Activity.id).scalar()}


def seat(db: Session, world: World, *, reads: bool) -> None:
    """The volunteer of Alpha sits on the committee."""
    db.add(CleMember(association_id=world.asso_a.id, person_id=world.volunteer_a.id, role="Habitant",
                     reads_decisions=reads))
    db.commit()


@pytest.fixture
def volunteer(client, db, world: World, maillage_enable_plugin):
    maillage_enable_plugin("tzcld", world.asso_a)
    maillage_enable_plugin("tzcld", world.asso_b)
    territory(db, world)
    login(client, "benevole.a@test.org")
    return client


def test_a_reader_reads_decisions_activities_and_figures(volunteer, db, world):
    seat(db, world, reads=True)
    known = ids(db)
    for page in READABLE:
        response = volunteer.get(f"{BASE}/{page.format_map(known)}")
        assert response.status_code == 200, page
        html = text_of(response)
        assert "Suivi" not in html and "Samir" not in html, page  # nobody's name
        assert f'method="post" action="{BASE}' not in html, page  # no form: nothing to change
    assert "Recyclerie" in text_of(volunteer.get(f"{BASE}/cle/reunions/{known['meeting']}"))
    assert "Consultation en cours" in text_of(volunteer.get(f"{BASE}/activites/{known['activity']}"))


def test_a_reader_sees_how_many_wait_too_long_not_who(volunteer, db, world):
    seat(db, world, reads=True)
    page = text_of(volunteer.get(f"{BASE}/exhaustivite"))
    assert "1 personne. Les noms sont réservés à l'équipe du territoire." in page
    assert "/registre/" not in page and "/telecharger/attente." not in page
    assert "/telecharger/attente-par-duree.csv" in page


def test_a_reader_never_opens_a_persons_file_nor_changes_anything(volunteer, db, world):
    seat(db, world, reads=True)
    known = ids(db)
    for page in TEAM_ONLY:
        assert volunteer.get(f"{BASE}/{page.format_map(known)}").status_code == 403, page
    forms = {f"cle/reunions/{known['meeting']}/decisions": {"subject": "budget", "title": "x",
                                                            "outcome": "approved"},
             f"activites/{known['activity']}/consultations": {"consulted": "x", "consulted_on": "2025-01-01"},
             f"registre/{known['ppde']}/etape": {"status": "hired", "on": "2025-04-01", "weekly_hours": "35"}}
    for page, data in forms.items():
        assert post(volunteer, f"{BASE}/{page}", data).status_code == 403, page


def test_a_reader_downloads_only_the_tables_without_names(volunteer, db, world):
    seat(db, world, reads=True)
    for table, spec in TABLES.items():
        response = volunteer.get(f"{BASE}/telecharger/{table}.csv")
        assert response.status_code == (200 if spec.readers else 403), table
        if spec.readers:
            assert "Samir" not in response.get_data(as_text=True), table
    assert {t for t, spec in TABLES.items() if not spec.readers} == {
        "registre", "etapes", "attente", "salaries", "temps-de-travail"}


@pytest.mark.parametrize("reads", [False, None], ids=["on the committee without read access", "not on it"])
def test_other_volunteers_see_nothing(volunteer, db, world, reads):
    if reads is not None:
        seat(db, world, reads=reads)
    known = ids(db)
    for page in READABLE + TEAM_ONLY:
        assert volunteer.get(f"{BASE}/{page.format_map(known)}").status_code == 403, page
    assert volunteer.get(f"{BASE}/telecharger/decisions.csv").status_code == 403
    assert "Comité local pour l'emploi" not in text_of(volunteer.get("/"))


def test_a_reader_of_alpha_reads_nothing_of_beta(volunteer, db, world):
    seat(db, world, reads=True)
    for page in ("", "cle/", "exhaustivite", "telecharger/decisions.csv"):
        assert volunteer.get(f"/p/tzcld/beta/{page}").status_code == 404, page


def test_the_dashboard_shows_readers_the_next_meeting_and_the_way_in(volunteer, db, world):
    seat(db, world, reads=True)
    soon = paris_today() + timedelta(days=10)
    evening = datetime(soon.year, soon.month, soon.day, 18)
    db.add(Meeting(association_id=world.asso_a.id, starts_at=paris_to_utc(evening),
                   ends_at=paris_to_utc(evening + timedelta(hours=2))))
    db.commit()
    page = text_of(volunteer.get("/"))
    assert f"Prochaine réunion du comité : {format_datetime(evening.replace(tzinfo=PARIS))}" in page
    assert f"{BASE}/cle/" in page
    assert "en attente depuis plus de" not in page  # the team's to-do, not the readers'


def test_a_readers_never_sees_a_resident_or_ppde_proposers_name(volunteer, db, world):
    seat(db, world, reads=True)
    db.add_all([Activity(association_id=world.asso_a.id, title="Laverie", need="Aucune", proposer=proposer,
                         proposer_name=name, proposed_on=paris_today())
                for proposer, name in ((Proposer.PPDE, "Karim Haddad"),
                                       (Proposer.PARTNER, "Régie de quartier"))])
    db.commit()
    for url in (f"{BASE}/activites/", f"{BASE}/telecharger/activites.csv"):
        body = volunteer.get(url).get_data(as_text=True)
        assert "Karim Haddad" not in body and "Régie de quartier" in body, url
