"""Members of the collective: associations, people, their roles, neighbourhoods."""

from core.members.associations import Association
from core.members.collective import Collective
from core.members.memberships import Membership
from core.members.neighbourhoods import Neighbourhood, association_neighbourhoods
from core.members.people import Person
from core.members.roles import Role

__all__ = [
    "Association",
    "Collective",
    "Membership",
    "Neighbourhood",
    "Person",
    "Role",
    "association_neighbourhoods",
]
