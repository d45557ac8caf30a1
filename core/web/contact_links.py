"""Phones and emails as links a phone can follow: ``{{ person.phone | tel }}``,
``{{ person.email | mailto }}`` in any template (plugins' too)."""

from __future__ import annotations

from markupsafe import Markup


def tel(number: str | None) -> Markup:
    """``<a href="tel:…">`` around the number as typed; nothing for no number."""
    if not number or not number.strip():
        return Markup("")
    dialable = "".join(char for char in number if char in "+0123456789")
    return Markup('<a href="tel:{}">{}</a>').format(dialable, number.strip())


def mailto(address: str | None) -> Markup:
    if not address or not address.strip():
        return Markup("")
    return Markup('<a href="mailto:{0}">{0}</a>').format(address.strip())
