from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import click
from flask import Blueprint, abort, flash, render_template
from flask_wtf import FlaskForm
from sqlalchemy import delete, func, select
from werkzeug.wrappers import Response
from wtforms import IntegerField, StringField
from wtforms.validators import NumberRange

from core.plugin_api import (
    AgendaItem,
    AssociationRef,
    BookingRefused,
    Indicator,
    Level,
    NavEntry,
    PermissionDecl,
    PersonalData,
    PersonRef,
    PluginSettings,
    Section,
    access,
    association_or_404,
    book,
    bookable_info,
    current_person,
    hookimpl,
    max_length,
    plugin_associations,
    required,
    see_other,
    session,
    settings_for,
)
from tests.plugin_fixtures.exemplum.models import ExempleItem

bp = Blueprint("exemplum", __name__, url_prefix="/p/exemplum", template_folder="templates")


@bp.get("/")
@access(Level.MEMBER)
def home() -> str:
    return render_template("exemplum/home.html", associations=plugin_associations())


@bp.get("/<association>/")
@access(Level.MEMBER)
def index(association: str) -> str:
    ref = association_or_404()
    items = session.scalars(select(ExempleItem).where(ExempleItem.association_id == ref.id)).all()
    return render_template("exemplum/index.html", association=ref, items=items,
                           settings=settings_for("exemplum", ref))


@bp.post("/<association>/reserver/<int:bookable_id>")
@access(Level.MEMBER)
def reserve(association: str, bookable_id: int) -> Response:
    """Books the current user through the booking API."""
    ref = association_or_404()
    bookable = bookable_info(bookable_id)
    # An id from the URL: only this plugin's bookables, in this association, exist here.
    if bookable is None or bookable.owner != "exemplum" or bookable.association_id != ref.id:
        abort(404)
    person = current_person()
    assert person is not None  # @access: logged in
    try:
        booking = book(bookable_id, person.id, booked_by_id=person.id)
    except BookingRefused as refusal:
        session.rollback()
        flash(str(refusal), "error")
        return see_other("exemplum.index", association=ref.slug)
    session.commit()
    flash("Vous êtes inscrit·e." if booking.status == "confirmed"
          else f"En liste d'attente (position {booking.waitlist_position}).", "success")
    return see_other("exemplum.index", association=ref.slug)


class ExempleSettings(FlaskForm):
    greeting = StringField("Formule d'accueil", validators=[required(), max_length(40)])
    weekly_hours = IntegerField("Heures par semaine", validators=[
        NumberRange(min=1, max=35, message="Entre 1 et 35 heures.")])


@hookimpl
def blueprint() -> Blueprint:
    return bp


@hookimpl
def navigation() -> list[NavEntry]:
    return [NavEntry(label="Exemple", endpoint="exemplum.home", weight=10)]


@hookimpl
def dashboard_widgets(association: AssociationRef) -> list[Section]:
    count = session.scalar(select(func.count(ExempleItem.id))
                           .where(ExempleItem.association_id == association.id))
    return [Section(title="Éléments d'exemple", template="exemplum/widget.html",
                    context={"count": count, "association": association})]


@hookimpl
def agenda_items(association: AssociationRef, start: datetime, end: datetime) -> list[AgendaItem]:
    items = session.scalars(
        select(ExempleItem).where(ExempleItem.association_id == association.id,
                                  ExempleItem.starts_at < end,
                                  ExempleItem.starts_at > start - timedelta(hours=1))
    )
    return [
        AgendaItem(title=item.label, start=item.starts_at, end=item.starts_at + timedelta(hours=1),
                   uid=f"item-{item.id}", kind="workshop", visibility=item.visibility,
                   person_ids=frozenset({item.person_id}) if item.person_id else frozenset())
        for item in items if item.starts_at is not None
    ]


@hookimpl
def person_sections(association: AssociationRef, person: PersonRef) -> list[Section]:
    return [Section(title="Exemple", template="exemplum/widget.html",
                    context={"count": 0, "association": association, "person": person})]


@hookimpl
def association_sections(association: AssociationRef) -> list[Section]:
    return [Section(title="Exemple pour l'association", template="exemplum/widget.html",
                    context={"count": 0, "association": association})]


@hookimpl
def settings_form() -> PluginSettings:
    return PluginSettings(form=ExempleSettings, defaults={"greeting": "Bonjour", "weekly_hours": 4})


@hookimpl
def permissions() -> list[PermissionDecl]:
    return [PermissionDecl(name="exemplum.edit", label="Modifier les exemples")]


@click.command("compter", help="Compte les éléments d'exemple.")
def count_items() -> None:
    click.echo(f"{session.scalar(select(func.count(ExempleItem.id)))} élément(s)")


@hookimpl
def cli_commands() -> list[click.Command]:
    return [count_items]


@hookimpl
def migrations_location() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def export_person_data(person: PersonRef, associations: frozenset[int] | None) -> PersonalData:
    query = select(ExempleItem).where(ExempleItem.person_id == person.id)
    if associations is not None:
        query = query.where(ExempleItem.association_id.in_(associations))
    return PersonalData(title="Exemple", records=[
        {"association_id": i.association_id, "label": i.label} for i in session.scalars(query)])


@hookimpl
def erase_person_data(person: PersonRef) -> int:
    result = session.execute(delete(ExempleItem).where(ExempleItem.person_id == person.id))
    return result.rowcount or 0


@hookimpl
def report_indicators(association: AssociationRef, period_start: date,
                      period_end: date) -> list[Indicator]:
    count = session.scalar(select(func.count(ExempleItem.id))
                           .where(ExempleItem.association_id == association.id))
    return [Indicator(key="exemplum.items", label="Éléments", value=count or 0)]
