"""Sites en transition: occupancy agreements — the form (French amounts, inside the
allocation's period), their two files (checked on their content, replaced, deleted with the
agreement or the allocation), the downloads (the team of the association only), the
printable agreement and its print stylesheet, the dashboard's warnings, and
``maillage sites warnings``, which sends each warning once."""

from __future__ import annotations

import io
import threading
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from core.agenda.clock import paris_today
from core.cli import cli
from core.database import session
from core.members import Person
from core.pluginhost.activation import PluginActivation
from plugins.sites import warnings as warnings_module
from plugins.sites.agreements import delete_files_of
from plugins.sites.models import Allocation
from plugins.sites.models_agreements import Agreement, WarningKind, WarningSent
from plugins.sites.warnings import WarningReport, send_warnings
from tests.conftest import World
from tests.form_checks import dump
from tests.sites_agreements_world import PDF, PNG, agreement, occupancy, value_of
from tests.support import committed, csrf_token, field_error, login, post, text_of
from tests.test_demo_data import flat

BASE = "/p/sites/alpha"
TABLES = ("sites_agreements",)
FIVE_MB = 5 * 1024 * 1024
TODAY = date(2030, 3, 15)  # the day the command runs, in the warnings' tests


@pytest.fixture
def uploads(app: Flask, tmp_path: Path) -> Path:
    app.config["UPLOAD_DIR"] = str(tmp_path)  # put back after the test by the app fixture
    return tmp_path / "sites"


def on_disk(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


@pytest.fixture
def coord(client, world: World, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)
    maillage_enable_plugin("sites", world.asso_b)
    login(client, "coord.a@test.org")
    return client


def agreements(app: Flask) -> list[Agreement]:
    with app.app_context():
        return list(session.scalars(select(Agreement).order_by(Agreement.id)))


def form_of(place, **changes: Any) -> dict[str, Any]:
    """A valid agreement over the whole allocation, typed as people type it."""
    return {"fee": "1 250,50", "charges": "45", "deposit": "2 501", "starts_on": place.starts_on.isoformat(),
            "ends_on": place.ends_on.isoformat(), "insurer": "MAIF", "insurance_expires_on": "",
            "signed_on": "", "terms": "Pas de stockage de matières inflammables.", **changes}


def send(client, allocation: int, data: dict[str, Any], files: dict[str, tuple[bytes, str]] | None = None,
         association: str = "alpha"):
    payload: dict[str, Any] = {**data, "csrf_token": csrf_token(client)}
    for name, (content, filename) in (files or {}).items():
        payload[name] = (io.BytesIO(content), filename)
    return client.post(f"/p/sites/{association}/attributions/{allocation}/convention", data=payload,
                       content_type="multipart/form-data")


# --- the form ---------------------------------------------------------------------------------


def test_the_form_offers_the_lots_fee_and_charges_and_the_allocations_period(app, coord, world):
    place = occupancy(app, world.asso_a.id)
    page = text_of(coord.get(f"{BASE}/attributions/{place.allocation}/convention"))
    assert value_of(page, "fee") == "165"  # 8,25 €/m² × 20 m²
    assert value_of(page, "charges") == "20"
    assert (value_of(page, "starts_on"), value_of(page, "ends_on")) == (place.starts_on.isoformat(),
                                                                        place.ends_on.isoformat())
    assert "Établir la convention — lot A1" in page
    assert "aucune propriété commerciale" in page


def test_an_agreement_is_saved_with_amounts_typed_the_french_way(app, coord, world, uploads):
    place = occupancy(app, world.asso_a.id)
    response = send(coord, place.allocation, form_of(place))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{BASE}/attributions/{place.allocation}/convention")
    [row] = agreements(app)
    assert (row.fee, row.charges, row.deposit) == (Decimal("1250.50"), Decimal(45), Decimal(2501))
    assert (row.starts_on, row.ends_on, row.insurer) == (place.starts_on, place.ends_on, "MAIF")
    assert row.insurance is None and row.signed is None
    page = text_of(coord.get(f"{BASE}/attributions/{place.allocation}/convention"))
    assert value_of(page, "fee") == "1250,5" and "Version imprimable" in page
    # Changed, not duplicated: one agreement per allocation.
    assert send(coord, place.allocation, form_of(place, fee="900")).status_code == 303
    [row] = agreements(app)
    assert row.fee == Decimal(900)


def test_the_site_page_shows_each_allocations_agreement_or_its_absence(app, coord, world):
    place = occupancy(app, world.asso_a.id)
    page = flat(text_of(coord.get(f"{BASE}/sites/{place.site}")))
    assert "Pas encore de convention" in page
    agreement_id = agreement(app, place.allocation, signed_on=paris_today())
    html = text_of(coord.get(f"{BASE}/sites/{place.site}"))
    assert "Pas encore de convention" not in html
    assert f'href="{BASE}/attributions/{place.allocation}/convention"' in html
    assert f'href="{BASE}/conventions/{agreement_id}/imprimer"' in html
    assert f'href="{BASE}/attributions/{place.allocation}/engagements"' in html
    assert "signée" in html


BAD = [
    ({"fee": ""}, "fee", "obligatoire"),
    ({"fee": "douze"}, "fee", "1 250,50"),
    ({"fee": "-5"}, "fee", "positif"),
    ({"fee": "12,345"}, "fee", "Deux décimales"),
    ({"fee": "99999999"}, "fee", "plus petit"),
    ({"charges": "1e400"}, "charges", "1 250,50"),
    ({"deposit": "٣٥"}, "deposit", "positif"),
    ({"starts_on": ""}, "starts_on", "obligatoire"),
    ({"ends_on": "31/02/2027"}, "ends_on", "Date invalide"),
    ({"insurance_expires_on": "demain"}, "insurance_expires_on", "Date invalide"),
    ({"insurer": "x" * 151}, "insurer", "150"),
    ({"terms": "x" * 5001}, "terms", "5000"),
]


@pytest.mark.parametrize(("changes", "field", "words"), BAD,
                         ids=[f"{f}-{i}" for i, (_, f, _) in enumerate(BAD)])
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(app, coord, db, world, changes, field,
                                                                     words):
    place = occupancy(app, world.asso_a.id)
    before = dump(db, TABLES)
    response = send(coord, place.allocation, form_of(place, **changes))
    assert response.status_code == 422
    message = field_error(response, field) or ""
    assert words.casefold() in message.casefold(), message
    assert dump(db, TABLES) == before
    page = text_of(response)
    for key, value in form_of(place, **changes).items():  # what was typed is kept
        if value and len(value) < 60:
            assert value.replace("'", "&#39;") in page, key


@pytest.mark.parametrize(("start", "end", "field", "words"), [
    (-31, None, "starts_on", "ne peut pas commencer avant l'attribution"),
    (None, 401, "ends_on", "ne peut pas finir après l'attribution"),
    (10, 9, "ends_on", "La fin ne peut pas précéder le début"),
])
def test_an_agreement_outside_its_allocation_is_refused(app, coord, db, world, start, end, field, words):
    place = occupancy(app, world.asso_a.id, start=-30, end=400)
    today = paris_today()
    changes = {}
    if start is not None:
        changes["starts_on"] = (today + timedelta(days=start)).isoformat()
    if end is not None:
        changes["ends_on"] = (today + timedelta(days=end)).isoformat()
    response = send(coord, place.allocation, form_of(place, **changes))
    assert response.status_code == 422
    assert words in (field_error(response, field) or "")
    assert agreements(app) == []


def test_a_signature_after_the_end_is_refused(app, coord, world):
    place = occupancy(app, world.asso_a.id)
    response = send(coord, place.allocation,
                    form_of(place, signed_on=(place.ends_on + timedelta(days=1)).isoformat()))
    assert response.status_code == 422
    assert "ne peut pas suivre la fin" in (field_error(response, "signed_on") or "")


def test_part_of_the_allocation_is_accepted_and_renewed(app, coord, world):
    place = occupancy(app, world.asso_a.id, start=-30, end=400)
    first_end = place.starts_on + timedelta(days=180)
    assert send(coord, place.allocation, form_of(place, ends_on=first_end.isoformat())).status_code == 303
    assert send(coord, place.allocation, form_of(place)).status_code == 303
    [row] = agreements(app)
    assert row.ends_on == place.ends_on


# --- files ------------------------------------------------------------------------------------


def test_the_files_are_kept_and_served_back_to_the_team(app, coord, world, uploads):
    place = occupancy(app, world.asso_a.id)
    response = send(coord, place.allocation, form_of(place, insurance_expires_on="2031-01-01"),
                    {"insurance": (PNG, "attestation.png"), "signed": (PDF, "convention signée.pdf")})
    assert response.status_code == 303
    [row] = agreements(app)
    assert row.insurance.content_type == "image/png" and row.signed.original_name == "convention signée.pdf"
    assert len(on_disk(uploads)) == 2
    for route, content, kind in (("assurance", PNG, "image/png"), ("signee", PDF, "application/pdf")):
        served = coord.get(f"{BASE}/conventions/{row.id}/{route}")
        assert served.status_code == 200 and served.data == content
        assert served.headers["Content-Type"] == kind
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Cache-Control"] == "private, no-store"
    page = text_of(coord.get(f"{BASE}/attributions/{place.allocation}/convention"))
    assert f'href="{BASE}/conventions/{row.id}/assurance">attestation.png</a>' in page
    assert 'enctype="multipart/form-data"' in page


@pytest.mark.parametrize(("files", "field", "message"), [
    ({"insurance": (PNG, "attestation.pdf")}, "insurance",
     "Ce fichier est un PNG, mais son nom se termine par .pdf : choisissez le bon fichier."),
    ({"signed": (PDF, "convention.png")}, "signed",
     "Ce fichier est un PDF, mais son nom se termine par .png : choisissez le bon fichier."),
    ({"signed": (PNG, "convention.png")}, "signed", "Type de fichier refusé : PDF seulement."),
    ({"insurance": (b"<!DOCTYPE html><script>alert(1)</script>", "attestation.pdf")}, "insurance",
     "Type de fichier refusé : PDF, JPEG ou PNG seulement."),
    ({"insurance": (PDF + b"%" * (FIVE_MB + 1 - len(PDF)), "gros.pdf")}, "insurance",
     "Fichier trop volumineux (5 Mo au plus)."),
])
def test_a_disguised_or_wrong_file_is_refused_and_nothing_is_kept(app, coord, db, world, uploads, files,
                                                                   field, message):
    place = occupancy(app, world.asso_a.id)
    good = {"insurance": (PNG, "attestation.png")} if field == "signed" else {"signed": (PDF, "signee.pdf")}
    response = send(coord, place.allocation, form_of(place), {**good, **files})
    assert response.status_code == 422
    assert (field_error(response, field) or "").startswith(message)
    assert agreements(app) == []
    assert on_disk(uploads) == set()  # the other, good file is not kept either


def test_a_new_file_replaces_the_old_one_which_is_deleted(app, coord, world, uploads):
    place = occupancy(app, world.asso_a.id)
    send(coord, place.allocation, form_of(place), {"insurance": (PNG, "2030.png"), "signed": (PDF, "v1.pdf")})
    [first] = agreements(app)
    old = first.insurance.key.split("/")[1]
    assert on_disk(uploads) == {old, first.signed.key.split("/")[1]}
    # A new certificate, no new signed copy: the signed copy stays.
    assert send(coord, place.allocation, form_of(place), {"insurance": (PDF, "2031.pdf")}).status_code == 303
    [row] = agreements(app)
    assert row.insurance.original_name == "2031.pdf" and row.signed == first.signed
    assert on_disk(uploads) == {row.insurance.key.split("/")[1], row.signed.key.split("/")[1]}
    assert old not in on_disk(uploads)
    assert coord.get(f"{BASE}/conventions/{row.id}/assurance").data == PDF


def test_deleting_the_allocation_deletes_the_agreements_files(app, coord, world, uploads):
    place = occupancy(app, world.asso_a.id)
    agreement(app, place.allocation, files=True)
    assert len(on_disk(uploads)) == 2
    response = post(coord, f"{BASE}/attributions/{place.allocation}/supprimer")
    assert response.status_code == 303
    assert agreements(app) == [] and on_disk(uploads) == set()


def test_delete_files_of_leaves_the_files_if_the_deletion_rolls_back(app, world, uploads):
    place = occupancy(app, world.asso_a.id)
    agreement(app, place.allocation, files=True)

    def change_mind() -> None:
        delete_files_of(place.allocation)
        session.delete(session.get(Allocation, place.allocation))
        raise RuntimeError("second thoughts")
    with pytest.raises(RuntimeError):
        committed(app, change_mind)
    assert len(agreements(app)) == 1 and len(on_disk(uploads)) == 2


def test_deleting_the_agreement_deletes_its_files(app, coord, world, uploads):
    place = occupancy(app, world.asso_a.id)
    agreement_id = agreement(app, place.allocation, files=True)
    response = post(coord, f"{BASE}/conventions/{agreement_id}/supprimer")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{BASE}/sites/{place.site}")
    assert agreements(app) == [] and on_disk(uploads) == set()
    assert coord.get(f"{BASE}/conventions/{agreement_id}/assurance").status_code == 404


def test_another_associations_agreement_and_its_files_answer_404(app, coord, world, uploads):
    theirs = occupancy(app, world.asso_b.id)
    agreement_id = agreement(app, theirs.allocation, files=True)
    for path in ("assurance", "signee", "imprimer"):
        assert coord.get(f"{BASE}/conventions/{agreement_id}/{path}").status_code == 404
        assert coord.get(f"/p/sites/beta/conventions/{agreement_id}/{path}").status_code == 404
    assert coord.get(f"{BASE}/attributions/{theirs.allocation}/convention").status_code == 404
    assert send(coord, theirs.allocation, form_of(theirs)).status_code == 404
    assert post(coord, f"{BASE}/conventions/{agreement_id}/supprimer").status_code == 404
    assert len(agreements(app)) == 1 and len(on_disk(uploads)) == 2
    other = app.test_client()
    login(other, "coord.b@test.org")
    assert other.get(f"/p/sites/beta/conventions/{agreement_id}/signee").data == PDF


def test_an_agreement_without_its_files_answers_404_for_them(app, coord, world):
    place = occupancy(app, world.asso_a.id)
    agreement_id = agreement(app, place.allocation)
    assert coord.get(f"{BASE}/conventions/{agreement_id}/assurance").status_code == 404
    assert coord.get(f"{BASE}/conventions/{agreement_id}/signee").status_code == 404


def test_a_volunteer_gets_403(app, client, world, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)
    place = occupancy(app, world.asso_a.id)
    agreement_id = agreement(app, place.allocation)
    login(client, "benevole.a@test.org")
    assert client.get(f"{BASE}/attributions/{place.allocation}/convention").status_code == 403
    assert client.get(f"{BASE}/conventions/{agreement_id}/imprimer").status_code == 403
    assert post(client, f"{BASE}/conventions/{agreement_id}/supprimer").status_code == 403


# --- the printable agreement ------------------------------------------------------------------


def test_the_printable_agreement_holds_the_data_and_links_its_print_stylesheet(app, coord, world):
    contact = {"contact_name": "Léa Martin", "contact_email": "lea@ressources.org",
               "contact_phone": "06 12 34 56 78"}
    place = occupancy(app, world.asso_a.id, contact=contact)
    agreement_id = agreement(app, place.allocation, fee=Decimal("1250.5"), charges=Decimal(45),
                             deposit=Decimal(500), insurer="MAIF", insurance_expires_on=date(2031, 1, 31),
                             terms="Accès livraison par la cour.\nPas de stockage inflammable.")
    response = coord.get(f"{BASE}/conventions/{agreement_id}/imprimer")
    assert response.status_code == 200
    html = text_of(response)
    assert '<link rel="stylesheet" href="/p/sites/static/agreement_print.css">' in html
    assert "style=" not in html.split("<main")[1]  # nothing inline: the CSP would refuse it
    page = flat(html)
    for expected in (
            "Convention d'occupation temporaire et précaire", "Association Alpha",
            "« Coopérative Ressources » (contact : Léa Martin, lea@ressources.org, 06 12 34 56 78), "
            "ci-après « l'occupant »",
            "Ville de Saint-Denis (Service du patrimoine)", "Lot A1", "Friche Lumière", "3 rue du Port",
            "Atelier, 20 m²", "Redevance mensuelle 1 250,50 €", "Charges mensuelles 45 €",
            "Total par mois 1 295,50 €", "Dépôt de garantie 500 €", "révocable", "pas un bail commercial",
            "aucune propriété commerciale", "Assureur : MAIF", "attestation valable jusqu'au 31 janvier 2031",
            "Accès livraison par la cour.", "Pour l'association", "Pour l'occupant"):
        assert expected in page, expected
    assert str(place.ends_on.year) in page

    css = coord.get("/p/sites/static/agreement_print.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    stylesheet = css.get_data(as_text=True)
    assert "@media print" in stylesheet and "size: A4" in stylesheet
    assert ".site-header" in stylesheet and "button" in stylesheet and "#000" in stylesheet
    script = coord.get("/p/sites/static/agreement_print.js")
    assert script.status_code == 200 and "window.print()" in script.get_data(as_text=True)


def test_the_printable_agreement_says_what_is_missing(app, coord, world):
    place = occupancy(app, world.asso_a.id)
    agreement_id = agreement(app, place.allocation, fee=Decimal(165))
    page = flat(text_of(coord.get(f"{BASE}/conventions/{agreement_id}/imprimer")))
    assert "Dépôt de garantie aucun" in page
    assert "Attestation à fournir avant l'entrée dans les lieux." in page
    assert "Clauses particulières Aucune." in page


# --- the dashboard ----------------------------------------------------------------------------


def test_the_widget_lists_agreements_ending_and_insurance_expiring_or_expired(app, coord, world):
    today = paris_today()
    ending = occupancy(app, world.asso_a.id, end=20, code="E1", occupant="Théâtre du Pavé")
    agreement(app, ending.allocation)
    expired = occupancy(app, world.asso_a.id, code="X1", occupant="Recyclerie")
    agreement(app, expired.allocation, insurance_expires_on=today - timedelta(days=3))
    soon = occupancy(app, world.asso_a.id, code="S1", occupant="Vélo-école")
    agreement(app, soon.allocation, insurance_expires_on=today + timedelta(days=10))
    later = occupancy(app, world.asso_a.id, code="L1", occupant="Jardin partagé")
    agreement(app, later.allocation, insurance_expires_on=today + timedelta(days=200))
    past = occupancy(app, world.asso_a.id, start=-300, end=-10, code="P1", occupant="Ancien occupant")
    agreement(app, past.allocation, insurance_expires_on=today - timedelta(days=100))

    page = flat(text_of(coord.get("/")))
    assert "1 convention d'occupation se termine dans les 60 jours" in page
    assert "Lot E1 (Friche Lumière) — « Théâtre du Pavé » le" in page
    assert "2 assurances d'occupant expirées ou qui expirent dans les 30 jours" in page
    assert "« Recyclerie » : expirée depuis le" in page
    assert "« Vélo-école » : jusqu'au" in page
    assert "Jardin partagé" not in page and "Ancien occupant" not in page
    html = text_of(coord.get("/"))
    assert f'href="{BASE}/attributions/{expired.allocation}/convention"' in html


def test_the_widget_follows_the_associations_insurance_setting(app, client, world, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a, {"insurance_warning_days": 300})
    login(client, "coord.a@test.org")
    later = occupancy(app, world.asso_a.id, occupant="Jardin partagé")
    agreement(app, later.allocation, insurance_expires_on=paris_today() + timedelta(days=200))
    page = flat(text_of(client.get("/")))
    assert "1 assurance d'occupant expirée ou qui expire dans les 300 jours" in page
    assert "Jardin partagé" in page


# --- maillage sites warnings ------------------------------------------------------------------


def run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(cli, ["sites", "warnings", "--date", TODAY.isoformat(), *args])


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def sent_rows(db) -> list[tuple[int, WarningKind, date]]:
    db.rollback()
    rows = db.execute(select(WarningSent.agreement_id, WarningSent.kind, WarningSent.about)).all()
    return sorted(tuple(row) for row in rows)


@pytest.fixture
def warned(app, world, maillage_enable_plugin) -> dict[str, int]:
    """Alpha (enabled): an agreement ending in 20 days (its insurance fine), one whose insurance
    expired, one due for neither; Bêta (not enabled): one ending too. Allocations are dated
    around the command's day, TODAY."""
    maillage_enable_plugin("sites", world.asso_a)
    offset = (TODAY - paris_today()).days
    ending = occupancy(app, world.asso_a.id, start=offset - 300, end=offset + 20, code="E1",
                       occupant="Théâtre du Pavé")
    insured = occupancy(app, world.asso_a.id, start=offset - 100, end=offset + 600, code="I1",
                        occupant="Recyclerie")
    quiet = occupancy(app, world.asso_a.id, start=offset - 100, end=offset + 600, code="Q1",
                      occupant="Jardin partagé")
    beta = occupancy(app, world.asso_b.id, start=offset - 100, end=offset + 10, code="B1",
                     occupant="Bêta Coop")
    return {"ending": agreement(app, ending.allocation, insurance_expires_on=day(200)),
            "insured": agreement(app, insured.allocation, insurance_expires_on=day(-2)),
            "quiet": agreement(app, quiet.allocation, insurance_expires_on=day(45)),
            "beta": agreement(app, beta.allocation),
            "ending_allocation": ending.allocation, "insured_allocation": insured.allocation}


def test_one_email_per_association_to_its_coordinators_and_admins(app, db, world, warned, maillage_outbox):
    app.config["BASE_URL"] = "https://intranet.exemple.org/"
    result = run(app)
    assert result.exit_code == 0, result.output
    [mail] = maillage_outbox
    assert sorted(mail["To"].split(", ")) == ["admin.a@test.org", "coord.a@test.org"]
    assert mail["Subject"] == "Conventions d'occupation — Alpha : 2 alertes"
    body = mail.get_content()
    assert "Sites en transition signale, pour Association Alpha :" in body
    assert "Conventions qui se terminent dans les 60 jours :" in body
    assert ("- Lot E1, Friche Lumière — « Théâtre du Pavé » : la convention se termine le "
            "4 avril 2030.") in body
    assert "Assurances qui expirent dans les 30 jours ou ont expiré :" in body
    assert "« Recyclerie » : l'attestation d'assurance a expiré le 13 mars 2030." in body
    assert f"https://intranet.exemple.org{BASE}/attributions/{warned['ending_allocation']}/convention" in body
    assert "Jardin partagé" not in body and "Bêta" not in body
    assert "Alpha : 2 alertes envoyées à 2 personnes." in result.output
    assert "Le 15 mars 2030 : 1 e-mail envoyé, 2 alertes nouvelles." in result.output
    assert sent_rows(db) == sorted([(warned["ending"], WarningKind.ENDING, day(20)),
                                    (warned["insured"], WarningKind.INSURANCE, day(-2))])


def test_running_twice_sends_once(app, db, world, warned, maillage_outbox):
    assert run(app).exit_code == 0
    second = run(app)
    assert second.exit_code == 0, second.output
    assert "Le 15 mars 2030 : 0 e-mail envoyé, 0 alerte nouvelle." in second.output
    assert len(maillage_outbox) == 1
    assert len(sent_rows(db)) == 2


def test_a_renewed_agreement_or_a_new_certificate_is_warned_again(app, db, world, warned, maillage_outbox):
    run(app)

    def renew() -> None:
        insured = session.get(Agreement, warned["insured"])
        insured.insurance_expires_on = day(25)  # a new certificate, expiring soon too
        ending = session.get(Agreement, warned["ending"])
        ending.ends_on = day(15)  # shortened: a new end, warned again
    committed(app, renew)
    result = run(app)
    assert result.exit_code == 0, result.output
    assert len(maillage_outbox) == 2
    body = maillage_outbox[-1].get_content()
    assert "la convention se termine le 30 mars 2030" in body
    assert "l'attestation d'assurance expire le 9 avril 2030" in body
    assert len(sent_rows(db)) == 4
    assert run(app).exit_code == 0 and len(maillage_outbox) == 2  # and once only


def test_an_agreement_renewed_beyond_the_warning_is_not_warned(app, world, warned, maillage_outbox):
    run(app)
    committed(app, lambda: setattr(session.get(Agreement, warned["ending"]), "ends_on", day(19)))
    committed(app, lambda: setattr(session.get(Agreement, warned["insured"]), "insurance_expires_on",
                                   day(365)))
    run(app)
    assert len(maillage_outbox) == 2
    assert "Recyclerie" not in maillage_outbox[-1].get_content()


def test_the_warning_days_are_the_associations_settings(app, db, world, maillage_enable_plugin,
                                                        maillage_outbox):
    maillage_enable_plugin("sites", world.asso_a, {"ending_warning_days": 10, "insurance_warning_days": 60})
    offset = (TODAY - paris_today()).days
    place = occupancy(app, world.asso_a.id, start=offset - 10, end=offset + 20)
    agreement(app, place.allocation, insurance_expires_on=day(45))
    run(app)
    [mail] = maillage_outbox
    assert "Conventions qui se terminent" not in mail.get_content()  # 20 days > 10
    assert "Assurances qui expirent dans les 60 jours ou ont expiré :" in mail.get_content()


def test_without_a_base_url_the_email_has_no_link(app, world, warned, maillage_outbox):
    result = run(app)
    assert "MAILLAGE_BASE_URL n'est pas défini" in result.output
    assert "http" not in maillage_outbox[0].get_content()


def test_dry_run_lists_without_sending_or_recording(app, db, world, warned, maillage_outbox):
    result = run(app, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Simulation, rien n'est envoyé ni enregistré." in result.output
    assert "Alpha : 2 alertes à envoyer à 2 personnes." in result.output
    assert ("Lot E1, Friche Lumière — « Théâtre du Pavé » : la convention se termine le "
            "4 avril 2030.") in result.output
    assert maillage_outbox == [] and sent_rows(db) == []


def test_an_association_without_addresses_is_told_and_left_for_later(app, db, world, warned, maillage_outbox):
    for person in (world.coordinator_a, world.admin_a):
        db.get(Person, person.id).active = False
    db.commit()
    result = run(app)
    assert result.exit_code == 0
    assert ("Alpha : alertes en attente, aucun coordinateur ni administrateur n'a d'adresse "
            "e-mail.") in result.output
    assert maillage_outbox == [] and sent_rows(db) == []
    db.get(Person, world.coordinator_a.id).active = True
    db.commit()
    run(app)
    assert [m["To"] for m in maillage_outbox] == ["coord.a@test.org"]


def test_a_failed_email_records_nothing_and_the_next_run_sends(app, db, world, warned, maillage_outbox,
                                                               monkeypatch):
    def down(to: str, subject: str, body: str) -> None:
        raise OSError("SMTP indisponible")
    real = warnings_module.send_mail
    monkeypatch.setattr(warnings_module, "send_mail", down)
    result = run(app)
    assert result.exit_code == 1
    assert "Échec de l'envoi pour : Alpha. Relancez la commande pour réessayer." in result.output
    assert sent_rows(db) == []
    monkeypatch.setattr(warnings_module, "send_mail", real)
    assert run(app).exit_code == 0
    assert len(maillage_outbox) == 1 and len(sent_rows(db)) == 2


def test_an_association_that_turned_the_plugin_off_gets_nothing(app, db, world, warned, maillage_outbox):
    db.execute(update(PluginActivation).where(PluginActivation.association_id == world.asso_a.id)
               .values(enabled=False))
    db.commit()
    assert run(app).exit_code == 0
    assert maillage_outbox == []


def test_the_same_date_is_recorded_once_whatever_runs(app, db, world, warned):
    """The unique constraint itself: a second row for the same agreement, kind and date is refused."""
    from sqlalchemy.exc import IntegrityError

    run(app)
    db.add(WarningSent(agreement_id=warned["ending"], kind=WarningKind.ENDING, about=day(20)))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_two_runs_at_once_send_once(app, db, world, warned, maillage_outbox):
    runs = 4
    barrier = threading.Barrier(runs)
    reports: list[WarningReport] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def cron() -> None:
        with app.app_context():
            barrier.wait()
            try:
                report = send_warnings(TODAY)
            except BaseException as error:
                with lock:
                    errors.append(error)
            else:
                with lock:
                    reports.append(report)

    threads = [threading.Thread(target=cron) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a warnings run is stuck"
    assert errors == []
    assert len(maillage_outbox) == 1
    assert sum(report.warnings for report in reports) == 2
    assert len(sent_rows(db)) == 2


# --- any input ----------------------------------------------------------------------------------


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_in_any_field_never_breaks_the_agreement_form(app, coord, db, world, data):
    place = db.info.get("sites_agreement_place")
    if place is None:
        place = db.info["sites_agreement_place"] = occupancy(app, world.asso_a.id)
    valid = form_of(place, insurance_expires_on="2031-01-01", signed_on=place.starts_on.isoformat())
    typed = {key: data.draw(TEXT | st.just(value)) for key, value in valid.items()}
    before = dump(db, TABLES)
    response = post(coord, f"{BASE}/attributions/{place.allocation}/convention", typed)
    nul = any("\x00" in value for value in typed.values())
    assert response.status_code in (303, 422) or (nul and response.status_code == 400), (
        typed, response.status_code)
    if response.status_code == 422:
        assert dump(db, TABLES) == before, typed
