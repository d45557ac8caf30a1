"""Sites en transition: a site's photos, plans and documents, through the core's upload
helper — sent from the site's page, served back to the team as they were, refused with the
French message and nothing kept, another association's 404, deleted with their file."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from core.agenda.clock import paris_today
from core.database import session
from plugins.sites.documents import delete_documents_of
from plugins.sites.models import DocumentKind, Site, SiteDocument
from tests.conftest import World
from tests.support import committed, csrf_token, field_error, login, text_of

DATA = Path(__file__).parent / "data" / "uploads"
PNG = (DATA / "python.png").read_bytes()
PDF = (DATA / "plan.pdf").read_bytes()
FIVE_MB = 5 * 1024 * 1024
REFUSED = "Type de fichier refusé : JPEG, PNG, WebP ou PDF seulement."


@pytest.fixture
def uploads(app: Flask, tmp_path: Path) -> Path:
    app.config["UPLOAD_DIR"] = str(tmp_path)  # put back after the test by the app fixture
    return tmp_path / "sites"


def stored(folder: Path) -> set[Path]:
    return set(folder.iterdir()) if folder.exists() else set()


def make_site(db, association_id: int) -> int:
    today = paris_today()
    site = Site(association_id=association_id, name="Friche", address="1 rue Haute", total_area=Decimal(500),
                available_from=today - timedelta(days=30), available_until=today + timedelta(days=700))
    db.add(site)
    db.commit()
    return site.id


@pytest.fixture
def coord(client, world: World, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)
    maillage_enable_plugin("sites", world.asso_b)
    login(client, "coord.a@test.org")
    return client


def send(client, site_id: int, name: str, content: bytes, kind: str = "photo", title: str = "",
         association: str = "alpha"):
    return client.post(f"/p/sites/{association}/sites/{site_id}/documents",
                       data={"kind": kind, "title": title, "file": (io.BytesIO(content), name),
                             "csrf_token": csrf_token(client)},
                       content_type="multipart/form-data")


def documents(app: Flask) -> list[SiteDocument]:
    with app.app_context():
        return list(session.scalars(select(SiteDocument).order_by(SiteDocument.id)))


def test_a_photo_and_a_plan_are_listed_on_the_page_and_served_back_as_they_were(
        app, coord, db, world, uploads):
    site = make_site(db, world.asso_a.id)
    response = send(coord, site, "façade.png", PNG, "photo", "Façade nord")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/p/sites/alpha/sites/{site}#documents")
    assert send(coord, site, "plan.pdf", PDF, "plan").status_code == 303
    photo, plan = documents(app)
    assert (photo.kind, photo.title) == (DocumentKind.PHOTO, "Façade nord")
    assert photo.file.content_type == "image/png"
    assert (plan.kind, plan.file.original_name, plan.file.size) == (DocumentKind.PLAN, "plan.pdf", len(PDF))
    assert len(stored(uploads)) == 2

    page = text_of(coord.get(f"/p/sites/alpha/sites/{site}"))
    assert f'<img src="/p/sites/alpha/documents/{photo.id}"' in page  # a thumbnail
    assert f'<a href="/p/sites/alpha/documents/{plan.id}">plan.pdf</a>' in page  # a link
    assert f'action="/p/sites/alpha/documents/{plan.id}/supprimer"' in page
    assert 'data-confirm="Supprimer le document « plan.pdf » ? Le fichier sera effacé."' in page
    assert 'enctype="multipart/form-data"' in page

    for document, content, content_type in ((photo, PNG, "image/png"), (plan, PDF, "application/pdf")):
        served = coord.get(f"/p/sites/alpha/documents/{document.id}")
        assert served.status_code == 200
        assert served.data == content
        assert served.headers["Content-Type"] == content_type
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("photo.png", PDF,
     "Ce fichier est un PDF, mais son nom se termine par .png : choisissez le bon fichier."),
    ("plan.pdf", b"<!DOCTYPE html><script>alert(1)</script>", REFUSED),
    ("anim.gif", (DATA / "python.gif").read_bytes(), REFUSED),
    ("gros.pdf", PDF + b"%" * (FIVE_MB + 1 - len(PDF)), "Fichier trop volumineux (5 Mo au plus)."),
])
def test_a_refused_file_gets_its_french_message_and_nothing_is_kept(app, coord, db, world, uploads,
                                                                     name, content, message):
    site = make_site(db, world.asso_a.id)
    response = send(coord, site, name, content)
    assert response.status_code == 422
    assert (field_error(response, "file") or "").startswith(message)
    assert "Friche" in text_of(response)  # the site's page, with the form as sent
    assert documents(app) == []
    assert stored(uploads) == set()


def test_no_file_chosen_is_refused(app, coord, db, world, uploads):
    site = make_site(db, world.asso_a.id)
    response = coord.post(f"/p/sites/alpha/sites/{site}/documents",
                          data={"kind": "plan", "csrf_token": csrf_token(coord)},
                          content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_error(response, "file") == "Ce champ est obligatoire."


def test_another_associations_documents_answer_404(app, coord, db, world, uploads):
    theirs = make_site(db, world.asso_b.id)
    other = app.test_client()
    login(other, "coord.b@test.org")
    assert send(other, theirs, "plan.pdf", PDF, association="beta").status_code == 303
    [document] = documents(app)
    assert coord.get(f"/p/sites/beta/documents/{document.id}").status_code == 404  # not of Bêta: hidden
    assert coord.get(f"/p/sites/alpha/documents/{document.id}").status_code == 404
    assert coord.get(f"/p/sites/alpha/sites/{theirs}").status_code == 404
    assert send(coord, theirs, "plan.pdf", PDF).status_code == 404
    assert coord.post(f"/p/sites/alpha/documents/{document.id}/supprimer",
                      data={"csrf_token": csrf_token(coord)}).status_code == 404
    assert len(documents(app)) == 1 and len(stored(uploads)) == 1
    assert other.get(f"/p/sites/beta/documents/{document.id}").data == PDF


def test_a_volunteer_gets_403(app, client, db, world, uploads, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)
    site = make_site(db, world.asso_a.id)
    coordinator = app.test_client()
    login(coordinator, "coord.a@test.org")
    assert send(coordinator, site, "façade.png", PNG).status_code == 303
    [document] = documents(app)
    login(client, "benevole.a@test.org")
    assert client.get(f"/p/sites/alpha/documents/{document.id}").status_code == 403
    assert send(client, site, "façade.png", PNG).status_code == 403
    assert client.post(f"/p/sites/alpha/documents/{document.id}/supprimer",
                       data={"csrf_token": csrf_token(client)}).status_code == 403
    assert len(documents(app)) == 1 and len(stored(uploads)) == 1


def test_deleting_a_document_removes_its_record_and_its_file(app, coord, db, world, uploads):
    site = make_site(db, world.asso_a.id)
    send(coord, site, "façade.png", PNG)
    send(coord, site, "plan.pdf", PDF, "plan")
    photo, plan = documents(app)
    [photo_path] = [path for path in stored(uploads) if path.name == photo.file.key.split("/")[1]]
    without_token = coord.post(f"/p/sites/alpha/documents/{photo.id}/supprimer")
    assert without_token.status_code == 400 and photo_path.exists()
    response = coord.post(f"/p/sites/alpha/documents/{photo.id}/supprimer",
                          data={"csrf_token": csrf_token(coord)})
    assert response.status_code == 303
    assert [d.id for d in documents(app)] == [plan.id]
    assert not photo_path.exists() and len(stored(uploads)) == 1
    assert coord.get(f"/p/sites/alpha/documents/{photo.id}").status_code == 404


def test_a_sites_documents_go_with_their_files_before_the_site(app, coord, db, world, uploads):
    site = make_site(db, world.asso_a.id)
    send(coord, site, "façade.png", PNG)
    send(coord, site, "plan.pdf", PDF, "plan")

    def delete_site() -> int:
        count = delete_documents_of(site)
        session.delete(session.get(Site, site))
        return count
    assert committed(app, delete_site) == 2
    assert documents(app) == [] and stored(uploads) == set()
