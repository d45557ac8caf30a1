"""E-mails of referrals: the partner's answer link, and the referent told of what happened.

All leave after the commit (``send_mail_after_commit``): a referral rolled back is never
announced. They may run outside a request (the command): links are built with
``external_url`` (BASE_URL), never from a request's Host header. The partner's e-mail
carries the person's first name only, like the answer page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, has_request_context

from core.mail import send_mail_after_commit
from core.referrals.models import Referral
from core.referrals.vocabulary import ReferralStatus
from core.web.dates import format_date
from core.web.views import external_url


def _link(endpoint: str, **values: Any) -> str:
    """An absolute link, in a request or in a command (on BASE_URL, which the command asks
    for)."""
    if has_request_context():
        return external_url(endpoint, **values)
    with current_app.test_request_context(base_url=current_app.config.get("BASE_URL") or None):
        return external_url(endpoint, **values)


def _association_name(referral: Referral) -> str:
    return referral.association.name


def ask_partner(referral: Referral, token: str, *, again: bool = False) -> None:
    link = _link("referrals.answer", token=token)
    expires = format_date(referral.token_expires_at) if referral.token_expires_at else ""
    subject = (f"{'Rappel : ' if again else ''}Orientation de {referral.person.first_name} "
               f"par {_association_name(referral)}")
    service = f" (service « {referral.service.name} »)" if referral.service else ""
    lines = [
        "Bonjour,",
        "",
        f"{_association_name(referral)} vous oriente {referral.person.first_name}{service}.",
        "",
        f"Motif : {referral.reason}",
    ]
    if referral.barriers:
        lines.append("Freins : " + ", ".join(b.label for b in referral.barriers))
    if again:
        lines += ["", "Ce nouveau lien remplace le précédent, qui ne fonctionne plus."]
    lines += [
        "",
        "Pour accepter (avec la date du rendez-vous) ou refuser cette orientation, ouvrez ce "
        f"lien, sans compte à créer (une seule réponse, valable jusqu'au {expires}) :",
        "",
        link,
        "",
        "Merci de ne pas transférer ce message : le lien donne accès à la demande.",
    ]
    send_mail_after_commit(referral.recipient_email, subject, "\n".join(lines) + "\n")


def _referent_email(referral: Referral) -> str | None:
    referent = referral.referent
    if referent is None or not referent.active or not referent.email:
        return None
    return referent.email


def _referral_link(referral: Referral) -> str:
    return _link("referrals.detail", slug=referral.association.slug,
                        referral_id=referral.id)


def tell_referent_answer(referral: Referral) -> None:
    to = _referent_email(referral)
    if to is None:
        return
    who = f"{referral.person.first_name} {referral.person.last_name}"
    if referral.status is ReferralStatus.ACCEPTED:
        subject = f"Orientation acceptée par {referral.partner.name}"
        news = (f"{referral.partner.name} a accepté l'orientation de {who} : rendez-vous le "
                f"{format_date(referral.appointment_on)}.")
    else:
        subject = f"Orientation refusée par {referral.partner.name}"
        news = (f"{referral.partner.name} a refusé l'orientation de {who}.\n"
                f"Raison donnée : {referral.refusal_reason}")
    body = f"Bonjour {referral.referent.first_name},\n\n{news}\n\n{_referral_link(referral)}\n"
    send_mail_after_commit(to, subject, body)


def tell_referent_expired(referral: Referral) -> None:
    to = _referent_email(referral)
    if to is None:
        return
    who = f"{referral.person.first_name} {referral.person.last_name}"
    body = (f"Bonjour {referral.referent.first_name},\n\n"
            f"L'orientation de {who} vers {referral.partner.name}, envoyée le "
            f"{format_date(referral.sent_at)}, a expiré sans réponse du partenaire.\n"
            f"Vous pouvez orienter la personne à nouveau depuis sa fiche.\n\n"
            f"{_referral_link(referral)}\n")
    send_mail_after_commit(to, f"Orientation sans réponse de {referral.partner.name}", body)


def remind_referent(referral: Referral, now: datetime) -> None:
    to = _referent_email(referral)
    if to is None:
        return
    who = f"{referral.person.first_name} {referral.person.last_name}"
    days = (now - referral.sent_at).days
    body = (f"Bonjour {referral.referent.first_name},\n\n"
            f"{referral.partner.name} n'a pas encore répondu à l'orientation de {who}, "
            f"envoyée il y a {days} jours (le {format_date(referral.sent_at)}).\n"
            "Vous pouvez relancer le partenaire par téléphone, ou lui envoyer un nouveau "
            "lien depuis la page de l'orientation :\n\n"
            f"{_referral_link(referral)}\n")
    send_mail_after_commit(to, f"Relance : orientation sans réponse de {referral.partner.name}",
                           body)


def tell_partner_withdrawn(referral: Referral) -> None:
    body = (f"Bonjour,\n\n{_association_name(referral)} a retiré l'orientation de "
            f"{referral.person.first_name} envoyée le {format_date(referral.sent_at)} : "
            "aucune suite n'est attendue de votre part, et le lien de réponse ne fonctionne "
            "plus.\n")
    send_mail_after_commit(referral.recipient_email,
                           f"Orientation retirée par {_association_name(referral)}", body)
