"""Roles a person holds in a member association, strongest last."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import ngettext


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

    def count_label(self, count: int) -> str:
        """ "1 personne accompagnée", "3 bénévoles": how many hold the role, in French."""
        return ngettext(*_COUNT_LABELS[self], count)


ROLE_LABELS = {
    Role.SUPPORTED: "Personne accompagnée",
    Role.VOLUNTEER: "Bénévole",
    Role.COORDINATOR: "Coordination",
    Role.ADMIN: "Administration de l'association",
}
_COUNT_LABELS = {
    Role.SUPPORTED: ("%(num)d personne accompagnée", "%(num)d personnes accompagnées"),
    Role.VOLUNTEER: ("%(num)d bénévole", "%(num)d bénévoles"),
    Role.COORDINATOR: ("%(num)d coordinateur·rice", "%(num)d coordinateur·rices"),
    Role.ADMIN: ("%(num)d administrateur·rice", "%(num)d administrateur·rices"),
}
# A person supported holds no right in the intranet: the role records the follow-up.
_RANK = {Role.SUPPORTED: 0, Role.VOLUNTEER: 1, Role.COORDINATOR: 2, Role.ADMIN: 3}
