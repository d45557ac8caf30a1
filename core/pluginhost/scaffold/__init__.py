"""Generates a new plugin package (written by `maillage plugins new`).

The package is rendered from the files of ``template/``: each ``*.tmpl`` file is a
``string.Template`` with these placeholders: ``$name`` (the plugin's name, also its
package, blueprint and table prefix), ``$title`` (shown to users, in French, accents
included: ``--title``, or the name with its first letter up), ``$distribution``
(the name pip knows it by) and ``$created`` (the date of the first migration).
Write ``${name}_notes`` when letters follow a placeholder, ``$$`` for a dollar sign.
"""

from __future__ import annotations

import importlib.util
import re
from datetime import UTC, datetime
from pathlib import Path
from string import Template

from core.pluginhost.registry import NAME_RULE

TEMPLATE_DIR = Path(__file__).resolve().parent / "template"

# PostgreSQL keeps 63 characters of an identifier; the longest one the package declares
# is the foreign key fk_<name>_notes_association_id_associations. A longer name would
# make SQLAlchemy shorten it with a hash, and the migration would no longer match.
POSTGRESQL_IDENTIFIER_LIMIT = 63
LONGEST_NAME_PATTERN = "fk_{name}_notes_association_id_associations"
MAX_NAME_LENGTH = POSTGRESQL_IDENTIFIER_LIMIT - len(LONGEST_NAME_PATTERN.format(name=""))

# Template file -> path inside the new folder DIR/NAME/ ("{name}": the plugin's name).
FILES = (
    ("pyproject.toml.tmpl", "pyproject.toml"),
    ("README.md.tmpl", "README.md"),
    ("package/__init__.py.tmpl", "{name}/__init__.py"),
    ("package/plugin.py.tmpl", "{name}/plugin.py"),
    ("package/models.py.tmpl", "{name}/models.py"),
    ("package/forms.py.tmpl", "{name}/forms.py"),
    ("package/views.py.tmpl", "{name}/views.py"),
    ("package/templates/index.html.tmpl", "{name}/templates/{name}/index.html"),
    ("package/templates/widget.html.tmpl", "{name}/templates/{name}/widget.html"),
    ("package/migrations/initial.py.tmpl", "{name}/migrations/versions/{name}_0001_initial.py"),
    ("tests/test_plugin.py.tmpl", "tests/test_{name}.py"),
)


# Written between double quotes in Python and TOML: no quote, backslash or control character.
TITLE_RULE = re.compile(r'^[^"\\\x00-\x1f\x7f]{2,60}$')


class ScaffoldError(Exception):
    """The plugin cannot be generated; the message (French) says why."""


def check_name(name: str) -> None:
    if not NAME_RULE.fullmatch(name):
        raise ScaffoldError(
            f"Nom « {name} » invalide : lettres minuscules, chiffres et _ seulement, "
            f"commençant par une lettre (2 à {MAX_NAME_LENGTH} caractères)."
        )
    if len(name) > MAX_NAME_LENGTH:
        raise ScaffoldError(
            f"Nom « {name} » trop long : {MAX_NAME_LENGTH} caractères au plus, pour que les "
            f"noms de contraintes de la base tiennent dans la limite de PostgreSQL "
            f"({POSTGRESQL_IDENTIFIER_LIMIT} caractères)."
        )
    if importlib.util.find_spec(name) is not None:
        raise ScaffoldError(
            f"Nom « {name} » déjà pris : un module Python de ce nom est importable ici "
            "(bibliothèque ou module déjà installé). Choisissez un autre nom."
        )


def title_of(name: str) -> str:
    return name.replace("_", " ").capitalize()


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not TITLE_RULE.fullmatch(title):
        raise ScaffoldError(
            f"Titre « {title} » invalide : 2 à 60 caractères, sans guillemet droit (\") ni "
            "barre oblique inverse (\\) ; les guillemets « » vont bien."
        )
    return title


def render(name: str, title: str | None = None) -> dict[str, str]:
    """Path inside the new folder -> content, for every file of the package."""
    values = {
        "name": name,
        "title": check_title(title) if title is not None else title_of(name),
        "distribution": f"maillage-{name.replace('_', '-')}",
        "created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
    return {
        destination.format(name=name): Template(
            (TEMPLATE_DIR / source).read_text(encoding="utf-8")
        ).substitute(values)
        for source, destination in FILES
    }


def generate(name: str, directory: Path, title: str | None = None) -> Path:
    """Write the package of a new plugin in ``directory/name`` and return that folder;
    ``title`` is the French name users see (« Prêt de matériel »).

    Its tests pass at once: ``pip install -e <folder>`` then ``pytest <folder>``.
    """
    check_name(name)
    target = Path(directory) / name
    if target.exists():
        raise ScaffoldError(
            f"Le dossier {target} existe déjà : rien n'a été écrit. "
            "Choisissez un autre dossier (--dir) ou un autre nom."
        )
    files = render(name, title)  # every template first: a broken one leaves nothing behind
    target.mkdir(parents=True)
    for relative, content in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return target
