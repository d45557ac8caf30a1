"""What every page shares: security headers, French error pages, health, assets, a11y."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import make_app
from tests.support import login, post, text_of

CORE = Path(__file__).resolve().parent.parent / "core"


def test_security_headers_on_every_response(client, world):
    for url in ["/login", "/healthz", "/page-inexistante", "/static/maillage.css"]:
        response = client.get(url)
        headers = response.headers
        assert "default-src 'self'" in headers["Content-Security-Policy"], url
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], url
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["X-Frame-Options"] == "DENY", url
        assert headers["Referrer-Policy"] == "same-origin", url


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_about_people_are_never_cached(client, world):
    login(client, "coord.a@test.org")
    for url in [f"/personnes/{world.supported_a.id}", "/personnes/", "/"]:
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    assert client.get("/static/maillage.css").headers.get("Cache-Control") != "no-store"


def test_not_found_page_is_french(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in text_of(response)
    assert '<html lang="fr">' in text_of(response)


def test_method_not_allowed_page_is_french(client):
    response = client.put("/logout")  # a GET leads to a page instead (test_ux_core)
    assert response.status_code == 405
    assert "Méthode non autorisée" in text_of(response)


def test_crash_shows_a_french_page_without_traceback(database_url, app, world):
    crashing = make_app(database_url, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @crashing.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internal detail")

    boom.access_level = "public"  # type: ignore[attr-defined]
    response = crashing.test_client().get("/boom")
    body = text_of(response)
    assert response.status_code == 500
    assert "Erreur du serveur" in body
    assert "Traceback" not in body and "secret internal detail" not in body


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    broken = make_app(f"sqlite:///{tmp_path / 'absent' / 'folder' / 'db.sqlite3'}")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    payload = response.get_json()
    assert payload["status"] == "error"
    assert payload["database"] == "unreachable"
    assert payload["reason"]


def test_healthz_503_on_an_unreachable_postgresql_server():
    # Port 9 on loopback: nothing listens there, the connection is refused at once.
    broken = make_app("postgresql+psycopg://postgres@127.0.0.1:9/absent?connect_timeout=2")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_no_asset_comes_from_outside():
    for path in list(CORE.rglob("*.html")) + list(CORE.rglob("*.css")):
        content = path.read_text()
        assert not re.search(r'(src|href)="(https?:)?//', content), path
        assert "@import url(http" not in content, path


def test_static_assets_are_served_by_the_app(client):
    for asset in ["maillage.css", "maillage.js", "favicon.svg"]:
        assert client.get(f"/static/{asset}").status_code == 200


@pytest.mark.parametrize("url", ["/login", "/mot-de-passe/oublie"])
def test_public_pages_have_landmarks_and_labels(client, url):
    check_accessible_page(text_of(client.get(url)))


def test_member_pages_have_landmarks_and_labels(app: Flask, world):
    client = app.test_client()
    login(client, "collectif@test.org")
    for url in ["/", "/associations/", "/associations/alpha", "/associations/nouvelle",
                "/personnes/", "/personnes/nouvelle", f"/personnes/{world.supported_a.id}",
                f"/personnes/{world.supported_a.id}/modifier", "/partenaires/",
                f"/partenaires/{world.partner.id}", "/partenaires/nouveau", "/quartiers/",
                "/quartiers/nouveau", "/compte", "/administration-collectif"]:
        response = client.get(url)
        assert response.status_code == 200, url
        check_accessible_page(text_of(response), url)


def check_accessible_page(html: str, where: str = "") -> None:
    assert '<html lang="fr">' in html, where
    assert 'class="skip-link" href="#contenu"' in html, where
    assert '<main id="contenu"' in html, where
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html, where
    assert html.count("<h1") == 1, where
    ids = re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', html)
    hidden = set(re.findall(r'<input\b[^>]*type="hidden"[^>]*id="([^"]+)"', html))
    hidden |= set(re.findall(r'<input\b[^>]*id="([^"]+)"[^>]*type="hidden"', html))
    for field_id in set(ids) - hidden:
        assert re.search(rf'<label[^>]*for="{re.escape(field_id)}"', html), (where, field_id)
    # Inputs without an id would be unlabelled; hidden ones excepted.
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag:
            continue
        assert "id=" in tag, (where, tag)


def test_errors_are_announced_and_tied_to_their_field(app, world):
    client = app.test_client()
    login(client, "coord.a@test.org")
    response = post(client, "/personnes/nouvelle", {"first_name": "", "last_name": "X",
                                                     "association_id": world.asso_a.id,
                                                     "role": "volunteer"})
    html = text_of(response)
    assert response.status_code == 422
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert re.search(r'id="first_name"[^>]*|aria-describedby="first_name-erreur"', html)
    assert '<p class="field-error" id="first_name-erreur">Ce champ est obligatoire.</p>' in html
    assert 'value="X"' in html  # what the user typed is still there


# --- core.web.reading: what list pages are built with --------------------------------------


def test_id_urls_give_url_for_s_links(app: Flask) -> None:
    from flask import url_for

    from core.web.reading import id_urls

    for root in ("", "/intranet"):
        with app.test_request_context("/", base_url=f"http://localhost{root}"):
            event_url = id_urls("agenda.event_detail", "event_id")
            assert [event_url(i) for i in (1, 42, 2_147_483_647)] == [
                url_for("agenda.event_detail", event_id=i) for i in (1, 42, 2_147_483_647)]
            assert event_url(7).startswith(f"{root}/agenda/")
            edit = id_urls("premieres_heures.session_edit", "pathway_id", "session_id",
                           association="alpha")
            assert edit(3, 15) == url_for("premieres_heures.session_edit", association="alpha",
                                          pathway_id=3, session_id=15)
            week = id_urls("premieres_heures.person_week", "pathway_id", association="alpha",
                           jour="2026-03-30")
            assert week(9) == url_for("premieres_heures.person_week", association="alpha",
                                      pathway_id=9, jour="2026-03-30")
            assert id_urls("agenda.upcoming", "page")(2) == url_for("agenda.upcoming", page=2)
            with pytest.raises(ValueError, match="does not show once"):  # it could not tell
                id_urls("agenda.event_detail", "event_id", jour=2_147_483_647)


def test_columns_as_reads_rows_into_objects(app: Flask, db, world) -> None:
    from dataclasses import dataclass

    from sqlalchemy import select

    from core.database import session
    from core.members import Association
    from core.web.reading import columns_as

    @dataclass(frozen=True)
    class Line:
        id: int
        short_name: str

    with app.app_context():
        lines = list(session.scalars(select(columns_as(Line, Association.id, Association.short_name))
                                     .order_by(Association.id)))
    assert lines == [Line(a.id, a.short_name) for a in (world.asso_a, world.asso_b)]


def test_a_crash_in_a_failed_transaction_still_shows_the_french_page(database_url, app, world):
    """A statement that fails leaves the transaction unusable; the error page, which reads the
    signed-in user, must not fail in turn (Werkzeug's bare English page)."""
    from sqlalchemy import text

    from core.database import session

    crashing = make_app(database_url, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @crashing.get("/boom-in-sql")
    def boom() -> str:
        from core.members import Person

        session.add(Person(first_name=None, last_name=None))  # NOT NULL: the flush fails
        session.flush()
        return "unreachable"

    boom.access_level = "authenticated"  # type: ignore[attr-defined]
    client = crashing.test_client()
    login(client, "coord.a@test.org")
    response = client.get("/boom-in-sql")
    body = text_of(response)
    assert response.status_code == 500
    assert "Erreur du serveur" in body and "Internal Server Error" not in body
    assert "Coord" in body or "Se déconnecter" in body  # the page rendered for the user
    with crashing.app_context():
        assert session.execute(text("SELECT 1")).scalar() == 1
