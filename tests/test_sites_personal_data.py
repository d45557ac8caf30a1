"""Sites en transition and the people it holds data on: export and erasure of occupants'
contacts, applicants (found by the e-mail address they typed), rooms' reservers and
reviewers, scoped to who asks; and the purge of a closed call's applications after the
retention, keeping what was decided as counts."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from core.agenda.clock import paris_today
from core.cli import cli
from core.database import session
from core.plugin_api import add_months, store_upload
from core.pluginhost.activation import PluginActivation
from core.pluginhost.contributions import AssociationRef
from core.pluginhost.refs import person_ref
from core.web.uploads import upload_root
from plugins.sites import plugin
from plugins.sites.models import Allocation
from plugins.sites.models_calls import Application, Attachment, CallCounts, Choice, Criterion, Decision, Score
from plugins.sites.models_rooms import RoomReservation
from plugins.sites.retention import purge_association
from tests.conftest import World
from tests.sites_world import application_to, call_on, site_with_lots
from tests.support import committed

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _export(app, world: World, scope: frozenset[int] | None):
    with app.app_context():
        return plugin.export_person_data(person=person_ref(world.supported_a), associations=scope)


def test_an_applicant_found_by_address_a_reservation_and_scores_are_exported_in_scope(app, db, world: World):
    site, lots = site_with_lots(db, world.asso_a.id, ["A1", "S1"])
    call = call_on(db, site, lots)
    # His address, typed in capitals.
    application_to(db, call, lots[:1], "Recyclerie du Mail", email="SAMIR@test.org")
    application_to(db, call, lots[:1], "Autre projet", email="quelquun@exemple.org")
    start = datetime(2030, 3, 4, 8, tzinfo=UTC)
    db.add(RoomReservation(association_id=world.asso_a.id, lot_id=lots[1].id, starts_at=start,
                           ends_at=start + timedelta(hours=2), purpose="Réunion",
                           person_id=world.supported_a.id))
    db.commit()
    records = _export(app, world, frozenset({world.asso_a.id})).records
    assert sorted(record["type"] for record in records) == ["candidature", "réservation de salle"]
    [application] = [record for record in records if record["type"] == "candidature"]
    assert application["organisation"] == "Recyclerie du Mail" and application["e_mail"] == "SAMIR@test.org"
    assert _export(app, world, frozenset({world.asso_b.id})) is None


def test_the_erasure_blanks_the_applicant_keeps_the_project_and_forgets_reserver_and_reviewer(app, db, world):
    site, lots = site_with_lots(db, world.asso_a.id, ["A1", "S1"])
    call = call_on(db, site, lots)
    mine = application_to(db, call, lots[:1], "Recyclerie du Mail", email="samir@test.org")
    other = application_to(db, call, lots[:1], "Autre projet", email="quelquun@exemple.org")
    criterion = db.scalar(select(Criterion).where(Criterion.call_id == call.id))
    db.add(Score(association_id=world.asso_a.id, application_id=other.id, criterion_id=criterion.id,
                 reviewer_id=world.supported_a.id, score=4, comment="Solide"))
    start = datetime(2030, 3, 4, 8, tzinfo=UTC)
    db.add(RoomReservation(association_id=world.asso_a.id, lot_id=lots[1].id, starts_at=start,
                           ends_at=start + timedelta(hours=2), purpose="Réunion",
                           person_id=world.supported_a.id))
    db.commit()
    assert committed(app, lambda: plugin.erase_person_data(person=person_ref(world.supported_a))) == 3
    db.expire_all()
    erased = db.get(Application, mine.id)
    assert (erased.contact_name, erased.contact_email, erased.contact_phone) == ("", "", "")
    assert erased.organisation == "Recyclerie du Mail" and erased.project
    assert db.get(Application, other.id).contact_email == "quelquun@exemple.org"
    assert db.scalar(select(RoomReservation.person_id)) is None
    assert db.scalar(select(Score.reviewer_id)) is None and db.scalar(select(Score.score)) == 4
    assert _export(app, world, None) is None


def _closed_call_with_decisions(app, db, world: World, closed_days_ago: int):
    site, lots = site_with_lots(db, world.asso_a.id, ["A1", "A2"])
    today = paris_today()
    call = call_on(db, site, lots, opens_on=today - timedelta(days=closed_days_ago + 30),
                   closes_on=today - timedelta(days=closed_days_ago))
    decisions = {"Accepté": [Decision.ACCEPTED, Decision.REFUSED],
                 "Refusé": [Decision.REFUSED, Decision.REFUSED],
                 "Attente": [Decision.WAITING, Decision.REFUSED], "Sans décision": [None, None]}
    applications = {}
    for name, wanted in decisions.items():
        application = application_to(db, call, lots, name)
        for choice, decision in zip(db.scalars(select(Choice).where(Choice.application_id == application.id)
                                               .order_by(Choice.preference)), wanted, strict=True):
            choice.decision = decision
            choice.reasons = "Un autre projet correspond mieux." if decision == Decision.REFUSED else ""
        applications[name] = application
    accepted = applications["Accepté"]
    db.add(Allocation(association_id=world.asso_a.id, lot_id=lots[0].id, occupant="Accepté",
                      application_id=accepted.id, starts_on=today, ends_on=today + timedelta(days=30),
                      starts_at=datetime(2030, 1, 1, tzinfo=UTC), ends_at=datetime(2030, 2, 1, tzinfo=UTC)))
    db.commit()

    def attach():
        stored = store_upload(FileStorage(io.BytesIO(PDF), "statuts.pdf"), plugin="sites", kinds=("pdf",),
                              max_bytes=10_000)
        session.add(Attachment(association_id=world.asso_a.id, application_id=accepted.id, file=stored))
        return stored
    return call, committed(app, attach)


def test_a_call_closed_longer_than_the_retention_loses_its_applications_and_keeps_counts(app, db, world):
    today = paris_today()
    days = (today - add_months(today, -24)).days + 1
    call, stored = _closed_call_with_decisions(app, db, world, days)
    path = upload_root(app) / stored.key
    assert path.exists()
    alpha = AssociationRef(id=world.asso_a.id, slug="alpha", name="Alpha", short_name="A")

    def purge():
        return purge_association(alpha, 24, today)
    purged = committed(app, purge)
    assert (purged.calls, purged.applications) == (1, 4)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Application)) == 0
    assert db.scalar(select(func.count()).select_from(Attachment)) == 0
    counts = db.scalar(select(CallCounts).where(CallCounts.call_id == call.id))
    assert (counts.received, counts.accepted, counts.refused, counts.waiting) == (4, 1, 1, 1)
    allocation = db.scalar(select(Allocation))
    assert allocation.occupant == "Accepté" and allocation.application_id is None
    assert not path.exists()
    assert committed(app, purge).applications == 0  # run again: nothing left, counts unchanged
    db.expire_all()
    assert db.scalar(select(CallCounts.received)) == 4


def test_a_call_closed_within_the_retention_keeps_its_applications(app, db, world):
    today = paris_today()
    days = (today - add_months(today, -24)).days - 1
    _closed_call_with_decisions(app, db, world, days)
    alpha = AssociationRef(id=world.asso_a.id, slug="alpha", name="Alpha", short_name="A")
    assert committed(app, lambda: purge_association(alpha, 24, today)).applications == 0
    assert db.scalar(select(func.count()).select_from(Application)) == 4


def test_the_command_reads_each_associations_retention(app, db, world):
    _closed_call_with_decisions(app, db, world, 40)
    db.add(PluginActivation(plugin="sites", association_id=world.asso_a.id, settings={"retention_months": 1}))
    db.commit()
    result = app.test_cli_runner().invoke(cli, ["sites", "purger-candidatures"])
    assert result.exit_code == 0, result.output
    assert "Alpha" in result.output and "4 candidature(s) de 1 appel(s)" in result.output
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Application)) == 0
    again = app.test_cli_runner().invoke(cli, ["sites", "purger-candidatures"])
    assert again.exit_code == 0 and "candidature(s) de" not in again.output
