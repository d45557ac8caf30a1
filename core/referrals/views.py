"""Referral pages: the partner's answer through its link (no account), and the
association's list, referral page, actions and « Orienter vers un partenaire » form.

The association's pages are its coordinators' and admins' (and the collective admin's):
volunteers get 403, anyone outside the association 404, as for a referral of another
association. Pages about a person say ``Cache-Control: no-store`` (core.web.security sends
it on every page). The answer page shows only what the partner needs — the person's first
name, the request, the referent's work contact — and never tells apart a link that never
existed from one that was replaced (404); a used, expired or withdrawn one says so (410).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, render_template, request
from flask_login import current_user
from sqlalchemy import select

from core.auth.permissions import Level, access, has_role, my_roles
from core.database import session, utcnow
from core.members.associations import Association
from core.members.memberships import Membership
from core.members.people import Person
from core.members.roles import Role
from core.partners.models import Partner, PartnerService
from core.referrals import engine, queries
from core.referrals.engine import LinkClosed, ReferralRefused
from core.referrals.forms import ACCEPT, REFUSE, AnswerForm, ReferralForm, WithdrawForm
from core.referrals.models import Referral, ReferralEvent
from core.referrals.vocabulary import STATUS_LABELS, ReferralStatus
from core.web.forms import INVALID_FORM_STATUS, add_error
from core.web.params import id_arg, page_arg
from core.web.rate_limits import RateLimited, rate_limit
from core.web.views import see_other

bp = Blueprint("referrals", __name__, template_folder="templates")

PAGE_SIZE = 50
ANSWERS_PER_HOUR = 20  # per client address: a partner answers a few, a robot guesses many
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow",
                   "Referrer-Policy": "no-referrer"}


# --- the partner's answer -------------------------------------------------------------------

CLOSED_TITLES = {
    engine.ANSWERED: "Vous avez déjà répondu à cette orientation",
    engine.EXPIRED: "Ce lien a expiré",
    engine.WITHDRAWN: "Cette orientation a été retirée",
}


def _closed_page(state: str) -> tuple[str, int, dict[str, str]]:
    if state == engine.UNKNOWN:
        return render_template("referrals/link_unknown.html"), 404, PRIVATE_HEADERS
    return (render_template("referrals/link_closed.html", state=state,
                            title=CLOSED_TITLES[state]), 410, PRIVATE_HEADERS)


def _answer_page(referral: Referral, form: AnswerForm, status: int = 200,
                 refused: str | None = None) -> tuple[str, int, dict[str, str]]:
    return render_template("referrals/answer.html", referral=referral, form=form,
                           refused=refused, accept=ACCEPT, refuse=REFUSE), status, PRIVATE_HEADERS


@bp.route("/orientation/<token>", methods=["GET", "POST"])
@access(Level.PUBLIC)
def answer(token: str) -> Any:
    form = AnswerForm()
    if request.method == "POST":
        try:
            rate_limit("referral-answer", ANSWERS_PER_HOUR, timedelta(hours=1))
        except RateLimited as refused:
            referral = engine.by_token(token)
            if engine.link_state(referral) != engine.OPEN:
                return _closed_page(engine.link_state(referral))
            assert referral is not None
            return _answer_page(referral, form, 429, refused.message)
    referral = engine.by_token(token)
    state = engine.link_state(referral)
    if state != engine.OPEN:
        return _closed_page(state)
    assert referral is not None
    if request.method == "GET":
        return _answer_page(referral, form)
    if not form.validate():
        return _answer_page(referral, form, INVALID_FORM_STATUS)
    decision = form.decision.data
    try:
        if decision == ACCEPT:
            engine.accept(token, form.appointment_on.data)
        elif decision == REFUSE:
            engine.refuse(token, form.refusal_reason.data or "")
        else:
            return _answer_page(referral, form, INVALID_FORM_STATUS,
                                "Choisissez d'accepter ou de refuser l'orientation.")
    except LinkClosed:
        session.rollback()
        return _closed_page(engine.link_state(engine.by_token(token)))
    except ReferralRefused as refused:
        session.rollback()
        referral = engine.by_token(token)
        assert referral is not None
        add_error(getattr(form, refused.field or "refusal_reason"), refused.message)
        return _answer_page(referral, form, INVALID_FORM_STATUS)
    session.commit()
    referral = engine.by_token(token)
    return render_template("referrals/answered.html", referral=referral), 200, PRIVATE_HEADERS


# --- the association's pages ----------------------------------------------------------------


def _association_or_404(slug: str) -> Association:
    """The association if the user is one of its coordinators or admins (or the collective
    admin); 403 for its volunteers, 404 for anyone else."""
    association = session.scalar(select(Association).where(Association.slug == slug,
                                                           Association.active))
    if association is None:
        abort(404)
    if not has_role(association.id, Role.COORDINATOR):
        abort(403 if association.id in my_roles() else 404)
    return association


def _referral_or_404(association: Association, referral_id: int) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None or referral.association_id != association.id:
        abort(404)
    return referral


def _me() -> int | None:
    return current_user.person_id if current_user.is_authenticated else None


class Filters:
    def __init__(self) -> None:
        value = request.args.get("statut", "")
        self.status = ReferralStatus(value) if value in set(ReferralStatus) else None
        self.partner_id = id_arg("partenaire")
        self.referent_id = id_arg("referent")

    def apply(self, query: Any) -> Any:
        if self.status is not None:
            query = query.where(Referral.status == self.status)
        if self.partner_id is not None:
            query = query.where(Referral.partner_id == self.partner_id)
        if self.referent_id is not None:
            query = query.where(Referral.referent_id == self.referent_id)
        return query


@bp.get("/associations/<slug>/orientations")
@access(Level.MANAGER)
def referral_list(slug: str) -> tuple[str, int, dict[str, str]]:
    association = _association_or_404(slug)
    filters = Filters()
    query = filters.apply(queries.of_associations([association.id]))
    number = page_arg()
    total = queries.count(query)
    found = queries.rows(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE))
    partners = session.execute(select(Partner.id, Partner.name).where(Partner.active)
                               .order_by(Partner.name)).all()
    referents = session.execute(
        select(Person.id, Person.first_name, Person.last_name)
        .where(Person.id.in_(select(Referral.referent_id)
                             .where(Referral.association_id == association.id)))
        .order_by(Person.last_name, Person.first_name)).all()
    return render_template(
        "referrals/list.html", association=association, rows=found, total=total,
        number=number, pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), filters=filters,
        partners=partners, referents=referents, statuses=STATUS_LABELS,
    ), 200, {"Cache-Control": "no-store"}


@bp.get("/associations/<slug>/orientations/<int:referral_id>")
@access(Level.MANAGER)
def detail(slug: str, referral_id: int) -> tuple[str, int, dict[str, str]]:
    association = _association_or_404(slug)
    referral = _referral_or_404(association, referral_id)
    return _detail_page(association, referral, WithdrawForm())


def _detail_page(association: Association, referral: Referral, withdraw_form: WithdrawForm,
                 status: int = 200) -> tuple[str, int, dict[str, str]]:
    events = session.execute(
        select(ReferralEvent, Person.first_name, Person.last_name)
        .outerjoin(Person, Person.id == ReferralEvent.by_person_id)
        .where(ReferralEvent.referral_id == referral.id)
        .order_by(ReferralEvent.at, ReferralEvent.id)).all()
    return render_template(
        "referrals/detail.html", association=association, referral=referral, events=events,
        withdraw_form=withdraw_form, link_state=engine.link_state(referral),
    ), status, {"Cache-Control": "no-store"}


def _act(slug: str, referral_id: int, action: str) -> Any:
    association = _association_or_404(slug)
    referral = _referral_or_404(association, referral_id)
    form = WithdrawForm()
    if not form.validate():
        return _detail_page(association, referral, form, INVALID_FORM_STATUS)
    try:
        if action == "withdraw":
            engine.withdraw(referral, by_person_id=_me(), note=form.note.data or "")
            message = "L'orientation est retirée ; le partenaire en est prévenu."
        elif action == "done":
            engine.mark_done(referral, by_person_id=_me())
            message = "L'orientation est marquée comme réalisée."
        else:
            engine.resend(referral, by_person_id=_me())
            message = "Un nouveau lien est envoyé au partenaire ; l'ancien ne fonctionne plus."
    except ReferralRefused as refused:
        session.rollback()
        flash(refused.message, "error")
        return _detail_page(association, _referral_or_404(association, referral_id),
                            WithdrawForm(formdata=None), INVALID_FORM_STATUS)
    session.commit()
    flash(message, "success")
    return see_other("referrals.detail", slug=slug, referral_id=referral_id)


@bp.post("/associations/<slug>/orientations/<int:referral_id>/retirer")
@access(Level.MANAGER)
def withdraw(slug: str, referral_id: int) -> Any:
    return _act(slug, referral_id, "withdraw")


@bp.post("/associations/<slug>/orientations/<int:referral_id>/realisee")
@access(Level.MANAGER)
def mark_done(slug: str, referral_id: int) -> Any:
    return _act(slug, referral_id, "done")


@bp.post("/associations/<slug>/orientations/<int:referral_id>/nouveau-lien")
@access(Level.MANAGER)
def resend(slug: str, referral_id: int) -> Any:
    return _act(slug, referral_id, "resend")


# --- « Orienter vers un partenaire » ---------------------------------------------------------


def _person_of_or_404(association: Association, person_id: int) -> Person:
    person = session.scalar(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Person.id == person_id, Person.active,
               Membership.association_id == association.id))
    if person is None:
        abort(404)
    return person


def _targets(form: ReferralForm) -> dict[str, tuple[int, int | None]]:
    services = session.execute(
        select(Partner.id, Partner.name, PartnerService.id, PartnerService.name)
        .outerjoin(PartnerService, PartnerService.partner_id == Partner.id)
        .where(Partner.active).order_by(Partner.name, PartnerService.name)).all()
    choices: list[tuple[str, str]] = [("", "Choisissez…")]
    targets: dict[str, tuple[int, int | None]] = {}
    for partner_id, partner_name, service_id, service_name in services:
        key = str(partner_id)
        if key not in targets:
            targets[key] = (partner_id, None)
            choices.append((key, f"{partner_name} (sans service précis)"))
        if service_id is not None:
            targets[f"{partner_id}:{service_id}"] = (partner_id, service_id)
            choices.append((f"{partner_id}:{service_id}", f"{partner_name} — {service_name}"))
    form.target.choices = choices
    return targets


@bp.route("/associations/<slug>/personnes/<int:person_id>/orienter", methods=["GET", "POST"])
@access(Level.MANAGER)
def create(slug: str, person_id: int) -> Any:
    association = _association_or_404(slug)
    person = _person_of_or_404(association, person_id)
    form = ReferralForm()
    targets = _targets(form)
    if not form.is_submitted():
        chosen = request.args.get("partenaire", "")
        if chosen in targets:
            form.target.data = chosen
        return _form_page(association, person, form)
    if not form.validate():
        return _form_page(association, person, form, INVALID_FORM_STATUS)
    partner_id, service_id = targets[form.target.data]
    try:
        referral = engine.create(
            association_id=association.id, person_id=person.id, partner_id=partner_id,
            service_id=service_id, reason=form.reason.data or "",
            barriers=form.barriers.data or [], referent_id=_me(),
            recipient_email=form.recipient_email.data or None)
    except ReferralRefused as refused:
        session.rollback()
        field = {"partner_id": "target", "service_id": "target"}.get(refused.field or "",
                                                                     refused.field or "reason")
        add_error(getattr(form, field, form.reason), refused.message)
        return _form_page(association, person, form, INVALID_FORM_STATUS)
    session.commit()
    flash("L'orientation est envoyée au partenaire.", "success")
    return see_other("referrals.detail", slug=association.slug, referral_id=referral.id)


def _form_page(association: Association, person: Person, form: ReferralForm,
               status: int = 200) -> tuple[str, int, dict[str, str]]:
    return render_template("referrals/form.html", association=association, person=person,
                           form=form), status, {"Cache-Control": "no-store"}


# --- blocks of other pages ------------------------------------------------------------------


def person_block(person: Person, association_ids: list[int]) -> dict[str, Any] | None:
    """The person's referrals by the associations of ``association_ids`` where the user is a
    coordinator or admin, for the person's page (one query); None if there is none such."""
    mine = [aid for aid in association_ids if has_role(aid, Role.COORDINATOR)]
    if not mine:
        return None
    associations = session.execute(select(Association.id, Association.slug, Association.name)
                                   .where(Association.id.in_(mine), Association.active)
                                   .order_by(Association.name)).all()
    found = queries.rows(queries.of_associations(mine, person_id=person.id))
    return {"associations": associations, "rows": found}


def partner_block(partner: Partner) -> dict[str, Any]:
    """The partner's answer figures across the collective, and its referrals by the user's
    own associations (coordinator or more) only."""
    from core.auth.permissions import association_ids_with

    mine = association_ids_with(Role.COORDINATOR)
    found = (queries.rows(queries.of_associations(mine, partner_id=partner.id).limit(PAGE_SIZE))
             if mine is None or mine else [])
    figures = queries.answer_figures(partner.id)
    return {"figures": figures, "median": queries.delay_label(figures.median_answer),
            "rows": found}


def dashboard_block(person_id: int) -> dict[str, Any]:
    """The user's referrals as referent: waiting past the reminder delay, answered lately."""
    now = utcnow()
    late = queries.rows(queries.rows_query().where(
        Referral.referent_id == person_id, Referral.status == ReferralStatus.SENT,
        Referral.sent_at <= now - engine.reminder_delay()).limit(20))
    answered = queries.rows(queries.rows_query().where(
        Referral.referent_id == person_id, Referral.answered_at >= now - timedelta(days=7))
        .limit(20))
    return {"late": late, "answered": answered}

