"""The core's lists downloaded as CSV or Excel: the people, an association's people, the
partners, an event's bookings. Each export shows the rows its page shows, to those who see
the page, and answers as the page does to the others (the statuses per role are in
tests/test_permissions_matrix.py)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from core.agenda import engine
from core.agenda.clock import in_paris
from core.agenda.events import Visibility
from core.database import session
from core.members import Role
from core.partners import Partner, PartnerKind
from tests.conftest import World, add_person
from tests.support import committed, login, text_of, upcoming_event

BOM = "\ufeff"


def csv_of(client: FlaskClient, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def names(rows: list[list[str]]) -> list[str]:
    """« Nom Prénom » of each row after the header."""
    return [f"{row[0]} {row[1]}" for row in rows[1:]]


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


# --- the people -------------------------------------------------------------------------------


def test_a_coordinator_exports_the_people_of_their_association_only(app: Flask, db,
                                                                      world: World) -> None:
    both = add_person(db, "Nadia", "Deux", "nadia@test.org",
                      [(world.asso_a, Role.SUPPORTED), (world.asso_b, Role.VOLUNTEER)])
    db.commit()
    rows = csv_of(signed_in(app, "coord.a@test.org"), "/personnes/export.csv")
    assert rows[0] == ["Nom", "Prénom", "Associations et rôles", "E-mail", "Téléphone", "Fiche active"]
    assert names(rows) == ["Admin Alice", "Coord Chloé", "Deux Nadia", "Suivi Samir",
                           "Volontaire Valérie", "Volontaire Victor"]
    # Belonging to Bêta is not Alpha's coordinator's to know, as on the page.
    assert rows[3] == ["Deux", "Nadia", "Alpha (personne accompagnée)", "nadia@test.org", "", "oui"]
    everyone = csv_of(signed_in(app, "collectif@test.org"), "/personnes/export.csv")
    assert "Suivie Sarah" in names(everyone) and "Collectif Camille" in names(everyone)
    assert ["Deux", "Nadia", "Alpha (personne accompagnée), Bêta (bénévole)", "nadia@test.org", "",
            "oui"] in everyone
    assert both.id  # the person of both associations was saved


def test_the_people_export_keeps_the_filters_and_every_page(app: Flask, db, world: World) -> None:
    for index in range(60):  # more than a page of the list (50)
        add_person(db, "Jean", f"Martin {index:02d}", None, [(world.asso_a, Role.SUPPORTED)])
    gone = add_person(db, "Ines", "Partie", None, [(world.asso_a, Role.VOLUNTEER)])
    gone.active = False
    db.commit()
    client = signed_in(app, "coord.a@test.org")
    assert len(names(csv_of(client, "/personnes/export.csv"))) == 65
    assert len(names(csv_of(client, "/personnes/export.csv?q=martin"))) == 60
    assert names(csv_of(client, "/personnes/export.csv?role=volunteer")) == [
        "Volontaire Valérie", "Volontaire Victor"]
    with_inactive = csv_of(client, "/personnes/export.csv?role=volunteer&inactives=1")
    assert with_inactive[1] == ["Partie", "Ines", "Alpha (bénévole)", "", "", "non"]
    # Another association's filter is not one this coordinator may apply: it is ignored, as on
    # the page, rather than showing Bêta's people.
    assert "Suivie Sarah" not in names(csv_of(client, f"/personnes/export.csv?association={world.asso_b.id}"))
    # The page links to the export with its filters, not its page number.
    page = text_of(client.get("/personnes/?q=martin&role=supported&page=2"))
    assert 'href="/personnes/export.csv?q=martin&amp;role=supported"' in page
    assert 'href="/personnes/export.xlsx?q=martin&amp;role=supported"' in page


def test_the_people_export_as_excel(app: Flask, world: World) -> None:
    response = signed_in(app, "coord.a@test.org").get("/personnes/export.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="Personnes.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == "Personnes"
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1] == ["Admin", "Alice", "Alpha (administration de l'association)",
                       "admin.a@test.org", None, True]


def test_an_association_s_people_to_its_team_only(app: Flask, world: World) -> None:
    url = "/associations/alpha/personnes/export.csv"
    rows = csv_of(signed_in(app, "coord.a@test.org"), url)
    assert rows[0] == ["Nom", "Prénom", "Rôle", "E-mail", "Téléphone"]
    assert rows[1:3] == [["Admin", "Alice", "Administration de l'association", "admin.a@test.org", ""],
                         ["Coord", "Chloé", "Coordination", "coord.a@test.org", ""]]
    assert len(rows) == 6
    coordinator = signed_in(app, "coord.a@test.org")
    assert coordinator.get("/associations/beta/personnes/export.csv").status_code == 404
    assert coordinator.get("/associations/beta/personnes/export.xlsx").status_code == 404
    assert coordinator.get("/associations/alpha/personnes/export.ods").status_code == 404
    assert signed_in(app, "benevole.a@test.org").get(url).status_code == 403
    assert names(csv_of(signed_in(app, "collectif@test.org"),
                        "/associations/beta/personnes/export.csv")) == [
        "Admin Bruno", "Coord Berthe", "Suivie Sarah"]
    # The links are where the list is: for the team, not for a volunteer.
    alpha = text_of(coordinator.get("/associations/alpha"))
    assert 'href="/associations/alpha/personnes/export.csv"' in alpha
    assert "Télécharger" not in text_of(signed_in(app, "benevole.a@test.org").get("/associations/alpha"))
    assert "Télécharger" not in text_of(coordinator.get("/associations/beta"))


def test_an_association_s_export_has_accents_in_its_file_name(app: Flask, world: World) -> None:
    response = signed_in(app, "collectif@test.org").get("/associations/beta/personnes/export.csv")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Personnes - Beta.csv\"; "
        "filename*=UTF-8''Personnes%20-%20B%C3%AAta.csv")


def test_an_anonymous_visitor_is_sent_to_log_in(app: Flask, world: World) -> None:
    client = app.test_client()
    for url in ("/personnes/export.csv", "/partenaires/export.xlsx",
                "/associations/alpha/personnes/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


# --- the partners -----------------------------------------------------------------------------


def test_the_partners_export_has_what_their_pages_say(app: Flask, db, world: World) -> None:
    closed = Partner(name="Ancien partenaire", kind=PartnerKind.OTHER, active=False)
    db.add(closed)
    world.partner.phone = "+33 1 23 45 67 89"
    db.commit()
    client = signed_in(app, "benevole.a@test.org")  # a member: the list is theirs too
    rows = csv_of(client, "/partenaires/export.csv")
    assert rows == [
        ["Nom", "Type", "Services", "Freins levés", "Quartiers couverts", "Travaille avec", "E-mail",
         "Téléphone", "Adresse", "Site web"],
        ["CCAS Test", "CCAS", "Domiciliation", "Logement, Démarches administratives", "", "", "", "",
         "", ""],
        ["Mission Locale Test", "Mission Locale", "Garde d'enfants solidaire", "Garde d'enfants",
         "Franc-Moisin", "Alpha", "", "'+33 1 23 45 67 89", "", ""],
    ]
    assert names(csv_of(client, "/partenaires/export.csv?type=ccas")) == ["CCAS Test CCAS"]
    assert names(csv_of(client, "/partenaires/export.csv?frein=childcare")) == [
        "Mission Locale Test Mission Locale"]
    assert names(csv_of(client, f"/partenaires/export.csv?quartier={world.neighbourhood.id}")) == [
        "Mission Locale Test Mission Locale"]
    assert client.get("/partenaires/export.json").status_code == 404
    page = text_of(client.get("/partenaires/?type=ccas"))
    assert 'href="/partenaires/export.csv?type=ccas"' in page


# --- an event's bookings ----------------------------------------------------------------------


def test_an_event_s_bookings_to_its_team(app: Flask, world: World) -> None:
    event_id, bookable_id = upcoming_event(app, world.asso_a.id, capacity=1, title="Atelier Été")
    committed(app, lambda: engine.book(bookable_id, world.supported_a.id, referral=True))
    committed(app, lambda: engine.book(bookable_id, world.volunteer_a.id))
    gone = committed(app, lambda: engine.book(bookable_id, world.volunteer2_a.id))
    committed(app, lambda: engine.cancel(gone.id))
    url = f"/agenda/{event_id}/inscriptions/export.csv"
    coordinator = signed_in(app, "coord.a@test.org")
    rows = csv_of(coordinator, url)

    assert rows[0] == ["Nom", "Prénom", "Statut", "Orientation", "Présence", "Inscription le"]
    assert [row[:5] for row in rows[1:]] == [["Suivi", "Samir", "Inscrit·e", "oui", ""],
                                             ["Volontaire", "Victor", "Liste d'attente", "non", ""]]
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", row[5]) for row in rows[1:])
    response = coordinator.get(url)
    assert "Atelier%20%C3%89t%C3%A9" in response.headers["Content-Disposition"]
    assert 'filename="Inscriptions - Atelier Ete - ' in response.headers["Content-Disposition"]
    page = text_of(coordinator.get(f"/agenda/{event_id}"))
    assert f'href="/agenda/{event_id}/inscriptions/export.xlsx"' in page
    # A volunteer sees the event, not its list: neither on the page nor as a file.
    volunteer = signed_in(app, "benevole.a@test.org")
    assert "Télécharger" not in text_of(volunteer.get(f"/agenda/{event_id}"))
    assert volunteer.get(url).status_code == 403
    # Bêta's team sees the event (the whole collective does) but does not run it.
    assert signed_in(app, "coord.b@test.org").get(url).status_code == 403
    assert signed_in(app, "collectif@test.org").get(url).status_code == 200


def test_the_bookings_export_as_excel_in_paris_time(app: Flask, world: World) -> None:
    event_id, bookable_id = upcoming_event(app, world.asso_a.id, capacity=5)
    booking = committed(app, lambda: engine.book(bookable_id, world.supported_a.id))
    response = signed_in(app, "coord.a@test.org").get(f"/agenda/{event_id}/inscriptions/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == "Inscriptions"
    [_, row] = list(sheet.iter_rows())
    assert [c.value for c in row[:5]] == ["Suivi", "Samir", "Inscrit·e", False, None]
    with app.app_context():
        from core.agenda.bookings import Booking

        queued = session.get(Booking, booking.id).queued_at
    expected = in_paris(queued).replace(tzinfo=None, microsecond=0)
    assert abs(row[5].value - expected) < timedelta(seconds=1)
    assert row[5].number_format == "dd/mm/yyyy hh:mm"


def test_another_association_s_event_does_not_exist_for_its_export(app: Flask, world: World) -> None:
    def private_event() -> int:
        from core.agenda.events import Event

        event_id, _ = upcoming_event(app, world.asso_b.id, capacity=3)
        with app.app_context():
            session.get(Event, event_id).visibility = Visibility.ASSOCIATION
            session.commit()
        return event_id

    event_id = private_event()
    url = f"/agenda/{event_id}/inscriptions/export.csv"
    assert signed_in(app, "coord.a@test.org").get(url).status_code == 404
    assert signed_in(app, "coord.b@test.org").get(url).status_code == 200
    assert signed_in(app, "coord.b@test.org").get(url.replace(".csv", ".txt")).status_code == 404


def test_an_event_without_bookings_still_has_its_header_row(app: Flask, world: World) -> None:
    event_id, _ = upcoming_event(app, world.asso_a.id, capacity=3)
    rows = csv_of(signed_in(app, "coord.a@test.org"), f"/agenda/{event_id}/inscriptions/export.csv")
    assert rows == [["Nom", "Prénom", "Statut", "Orientation", "Présence", "Inscription le"]]
    page = text_of(signed_in(app, "coord.a@test.org").get(f"/agenda/{event_id}"))
    assert "Télécharger" not in page  # nothing to download yet: no link


def test_attendance_shows_in_the_export(app: Flask, world: World) -> None:
    event_id, bookable_id = upcoming_event(app, world.asso_a.id, capacity=3)
    booking = committed(app, lambda: engine.book(bookable_id, world.supported_a.id))
    with app.app_context():
        from core.agenda.bookings import Attendance, Booking

        session.get(Booking, booking.id).attendance = Attendance.EXCUSED
        session.commit()
    rows = csv_of(signed_in(app, "coord.a@test.org"), f"/agenda/{event_id}/inscriptions/export.csv")
    assert rows[1][4] == "Excusé·e"
