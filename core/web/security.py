"""Response headers and redirect targets."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def is_safe_redirect(target: str | None) -> bool:
    """Only a path of this site, as a browser would resolve it.

    Browsers drop tabs and newlines from URLs, read "\\" as "/", and resolve "." and ".."
    segments; an encoded slash may be decoded by a proxy or by the next redirect. So the
    target is judged once fully decoded and resolved: what is left must be a path starting
    with exactly one "/", and nothing in it may be a control character or a backslash.
    """
    if not target or len(target) > MAX_REDIRECT_LENGTH:
        return False
    decoded = _fully_unquoted(target)
    if decoded is None or any(ord(char) < 32 or char in "\\\x7f" for char in decoded):
        return False
    for form in (target, decoded):
        parts = urlsplit(form)
        if not form.startswith("/") or form.startswith("//") or parts.scheme or parts.netloc:
            return False
        if _resolved(parts.path).startswith("//"):
            return False
    return True


MAX_REDIRECT_LENGTH = 2000
_UNQUOTE_ROUNDS = 4


def _fully_unquoted(value: str) -> str | None:
    """Percent-decoded until nothing changes; None if it keeps changing (nested encodings)."""
    for _ in range(_UNQUOTE_ROUNDS):
        decoded = unquote(value)
        if decoded == value:
            return value
        value = decoded
    return None


def _resolved(path: str) -> str:
    """The path with its "." and ".." segments removed, as RFC 3986 (and browsers) do."""
    output: list[str] = []
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if output:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/" + "/".join(output)


def _add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # Every page may show someone's personal data: never keep a copy (a view's own
    # value that already says so, an uploaded file's "private, no-store", stays).
    static = request.endpoint == "static" or (request.endpoint or "").endswith(".static")
    if not static and "no-store" not in headers.get("Cache-Control", ""):
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_security_headers)
