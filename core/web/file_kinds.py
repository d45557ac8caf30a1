"""What an uploaded file is, read from its first bytes (never from its name), and the
name it may be shown under.

Only four kinds are ever accepted: PDF, PNG, JPEG and WebP. Everything else — SVG and
HTML (which a browser runs as a page), scripts, programs, office files, archives, a file
that starts like nothing we know — is unknown, and unknown is refused.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

HEAD_BYTES = 16  # enough for every signature below


@dataclass(frozen=True, slots=True)
class FileKind:
    name: str  # what plugins write in ``kinds=``
    label: str  # what a French message calls it
    content_type: str
    extensions: tuple[str, ...]  # the first is the one a download name gets
    inline: bool  # a browser shows it in the tab rather than saving it


KINDS: dict[str, FileKind] = {
    kind.name: kind for kind in (
        FileKind("pdf", "PDF", "application/pdf", (".pdf",), inline=True),
        FileKind("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg", ".jpe", ".jfif"), inline=True),
        FileKind("png", "PNG", "image/png", (".png",), inline=True),
        FileKind("webp", "WebP", "image/webp", (".webp",), inline=True),
    )
}
IMAGES = ("jpeg", "png", "webp")
DOCUMENTS = ("pdf", *IMAGES)

_PNG = b"\x89PNG\r\n\x1a\n"
_PDF_VERSION = re.compile(rb"%PDF-[12]\.[0-9]")


def detect_kind(head: bytes) -> FileKind | None:
    """The kind the file's first bytes announce, or None.

    Signatures are checked where the formats put them, and a little past the magic number
    where the format allows it (the PNG header chunk, the WebP codec), so that a text file
    starting with "RIFF" or "%PDF" by chance is not taken for one.
    """
    if _PDF_VERSION.match(head):
        return KINDS["pdf"]
    if head.startswith(_PNG) and head[12:16] == b"IHDR":
        return KINDS["png"]
    # Start of image, then a marker segment (APPn, DQT, SOF, COM…): never FF00 or FFFF.
    if head[:3] == b"\xff\xd8\xff" and len(head) > 3 and 0xC0 <= head[3] <= 0xFE:
        return KINDS["jpeg"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and head[12:16] in {b"VP8 ", b"VP8L", b"VP8X"}:
        return KINDS["webp"]
    return None


def allowed_kinds(kinds: Iterable[str]) -> tuple[FileKind, ...]:
    found = tuple(dict.fromkeys(kinds))
    unknown = [name for name in found if name not in KINDS]
    if not found or unknown:
        raise ValueError(f"kinds are among {sorted(KINDS)}, not {list(found)!r}")
    return tuple(KINDS[name] for name in found)


def kinds_text(kinds: Iterable[FileKind]) -> str:
    """« PDF, JPEG ou PNG »."""
    labels = [kind.label for kind in kinds]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} ou {labels[-1]}"


def size_text(size: int) -> str:
    """« 5 Mo », « 1,5 Mo », « 500 ko » (binary units, as file managers count them)."""
    for unit, factor in (("Mo", 1024 * 1024), ("ko", 1024)):
        if size >= factor:
            value = round(size / factor, 1)
            shown = f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")
            return f"{shown} {unit}"
    return f"{size} octets"


# Built from Python's own table only, not the system's /etc/mime.types: the same answer
# on every machine.
_TYPES = mimetypes.MimeTypes(filenames=())


def named_type(name: str) -> str | None:
    """The type the name's extension announces (``.html``: text/html), None when it names
    none (``scan``, ``Relevé.2024``)."""
    if name.lower().endswith(".jfif"):
        return "image/jpeg"
    found, _encoding = _TYPES.guess_type(name, strict=False)
    return found


NAME_LENGTH = 120
# What Windows and the Content-Disposition header cannot carry in a file name.
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f"*/:<>?\\|]+')


def display_name(name: str | None) -> str:
    """The name a person gave the file, fit to show and to offer as a download name.

    The folders a browser may send with it are dropped; control and invisible formatting
    characters (a right-to-left override turns « gpj.exe » into « exe.jpg » on screen) and
    what a file system refuses go; leading dots (« .. », hidden files) go; it is cut to
    120 characters, keeping its extension. ``fichier`` when nothing is left.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(char for char in text if unicodedata.category(char) not in {"Cc", "Cf", "Cs"})
    text = " ".join(_FORBIDDEN.sub("-", text).split()).lstrip(" .-")
    if len(text) > NAME_LENGTH:
        stem, dot, extension = text.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            text = f"{stem[:NAME_LENGTH - len(extension) - 1].rstrip(' .-')}.{extension}"
        else:
            text = text[:NAME_LENGTH]
    return text.rstrip(" .") or "fichier"


def download_name(name: str, kind: FileKind) -> str:
    """``name`` made safe, ending with the extension of what the file really is."""
    shown = display_name(name)
    lowered = shown.lower()
    if any(lowered.endswith(extension) for extension in kind.extensions):
        return shown
    return f"{shown}{kind.extensions[0]}"
