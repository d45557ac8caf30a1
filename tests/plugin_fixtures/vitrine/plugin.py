"""A plugin with a public page (a notice board anyone reads, a form anyone sends, at most
twice an hour from one address) beside a page of its own that stays behind the login."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template_string
from flask_wtf import FlaskForm
from wtforms import StringField

from core.plugin_api import (
    Level,
    RateLimited,
    access,
    association_or_404,
    client_address,
    external_url,
    hookimpl,
    public_page,
    rate_limit,
)

bp = Blueprint("vitrine", __name__, url_prefix="/p/vitrine")
SENT: list[str] = []  # what the form received, for the tests


class NoteForm(FlaskForm):
    note = StringField("Message")


@hookimpl
def blueprint() -> Blueprint:
    return bp


@bp.route("/<association>/annonces", methods=["GET", "POST"])
@public_page
def notices(association: str) -> tuple[str, int]:
    current = association_or_404()
    form = NoteForm()
    if form.is_submitted():
        try:
            rate_limit("vitrine-note", 2, timedelta(hours=1))
        except RateLimited as refused:
            return refused.message, 429
        if form.validate():
            SENT.append(f"{form.note.data} ({client_address()})")
            return "Merci", 201
    link = external_url("vitrine.notices", association=current.slug)
    return render_template_string("Annonces de {{ name }} {{ link }}", name=current.name, link=link), 200


@bp.route("/<association>/interne")
@access(Level.PUBLIC)  # the login is still asked: plugin pages are public only by @public_page
def inside(association: str) -> str:
    return f"Interne de {association_or_404().name}"
