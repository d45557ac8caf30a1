"""French plurals through Babel's ``ngettext``, in templates and in Python.

The interface is written in French and ships no catalog, so every message is its own
translation. Babel then falls back to the English rule (singular only for 1: "0 personnes");
the source here follows the French one (singular for 0 and 1: "0 personne", "1 personne",
"3 personnes"). A catalog added later still wins: this only answers what it does not hold.

In a template (the i18n extension is on, new style: ``num`` is filled in)::

    {{ ngettext("%(num)d personne accompagnée", "%(num)d personnes accompagnées", count) }}

In Python: ``flask_babel.ngettext`` (plugins: ``core.plugin_api.ngettext``), same arguments.
"""

from __future__ import annotations

from typing import Any

from babel.support import NullTranslations
from flask import Flask
from flask_babel import Domain


def french_plural(count: float) -> int:
    """CLDR's French rule: 0 and 1 (and 1.5) take the singular."""
    return 0 if abs(count) < 2 else 1


class FrenchSource(NullTranslations):
    """The messages as written, with the French plural rule."""

    def ngettext(self, singular: str, plural: str, count: Any) -> str:  # type: ignore[override]
        return singular if french_plural(count) == 0 else plural

    def npgettext(self, _context: str, singular: str, plural: str, count: Any) -> str:  # type: ignore[override]
        return self.ngettext(singular, plural, count)

    ungettext = ngettext
    unpgettext = npgettext


class FrenchSourceDomain(Domain):
    """Babel's domain, whose translations fall back on the French source."""

    def get_translations(self) -> Any:
        translations = super().get_translations()
        if getattr(translations, "_fallback", None) is None:  # once: the result is cached
            translations.add_fallback(FrenchSource())
        return translations


def init_app(app: Flask) -> None:
    app.extensions["babel"].instance.domain_instance = FrenchSourceDomain()
