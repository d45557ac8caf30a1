"""A referral's statuses and what they are called in French."""

from __future__ import annotations

from enum import StrEnum


class ReferralStatus(StrEnum):
    """sent → accepted (with an appointment) → done; or refused (with a reason), expired
    (no answer within the collective's delay) or withdrawn (by the association)."""

    SENT = "sent"
    ACCEPTED = "accepted"
    DONE = "done"
    REFUSED = "refused"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        """Still waiting for something: an answer, or the appointment to take place."""
        return self in OPEN_STATUSES


STATUS_LABELS = {
    ReferralStatus.SENT: "Envoyée, sans réponse",
    ReferralStatus.ACCEPTED: "Acceptée",
    ReferralStatus.DONE: "Réalisée",
    ReferralStatus.REFUSED: "Refusée",
    ReferralStatus.EXPIRED: "Expirée sans réponse",
    ReferralStatus.WITHDRAWN: "Retirée",
}
OPEN_STATUSES = frozenset({ReferralStatus.SENT, ReferralStatus.ACCEPTED})
# The partner answered: what the answer rate counts (an expiry is the absence of an answer;
# a withdrawal before any answer counts neither way).
ANSWERED_STATUSES = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.DONE, ReferralStatus.REFUSED})
