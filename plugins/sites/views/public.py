"""The public pages: the association's open calls for applications, a call with its form,
the thanks page, and an application read back from the link of its confirmation e-mail.

Open without an account (``@public_page``; the host checks only that the URL's association
enabled the plugin). A visitor sees a site's name and neighbourhood and the lots' fees —
never its owner, address, occupants or income. A draft, or another association's call, is
404; a call not open yet or closed says so, and refuses a submission with 410.

A submission to an open call is counted against the per-address limit before it is
validated, so that a flood of bad posts is limited too; the hidden field only robots fill gets the answer a
success gets, with nothing saved and nothing sent.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, request
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    RateLimited,
    UploadRefused,
    accepts_uploads,
    add_error,
    association_or_404,
    neighbourhoods,
    own_or_404,
    paris_today,
    public_page,
    rate_limit,
    see_other,
    session,
    store_upload,
)
from plugins.sites.allocations import day_label
from plugins.sites.calls import (
    criteria_of,
    criteria_of_calls,
    lots_of_call,
    lots_of_calls,
    not_open_message,
    open_calls,
    published_call_or_404,
)
from plugins.sites.forms_public import (
    ATTACHMENT_KINDS,
    ATTACHMENT_MAX,
    ATTACHMENTS,
    HONEYPOT,
    ApplicationForm,
    application_form,
)
from plugins.sites.labels import FIELD_LABELS, LEGAL_FORM_LABELS
from plugins.sites.models import Lot, Site
from plugins.sites.models_calls import Call, Field, LegalForm
from plugins.sites.numbers import format_decimal
from plugins.sites.occupancy import KIND_LABELS
from plugins.sites.settings import rules_of
from plugins.sites.submissions import (
    ApplicationFields,
    application_of_token,
    attachments_of,
    kept_until,
    save_application,
    sent_just_before,
    wished_lots_of,
)
from plugins.sites.views import bp, render

RATE_LIMITED = 429
GONE = 410
HOUR = timedelta(hours=1)
SUBMISSIONS_PER_APPLICATION = 10  # refused submissions allowed for each application accepted


def _neighbourhood_names() -> dict[int, str]:
    """« Franc-Moisin (Saint-Denis) », by id: read once for a page, however many sites."""
    return {n.id: f"{n.name} ({n.city})" if n.city else n.name for n in neighbourhoods()}


def _lot_choice(lot: Lot) -> str:
    return (f"{lot.code} — {KIND_LABELS[lot.kind].lower()}, {format_decimal(lot.area)} m², "
            f"{format_decimal(lot.monthly_amount)} € par mois charges comprises")


@bp.get("/<association>/candidater/")
@public_page
def public_calls(association: str) -> tuple[str, int]:
    current = association_or_404()
    calls = open_calls(current.id, paris_today())
    ids = [call.id for call, _ in calls]
    names = _neighbourhood_names() if calls else {}
    return render("public_calls.html", association=current, calls=calls, lots=lots_of_calls(ids),
                  criteria=criteria_of_calls(ids), kinds=KIND_LABELS,
                  neighbourhoods={site.id: names.get(site.neighbourhood_id or 0, "") for _, site in calls})


def _call_page(current: AssociationRef, call: Call, status: int = 200, **context: object) -> tuple[str, int]:
    site = session.get(Site, call.site_id)
    assert site is not None  # the call's site: the foreign key cascades
    months = rules_of(current).retention_months
    consent_text = (
        f"Vos réponses, vos coordonnées et vos pièces jointes sont transmises à {current.name}, "
        "qui s'en sert seulement pour étudier votre candidature et vous répondre. "
        f"Elles sont conservées {months} mois après la clôture de l'appel, jusqu'au "
        f"{day_label(kept_until(call, months))}, puis supprimées : seuls restent les nombres de "
        "candidatures reçues et retenues.")
    return render("public_call.html", status, association=current, call=call, site=site,
                  neighbourhood=_neighbourhood_names().get(site.neighbourhood_id or 0, ""),
                  lots=lots_of_call(call.id),
                  criteria=criteria_of(call.id), kinds=KIND_LABELS, consent_text=consent_text, **context)


@bp.route("/<association>/candidater/<int:call_id>", methods=["GET", "POST"])
@public_page
@accepts_uploads((ATTACHMENTS + 1) * ATTACHMENT_MAX)
def public_call(association: str, call_id: int) -> Response | tuple[str, int]:
    current = association_or_404()
    call = published_call_or_404(current, call_id)
    closed = not_open_message(call, paris_today())
    if closed is not None:
        return _call_page(current, call, GONE if request.method == "POST" else 200, closed=closed)
    lots = lots_of_call(call.id)
    form = application_form([(lot.id, _lot_choice(lot)) for lot in lots])
    per_hour = rules_of(current).applications_per_hour
    if request.method == "POST":
        try:
            # Every submission counts against a wide limit (a flood of refused ones), accepted
            # applications against the setting: five mistakes in a long form lock no one out.
            rate_limit("sites-application-post", per_hour * SUBMISSIONS_PER_APPLICATION, HOUR)
        except RateLimited as limited:
            return _limited(current, call, form, limited)
        if request.form.get(HONEYPOT, "").strip():
            return see_other("sites.public_thanks", association=current.slug, call_id=call.id)
    if lots and form.validate_on_submit():
        if sent_just_before(call, form.contact_email.data, form.organisation.data):
            # The same application again (a double tap on a slow phone): received once.
            return see_other("sites.public_thanks", association=current.slug, call_id=call.id)
        try:
            rate_limit("sites-application", per_hour, HOUR)
        except RateLimited as limited:
            return _limited(current, call, form, limited)
        stored = []
        for field in form.attachments:
            if field.data is None:
                continue
            try:
                stored.append(store_upload(field.data, plugin="sites", kinds=ATTACHMENT_KINDS,
                                           max_bytes=ATTACHMENT_MAX))
            except UploadRefused as refused:
                add_error(field, str(refused))
        if not form.errors:
            by_id = {lot.id: lot for lot in lots}
            site = session.get(Site, call.site_id)
            assert site is not None
            fields = ApplicationFields(
                organisation=form.organisation.data, legal_form=LegalForm(form.legal_form.data),
                field=Field(form.field.data), project=form.project.data,
                for_the_neighbourhood=form.for_the_neighbourhood.data, jobs=form.jobs.data,
                contact_name=form.contact_name.data, contact_email=form.contact_email.data,
                contact_phone=form.contact_phone.data or "")
            save_application(current, call, site, fields, [by_id[lot_id] for lot_id in form.wished()], stored)
            session.commit()
            return see_other("sites.public_thanks", association=current.slug, call_id=call.id)
        session.rollback()  # the files already stored go with it
    return _call_page(current, call, INVALID_FORM_STATUS if form.errors else 200, form=form,
                      files_dropped=bool(form.errors) and _files_were_sent(form))


def _files_were_sent(form: ApplicationForm) -> bool:
    return any(field.data is not None and getattr(field.data, "filename", "") for field in form.attachments)


def _limited(current: AssociationRef, call: Call, form: ApplicationForm,
             limited: RateLimited) -> tuple[str, int, dict[str, str]]:
    """The form again, with what was typed and the wait: nothing is lost but the files."""
    page, _ = _call_page(current, call, RATE_LIMITED, form=form, limited=limited.message,
                         files_dropped=_files_were_sent(form))
    return page, RATE_LIMITED, {"Retry-After": str(limited.retry_after)}


@bp.get("/<association>/candidater/<int:call_id>/merci")
@public_page
def public_thanks(association: str, call_id: int) -> tuple[str, int]:
    current = association_or_404()
    call = published_call_or_404(current, call_id)
    if not_open_message(call, paris_today()) is not None:
        abort(404)  # nothing can have been sent to a call that does not take applications
    return render("public_thanks.html", association=current, call=call)


@bp.get("/<association>/candidature/<token>")
@public_page
def public_application(association: str, token: str) -> tuple[str, int, dict[str, str]]:
    current = association_or_404()
    application = application_of_token(current.id, token)
    if application is None:
        abort(404)
    call = own_or_404(Call, application.call_id, current)
    site = session.get(Site, call.site_id)
    choices = wished_lots_of(application.id)
    names = [stored.original_name for stored in attachments_of(application.id)]
    page, status = render("public_application.html", association=current, application=application,
                          call=call, site=site, lots=choices, attachments=names, kinds=KIND_LABELS,
                          fields=FIELD_LABELS, legal_forms=LEGAL_FORM_LABELS)
    # A secret link: never kept by a cache, never listed by a search engine.
    return page, status, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}

