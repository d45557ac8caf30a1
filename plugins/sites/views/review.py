"""The team's review of a call: its applications, an application's page (as sent, the
reviewer's scores, the other reviewers' once the reviewer has scored every criterion, the
decisions), the ranking per lot and the decision e-mails.

The visibility rule is ``review.py``'s; the pages only ever put in the HTML what it lets the
viewer see."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from flask import flash, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    StoredFile,
    access,
    add_error,
    columns_as,
    current_person,
    id_urls,
    ngettext,
    see_other,
    session,
)
from plugins.sites.decisions import DecisionsRefused, notification_counts, notify, save_decisions
from plugins.sites.forms_review import (
    UNDECIDED,
    DecisionForm,
    NotifyForm,
    ScoringForm,
    decision_form,
    scoring_form,
)
from plugins.sites.labels import (
    DECISION_BADGES,
    DECISION_LABELS,
    FIELD_LABELS,
    LEGAL_FORM_LABELS,
    preference_label,
)
from plugins.sites.models import Lot, Site
from plugins.sites.models_calls import Application, Attachment, Call, Choice, Decision
from plugins.sites.review import (
    CriterionLine,
    ReviewerCard,
    application_lines,
    criteria_of,
    lot_rankings,
    mean,
    out_of_five,
    reviewer_cards,
    reviews_of,
    save_scores,
    weights_of,
)
from plugins.sites.views import bp, own_or_404, render, team


# Pages of the calls' other module, linked to when they are there.
def _viewer() -> int:
    person = current_person()
    assert person is not None  # @access(Level.MANAGER): someone is logged in
    return person.id


def _site_name(call: Call) -> str:
    return session.scalar(select(Site.name).where(Site.id == call.site_id)) or ""


def _call_link(current: AssociationRef, call: Call) -> tuple[str, str]:
    """The ``back_link`` to the call's page."""
    return (url_for("sites.call_detail", association=current.slug, call_id=call.id),
            f"à l'appel « {call.title} »")


def _common(current: AssociationRef, call: Call) -> dict[str, object]:
    return {"association": current, "call": call, "site_name": _site_name(call),
            "back_link": _call_link(current, call), "out_of_five": out_of_five,
            "decision_labels": DECISION_LABELS, "decision_badges": DECISION_BADGES,
            "preference_label": preference_label, "field_labels": FIELD_LABELS}


# --- the applications of a call --------------------------------------------------------------


@bp.get("/<association>/appels/<int:call_id>/candidatures")
@access(Level.MANAGER)
def application_list(association: str, call_id: int) -> tuple[str, int]:
    current = team()
    call = own_or_404(Call, call_id, current)
    criteria = criteria_of(call.id)
    return render("review_applications.html", **_common(current, call),
                  applications=application_lines(call.id),
                  reviews=reviews_of(call.id, weights_of(criteria), _viewer()), criteria=criteria)


# --- an application ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChoiceLine:
    id: int
    lot_id: int
    code: str
    preference: int
    decision: Decision | None
    reasons: str
    decided_at: datetime | None


@dataclass(frozen=True, slots=True)
class AttachmentLine:
    id: int
    file: StoredFile


def _choices(application_id: int) -> list[ChoiceLine]:
    return list(session.scalars(
        select(columns_as(ChoiceLine, Choice.id, Choice.lot_id, Lot.code, Choice.preference, Choice.decision,
                          Choice.reasons, Choice.decided_at))
        .join(Lot, Lot.id == Choice.lot_id).where(Choice.application_id == application_id)
        .order_by(Choice.preference)))


def _attachments(application_id: int) -> list[AttachmentLine]:
    return [AttachmentLine(a.id, a.file) for a in session.scalars(
        select(Attachment).where(Attachment.application_id == application_id).order_by(Attachment.id))]


def _application(current: AssociationRef, application_id: int) -> tuple[Application, Call]:
    application = own_or_404(Application, application_id, current)
    return application, own_or_404(Call, application.call_id, current)


def _scoring_form(criteria: Sequence[CriterionLine], mine: ReviewerCard | None, posted: bool) -> ScoringForm:
    if posted:
        return scoring_form(criteria)
    data: dict[str, object] = {}
    for line in (mine.scores.values() if mine else ()):
        data[f"score_{line.criterion_id}"], data[f"comment_{line.criterion_id}"] = line.score, line.comment
    return scoring_form(criteria, formdata=None, data=data)


def _decision_form(choices: list[ChoiceLine], posted: bool) -> DecisionForm:
    keys = [(c.id, c.code, c.preference) for c in choices]
    if posted:
        return decision_form(keys)
    data: dict[str, object] = {}
    for c in choices:
        data[f"decision_{c.id}"] = c.decision.value if c.decision else UNDECIDED
        data[f"reasons_{c.id}"] = c.reasons
    return decision_form(keys, formdata=None, data=data)


def _page(current: AssociationRef, application: Application, call: Call, *,
          scoring: ScoringForm | None = None, decisions: DecisionForm | None = None) -> tuple[str, int]:
    """The application's page, with the form that was sent as it was (422 when refused)."""
    viewer = _viewer()
    criteria = criteria_of(call.id)
    choices = _choices(application.id)
    cards = reviewer_cards(application.id, criteria)
    mine = next((card for card in cards if card.reviewer_id == viewer), None)
    complete = mine is not None and mine.total is not None
    scoring = scoring or _scoring_form(criteria, mine, posted=False)
    decisions = decisions or _decision_form(choices, posted=False)
    refused = bool(scoring.errors or decisions.errors)
    attachment_url = id_urls("sites.attachment_file", "attachment_id", association=current.slug)
    return render("application_detail.html", INVALID_FORM_STATUS if refused else 200,
                  **_common(current, call), application=application, choices=choices,
                  attachments=_attachments(application.id), attachment_url=attachment_url,
                  criteria=criteria, scoring=scoring, decisions=decisions, mine=mine, complete=complete,
                  # Hidden from a reviewer who has not scored every criterion (see review.py).
                  others=[card for card in cards if card is not mine] if complete else [],
                  total=mean([card.total for card in cards if card.total is not None]) if complete else None,
                  reviewers=sum(1 for card in cards if card.total is not None),
                  legal_forms=LEGAL_FORM_LABELS)


@bp.get("/<association>/candidatures/<int:application_id>")
@access(Level.MANAGER)
def application_detail(association: str, application_id: int) -> tuple[str, int]:
    current = team()
    return _page(current, *_application(current, application_id))


@bp.post("/<association>/candidatures/<int:application_id>/notes")
@access(Level.MANAGER)
def application_score(association: str, application_id: int) -> Response | tuple[str, int]:
    current = team()
    application, call = _application(current, application_id)
    criteria = criteria_of(call.id)
    form = _scoring_form(criteria, None, posted=True)
    if not criteria:
        add_error(form.csrf_token, "Cet appel n'a pas de critère : il n'y a rien à noter.")
    elif form.validate_on_submit():
        save_scores(application, _viewer(), form.scores())
        session.commit()
        flash("Vos notes sont enregistrées.", "success")
        return see_other("sites.application_detail", association=current.slug, application_id=application.id,
                         _anchor="notes")
    return _page(current, application, call, scoring=form)


@bp.post("/<association>/candidatures/<int:application_id>/decisions")
@access(Level.MANAGER)
def application_decide(association: str, application_id: int) -> Response | tuple[str, int]:
    current = team()
    application, call = _application(current, application_id)
    form = _decision_form(_choices(application.id), posted=True)
    if form.validate_on_submit():
        told = application.notified_at is not None
        try:
            changed = save_decisions(application, form.decisions())
        except DecisionsRefused as refusal:
            session.rollback()
            for choice_id, message in refusal.problems.items():
                add_error(form[f"decision_{choice_id}"], message)
        else:
            session.commit()
            if changed and told:
                flash("Décisions enregistrées. La structure avait déjà reçu un e-mail : elle en recevra un "
                      "nouveau au prochain envoi.", "success")
            else:
                flash("Décisions enregistrées." if changed else "Aucune décision n'a changé.", "success")
            return see_other("sites.application_detail", association=current.slug,
                             application_id=application.id, _anchor="decisions")
    return _page(current, application, call, decisions=form)


@bp.post("/<association>/candidatures/<int:application_id>/coordonnees/effacer")
@access(Level.MANAGER)
def application_erase_contact(association: str, application_id: int) -> Response:
    """At the applicant's request (their personal data): the contact's name, e-mail and
    phone go; the organisation's application, its scores and decisions stay."""
    current = team()
    application, _ = _application(current, application_id)
    application.contact_name = application.contact_email = application.contact_phone = ""
    session.commit()
    flash("Coordonnées du contact effacées. La structure ne recevra plus d'e-mail de décision.", "success")
    return see_other("sites.application_detail", association=current.slug, application_id=application.id,
                     _anchor="coordonnees")


# --- the ranking, the e-mails -----------------------------------------------------------------


@bp.get("/<association>/appels/<int:call_id>/classement")
@access(Level.MANAGER)
def call_ranking(association: str, call_id: int) -> tuple[str, int]:
    current = team()
    call = own_or_404(Call, call_id, current)
    lots = lot_rankings(call.id, _viewer())
    # Each application's link built once, here: it is listed under every lot it wishes, and a
    # call from the template costs some µs a row (Jinja's checks around it), 2,000 applications
    # wishing 3,500 lots make it a tenth of the page.
    link = id_urls("sites.application_detail", "application_id", association=current.slug)
    application_urls = {c.wish.application_id: link(c.wish.application_id) for lot in lots
                        for c in chain((r.candidate for r in lot.ranked), lot.to_score)}
    return render("review_ranking.html", **_common(current, call), lots=lots,
                  application_urls=application_urls)


@bp.route("/<association>/appels/<int:call_id>/notifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def call_notify(association: str, call_id: int) -> Response | tuple[str, int]:
    current = team()
    call = own_or_404(Call, call_id, current)
    form = NotifyForm()
    if form.validate_on_submit():
        sent = notify(call, current, _site_name(call))
        session.commit()
        flash(ngettext("%(num)d e-mail de décision envoyé.", "%(num)d e-mails de décision envoyés.", sent)
              if sent else "Aucun e-mail à envoyer : chaque structure décidée a déjà reçu le sien.",
              "success")
        return see_other("sites.call_notify", association=current.slug, call_id=call.id)
    return render("review_notify.html", **_common(current, call), counts=notification_counts(call.id),
                  form=form)
