"""Files people upload — photos, plans, certificates, signed agreements: the one helper
every plugin uses (``store_upload``, ``send_upload``, ``delete_upload``, ``StoredFile``,
``UploadField``, ``accepts_uploads``, in ``core.plugin_api``).

- Stored under ``UPLOAD_DIR`` (``instance/uploads`` by default), a folder per plugin,
  under a random name: never in a static folder, never under the name a person gave, so a
  file is never served by anything but ``send_upload`` and never run.
- Judged on its content: its first bytes say what it is (core/web/file_kinds.py), its size
  is counted as it is written; the name only has to agree with the content.
- Found again by its key (``plugin/random``), checked against a pattern before it becomes
  a path: a key is an id, never a path a request could steer.
- Served by the plugin's own view, which decides who may read it, with the type read
  again from the content, ``nosniff``, no caching and a policy that runs nothing.
- Written and removed with the transaction that saves or deletes its record: a file
  stored by a transaction that rolls back is removed, a file deleted by one that rolls
  back stays.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from flask import Flask, Request, Response, abort, current_app, send_file
from sqlalchemy import Integer, String, event
from sqlalchemy.orm import Composite, Session, SessionTransaction, composite, mapped_column
from werkzeug.datastructures import FileStorage

from core.web.file_kinds import (
    HEAD_BYTES,
    FileKind,
    allowed_kinds,
    detect_kind,
    display_name,
    kinds_text,
    named_type,
    size_text,
)
from core.web.file_kinds import download_name as safe_download_name

CHUNK = 64 * 1024
# What a form around the files adds to a request: its text fields, the multipart framing.
FORM_ALLOWANCE = 256 * 1024

KEY = re.compile(r"([a-z][a-z0-9_]{1,38})/([A-Za-z0-9_-]{32})")
PLUGIN_NAME = re.compile(r"[a-z][a-z0-9_]{1,38}")  # the plugin host's rule for names

EMPTY = "Le fichier est vide."
NO_FILE = "Choisissez un fichier."


def too_big(max_bytes: int) -> str:
    return f"Fichier trop volumineux ({size_text(max_bytes)} au plus)."


def refused_type(kinds: Iterable[FileKind]) -> str:
    return f"Type de fichier refusé : {kinds_text(kinds)} seulement."


def name_disagrees(kind: FileKind, extension: str) -> str:
    return (f"Ce fichier est un {kind.label}, mais son nom se termine par {extension} : "
            "choisissez le bon fichier.")


class UploadRefused(ValueError):
    """The file is not accepted; ``str(error)`` says why, in French, for the person."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A stored file, as a plugin keeps it next to its record (see ``stored_file_column``).

    ``key`` finds the file (``"<plugin>/…"``: 32 random characters after the plugin's name);
    ``original_name`` is the name it was sent under, cleaned, for display only;
    ``content_type`` is what its content is; ``size`` in bytes; ``sha256`` in hex.
    """

    key: str
    original_name: str
    content_type: str
    size: int
    sha256: str

    def __composite_values__(self) -> tuple[str, str, str, int, str]:
        # How stored_file_column writes it into its five columns.
        return (self.key, self.original_name, self.content_type, self.size, self.sha256)


# --- checking ----------------------------------------------------------------------------


def _head_and_size(stream: IO[bytes]) -> tuple[bytes, int]:
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return head, size


def check_upload(file: FileStorage | None, kinds: Iterable[str], max_bytes: int) -> FileKind:
    """The file's kind if it is one of ``kinds``, not empty and at most ``max_bytes``;
    else ``UploadRefused`` with the message for the person. The stream is left at its start."""
    allowed = allowed_kinds(kinds)
    if file is None or not isinstance(file, FileStorage) or not file.filename:
        raise UploadRefused(NO_FILE)
    head, size = _head_and_size(file.stream)
    if size == 0:
        raise UploadRefused(EMPTY)
    if size > max_bytes:
        raise UploadRefused(too_big(max_bytes))
    kind = detect_kind(head)
    if kind is None or kind not in allowed:
        raise UploadRefused(refused_type(allowed))
    _check_name(display_name(file.filename), kind)
    return kind


def _check_name(name: str, kind: FileKind) -> None:
    """A name whose extension announces another type (a PNG named ``plan.pdf``, a PDF named
    ``photo.png``, an image named ``page.html``) is refused: one of the two is wrong, and
    the person should know which file they sent. A name without a known extension is left
    to the content."""
    announced = named_type(name)
    if announced is not None and announced != kind.content_type:
        raise UploadRefused(name_disagrees(kind, "." + name.rsplit(".", 1)[-1].lower()))


# --- storing -----------------------------------------------------------------------------


def upload_root(app: Flask | None = None) -> Path:
    app = app or current_app
    return Path(app.config.get("UPLOAD_DIR") or Path(app.instance_path) / "uploads")


def _path_of(key: str) -> Path:
    """The file of a key; 404 for anything that is not a key (a path, ``..``, a NUL)."""
    found = KEY.fullmatch(key) if isinstance(key, str) else None
    if found is None:
        abort(404)
    root = upload_root().resolve()
    path = (root / found.group(1) / found.group(2)).resolve()
    if path.parent.parent != root:  # cannot happen with the pattern; never rely on one check
        abort(404)
    return path


def store_upload(file: FileStorage | None, *, plugin: str, kinds: Iterable[str],
                 max_bytes: int) -> StoredFile:
    """Check the file (as ``UploadField`` does) and store it in the plugin's folder.

    Raises ``UploadRefused`` (its message is the person's) when the file is refused. The
    file stays only if the current transaction commits: keep the returned ``StoredFile``
    in your record, in the same transaction.
    """
    if not PLUGIN_NAME.fullmatch(plugin):
        raise ValueError(f"plugin is a plugin's name, not {plugin!r}")
    kind = check_upload(file, kinds, max_bytes)
    assert file is not None  # checked above
    folder = upload_root() / plugin
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    final = folder / token
    partial = folder / f".{token}.part"
    digest = hashlib.sha256()
    size = 0
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            file.stream.seek(0)
            while chunk := file.stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:  # the stream grew since it was measured
                    raise UploadRefused(too_big(max_bytes))
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    stored = StoredFile(key=f"{plugin}/{token}", original_name=display_name(file.filename),
                        content_type=kind.content_type, size=size, sha256=digest.hexdigest())
    _pending(_STORED).append(final)
    return stored


def delete_upload(stored: StoredFile | str | None) -> None:
    """Remove the file when the current transaction commits — the one deleting its record,
    or anonymising the person. Nothing happens if it rolls back; a file already gone is
    not an error."""
    if stored is None:
        return
    key = stored.key if isinstance(stored, StoredFile) else stored
    _pending(_DELETED).append(_path_of(key))


# --- serving -----------------------------------------------------------------------------

# A policy of its own for a served file: nothing in it may run or fetch anything. An image
# is shown by the browser in a page of its own making (hence the inline style), sandboxed;
# a PDF is not sandboxed, because Chromium's viewer refuses to open in a sandboxed page.
_FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; " \
               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
IMAGE_POLICY = f"{_FILE_POLICY}; sandbox"
PDF_POLICY = _FILE_POLICY


def send_upload(stored: StoredFile, *, download_name: str | None = None,
                attachment: bool = False) -> Response:
    """The file, for a view that has checked the person may read it (404 if it is gone).

    Its type is read again from its content (a record changed by hand cannot make it
    HTML); shown in the browser (images and PDFs), or saved with ``attachment=True``,
    under ``download_name`` or its original name, with the extension of what it is.
    """
    path = _path_of(stored.key)
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except FileNotFoundError:
        abort(404)
    kind = detect_kind(head)
    if kind is None:
        current_app.logger.error("upload %s: its content is no longer an accepted kind", stored.key)
        abort(404)
    name = safe_download_name(download_name or stored.original_name, kind)
    response = send_file(path, mimetype=kind.content_type, as_attachment=attachment or not kind.inline,
                         download_name=name, conditional=True, etag=stored.sha256 or True,
                         max_age=None)
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cache-Control"] = "private, no-store"
    headers["Content-Security-Policy"] = PDF_POLICY if kind.name == "pdf" else IMAGE_POLICY
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response



# --- the request's size limit --------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])
_LIMIT_ATTRIBUTE = "upload_request_limit"


def accepts_uploads(max_bytes: int) -> Callable[[F], F]:
    """This route's requests may carry files of up to ``max_bytes`` in all, the form's
    other fields allowed on top (above or below ``MAX_CONTENT_LENGTH``, which every other
    route keeps). Put it under ``@access``, next to the view."""
    if max_bytes <= 0:
        raise ValueError("accepts_uploads needs a positive number of bytes")

    def decorate(view: F) -> F:
        setattr(view, _LIMIT_ATTRIBUTE, max_bytes + FORM_ALLOWANCE)
        return view

    return decorate


class UploadLimitRequest(Request):
    """A request whose size limit is its route's, when the route accepts uploads.

    Decided when the body is first read, which the CSRF check does before any view runs:
    a limit set in the view would come too late.
    """

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        if self._max_content_length is None and self.url_rule is not None and current_app:
            view = current_app.view_functions.get(self.url_rule.endpoint)
            limit = getattr(view, _LIMIT_ATTRIBUTE, None)
            if limit is not None:
                return int(limit)
        return Request.max_content_length.fget(self)  # type: ignore[attr-defined]

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


# --- keeping a StoredFile in a plugin's table ----------------------------------------------


def stored_file_column(prefix: str = "file", *,
                       nullable: bool = False) -> Composite[StoredFile | None]:
    """Five columns of the plugin's table holding a ``StoredFile``: ``<prefix>_key``
    (unique), ``<prefix>_name``, ``<prefix>_type``, ``<prefix>_size``, ``<prefix>_sha256``.

    ``photo: Mapped[StoredFile] = stored_file_column("photo")``; ``row.photo`` is a
    ``StoredFile``: set it to the one ``store_upload`` returned. With ``nullable=True``
    (``Mapped[StoredFile | None]``) a row may have no file: it reads as None.
    """
    return composite(
        _stored_or_none,
        mapped_column(f"{prefix}_key", String(80), unique=True, nullable=nullable),
        mapped_column(f"{prefix}_name", String(200), nullable=nullable),
        mapped_column(f"{prefix}_type", String(40), nullable=nullable),
        mapped_column(f"{prefix}_size", Integer, nullable=nullable),
        mapped_column(f"{prefix}_sha256", String(64), nullable=nullable),
    )


def _stored_or_none(key: str | None, *values: Any) -> StoredFile | None:
    # A row without a file reads as None, not as a StoredFile of Nones.
    return None if key is None else StoredFile(key, *values)


# --- files follow their transaction --------------------------------------------------------

_STORED = "maillage.uploads_stored"
_DELETED = "maillage.uploads_deleted"


def _pending(name: str) -> list[Path]:
    from core.database import session

    if not session.in_transaction():
        # So that the commit (or the rollback) that follows is this transaction's.
        session.begin()
    return session.info.setdefault(name, [])


def _after_commit(db_session: Session) -> None:
    db_session.info.pop(_STORED, None)  # saved with their records: they stay
    for path in db_session.info.pop(_DELETED, []):
        try:
            path.unlink(missing_ok=True)
        except OSError:  # the record is gone; a file left behind must not undo it
            current_app.logger.exception("upload %s could not be removed", path.name)


def _after_transaction_end(db_session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a savepoint: the transaction goes on
        return
    # Still there: the transaction ended without a commit (rolled back, or closed).
    db_session.info.pop(_DELETED, None)
    for path in db_session.info.pop(_STORED, []):
        path.unlink(missing_ok=True)


event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_transaction_end", _after_transaction_end)


def init_app(app: Flask) -> None:
    app.request_class = UploadLimitRequest
