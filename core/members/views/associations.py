from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from core.auth.permissions import Level, access, has_role, is_collective_admin, require
from core.database import session
from core.members.associations import Association
from core.members.forms import AssociationForm
from core.members.memberships import Membership
from core.members.neighbourhoods import Neighbourhood
from core.members.people import Person
from core.members.roles import Role
from core.members.scope import can_see_association_people
from core.members.views import bp
from core.pluginhost.host import get_host
from core.pluginhost.refs import association_ref
from core.web.exports import ExportColumn, export_table
from core.web.forms import INVALID_FORM_STATUS, add_error, name_taken
from core.web.reading import columns_as
from core.web.text import fold, slugify
from core.web.views import commit_or_conflict, search_term, see_other

TAKEN = "Ce nom est déjà utilisé par une autre association."


def _association_or_404(slug: str) -> Association:
    association = session.scalar(select(Association).where(Association.slug == slug))
    if association is None or (not association.active and not is_collective_admin()):
        abort(404)
    return association


def _form(association: Association | None = None) -> AssociationForm:
    form = AssociationForm(obj=association)
    form.neighbourhoods.choices = [
        (n.id, n.label) for n in session.scalars(select(Neighbourhood).order_by(Neighbourhood.name))
    ]
    if association is not None and not form.is_submitted():
        form.neighbourhoods.data = [n.id for n in association.neighbourhoods]
    return form


def _check_unique(form: AssociationForm, current: Association | None) -> bool:
    others = Association.id != (current.id if current else -1)
    ok = True
    if name_taken(Association.name, form.name.data, others):
        add_error(form.name, TAKEN)
        ok = False
    if name_taken(Association.short_name, form.short_name.data, others):
        add_error(form.short_name, "Ce nom court est déjà utilisé.")
        ok = False
    return ok


def _unique_slug(short_name: str, current: Association | None) -> str:
    base = slugify(short_name)
    slug, counter = base, 2
    while session.scalar(
        select(Association.id).where(
            Association.slug == slug, Association.id != (current.id if current else -1)
        )
    ):
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def _apply(form: AssociationForm, association: Association) -> None:
    for field in ("name", "short_name", "email", "phone", "address", "website"):
        setattr(association, field, getattr(form, field).data or "")
    chosen = set(form.neighbourhoods.data or [])
    association.neighbourhoods = list(
        session.scalars(select(Neighbourhood).where(Neighbourhood.id.in_(chosen)))
    )


@bp.get("/associations/")
@access(Level.MEMBER)
def association_list() -> str:
    term = search_term()
    show_inactive = is_collective_admin() and request.args.get("inactives") == "1"
    query = (
        select(Association)
        .options(selectinload(Association.neighbourhoods))
        .order_by(Association.name)
    )
    if not show_inactive:
        query = query.where(Association.active)
    associations = session.scalars(query).all()
    if term:
        # A collective has tens of associations: filtering here keeps accents out of SQL.
        wanted = fold(term)
        associations = [a for a in associations if wanted in fold(f"{a.name} {a.short_name}")]
    return render_template(
        "members/association_list.html",
        associations=associations,
        term=term,
        show_inactive=show_inactive,
    )


@bp.route("/associations/nouvelle", methods=["GET", "POST"])
@access(Level.COLLECTIVE_ADMIN)
def association_create() -> Response | tuple[str, int]:
    form = _form()
    if form.is_submitted():
        if form.validate() and _check_unique(form, None):
            association = Association(slug=_unique_slug(form.short_name.data, None))
            _apply(form, association)
            session.add(association)
            if commit_or_conflict(form.name, TAKEN):
                flash(f"Association « {association.name} » créée.", "success")
                return see_other("members.association_detail", slug=association.slug)
        return render_template("members/association_form.html", form=form,
                               association=None), INVALID_FORM_STATUS
    return render_template("members/association_form.html", form=form, association=None), 200


@bp.get("/associations/<slug>")
@access(Level.MEMBER)
def association_detail(slug: str) -> str:
    association = _association_or_404(slug)
    people = []
    counts: dict[Role, int] = {}
    if can_see_association_people(association):
        people = session.execute(
            select(Person, Membership.role)
            .join(Membership)
            .where(Membership.association_id == association.id, Person.active)
            .order_by(Person.last_name, Person.first_name)
            .limit(200)
        ).all()
    for role, count in session.execute(
        select(Membership.role, func.count())
        .join(Person)
        .where(Membership.association_id == association.id, Person.active)
        .group_by(Membership.role)
    ):
        counts[role] = count
    host = get_host()
    sections = host.render_sections(
        host.call_for(association.id, "association_sections",
                      association=association_ref(association))
    )
    return render_template(
        "members/association_detail.html",
        sections=sections,
        association=association,
        people=people,
        counts=counts,
        can_edit=has_role(association.id, Role.ADMIN),
        can_see_referrals=association.active and has_role(association.id, Role.COORDINATOR),
        Role=Role,
    )


@dataclass(frozen=True, slots=True)
class MemberLine:
    last_name: str
    first_name: str
    role: Role
    email: str | None
    phone: str


@bp.get("/associations/<slug>/personnes/export.<format>")
@access(Level.MANAGER)
def association_people_export(slug: str, format: str) -> Response:
    """The people of the association's page, to those who see them there: its coordinators
    and admins, and the collective's admins. Every one of them, where the page shows 200."""
    association = _association_or_404(slug)
    if not can_see_association_people(association):
        abort(404)  # another association's people: not there for this user
    people = session.scalars(
        select(columns_as(MemberLine, Person.last_name, Person.first_name, Membership.role,
                          Person.email, Person.phone))
        .join(Membership)
        .where(Membership.association_id == association.id, Person.active)
        .order_by(Person.last_name, Person.first_name, Person.id)
    )
    columns = [
        ExportColumn("Nom", "last_name"),
        ExportColumn("Prénom", "first_name"),
        ExportColumn("Rôle", "role"),
        ExportColumn("E-mail", "email"),
        ExportColumn("Téléphone", "phone"),
    ]
    return export_table(format, f"Personnes - {association.short_name}", columns, people,
                        title="Personnes")


@bp.route("/associations/<slug>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def association_edit(slug: str) -> Response | tuple[str, int]:
    association = _association_or_404(slug)
    require(has_role(association.id, Role.ADMIN), visible=has_role(association.id, Role.COORDINATOR))
    form = _form(association)
    if form.is_submitted():
        if form.validate() and _check_unique(form, association):
            _apply(form, association)
            association.slug = _unique_slug(form.short_name.data, association)
            if commit_or_conflict(form.name, TAKEN):
                flash("Modifications enregistrées.", "success")
                return see_other("members.association_detail", slug=association.slug)
        session.rollback()
        return render_template("members/association_form.html", form=form,
                               association=association), INVALID_FORM_STATUS
    return render_template("members/association_form.html", form=form,
                           association=association), 200


@bp.post("/associations/<slug>/statut")
@access(Level.COLLECTIVE_ADMIN)
def association_status(slug: str) -> Response:
    association = _association_or_404(slug)
    association.active = request.form.get("active") == "1"
    session.commit()
    if association.active:  # a deactivated association says so itself, at the top of its page
        flash("Association réactivée.", "success")
    return see_other("members.association_detail", slug=association.slug)

