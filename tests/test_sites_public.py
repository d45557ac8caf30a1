"""Sites en transition, the public pages: the association's open calls for applications, a
call and its form, the thanks page and the application read back from the link of its
confirmation e-mail — for visitors without an account.

What a visitor sees (never the owner, the address, the occupants), which calls (published
and open today; a draft or another association's is 404), what a call not open says, and
the form: every field's bad input refused next to it with nothing saved, the lots wished in
order, the files judged on their content, the hidden field robots fill, the per-address
limit, the confirmation e-mail and its link; and whatever is typed, never a server error.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.agenda.clock import paris_today
from core.database import session
from plugins.sites.allocations import day_label
from plugins.sites.models_calls import Application, Attachment, Choice
from plugins.sites.submissions import kept_until
from tests.conftest import World
from tests.form_checks import dump
from tests.sites_calls_world import (
    ADDRESS,
    OCCUPANT,
    OWNER,
    OWNER_CONTACT,
    TITLE,
    CallWorld,
    add_criterion,
    build,
    flat,
    make_call,
)
from tests.support import count_queries, csrf_token, field_error, text_of

BASE = "/p/sites/alpha"
TABLES = ("sites_applications", "sites_choices", "sites_attachments")
DATA = Path(__file__).parent / "data" / "uploads"
PNG = (DATA / "python.png").read_bytes()
PDF = (DATA / "plan.pdf").read_bytes()
FIVE_MB = 5 * 1024 * 1024
REFUSED_TYPE = "Type de fichier refusé : PDF, JPEG ou PNG seulement."
REQUIRED = "Ce champ est obligatoire."
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200  # a Windows program
ADDRESSES = count(1)


@pytest.fixture
def uploads(app: Flask, tmp_path: Path) -> Path:
    app.config["UPLOAD_DIR"] = str(tmp_path)
    return tmp_path / "sites"


@pytest.fixture
def known(db: Session, world: World, maillage_enable_plugin, uploads) -> CallWorld:
    maillage_enable_plugin("sites", world.asso_a)
    return build(db, world)


@pytest.fixture
def outbox(maillage_outbox: list[Any]) -> list[Any]:
    maillage_outbox.clear()
    return maillage_outbox


def valid(known: CallWorld) -> dict[str, Any]:
    return {"organisation": "Recyclerie du Canal", "legal_form": "association", "field": "circular",
            "project": "Réparer et revendre des meubles.", "for_the_neighbourhood": "Deux ateliers par mois.",
            "jobs": "3", "wish_1": str(known.lots[2]), "wish_2": str(known.lots[0]), "wish_3": "0",
            "contact_name": "Inès Ferreira", "contact_email": "ines@recyclerie.example",
            "contact_phone": "06 12 34 56 78", "consent": "y"}


def send(client: FlaskClient, call_id: int, data: dict[str, Any], *, address: str = "192.0.2.1",
         files: dict[str, tuple[bytes, str]] | None = None, csrf: bool = True, association: str = "alpha"):
    payload = dict(data)
    if csrf:
        payload["csrf_token"] = csrf_token(client)
    for name, (content, filename) in (files or {}).items():
        payload[name] = (io.BytesIO(content), filename)
    return client.post(f"/p/sites/{association}/candidater/{call_id}", data=payload,
                       content_type="multipart/form-data", environ_base={"REMOTE_ADDR": address})


def applications(app: Flask) -> list[Application]:
    with app.app_context():
        return list(session.scalars(select(Application).order_by(Application.id)))


def stored(folder: Path) -> set[Path]:
    return set(folder.iterdir()) if folder.exists() else set()


# --- what visitors see ---------------------------------------------------------------------


def test_the_open_calls_are_listed_with_their_lots_criteria_and_closing_day(app, client, db, world, known):
    today = paris_today()
    a = world.asso_a.id
    make_call(db, a, known.site, [known.lots[0]], opens_on=today, closes_on=today + timedelta(days=5),
              published=False, title="Brouillon caché")
    make_call(db, a, known.site, [known.lots[0]], opens_on=today - timedelta(days=30),
              closes_on=today - timedelta(days=1), title="Appel clos hier")
    make_call(db, a, known.site, [known.lots[0]], opens_on=today + timedelta(days=1),
              closes_on=today + timedelta(days=9), title="Appel de demain")
    make_call(db, a, known.other_site, [known.other_lot], opens_on=today, closes_on=today,
              title="Halle, le dernier jour")
    db.commit()
    response = client.get(f"{BASE}/candidater/")
    assert response.status_code == 200
    page = flat(text_of(response))
    assert TITLE in page and "Halle, le dernier jour" in page
    for hidden in ("Brouillon caché", "Appel clos hier", "Appel de demain"):
        assert hidden not in page
    # the soonest to close first
    assert page.index("Halle, le dernier jour") < page.index(TITLE)
    assert "Ancienne école, quartier Franc-Moisin (Saint-Denis)" in page
    assert f"jusqu'au {day_label(today + timedelta(days=20))} inclus" in page
    # A1: 20 m² at 8 €/m² = 160 € a month, and 20 € of charges; B1 a workshop
    assert "A1 Bureau 20 m² 160 € (8 € par m²) 20 € Oui — Rampe côté cour" in page
    assert "A2 Bureau 15 m² 120 € (8 € par m²) 20 € Non" in page
    assert "B1 Atelier 50 m² 250 € (5 € par m²) 0 € Oui" in page
    assert "Ancrage dans le quartier (poids 3) : Ce que « Ancrage dans le quartier » regarde." in page
    assert "Emplois (poids 2)" in page
    for secret in (OWNER, OWNER_CONTACT, ADDRESS, OCCUPANT, "4321", "Recettes"):
        assert secret not in page
    assert f'href="{BASE}/candidater/{known.call}"' in text_of(response)


def test_the_list_reads_the_same_few_queries_however_many_calls(app, client, db, world, known):
    def queries() -> int:
        with count_queries(app) as statements:
            assert client.get(f"{BASE}/candidater/").status_code == 200
        return len(statements)

    one = queries()
    today = paris_today()
    for number in range(4):
        call = make_call(db, world.asso_a.id, known.other_site, [known.other_lot], opens_on=today,
                         closes_on=today, title=f"Appel {number}")
        add_criterion(db, call, "Critère", 1, 1)
    db.commit()
    assert queries() == one


def test_a_visitor_sees_no_intranet_navigation(client, known):
    page = text_of(client.get(f"{BASE}/candidater/{known.call}"))
    assert "Navigation principale" not in page and "Se déconnecter" not in page
    assert "Mon compte" not in page and "/p/sites/alpha/appels" not in page


def test_no_open_call_is_said_plainly(client, db, world, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)
    page = flat(text_of(client.get(f"{BASE}/candidater/")))
    assert "Aucun appel à candidatures n'est ouvert en ce moment." in page


def test_the_call_page_has_the_form_with_one_list_per_preference(client, known):
    response = client.get(f"{BASE}/candidater/{known.call}")
    assert response.status_code == 200
    page = text_of(response)
    # three lots: three ordered lists, the first required
    assert re.search(r'<label for="wish_1">1er choix</label>', page)
    assert '<label for="wish_2">2e choix</label>' in page and '<label for="wish_3">3e choix</label>' in page
    assert "wish_4" not in page
    assert re.search(r'<select[^>]*id="wish_1"[^>]*required', page)
    assert not re.search(r'<select[^>]*id="wish_2"[^>]*required', page)
    assert "A1 — bureau, 20 m², 180 € par mois charges comprises" in page
    assert 'enctype="multipart/form-data"' in page
    # the hidden field: off screen, out of the tab order, never filled by the browser
    honeypot = re.search(r'<div class="visually-hidden">\s*<label for="verification">([^<]*)</label>\s*'
                         r'(<input[^>]*>)', page)
    assert honeypot, "no hidden field"
    assert "Laissez ce champ vide" in honeypot.group(1)
    assert 'tabindex="-1"' in honeypot.group(2) and 'autocomplete="off"' in honeypot.group(2)
    # what is kept and for how long
    with client.application.app_context():
        from plugins.sites.models_calls import Call
        until = kept_until(session.get(Call, known.call), 24)
    assert f"conservées 24 mois après la clôture de l'appel, jusqu'au {day_label(until)}" in flat(page)


def test_five_lists_at_most(client, db, world, known):
    from tests.sites_calls_world import make_lot

    a = world.asso_a.id
    lots = [make_lot(db, a, known.site, f"C{n}") for n in range(1, 8)]
    today = paris_today()
    call = make_call(db, a, known.site, lots, opens_on=today, closes_on=today)
    db.commit()
    page = text_of(client.get(f"{BASE}/candidater/{call}"))
    assert '<label for="wish_5">5e choix</label>' in page and "wish_6" not in page


@pytest.mark.parametrize("kind", ["draft", "other association", "unknown"])
def test_a_draft_or_another_associations_call_is_404(client, db, world, known, maillage_enable_plugin, kind):
    today = paris_today()
    if kind == "draft":
        call = make_call(db, world.asso_a.id, known.site, [known.lots[0]], opens_on=today,
                         closes_on=today + timedelta(days=3), published=False)
    elif kind == "other association":
        from tests.sites_calls_world import make_lot, make_site

        maillage_enable_plugin("sites", world.asso_b)
        site = make_site(db, world.asso_b.id, "Site de Bêta")
        call = make_call(db, world.asso_b.id, site, [make_lot(db, world.asso_b.id, site, "Z1")],
                         opens_on=today, closes_on=today + timedelta(days=3))
        assert client.get(f"/p/sites/beta/candidater/{call}").status_code == 200  # at its own address
    else:
        call = 999999
    db.commit()
    for path in (f"candidater/{call}", f"candidater/{call}/merci"):
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 404, path
        assert "Traceback" not in text_of(response)
    assert send(client, call, valid(known)).status_code == 404


def test_an_association_that_did_not_enable_the_plugin_has_no_public_page(client, db, world, known):
    for path in ("candidater/", f"candidater/{known.call}", f"candidater/{known.call}/merci",
                 "candidature/abc"):
        assert client.get(f"/p/sites/beta/{path}").status_code == 404, path
    assert client.get("/p/sites/nulle-part/candidater/").status_code == 404


@pytest.mark.parametrize(("opens", "closes", "message"), [
    (date(2020, 1, 6), date(2020, 3, 3), "Cet appel à candidatures est clos depuis le 3 mars 2020."),
    (None, None, "Cet appel à candidatures ouvrira le {}."),
])
def test_a_call_not_open_says_so_and_refuses_an_application_with_410(app, client, db, world, known, outbox,
                                                                     opens, closes, message):
    if opens is None:
        opens = paris_today() + timedelta(days=3)
        closes = opens + timedelta(days=30)
        message = message.format(day_label(opens))
    call = make_call(db, world.asso_a.id, known.site, list(known.lots), opens_on=opens, closes_on=closes)
    db.commit()
    response = client.get(f"{BASE}/candidater/{call}")
    assert response.status_code == 200
    page = text_of(response)
    assert message in page
    assert "<form" not in page.split("Critères de sélection")[1]
    assert 'name="organisation"' not in page
    before = dump(db, TABLES)
    refused = send(client, call, valid(known))
    assert refused.status_code == 410
    assert message in text_of(refused)
    assert dump(db, TABLES) == before and outbox == []


# --- a valid application ---------------------------------------------------------------------


def test_an_application_is_saved_with_its_lots_in_order_its_files_and_one_confirmation(
        app, client, db, known, outbox, uploads):
    response = send(client, known.call, valid(known),
                    files={"attachment_1": (PDF, "présentation.pdf"), "attachment_2": (PNG, "plan.png")})
    assert response.status_code == 303, text_of(response)[-2000:]
    assert response.headers["Location"].endswith(f"{BASE}/candidater/{known.call}/merci")
    [application] = applications(app)
    assert (application.organisation, application.legal_form, application.field, application.jobs) == (
        "Recyclerie du Canal", "association", "circular", 3)
    assert application.contact_email == "ines@recyclerie.example"
    assert application.contact_phone == "06 12 34 56 78"
    with app.app_context():
        choices = session.execute(select(Choice.preference, Choice.lot_id)
                                  .where(Choice.application_id == application.id)
                                  .order_by(Choice.preference)).all()
        files = [row.file for row in session.scalars(select(Attachment).order_by(Attachment.id))]
    assert [tuple(c) for c in choices] == [(1, known.lots[2]), (2, known.lots[0])]
    assert [(f.original_name, f.content_type) for f in files] == [("présentation.pdf", "application/pdf"),
                                                                  ("plan.png", "image/png")]
    assert len(stored(uploads)) == 2

    thanks = client.get(response.headers["Location"])
    assert thanks.status_code == 200
    assert "Merci, votre candidature est envoyée" in text_of(thanks)
    for personal in ("Inès", "ines@", "06 12", "Recyclerie"):
        assert personal not in text_of(thanks)

    [mail] = outbox
    assert mail["To"] == "ines@recyclerie.example"
    assert mail["Subject"] == f"Votre candidature à l'appel « {TITLE} »"
    body = mail.get_content()
    assert "1. Lot B1 (atelier)\n  2. Lot A1 (bureau)" in body
    assert "présentation.pdf" in body and "plan.png" in body
    link = re.search(r"https?://\S+/p/sites/alpha/candidature/(\S+)", body)
    assert link, body
    token = link.group(1)
    # only the token's hash is kept
    assert application.view_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(dump(db, ("sites_applications",)))

    shown = client.get(f"{BASE}/candidature/{token}")
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    assert shown.headers["X-Robots-Tag"] == "noindex"
    page = flat(text_of(shown))
    assert "Recyclerie du Canal" in page and "Économie circulaire" in page and "Association" in page
    assert page.index("Lot B1") < page.index("Lot A1")
    assert "présentation.pdf" in page and "plan.png" in page
    assert "/pieces/" not in text_of(shown) and "<form" not in text_of(shown)  # names only, nothing to edit
    assert outbox == [mail]  # sent once


def test_a_wrong_or_another_associations_token_is_404(app, client, db, world, known, outbox,
                                                      maillage_enable_plugin):
    assert send(client, known.call, valid(known)).status_code == 303
    token = re.search(r"/candidature/(\S+)", outbox[0].get_content()).group(1)
    maillage_enable_plugin("sites", world.asso_b)
    for path in (f"{BASE}/candidature/{token[:-1]}", f"{BASE}/candidature/{token}x",
                 f"{BASE}/candidature/{'a' * 500}", f"/p/sites/beta/candidature/{token}"):
        assert client.get(path).status_code == 404, path


# --- bad input -------------------------------------------------------------------------------

BAD = [
    ({"organisation": "  "}, "organisation", REQUIRED),
    ({"organisation": "x" * 151}, "organisation", "150 caractères au maximum."),
    ({"legal_form": ""}, "legal_form", REQUIRED),
    ({"legal_form": "sarl"}, "legal_form", "Ce choix n'est pas possible"),
    ({"field": ""}, "field", REQUIRED),
    ({"field": "sport"}, "field", "Ce choix n'est pas possible"),
    ({"project": ""}, "project", REQUIRED),
    ({"project": "x" * 5001}, "project", "5000 caractères au maximum."),
    ({"for_the_neighbourhood": " "}, "for_the_neighbourhood", REQUIRED),
    ({"for_the_neighbourhood": "x" * 3001}, "for_the_neighbourhood", "3000 caractères au maximum."),
    ({"jobs": ""}, "jobs", REQUIRED),
    ({"jobs": "trois"}, "jobs", "Un nombre entier est attendu"),
    ({"jobs": "-1"}, "jobs", "Emplois : un nombre entre 0 et 500."),
    ({"jobs": "501"}, "jobs", "Emplois : un nombre entre 0 et 500."),
    ({"jobs": "2,5"}, "jobs", "Un nombre entier est attendu"),
    ({"wish_1": "0", "wish_2": "0"}, "wish_1", "Choisissez au moins un lot."),
    ({"wish_1": ""}, "wish_1", "Choisissez au moins un lot"),
    ({"wish_1": "999999"}, "wish_1", "Ce choix n'est pas possible"),
    ({"wish_2": "abc"}, "wish_2", "Ce choix n'est pas possible"),
    ({"contact_name": ""}, "contact_name", REQUIRED),
    ({"contact_name": "x" * 121}, "contact_name", "120 caractères au maximum."),
    ({"contact_email": ""}, "contact_email", REQUIRED),
    ({"contact_email": "ines@"}, "contact_email", "Adresse e-mail invalide"),
    ({"contact_phone": "appelez-moi"}, "contact_phone", "Numéro de téléphone invalide"),
    ({"consent": ""}, "consent", "Cochez cette case pour envoyer votre candidature."),
    ({"consent": "0"}, "consent", "Cochez cette case pour envoyer votre candidature."),
    ({"consent": "off"}, "consent", "Cochez cette case pour envoyer votre candidature."),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD,
                         ids=[f"{field}-{i}" for i, (_, field, _) in enumerate(BAD)])
def test_bad_input_is_refused_next_to_its_field_kept_and_nothing_saved(app, client, db, known, outbox,
                                                                       changes, field, message):
    data = {**valid(known), **changes}
    before = dump(db, TABLES)
    response = send(client, known.call, data)
    assert response.status_code == 422
    assert message in (field_error(response, field) or ""), field_error(response, field)
    page = text_of(response)
    assert f'href="#{field}"' in page  # the summary leads to the field
    assert re.search(rf'id="{field}"[^>]*aria-describedby="[^"]*{field}-erreur|'
                     rf'aria-describedby="[^"]*{field}-erreur"[^>]*id="{field}"', page), "error not tied"
    for key in ("organisation", "project", "contact_name", "contact_email"):
        if len(data[key]) < 60 and data[key].strip():
            assert data[key] in page, key
    assert dump(db, TABLES) == before and outbox == []


@pytest.mark.parametrize(("wishes", "field", "message"), [
    ({"wish_1": "{0}", "wish_2": "{0}"}, "wish_2", "Ce lot est déjà votre 1er choix"),
    ({"wish_1": "{0}", "wish_2": "{1}", "wish_3": "{1}"}, "wish_3", "Ce lot est déjà votre 2e choix"),
    ({"wish_1": "{0}", "wish_2": "0", "wish_3": "{1}"}, "wish_2", "Indiquez votre 2e choix avant le 3e"),
])
def test_the_same_lot_twice_or_a_gap_is_refused_next_to_the_list(app, client, db, known, outbox,
                                                                   wishes, field, message):
    lots = [str(lot) for lot in known.lots]
    response = send(client, known.call, {**valid(known), **{k: v.format(*lots) for k, v in wishes.items()}})
    assert response.status_code == 422
    assert message in (field_error(response, field) or "")
    assert applications(app) == [] and outbox == []


@pytest.mark.parametrize(("name", "content", "message"), [
    ("statuts.pdf", b"<!DOCTYPE html><script>alert(1)</script>", REFUSED_TYPE),
    ("budget.pdf", EXE, REFUSED_TYPE),
    ("photo.pdf", PNG, "Ce fichier est un PNG, mais son nom se termine par .pdf"),
    ("anim.gif", (DATA / "python.gif").read_bytes(), REFUSED_TYPE),
    ("vide.pdf", b"", "Le fichier est vide."),
    ("gros.pdf", PDF + b"%" * (FIVE_MB + 1 - len(PDF)), "Fichier trop volumineux (5 Mo au plus)."),
])
def test_a_disguised_empty_or_oversized_file_is_refused_in_french_and_nothing_kept(
        app, client, db, known, outbox, uploads, name, content, message):
    response = send(client, known.call, valid(known),
                    files={"attachment_1": (PDF, "bon.pdf"), "attachment_2": (content, name)})
    assert response.status_code == 422
    error = field_error(response, "attachment_2") or ""
    assert error.startswith(message), error
    assert "Recyclerie du Canal" in text_of(response)
    assert applications(app) == [] and outbox == []
    assert stored(uploads) == set()


def test_a_request_far_over_the_limit_gets_the_french_page_not_an_error(app, client, known, outbox, uploads):
    big = PDF + b"%" * (5 * FIVE_MB)
    response = send(client, known.call, valid(known), files={"attachment_1": (big, "enorme.pdf")})
    assert response.status_code == 413
    assert "Envoi trop volumineux" in text_of(response)
    assert applications(app) == [] and outbox == []


def test_an_application_without_csrf_token_is_refused(app, client, known, outbox):
    client.get(f"{BASE}/candidater/{known.call}")
    response = send(client, known.call, valid(known), csrf=False)
    assert response.status_code == 400
    assert "Le formulaire a expiré" in text_of(response)
    assert applications(app) == [] and outbox == []


# --- robots and floods -----------------------------------------------------------------------


def test_the_hidden_field_filled_gets_the_answer_of_a_success_and_nothing_is_kept(
        app, client, db, known, outbox, uploads):
    human = send(client, known.call, valid(known), address="192.0.2.10")
    robot = send(client, known.call, {**valid(known), "verification": "https://spam.example"},
                 address="192.0.2.11", files={"attachment_1": (PDF, "spam.pdf")})
    assert (robot.status_code, robot.headers["Location"]) == (human.status_code, human.headers["Location"])
    assert robot.get_data() == human.get_data()
    assert len(applications(app)) == 1 and len(outbox) == 1  # the human's only
    assert len(stored(uploads)) == 0
    # even with the rest of the form wrong
    assert send(client, known.call, {"verification": "x"}, address="192.0.2.12").status_code == 303
    assert len(applications(app)) == 1 and len(outbox) == 1


def test_mistakes_lock_no_one_out_but_a_flood_of_refused_posts_is_limited(app, client, db, world, known,
                                                                          outbox):
    here = "198.51.100.7"
    wrong = {**valid(known), "jobs": "beaucoup"}
    for _ in range(5):  # the default limit of applications: five mistakes in a row
        assert send(client, known.call, wrong, address=here).status_code == 422
    assert send(client, known.call, valid(known), address=here).status_code == 303
    assert len(applications(app)) == 1
    for _ in range(44):  # fifty posts in all: ten for each application the setting allows
        send(client, known.call, wrong, address=here)
    refused = send(client, known.call, {**valid(known), "organisation": "Atelier Vélo"}, address=here)
    assert refused.status_code == 429
    assert refused.mimetype == "text/html"
    page = flat(text_of(refused))
    assert "Trop d'envois depuis votre connexion en peu de temps. Réessayez dans" in page
    assert 'value="Atelier Vélo"' in refused.get_data(as_text=True)  # what was typed is kept
    assert int(refused.headers["Retry-After"]) > 0
    # The robots' posts count too: the same address stays refused.
    assert send(client, known.call, {**valid(known), "verification": "x"}, address=here).status_code == 429
    assert len(applications(app)) == 1 and len(outbox) == 1
    assert send(client, known.call, valid(known), address="198.51.100.8").status_code == 303


def test_accepted_applications_are_limited_per_address(app, client, db, world, known, outbox):
    for index in range(5):
        assert send(client, known.call, {**valid(known), "organisation": f"Projet {index}"},
                    address="198.51.100.9").status_code == 303
    refused = send(client, known.call, {**valid(known), "organisation": "Projet 6"}, address="198.51.100.9")
    assert refused.status_code == 429 and 'value="Projet 6"' in refused.get_data(as_text=True)
    assert len(applications(app)) == 5 and len(outbox) == 5


def test_the_same_application_sent_twice_is_received_once(app, client, db, world, known, outbox):
    assert send(client, known.call, valid(known)).status_code == 303
    again = send(client, known.call, valid(known))
    assert again.status_code == 303 and again.headers["Location"].endswith("/merci")
    assert len(applications(app)) == 1 and len(outbox) == 1


def test_files_chosen_before_a_refusal_are_asked_again(client, known):
    refused = send(client, known.call, {**valid(known), "organisation": ""},
                   files={"attachment_1": (PDF, "statuts.pdf")})
    assert refused.status_code == 422
    assert "Les pièces jointes ne sont pas gardées quand le formulaire revient" in flat(text_of(refused))


def test_the_limit_is_the_associations_setting(app, client, db, world, uploads, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a, {"applications_per_hour": 1})
    known = build(db, world)
    assert send(client, known.call, valid(known), address="203.0.113.5").status_code == 303
    second = {**valid(known), "organisation": "Autre projet"}
    assert send(client, known.call, second, address="203.0.113.5").status_code == 429


# --- whatever is typed -----------------------------------------------------------------------

FILES = [None, (PDF, "a.pdf"), (b"%PDF-1.4 tronque", "b.pdf"), (b"\x00" * 40, "c.png"), (PNG, "d"),
         (EXE, "e.pdf")]
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_in_any_field_never_breaks_the_public_form(app, client, db, world, maillage_enable_plugin,
                                                            uploads, data):
    known = db.info.get("sites_public_world")
    if known is None:
        maillage_enable_plugin("sites", world.asso_a, {"applications_per_hour": 100})
        known = db.info["sites_public_world"] = build(db, world)
    fields = {**valid(known), "verification": ""}
    typed = {key: data.draw(TEXT | st.just(value)) for key, value in fields.items()}
    file = data.draw(st.sampled_from(FILES))
    before = dump(db, TABLES)
    number = next(ADDRESSES)
    response = send(client, known.call, typed, address=f"10.1.{number // 250}.{number % 250}",
                    files={"attachment_1": file} if file else None)
    nul = any("\x00" in value for value in typed.values())
    assert response.status_code in (303, 422) or (nul and response.status_code == 400), (
        typed, response.status_code)
    assert "Traceback" not in text_of(response)
    if response.status_code != 303 or typed["verification"].strip():
        assert dump(db, TABLES) == before, typed
