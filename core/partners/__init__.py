"""Partner organisations the collective works with."""

from core.partners.models import Partner, PartnerContact, PartnerService, ServiceBarrier
from core.partners.vocabulary import Barrier, PartnerKind

__all__ = ["Barrier", "Partner", "PartnerContact", "PartnerKind", "PartnerService", "ServiceBarrier"]
