"""The one shape of a refusal a rule of the domain gives: a French message for the user, and
the form field it belongs next to. Engines raise it (or a subclass); views put it on the form."""

from __future__ import annotations


class Refused(Exception):
    """``str(refused)`` (or ``.message``) is for the user, in French, next to the form field
    named ``field`` (``None``: the whole form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    @property
    def message(self) -> str:
        return str(self)
