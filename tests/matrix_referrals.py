"""The referrals' rows of the route × role matrix (tests/test_permissions_matrix.py).

Alpha and Bêta each have a referral waiting for its answer; Alpha also one accepted, one
whose link the matrix answers, one whose link was already used. The association's pages are
its coordinators' and admins': volunteers get 403, another association's records 404. The
partner's answer page is public: anyone with a valid link gets it (200), an unknown link
404, a used one 410.
Rows are ``(endpoint, path, expected, method, data, label)``; ``path`` is formatted with the
records (``{ref_a}``, ``{tok_open}``…).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from core.agenda.clock import paris_today
from core.auth.tokens import digest
from core.database import session, utcnow
from core.partners.models import Partner
from core.referrals.models import Referral, ReferralEvent
from core.referrals.vocabulary import ReferralStatus
from tests.conftest import World

LOGIN = 302
TEAM = (LOGIN, 403, 200, 200, 200)
OTHER = (LOGIN, 403, 404, 404, 404)  # another association's record, or none
THEIRS = (LOGIN, 403, 404, 404, 200)  # Bêta's, at Bêta's address: the collective admin's too
FORM = (LOGIN, 403, 422, 422, 422)
DONE = (LOGIN, 403, 303, 303, 303)
PUBLIC = (200, 200, 200, 200, 200)
GONE = (410, 410, 410, 410, 410)
NOWHERE = (404, 404, 404, 404, 404)
PUBLIC_FORM = (422, 422, 422, 422, 422)

Row = tuple[str, str, tuple[int, int, int, int, int], str, dict[str, Any], str]


def _referral(world: World, association_id: int, person_id: int, token: str,
              status: ReferralStatus = ReferralStatus.SENT) -> int:
    now = utcnow()
    referral = Referral(
        association_id=association_id, person_id=person_id, partner_id=world.partner.id,
        referent_id=world.coordinator_a.id if association_id == world.asso_a.id
        else world.coordinator_b.id,
        reason="Garde d'enfants pour reprendre une formation", recipient_email="ml@test.org",
        status=status, sent_at=now - timedelta(days=2),
        refusal_reason="Complet" if status is ReferralStatus.REFUSED else "",
        token_digest=digest(token), token_expires_at=now + timedelta(days=28),
        answered_at=now if status is not ReferralStatus.SENT else None,
        appointment_on=paris_today() + timedelta(days=3)
        if status is ReferralStatus.ACCEPTED else None,
    )
    referral.events = [ReferralEvent(status=ReferralStatus.SENT, at=now - timedelta(days=2))]
    session.add(referral)
    session.flush()
    return referral.id


def records(world: World) -> dict[str, Any]:
    session.execute(update(Partner).where(Partner.id == world.partner.id)
                    .values(email="ml@test.org"))
    a, b = world.asso_a.id, world.asso_b.id
    return {
        "ref_a": _referral(world, a, world.supported_a.id, "jeton-alpha"),
        "tok_a": "jeton-alpha",
        "ref_b": _referral(world, b, world.supported_b.id, "jeton-beta"),
        "ref_accepted": _referral(world, a, world.supported_a.id, "jeton-accepte",
                                  ReferralStatus.ACCEPTED),
        "tok_open": "jeton-a-repondre",
        "ref_open": _referral(world, a, world.supported_a.id, "jeton-a-repondre"),
        "tok_empty": "jeton-vide",
        "ref_empty": _referral(world, a, world.supported_a.id, "jeton-vide"),
        "tok_used": "jeton-utilise",
        "ref_used": _referral(world, a, world.supported_a.id, "jeton-utilise",
                              ReferralStatus.REFUSED),
        "person_a": world.supported_a.id,
        "person_b": world.supported_b.id,
        "partner": world.partner.id,
    }


def url(path: str, records: dict[str, Any]) -> str:
    return path.format_map(records)


A = "/associations/alpha/orientations"
B = "/associations/beta/orientations"


def in_two_days(_world: Any) -> str:
    return (paris_today() + timedelta(days=2)).isoformat()


GETS: list[Row] = [
    ("referrals.answer", "/orientation/{tok_a}", PUBLIC, "GET", {}, "a valid link"),
    ("referrals.answer", "/orientation/inconnu", NOWHERE, "GET", {}, "an unknown link"),
    ("referrals.answer", "/orientation/{tok_used}", GONE, "GET", {}, "a used link"),
    ("referrals.referral_list", A, TEAM, "GET", {}, ""),
    ("referrals.referral_list", A + "?statut=nimporte&partenaire=abc&referent=-1", TEAM, "GET",
     {}, "bad filters, ignored"),
    ("referrals.referral_list", B, THEIRS, "GET", {}, "Bêta's"),
    ("referrals.referral_list", "/associations/inconnue/orientations", OTHER, "GET", {},
     "no such association"),
    ("referrals.detail", A + "/{ref_a}", TEAM, "GET", {}, ""),
    ("referrals.detail", A + "/{ref_b}", OTHER, "GET", {}, "Bêta's, at Alpha's address"),
    ("referrals.detail", B + "/{ref_b}", THEIRS, "GET", {}, "Bêta's"),
    ("referrals.create", "/associations/alpha/personnes/{person_a}/orienter", TEAM, "GET", {}, ""),
    ("referrals.create", "/associations/alpha/personnes/{person_b}/orienter", OTHER, "GET", {},
     "a person of Bêta"),
]

POSTS: list[Row] = [
    ("referrals.answer", "/orientation/{tok_open}", PUBLIC, "POST",
     {"decision": "accepter", "appointment_on": in_two_days},
     "accepted"),
    ("referrals.answer", "/orientation/{tok_empty}", PUBLIC_FORM, "POST",
     {"decision": "refuser", "refusal_reason": ""}, "refused without a reason"),
    ("referrals.answer", "/orientation/{tok_used}", GONE, "POST",
     {"decision": "refuser", "refusal_reason": "Complet"}, "a used link"),
    ("referrals.answer", "/orientation/inconnu", NOWHERE, "POST",
     {"decision": "refuser", "refusal_reason": "Complet"}, "an unknown link"),
    ("referrals.create", "/associations/alpha/personnes/{person_a}/orienter", DONE, "POST",
     {"target": "{partner}", "reason": "Aide au permis"}, ""),
    ("referrals.create", "/associations/alpha/personnes/{person_a}/orienter", FORM, "POST",
     {"target": "", "reason": ""}, "empty"),
    ("referrals.create", "/associations/alpha/personnes/{person_b}/orienter", OTHER, "POST",
     {"target": "{partner}", "reason": "Aide au permis"}, "a person of Bêta"),
    ("referrals.resend", A + "/{ref_a}/nouveau-lien", DONE, "POST", {}, ""),
    ("referrals.resend", A + "/{ref_accepted}/nouveau-lien", FORM, "POST", {}, "accepted already"),
    ("referrals.resend", A + "/{ref_b}/nouveau-lien", OTHER, "POST", {}, "Bêta's"),
    ("referrals.mark_done", A + "/{ref_a}/realisee", FORM, "POST", {}, "not accepted"),
    ("referrals.mark_done", A + "/{ref_accepted}/realisee", DONE, "POST", {}, ""),
    ("referrals.mark_done", A + "/{ref_b}/realisee", OTHER, "POST", {}, "Bêta's"),
]

DESTRUCTIVE: list[Row] = [
    ("referrals.withdraw", A + "/{ref_b}/retirer", OTHER, "POST", {}, "Bêta's"),
    ("referrals.withdraw", A + "/{ref_a}/retirer", DONE, "POST", {"note": "Déménagement"}, ""),
]

__all__ = ["DESTRUCTIVE", "GETS", "POSTS", "records", "url"]
