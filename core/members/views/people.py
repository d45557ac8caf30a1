from __future__ import annotations

from flask import abort, flash, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from core.auth.accounts import Account
from core.auth.permissions import (
    Level,
    access,
    grantable_roles,
    is_collective_admin,
    require,
)
from core.auth.views import send_password_link
from core.database import session, utcnow
from core.members.associations import Association
from core.members.duplicates import LikelyDuplicate, likely_duplicates
from core.members.forms import MembershipForm, NewPersonForm, PersonForm
from core.members.memberships import Membership, new_member
from core.members.people import Person
from core.members.personal_data import erase_person, export_person
from core.members.roles import Role
from core.members.scope import (
    associations_managed,
    can_change_membership,
    can_deactivate_person,
    can_manage_person,
    can_see_person,
    personal_data_scope,
    visible_memberships,
)
from core.members.views import bp
from core.pluginhost.host import get_host
from core.pluginhost.refs import association_ref, person_ref
from core.referrals.views import person_block
from core.web.forms import INVALID_FORM_STATUS, add_error
from core.web.params import id_arg
from core.web.views import (
    commit_or_conflict,
    see_other,
)

EMAIL_TAKEN = "Cette adresse e-mail est déjà celle d'une autre personne."


def _person_or_404(person_id: int) -> Person:
    person = session.scalar(
        select(Person)
        .options(selectinload(Person.memberships).joinedload(Membership.association),
                 selectinload(Person.account))
        .where(Person.id == person_id)
    )
    if person is None or not can_see_person(person):
        abort(404)
    return person


def _email_taken(email: str | None, current: Person | None) -> bool:
    if not email:
        return False
    query = select(Person.id).where(Person.email == email.lower())
    if current is not None:
        query = query.where(Person.id != current.id)
    return session.scalar(query) is not None


ROLE_REFUSED = "Vous ne pouvez pas donner ce rôle dans cette association."


def _membership_choices(form: MembershipForm) -> None:
    """Offer the associations the user manages and only the roles they may give in one."""
    associations = session.scalars(associations_managed()).all()
    form.association_id.choices = [(a.id, a.name) for a in associations]
    offered = {role for association in associations for role in grantable_roles(association.id)}
    form.role.choices = [(role.value, role.label) for role in Role if role in offered]


def _role_allowed(form: MembershipForm) -> bool:
    """The role may be given in the chosen association (both already checked as valid choices)."""
    if form.role.errors and form.role.data in {role.value for role in Role}:
        form.role.errors = [ROLE_REFUSED]  # a real role, just not one this user gives
    if form.association_id.errors or form.role.errors:
        return False  # the form already says what is wrong with them
    allowed = grantable_roles(form.association_id.data)
    if Role(form.role.data) not in allowed:
        add_error(form.role, ROLE_REFUSED)
        return False
    return True


DUPLICATE_CHECK = "Cochez cette case si c'est une autre personne."


@bp.route("/personnes/nouvelle", methods=["GET", "POST"])
@access(Level.MANAGER)
def person_create() -> Response | tuple[str, int]:
    form = NewPersonForm()
    _membership_choices(form)
    duplicates: list[LikelyDuplicate] = []
    if request.method == "GET" and id_arg("association"):
        form.association_id.data = id_arg("association")
    if form.is_submitted():
        valid = form.validate()
        valid = _role_allowed(form) and valid
        if valid and _email_taken(form.email.data, None):
            add_error(form.email, EMAIL_TAKEN)
            valid = False
        if not (form.first_name.errors or form.last_name.errors):
            duplicates = likely_duplicates(form.first_name.data, form.last_name.data,
                                           form.phone.data or "")
        if valid and duplicates and not form.confirm_duplicate.data:
            # Nothing is saved until the user says the namesakes are other people.
            add_error(form.confirm_duplicate, DUPLICATE_CHECK)
            valid = False
        if valid:
            person = new_member(form.first_name.data, form.last_name.data,
                                association_id=form.association_id.data,
                                role=Role(form.role.data), email=form.email.data,
                                phone=form.phone.data or "")
            if commit_or_conflict(form.email, EMAIL_TAKEN):
                flash(f"{person.full_name} a été ajouté·e.", "success")
                return see_other("members.person_detail", person_id=person.id)
        return _new_person_page(form, duplicates), INVALID_FORM_STATUS
    return _new_person_page(form, duplicates), 200


def _new_person_page(form: NewPersonForm, duplicates: list[LikelyDuplicate]) -> str:
    if not duplicates:
        del form.confirm_duplicate  # asked only once a namesake was found
    return render_template("members/person_form.html", form=form, person=None,
                           duplicates=duplicates)


@bp.get("/personnes/<int:person_id>")
@access(Level.AUTHENTICATED)
def person_detail(person_id: int) -> str:
    person = _person_or_404(person_id)
    membership_form = MembershipForm()
    _membership_choices(membership_form)
    return _person_page(person, membership_form)


def _person_page(person: Person, membership_form: MembershipForm) -> str:
    host, ref = get_host(), person_ref(person)
    memberships = visible_memberships(person)
    # Each association the person belongs to, as far as the user may see, shows what its
    # enabled plugins hold.
    sections = host.render_sections([
        result
        for membership in memberships
        for result in host.call_for(membership.association_id, "person_sections",
                                    association=association_ref(membership.association), person=ref)
    ])
    return render_template(
        "members/person_detail.html",
        referrals=person_block(person, [m.association_id for m in memberships]),
        sections=sections,
        person=person,
        memberships=memberships,
        can_manage=can_manage_person(person),
        can_deactivate=can_deactivate_person(person),
        can_change=can_change_membership,
        membership_form=membership_form,
        is_collective_admin=is_collective_admin(),
    )


@bp.route("/personnes/<int:person_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def person_edit(person_id: int) -> Response | tuple[str, int]:
    person = _person_or_404(person_id)
    require(can_manage_person(person), visible=True)
    form = PersonForm(obj=person)
    if not form.is_submitted():
        return render_template("members/person_form.html", form=form, person=person), 200
    valid = form.validate()
    if valid and _email_taken(form.email.data, person):
        add_error(form.email, EMAIL_TAKEN)
        valid = False
    if valid and person.account is not None and not form.email.data:
        add_error(form.email, "Cette personne a un accès à l'intranet : son e-mail est nécessaire.")
        valid = False
    if valid:
        person.first_name = form.first_name.data
        person.last_name = form.last_name.data
        person.email = form.email.data
        person.phone = form.phone.data or ""
        if commit_or_conflict(form.email, EMAIL_TAKEN):
            flash("Modifications enregistrées.", "success")
            return see_other("members.person_detail", person_id=person.id)
    return render_template("members/person_form.html", form=form,
                           person=person), INVALID_FORM_STATUS


@bp.post("/personnes/<int:person_id>/statut")
@access(Level.MANAGER)
def person_status(person_id: int) -> Response:
    person = _person_or_404(person_id)
    require(can_deactivate_person(person), visible=True)
    person.active = request.form.get("active") == "1"
    person.deactivated_at = None if person.active else utcnow()
    session.commit()
    if person.active:  # a deactivated record says so itself, at the top of its page
        flash("Personne réactivée.", "success")
    return see_other("members.person_detail", person_id=person.id)


@bp.post("/personnes/<int:person_id>/roles")
@access(Level.MANAGER)
def membership_save(person_id: int) -> Response | tuple[str, int]:
    person = _person_or_404(person_id)
    require(can_manage_person(person), visible=True)
    form = MembershipForm()
    _membership_choices(form)
    valid = form.validate()
    if _role_allowed(form) and valid:
        existing = next(
            (m for m in person.memberships if m.association_id == form.association_id.data), None
        )
        if existing is not None and not can_change_membership(existing):
            add_error(form.role, "Vous ne pouvez pas modifier le rôle de cette personne.")
        else:
            if existing is None:
                person.memberships.append(
                    Membership(association_id=form.association_id.data, role=Role(form.role.data))
                )
            else:
                existing.role = Role(form.role.data)
            if commit_or_conflict(form.association_id, "Ce rôle existe déjà."):
                flash("Rôle enregistré.", "success")
                return see_other("members.person_detail", person_id=person.id)
    session.rollback()
    return _person_page(_person_or_404(person_id), form), INVALID_FORM_STATUS


@bp.post("/personnes/<int:person_id>/roles/<int:membership_id>/retirer")
@access(Level.MANAGER)
def membership_remove(person_id: int, membership_id: int) -> Response:
    person = _person_or_404(person_id)
    membership = next((m for m in person.memberships if m.id == membership_id), None)
    require(membership is not None and can_change_membership(membership),
            visible=membership is not None)
    person.memberships.remove(membership)
    session.commit()
    flash("Rôle retiré.", "success")
    return see_other("members.person_detail", person_id=person.id)


@bp.post("/personnes/<int:person_id>/acces")
@access(Level.MANAGER)
def account_invite(person_id: int) -> Response:
    """Open (or re-send) access to the intranet: the person chooses their password by email."""
    person = _person_or_404(person_id)
    require(can_manage_person(person), visible=True)
    if not person.email or not person.active:
        flash("Il faut une adresse e-mail et une fiche active pour ouvrir un accès.", "error")
        return see_other("members.person_detail", person_id=person.id)
    if person.account is None:
        person.account = Account()
        session.flush()
    send_password_link(person.account, invitation=True)
    session.commit()
    flash(f"Un e-mail d'accès a été envoyé à {person.email}.", "success")
    return see_other("members.person_detail", person_id=person.id)


@bp.get("/personnes/<int:person_id>/donnees.json")
@access(Level.MANAGER)
def person_export(person_id: int) -> Response:
    """Right of access, as JSON: what Maillage holds about the person for the associations
    the user coordinates; everything for the collective admin."""
    person = _person_or_404(person_id)
    require(can_manage_person(person), visible=True)
    response = jsonify(export_person(person, associations=personal_data_scope()))
    response.headers["Content-Disposition"] = f'attachment; filename="personne-{person.id}.json"'
    return response


@bp.post("/personnes/<int:person_id>/effacer")
@access(Level.COLLECTIVE_ADMIN)
def person_erase(person_id: int) -> Response:
    """Right to erasure: the person and every plugin's data about them are deleted."""
    person = _person_or_404(person_id)
    if person.id == current_user.person_id:
        flash("Vous ne pouvez pas effacer votre propre fiche.", "error")
        return see_other("members.person_detail", person_id=person.id)
    name = person.full_name
    erase_person(person)
    session.commit()
    flash(f"Les données de {name} ont été effacées.", "success")
    return see_other("members.person_list")


@bp.post("/personnes/<int:person_id>/administration-collectif")
@access(Level.COLLECTIVE_ADMIN)
def collective_admin_toggle(person_id: int) -> Response:
    person = _person_or_404(person_id)
    if person.account is None:
        abort(404)
    if person.id == current_user.person_id:
        flash("Vous ne pouvez pas retirer vos propres droits d'administration.", "error")
        return see_other("members.person_detail", person_id=person.id)
    person.account.is_collective_admin = request.form.get("grant") == "1"
    session.commit()
    flash("Droits d'administration du collectif mis à jour.", "success")
    return see_other("members.person_detail", person_id=person.id)


@bp.get("/administration-collectif")
@access(Level.COLLECTIVE_ADMIN)
def collective_admin_list() -> str:
    admins = session.scalars(
        select(Person).join(Account).where(Account.is_collective_admin)
        .order_by(Person.last_name)
    ).all()
    associations = session.scalars(select(Association).order_by(Association.name)).all()
    return render_template("members/collective_admins.html", admins=admins,
                           associations=associations)
