from __future__ import annotations

from flask import Blueprint

from core.plugin_api import AssociationRef, PersonRef, Section, hookimpl

# What a person could type into a plugin's form: it must reach the page as text.
TYPED = "<script>alert('texte_brut')</script>"

bp = Blueprint("texte_brut", __name__, url_prefix="/p/texte_brut", template_folder="templates")


@hookimpl
def blueprint() -> Blueprint:
    return bp


@hookimpl
def association_sections(association: AssociationRef) -> list[Section]:
    return [Section(title="Note en texte", template="texte_brut/note.txt",
                    context={"note": TYPED})]


@hookimpl
def dashboard_widgets(association: AssociationRef) -> list[Section]:
    # A link to pages for coordinators: a volunteer is not shown it.
    return [Section(title="Pour la coordination", template="texte_brut/note.txt",
                    context={"note": "suivi"}, minimum_role="coordinator"),
            Section(title="Pour tous", template="texte_brut/note.txt", context={"note": "bienvenue"})]


@hookimpl
def person_sections(person: PersonRef) -> list[Section]:
    return [Section(title="Note sans extension", template="texte_brut/note",
                    context={"note": TYPED})]
