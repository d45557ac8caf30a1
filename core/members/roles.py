"""Roles a person holds in a member association, strongest last."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SUPPORTED = "supported"
    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


ROLE_LABELS = {
    Role.SUPPORTED: "Personne accompagnée",
    Role.VOLUNTEER: "Bénévole",
    Role.COORDINATOR: "Coordination",
    Role.ADMIN: "Administration de l'association",
}
# A person supported holds no right in the intranet: the role records the follow-up.
_RANK = {Role.SUPPORTED: 0, Role.VOLUNTEER: 1, Role.COORDINATOR: 2, Role.ADMIN: 3}
