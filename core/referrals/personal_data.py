"""What the referrals hold about a person, for their data-access request and erasure.

A referral is its association's: a coordinator's export holds only their associations'
referrals of the person. Erasure deletes the person's referrals (their barriers and history
with them); referrals the person sent as referent stay, without their name (ON DELETE SET
NULL), as do the history lines they wrote.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from core.database import session
from core.members.associations import Association
from core.partners.models import Partner, PartnerService
from core.referrals.models import Referral, ReferralEvent


def export_referrals(person_id: int, *, associations: frozenset[int] | None) -> list[dict[str, Any]]:
    query = (
        select(Referral, Association.name, Partner.name, PartnerService.name)
        .join(Association, Association.id == Referral.association_id)
        .join(Partner, Partner.id == Referral.partner_id)
        .outerjoin(PartnerService, PartnerService.id == Referral.service_id)
        .where(Referral.person_id == person_id)
        .order_by(Referral.sent_at, Referral.id)
    )
    if associations is not None:
        query = query.where(Referral.association_id.in_(associations))
    found = session.execute(query).all()
    ids = [referral.id for referral, *_ in found]
    history: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for event in session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id.in_(ids))
                                     .order_by(ReferralEvent.at, ReferralEvent.id)):
            history[event.referral_id].append({"statut": event.status.label,
                                               "le": event.at.isoformat(), "note": event.note})
    return [
        {
            "association": association, "partenaire": partner, "service": service,
            "motif": referral.reason, "freins": [b.label for b in referral.barriers],
            "statut": referral.status.label, "envoyee_le": referral.sent_at.isoformat(),
            "envoyee_a": referral.recipient_email,
            "reponse_le": referral.answered_at.isoformat() if referral.answered_at else None,
            "rendez_vous": referral.appointment_on.isoformat() if referral.appointment_on else None,
            "raison_du_refus": referral.refusal_reason or None,
            "historique": history[referral.id],
        }
        for referral, association, partner, service in found
    ]


def erase_referrals(person_id: int) -> int:
    """Delete the person's referrals; returns how many."""
    result = session.execute(delete(Referral).where(Referral.person_id == person_id)
                             .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)
