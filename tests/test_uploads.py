"""Uploads (core/web/uploads.py): files judged on their content, stored under a random
key, served only by a view that decided who may read them, removed with their record.

A test blueprint plays a plugin: a form with an ``UploadField``, a page serving the file to
the members of Alpha only, a delete button. Its table holds a ``StoredFile`` through
``stored_file_column``, on both databases; the files go to a temporary folder.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from pathlib import Path

import pytest
from flask import Blueprint, abort, redirect, render_template_string
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.datastructures import FileStorage

from core.database import session
from core.plugin_api import (
    INVALID_FORM_STATUS,
    Level,
    Role,
    StoredFile,
    UploadField,
    UploadRefused,
    accepts_uploads,
    access,
    delete_upload,
    has_role,
    required,
    send_upload,
    store_upload,
    stored_file_column,
)
from core.testing import make_app
from core.web.file_kinds import detect_kind, display_name
from tests.support import csrf_token, login

DATA = Path(__file__).parent / "data" / "uploads"
LIMIT = 64 * 1024  # a file of the form: at most this
KINDS = ("pdf", "jpeg", "png")


def pdf_bytes(pages: int = 1) -> bytes:
    """A small PDF that readers open (one object per page, an xref table)."""
    body = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    kids = " ".join(f"{3 + index} 0 R" for index in range(pages))
    body += f"2 0 obj << /Type /Pages /Kids [{kids}] /Count {pages} >> endobj\n".encode()
    for index in range(pages):
        body += (f"{3 + index} 0 obj << /Type /Page /Parent 2 0 R "
                 f"/MediaBox [0 0 595 842] >> endobj\n").encode()
    return body + b"trailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


GOOD = {
    "pdf": ("convention signée.pdf", pdf_bytes(), "application/pdf"),
    "png": ("plan.png", (DATA / "python.png").read_bytes(), "image/png"),
    "jpeg": ("photo.jpg", (DATA / "python.jpg").read_bytes(), "image/jpeg"),
    "webp": ("photo.webp", (DATA / "python.webp").read_bytes(), "image/webp"),
}


# --- the stand-in plugin ---------------------------------------------------------------------


class StandIn(DeclarativeBase):
    """A metadata of its own: the core's is the one the migrations are compared with."""


class Piece(StandIn):
    __tablename__ = "essai_pieces"
    id: Mapped[int] = mapped_column(primary_key=True)
    file: Mapped[StoredFile] = stored_file_column()
    scan: Mapped[StoredFile | None] = stored_file_column("scan", nullable=True)


class PieceForm(FlaskForm):
    piece = UploadField("Pièce jointe", validators=[required()], kinds=KINDS, max_bytes=LIMIT)


FORM_PAGE = """{% from "_forms.html" import form as render_form %}
{{ render_form(form, "Envoyer") }}"""

bp = Blueprint("essai", __name__, url_prefix="/essai")
ALPHA: dict[str, int] = {}


@bp.route("/pieces", methods=["GET", "POST"])
@access(Level.MEMBER)
@accepts_uploads(2 * LIMIT)
def add_piece():
    form = PieceForm()
    if form.validate_on_submit():
        stored = store_upload(form.piece.data, plugin="essai", kinds=KINDS, max_bytes=LIMIT)
        piece = Piece(file=stored)
        session.add(piece)
        session.commit()
        return redirect(f"/essai/pieces/{piece.id}", code=303)
    status = INVALID_FORM_STATUS if form.errors else 200
    return render_template_string(FORM_PAGE, form=form), status


@bp.post("/brut")
@access(Level.MEMBER)
def without_uploads():  # no accepts_uploads: MAX_CONTENT_LENGTH
    return "reçu"


@bp.post("/echec")
@access(Level.MEMBER)
@accepts_uploads(LIMIT)
def failing_after_store():
    from flask import request

    stored = store_upload(request.files.get("piece"), plugin="essai", kinds=KINDS, max_bytes=LIMIT)
    session.add(Piece(file=stored))
    session.flush()
    raise RuntimeError("the record's transaction fails after the file was written")


def readable_piece(piece_id: int) -> Piece:
    # The plugin's rule for this test: the members of Alpha read its pieces, no one else.
    piece = session.get(Piece, piece_id)
    if piece is None or not has_role(ALPHA["id"], Role.VOLUNTEER):
        abort(404)
    return piece


@bp.get("/pieces/<int:piece_id>")
@access(Level.MEMBER)
def show_piece(piece_id: int):
    return send_upload(readable_piece(piece_id).file)


@bp.get("/pieces/<int:piece_id>/telecharger")
@access(Level.MEMBER)
def download_piece(piece_id: int):
    return send_upload(readable_piece(piece_id).file, download_name="Pièce", attachment=True)


@bp.post("/pieces/<int:piece_id>/supprimer")
@access(Level.MEMBER)
def delete_piece(piece_id: int):
    piece = readable_piece(piece_id)
    delete_upload(piece.file)
    session.delete(piece)
    session.commit()
    return redirect("/essai/pieces", code=303)


@pytest.fixture(scope="module")
def upload_app(database_url, tmp_path_factory):
    app = make_app(database_url, UPLOAD_DIR=str(tmp_path_factory.mktemp("uploads")),
                   PLUGINS_STRICT=True)
    app.register_blueprint(bp)
    with app.app_context():
        StandIn.metadata.create_all(session.connection())
        session.commit()
    yield app
    with app.app_context():
        StandIn.metadata.drop_all(session.connection())
        session.commit()


@pytest.fixture
def uploads(upload_app, world):
    ALPHA["id"] = world.asso_a.id
    yield upload_app
    with upload_app.app_context():
        session.execute(Piece.__table__.delete())
        session.commit()


@pytest.fixture
def coordinator(uploads):
    client = uploads.test_client()
    login(client, "coord.a@test.org")
    return client


def upload_dir(app) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / "essai"


def stored_files(app) -> set[Path]:
    folder = upload_dir(app)
    return set(folder.iterdir()) if folder.exists() else set()


def send(client, name: str, content: bytes, *, url: str = "/essai/pieces", csrf: bool = True):
    data: dict = {"piece": (io.BytesIO(content), name)}
    if csrf:
        data["csrf_token"] = csrf_token(client)
    return client.post(url, data=data, content_type="multipart/form-data")


def piece_of(app, response) -> Piece:
    assert response.status_code == 303, response.get_data(as_text=True)
    piece_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        return session.get(Piece, piece_id)


def field_error(response) -> str:
    found = re.search(r'id="piece-erreur">([^<]*)<', response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)[:500]
    return found.group(1).replace("&#39;", "'")


# --- good files ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pdf", "png", "jpeg"])
def test_a_good_file_is_stored_and_served_back_as_it_was(uploads, coordinator, kind):
    name, content, content_type = GOOD[kind]
    before = stored_files(uploads)
    piece = piece_of(uploads, send(coordinator, name, content))
    stored = piece.file
    assert stored.original_name == name
    assert (stored.content_type, stored.size) == (content_type, len(content))
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    [path] = stored_files(uploads) - before
    assert path.read_bytes() == content
    assert path.name != name and name.rsplit(".", 1)[0] not in path.name  # a random name
    assert re.fullmatch(r"essai/[A-Za-z0-9_-]{32}", stored.key)
    assert path.stat().st_mode & 0o077 == 0  # the server's alone

    response = coordinator.get(f"/essai/pieces/{piece.id}")
    assert response.status_code == 200
    assert response.data == content
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert ("sandbox" in policy) == (kind != "pdf")  # Chromium's PDF viewer refuses a sandbox


def test_webp_is_accepted_where_the_plugin_allows_it(uploads):
    name, content, content_type = GOOD["webp"]
    with uploads.test_request_context("/"):
        file = FileStorage(io.BytesIO(content), name)
        stored = store_upload(file, plugin="essai", kinds=["webp"], max_bytes=LIMIT)
        session.commit()
        assert (stored.content_type, stored.size) == (content_type, len(content))
        response = send_upload(stored)
        response.direct_passthrough = False
        assert response.get_data() == content
        with pytest.raises(UploadRefused, match="Type de fichier refusé : PDF, JPEG ou PNG"):
            store_upload(FileStorage(io.BytesIO(content), name), plugin="essai", kinds=KINDS,
                         max_bytes=LIMIT)


def test_an_attachment_is_saved_under_a_safe_name_with_its_real_extension(uploads, coordinator):
    piece = piece_of(uploads, send(coordinator, "photo.jpg", GOOD["jpeg"][1]))
    response = coordinator.get(f"/essai/pieces/{piece.id}/telecharger")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=Piece.jpg; filename*=UTF-8''Pi%C3%A8ce.jpg")
    assert response.data == GOOD["jpeg"][1]


def test_only_those_the_view_allows_get_the_file(uploads, coordinator):
    piece = piece_of(uploads, send(coordinator, *GOOD["pdf"][:2]))
    other = uploads.test_client()
    login(other, "coord.b@test.org")
    assert other.get(f"/essai/pieces/{piece.id}").status_code == 404
    anonymous = uploads.test_client()
    response = anonymous.get(f"/essai/pieces/{piece.id}")
    assert response.status_code in {302, 303} and "/login" in response.headers["Location"]


# --- refused files ---------------------------------------------------------------------------

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("plan.pdf", GOOD["png"][1], "Ce fichier est un PNG, mais son nom se termine par .pdf"),
    ("photo.png", GOOD["pdf"][1], "Ce fichier est un PDF, mais son nom se termine par .png"),
    ("photo.jpg", SVG, "Type de fichier refusé : PDF, JPEG ou PNG seulement."),
    ("dessin.svg", SVG, "Type de fichier refusé : PDF, JPEG ou PNG seulement."),
    ("photo.png", HTML, "Type de fichier refusé : PDF, JPEG ou PNG seulement."),
    ("page.html", GOOD["png"][1], "Ce fichier est un PNG, mais son nom se termine par .html"),
    ("photo.jpg", b"#!/bin/sh\nrm -rf /\n", "Type de fichier refusé : PDF, JPEG ou PNG seulement."),
    ("photo.jpg", b"MZ\x90\x00" + bytes(200), "Type de fichier refusé : PDF, JPEG ou PNG seulement."),
    ("anim.gif", (DATA / "python.gif").read_bytes(), "Type de fichier refusé : PDF, JPEG ou PNG"),
    ("photo.webp", GOOD["webp"][1], "Type de fichier refusé : PDF, JPEG ou PNG seulement."),
    ("vide.pdf", b"", "Le fichier est vide."),
    ("gros.pdf", pdf_bytes() + b"%" * (LIMIT + 1 - len(pdf_bytes())),
     "Fichier trop volumineux (64 ko au plus)."),
])
def test_a_refused_file_gets_its_message_next_to_the_field_and_nothing_is_stored(
        uploads, coordinator, name, content, message):
    before = stored_files(uploads)
    response = send(coordinator, name, content)
    assert response.status_code == INVALID_FORM_STATUS
    assert field_error(response).startswith(message)
    assert 'enctype="multipart/form-data"' in response.get_data(as_text=True)
    assert stored_files(uploads) == before
    with uploads.app_context():
        assert session.scalars(select(Piece)).all() == []


def test_a_file_at_the_limit_is_accepted_one_byte_more_is_not(uploads):
    at_limit = pdf_bytes() + b"%" * (LIMIT - len(pdf_bytes()))
    with uploads.test_request_context("/"):
        stored = store_upload(FileStorage(io.BytesIO(at_limit), "a.pdf"), plugin="essai",
                              kinds=KINDS, max_bytes=LIMIT)
        assert stored.size == LIMIT
        with pytest.raises(UploadRefused, match=r"^Fichier trop volumineux \(64 ko au plus\)\.$"):
            store_upload(FileStorage(io.BytesIO(at_limit + b"%"), "a.pdf"), plugin="essai",
                         kinds=KINDS, max_bytes=LIMIT)
        five_mb = 5 * 1024 * 1024
        over = pdf_bytes() + b"%" * (five_mb + 1 - len(pdf_bytes()))
        with pytest.raises(UploadRefused, match=r"^Fichier trop volumineux \(5 Mo au plus\)\.$"):
            store_upload(FileStorage(io.BytesIO(over), "a.pdf"), plugin="essai", kinds=KINDS,
                         max_bytes=five_mb)
        session.rollback()  # the file at the limit goes with its (empty) transaction


def test_no_file_chosen_is_a_required_field(uploads, coordinator):
    response = coordinator.post("/essai/pieces", data={"csrf_token": csrf_token(coordinator)},
                                content_type="multipart/form-data")
    assert response.status_code == INVALID_FORM_STATUS
    assert field_error(response) == "Ce champ est obligatoire."


def test_the_form_without_its_csrf_token_is_refused_and_stores_nothing(uploads, coordinator):
    before = stored_files(uploads)
    response = send(coordinator, *GOOD["pdf"][:2], csrf=False)
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)
    assert stored_files(uploads) == before


def test_a_request_over_the_route_limit_gets_the_french_413_page(uploads, coordinator):
    big = pdf_bytes() + b"%" * (2 * LIMIT + 300 * 1024)  # over the route's limit and allowance
    response = send(coordinator, "gros.pdf", big)
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "Envoi trop volumineux" in text and "Traceback" not in text
    # Between the field's limit and the route's: the message next to the field instead.
    response = send(coordinator, "moyen.pdf", pdf_bytes() + b"%" * (LIMIT + 10))
    assert response.status_code == INVALID_FORM_STATUS


def test_other_routes_keep_the_global_limit(uploads, coordinator):
    token = csrf_token(coordinator)
    under = coordinator.post("/essai/brut", data={"csrf_token": token,
                                                  "piece": (io.BytesIO(b"x" * 1024 * 1024), "a")},
                             content_type="multipart/form-data")
    assert under.status_code == 200
    over = coordinator.post("/essai/brut", data={"csrf_token": token,
                                                 "piece": (io.BytesIO(b"x" * 3 * 1024 * 1024), "a")},
                            content_type="multipart/form-data")
    assert over.status_code == 413
    assert "Envoi trop volumineux" in over.get_data(as_text=True)


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "shown"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\plan.pdf", "plan.pdf"),
    ("C:\\Users\\Léa\\Bureau\\Convention signée.pdf", "Convention signée.pdf"),
    ("plan\x00.sh.pdf", "plan.sh.pdf"),
    ("facture\u202efdp.exe.pdf", "facturefdp.exe.pdf"),  # a right-to-left override, dropped
    ("Cafe\u0301 «été».pdf", "Café «été».pdf"),  # NFC
    ('a"b<c>d|e*f?.pdf', "a-b-c-d-e-f-.pdf"),
    ("..", "fichier"),
    (".htaccess", "htaccess"),
    ("   ", "fichier"),
    ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ("日本語の書類.pdf", "日本語の書類.pdf"),
])
def test_names_are_cleaned_for_display(given, shown):
    assert display_name(given) == shown
    assert len(display_name(given)) <= 120


def test_a_hostile_name_is_stored_clean_and_never_used_on_disk(uploads, coordinator):
    name = "../../" + "é" * 300 + "\x00\u202e.pdf"
    piece = piece_of(uploads, send(coordinator, name, GOOD["pdf"][1]))
    assert piece.file.original_name == "é" * 116 + ".pdf"
    assert all(path.parent == upload_dir(uploads) for path in stored_files(uploads))
    response = coordinator.get(f"/essai/pieces/{piece.id}")
    disposition = response.headers["Content-Disposition"]
    assert "\x00" not in disposition and "/" not in disposition.split("''")[0]


def test_a_key_is_an_id_never_a_path(uploads):
    with uploads.test_request_context("/"):
        for key in ["../secret_key", "essai/../../secret_key", "essai/" + "a" * 31 + "/",
                    "/etc/passwd", "essai/" + "a" * 31 + "\x00", "Essai/" + "a" * 32]:
            fake = StoredFile(key, "x.pdf", "application/pdf", 1, "")
            with pytest.raises(Exception) as refused:
                send_upload(fake)
            assert getattr(refused.value, "code", None) == 404, key
        with pytest.raises(Exception) as gone:
            send_upload(StoredFile("essai/" + "a" * 32, "x.pdf", "application/pdf", 1, ""))
        assert getattr(gone.value, "code", None) == 404


def test_a_record_changed_by_hand_cannot_make_a_file_html(uploads, coordinator):
    piece = piece_of(uploads, send(coordinator, *GOOD["png"][:2]))
    with uploads.app_context():
        row = session.get(Piece, piece.id)
        row.file = StoredFile(row.file.key, "page.html", "text/html", row.file.size, row.file.sha256)
        session.commit()
    response = coordinator.get(f"/essai/pieces/{piece.id}")
    assert response.headers["Content-Type"] == "image/png"
    assert "page.html.png" in response.headers["Content-Disposition"]


# --- removed with their record -------------------------------------------------------------


def test_deleting_the_record_removes_the_file(uploads, coordinator):
    piece = piece_of(uploads, send(coordinator, *GOOD["jpeg"][:2]))
    path = upload_dir(uploads) / piece.file.key.split("/")[1]
    assert path.exists()
    response = coordinator.post(f"/essai/pieces/{piece.id}/supprimer",
                                data={"csrf_token": csrf_token(coordinator)})
    assert response.status_code == 303
    assert not path.exists()
    assert coordinator.get(f"/essai/pieces/{piece.id}").status_code == 404


def test_a_deletion_rolled_back_keeps_the_file(uploads, coordinator):
    piece = piece_of(uploads, send(coordinator, *GOOD["jpeg"][:2]))
    path = upload_dir(uploads) / piece.file.key.split("/")[1]
    with uploads.app_context():
        delete_upload(piece.file)
        session.rollback()
        session.commit()  # a later commit does not carry the forgotten deletion
    assert path.exists()


def test_a_file_stored_by_a_transaction_that_fails_is_removed(uploads, coordinator):
    before = stored_files(uploads)
    uploads.config["PROPAGATE_EXCEPTIONS"] = False  # the error page, as a user gets it
    try:
        response = send(coordinator, "plan.pdf", GOOD["pdf"][1], url="/essai/echec")
    finally:
        uploads.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert stored_files(uploads) == before
    with uploads.app_context():
        assert session.scalars(select(Piece)).all() == []


def test_a_row_without_its_optional_file_reads_none(uploads, coordinator):
    piece = piece_of(uploads, send(coordinator, *GOOD["pdf"][:2]))
    assert piece.scan is None
    delete_upload(None)  # nothing to do, no error


# --- any bytes, any name ---------------------------------------------------------------------

SIGNATURES = [b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"\xff\xd8\xff\xe0",
              b"RIFF\x00\x00\x00\x00WEBPVP8 ", b"<svg", b"<html>", b"GIF89a", b"PK\x03\x04"]


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(content=st.one_of(
           st.binary(max_size=300),
           st.tuples(st.sampled_from(SIGNATURES), st.binary(max_size=300)).map(b"".join)),
       name=st.text(max_size=80).filter(lambda name: "\r" not in name and "\n" not in name))
def test_any_bytes_under_any_name_never_fail_and_only_allowed_kinds_are_kept(
        uploads, coordinator, content, name):
    before = stored_files(uploads)
    response = send(coordinator, name or "x", content)
    # 400: the test client writes a name ending in a backslash unescaped (filename="\"),
    # and the part then reads as a text field, refused for its NUL: a French page too.
    assert response.status_code in {303, 400, INVALID_FORM_STATUS}, response.status_code
    assert "Traceback" not in response.get_data(as_text=True)
    added = stored_files(uploads) - before
    if response.status_code == 303:
        kind = detect_kind(content[:16])
        assert kind is not None and kind.name in KINDS
        [path] = added
        assert path.read_bytes() == content
    else:
        assert added == set()
