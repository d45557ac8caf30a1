"""The referral engine: every transition is a conditional UPDATE, never "read, check, write".

Invariants:
- a referral leaves ``sent`` once: the partner's accept and refuse, and the expiry, each
  UPDATE ``… WHERE status = 'sent'`` (an answer also ``AND token_digest = … AND
  token_expires_at > now``) and check the row count, so when two race exactly one wins
  (PostgreSQL re-checks the condition after waiting for the other's row lock; SQLite lets
  one writer at a time);
- the partner's link is a token of which only the digest is stored (core/auth/tokens.py);
  it opens its own referral and nothing else, only while the referral is ``sent`` and
  before ``token_expires_at``; a new link replaces the digest, so the old link dies;
- every transition writes a ``ReferralEvent`` (the dated history, the answer-time figures).

Nothing here commits: the caller commits once (a view, the API's caller, the command). In a
POST request SQLite's write lock is taken at the first statement; elsewhere wrap the call in
``write_intent()``. E-mails leave only after that commit (``send_mail_after_commit``), and
the creating plugin's ``referral_changed`` hook runs in a savepoint of the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select, update

from core.agenda.clock import paris_today
from core.auth.tokens import digest, new_token
from core.database import session, utcnow
from core.members.memberships import Membership
from core.members.people import Person
from core.partners.models import Partner, PartnerService
from core.partners.vocabulary import Barrier
from core.referrals import notify
from core.referrals.models import Referral, ReferralEvent
from core.referrals.vocabulary import OPEN_STATUSES, ReferralStatus
from core.web.refusals import Refused

logger = logging.getLogger("maillage.referrals")

REASON_MAX = 4000
REFUSAL_MAX = 2000
EMAIL_MAX = 254  # Referral.recipient_email


class ReferralRefused(Refused):
    """The referral or the change is refused; ``str(error)`` is the French reason, ``field``
    the form field it belongs next to (``None``: the whole form)."""


class LinkClosed(ReferralRefused):
    """The partner's link no longer opens an answer (used, expired, withdrawn, replaced)."""


# --- the partner's link ---------------------------------------------------------------------

UNKNOWN, OPEN, ANSWERED, EXPIRED, WITHDRAWN = "unknown", "open", "answered", "expired", "withdrawn"


def expiry_delay() -> timedelta:
    return timedelta(days=int(current_app.config["REFERRAL_EXPIRY_DAYS"]))


def reminder_delay() -> timedelta:
    return timedelta(days=int(current_app.config["REFERRAL_REMINDER_DAYS"]))


def by_token(token: str) -> Referral | None:
    """The referral this link was issued for (its latest link), whatever its state."""
    if not token or len(token) > 200:
        return None
    return session.scalar(select(Referral).where(Referral.token_digest == digest(token)))


def link_state(referral: Referral | None, now: datetime | None = None) -> str:
    """What the partner's link can do now: ``open`` (answer), or why not."""
    now = now or utcnow()
    if referral is None:
        return UNKNOWN
    if referral.status is ReferralStatus.SENT:
        if referral.token_expires_at is None or referral.token_expires_at <= now:
            return EXPIRED
        return OPEN
    if referral.status is ReferralStatus.EXPIRED:
        return EXPIRED
    if referral.status is ReferralStatus.WITHDRAWN:
        return WITHDRAWN
    return ANSWERED


def _issue_link(now: datetime) -> tuple[str, dict[str, object]]:
    token = new_token()
    return token, {"token_digest": digest(token), "token_expires_at": now + expiry_delay()}


# --- creating -------------------------------------------------------------------------------


def directory_address(partner: Partner) -> str:
    """Where a referral goes when nobody says: the partner's own address, or else the first
    of its contacts (by name) that has one. Many partners are known by a person, not by a
    shared mailbox."""
    if (partner.email or "").strip():
        return partner.email.strip().lower()
    return next((c.email.strip().lower() for c in partner.contacts if (c.email or "").strip()), "")


def create(*, association_id: int, person_id: int, partner_id: int, reason: str,
           service_id: int | None = None, barriers: Iterable[str] = (),
           referent_id: int | None = None, recipient_email: str | None = None,
           plugin: str | None = None, now: datetime | None = None) -> Referral:
    """A new referral, sent: the partner is e-mailed its answer link after the commit."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise ReferralRefused("Indiquez le motif de l'orientation.", "reason")
    if len(reason) > REASON_MAX:
        raise ReferralRefused(f"Le motif ne doit pas dépasser {REASON_MAX} caractères.", "reason")
    if not belongs(person_id, association_id):
        raise ReferralRefused("Cette personne n'est pas suivie par l'association.", "person_id")
    partner = session.get(Partner, partner_id) if isinstance(partner_id, int) else None
    if partner is None or not partner.active:
        raise ReferralRefused("Choisissez un partenaire de l'annuaire.", "partner_id")
    if service_id is not None:
        service = session.get(PartnerService, service_id) if isinstance(service_id, int) else None
        if service is None or service.partner_id != partner.id:
            raise ReferralRefused("Ce service n'est pas proposé par ce partenaire.", "service_id")
    try:
        chosen = [Barrier(value) for value in barriers]
    except ValueError:
        raise ReferralRefused("Choisissez les freins dans la liste.", "barriers") from None
    if referent_id is not None and not belongs(referent_id, association_id):
        raise ReferralRefused("Le référent doit faire partie de l'association.", "referent_id")
    recipient = (recipient_email or "").strip().lower() or directory_address(partner)
    if not recipient:
        raise ReferralRefused("Ni ce partenaire ni ses contacts n'ont d'adresse e-mail dans l'annuaire : "
                              "indiquez à qui envoyer l'orientation.", "recipient_email")
    if len(recipient) > EMAIL_MAX or "@" not in recipient.strip("@") or any(c.isspace() for c in recipient):
        raise ReferralRefused("Saisissez une adresse e-mail valide.", "recipient_email")
    token, link = _issue_link(now)
    referral = Referral(
        association_id=association_id, person_id=person_id, partner_id=partner.id,
        service_id=service_id, referent_id=referent_id, reason=reason,
        recipient_email=recipient, status=ReferralStatus.SENT, sent_at=now, plugin=plugin,
        refusal_reason="", **link,
    )
    referral.barriers = chosen
    referral.events = [ReferralEvent(status=ReferralStatus.SENT, at=now, by_person_id=referent_id)]
    session.add(referral)
    session.flush()
    notify.ask_partner(referral, token)
    return referral


def belongs(person_id: object, association_id: int) -> bool:
    if not isinstance(person_id, int):
        return False
    return bool(session.scalar(select(exists().where(
        Membership.person_id == person_id, Membership.association_id == association_id,
        Membership.person_id == Person.id, Person.active))))


# --- the partner's answers ------------------------------------------------------------------


def _closed_refusal(referral: Referral | None, now: datetime) -> LinkClosed:
    state = link_state(referral, now)
    if state == EXPIRED:
        return LinkClosed("Ce lien a expiré : l'orientation n'attend plus de réponse.")
    if state == WITHDRAWN:
        return LinkClosed("L'association a retiré cette orientation.")
    if state == ANSWERED:
        return LinkClosed("Une réponse a déjà été donnée à cette orientation.")
    return LinkClosed("Ce lien n'est pas valable.")


def _answer(token: str, values: dict[str, object], now: datetime) -> Referral:
    referral = by_token(token)
    if referral is None or link_state(referral, now) != OPEN:
        raise _closed_refusal(referral, now)
    claimed = session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.status == ReferralStatus.SENT,
               Referral.token_digest == digest(token), Referral.token_expires_at > now)
        .values(answered_at=now, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # answered, withdrawn or expired meanwhile
        session.refresh(referral)
        raise _closed_refusal(referral, now)
    session.refresh(referral)
    return referral


def accept(token: str, appointment_on: date | None, *, now: datetime | None = None) -> Referral:
    """The partner accepts and gives the appointment's date (today or later)."""
    now = now or utcnow()
    if not isinstance(appointment_on, date) or isinstance(appointment_on, datetime):
        raise ReferralRefused("Indiquez la date du rendez-vous.", "appointment_on")
    if appointment_on < paris_today(now):
        raise ReferralRefused("La date du rendez-vous ne peut pas être passée.", "appointment_on")
    if appointment_on > paris_today(now) + timedelta(days=366 * 2):
        raise ReferralRefused("La date du rendez-vous est trop lointaine.", "appointment_on")
    referral = _answer(token, {"status": ReferralStatus.ACCEPTED,
                               "appointment_on": appointment_on}, now)
    _record(referral, ReferralStatus.ACCEPTED, now)
    notify.tell_referent_answer(referral)
    return referral


def refuse(token: str, reason: str, *, now: datetime | None = None) -> Referral:
    """The partner refuses, and must say why."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise ReferralRefused("Indiquez la raison du refus.", "refusal_reason")
    if len(reason) > REFUSAL_MAX:
        raise ReferralRefused(f"La raison ne doit pas dépasser {REFUSAL_MAX} caractères.",
                              "refusal_reason")
    referral = _answer(token, {"status": ReferralStatus.REFUSED, "refusal_reason": reason,
                               "closed_at": now}, now)
    _record(referral, ReferralStatus.REFUSED, now, note=reason)
    notify.tell_referent_answer(referral)
    return referral


# --- the association's actions --------------------------------------------------------------


def _move(referral: Referral, from_statuses: Iterable[ReferralStatus], values: dict[str, object],
          now: datetime) -> bool:
    claimed = session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.status.in_(list(from_statuses)))
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(referral)
    return claimed.rowcount == 1


def mark_done(referral: Referral, *, by_person_id: int | None = None,
              now: datetime | None = None) -> Referral:
    """The appointment took place: an accepted referral is done."""
    now = now or utcnow()
    if not _move(referral, [ReferralStatus.ACCEPTED],
                 {"status": ReferralStatus.DONE, "closed_at": now}, now):
        raise ReferralRefused("Seule une orientation acceptée peut être marquée comme réalisée.")
    _record(referral, ReferralStatus.DONE, now, by_person_id=by_person_id)
    return referral


def withdraw(referral: Referral, *, by_person_id: int | None = None, note: str = "",
             now: datetime | None = None) -> Referral:
    """The association withdraws an open referral; the partner's link stops working (the
    partner is told if it was waiting for them or had accepted)."""
    now = now or utcnow()
    if not _move(referral, OPEN_STATUSES,
                 {"status": ReferralStatus.WITHDRAWN, "closed_at": now}, now):
        raise ReferralRefused("Cette orientation est déjà close.")
    _record(referral, ReferralStatus.WITHDRAWN, now, by_person_id=by_person_id,
            note=note.strip()[:REFUSAL_MAX])
    notify.tell_partner_withdrawn(referral)
    return referral


def resend(referral: Referral, *, by_person_id: int | None = None,
           now: datetime | None = None) -> Referral:
    """A new link for a referral still waiting for its answer: the old link dies, the new
    one gets the full delay, and the partner is e-mailed it."""
    now = now or utcnow()
    token, link = _issue_link(now)
    if not _move(referral, [ReferralStatus.SENT], link, now):
        raise ReferralRefused("Seule une orientation en attente de réponse peut être renvoyée.")
    session.add(ReferralEvent(referral_id=referral.id, status=ReferralStatus.SENT, at=now,
                              by_person_id=by_person_id, note="Nouveau lien envoyé au partenaire"))
    session.flush()
    notify.ask_partner(referral, token, again=True)
    return referral


# --- the command ----------------------------------------------------------------------------


def expire_due(now: datetime | None = None) -> int:
    """Referrals whose link's delay ran out without an answer become ``expired``; their
    referent is told. Returns how many."""
    now = now or utcnow()
    due = session.scalars(select(Referral).where(
        Referral.status == ReferralStatus.SENT, Referral.token_expires_at <= now)
        .order_by(Referral.id)).all()
    expired = 0
    for referral in due:
        claimed = session.execute(
            update(Referral)
            .where(Referral.id == referral.id, Referral.status == ReferralStatus.SENT,
                   Referral.token_expires_at <= now)
            .values(status=ReferralStatus.EXPIRED, closed_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        session.refresh(referral)
        if claimed.rowcount != 1:  # answered a moment ago: the answer won
            continue
        _record(referral, ReferralStatus.EXPIRED, now)
        notify.tell_referent_expired(referral)
        expired += 1
    return expired


def remind_due(now: datetime | None = None) -> int:
    """Referents of referrals still unanswered after the reminder delay are e-mailed, once
    per referral (``reminded_at``, set by a conditional UPDATE). Returns how many."""
    now = now or utcnow()
    due = session.scalars(select(Referral).where(
        Referral.status == ReferralStatus.SENT, Referral.reminded_at.is_(None),
        Referral.sent_at <= now - reminder_delay()).order_by(Referral.id)).all()
    reminded = 0
    for referral in due:
        claimed = session.execute(
            update(Referral)
            .where(Referral.id == referral.id, Referral.status == ReferralStatus.SENT,
                   Referral.reminded_at.is_(None))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        session.refresh(referral)
        if claimed.rowcount != 1:
            continue
        notify.remind_referent(referral, now)
        reminded += 1
    return reminded


# --- history and the plugin's hook ----------------------------------------------------------


def _record(referral: Referral, status: ReferralStatus, now: datetime, *,
            by_person_id: int | None = None, note: str = "") -> None:
    session.add(ReferralEvent(referral_id=referral.id, status=status, at=now,
                              by_person_id=by_person_id, note=note))
    session.flush()
    session.expire(referral, ["events"])
    tell_plugin(referral)


def tell_plugin(referral: Referral) -> None:
    """Call ``referral_changed`` of the plugin that created the referral, if the referral's
    association enabled it. It runs in a savepoint: a failing hook is logged and its writes
    undone, the answer stands (in tests, strict, the failure propagates)."""
    if not referral.plugin:
        return
    from core.pluginhost.calling import HookFailed
    from core.pluginhost.host import get_host
    from core.pluginhost.state import associations_enabling
    from core.referrals.api import info

    if referral.association_id not in {a.id for a in associations_enabling(referral.plugin)}:
        return
    savepoint = session.begin_nested()
    try:
        get_host().call_plugins([referral.plugin], "referral_changed", referral=info(referral))
        savepoint.commit()
    except HookFailed:
        savepoint.rollback()
        raise
    except Exception:
        savepoint.rollback()
        logger.exception("plugin %s: referral_changed failed", referral.plugin)
