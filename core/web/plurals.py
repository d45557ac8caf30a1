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
from flask import Flask, has_app_context
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
    """Babel's domain, whose translations fall back on the French source.

    The app has one locale (core.app selects dates.LOCALE_NAME), so its catalog is found
    once: Flask-Babel looks the locale and the catalog up again for every message (some
    20 µs), and a week of the agenda says « N places libres » on hundreds of cards.
    """

    def __init__(self) -> None:
        super().__init__()
        self._translations: Any = None

    def get_translations(self) -> Any:
        if self._translations is not None:
            return self._translations
        translations = super().get_translations()
        if not has_app_context():  # Flask-Babel's stand-in outside the app: not kept
            return translations
        if getattr(translations, "_fallback", None) is None:
            translations.add_fallback(FrenchSource())
        self._translations = translations
        return translations


def init_app(app: Flask) -> None:
    domain = FrenchSourceDomain()
    app.extensions["babel"].instance.domain_instance = domain
    # Flask-Babel's template callables find the request's domain first, for each message;
    # there is one domain.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
