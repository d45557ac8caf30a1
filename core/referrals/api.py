"""The referrals API for plugins, re-exported by ``core.plugin_api``.

Plugins see frozen dataclasses, never the core's models. Nothing here commits: the caller
commits once, and the partner's e-mail leaves after that commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import lazyload

from core.database import session
from core.members.people import Person
from core.partners.models import Partner, PartnerService, ServiceBarrier
from core.partners.vocabulary import BARRIER_LABELS as _LABELS
from core.partners.vocabulary import Barrier
from core.pluginhost.contributions import AssociationRef
from core.referrals import engine
from core.referrals.engine import ReferralRefused
from core.referrals.models import Referral, ReferralBarrier
from core.referrals.vocabulary import ReferralStatus

__all__ = [
    "BARRIER_LABELS",
    "PartnerServiceRef",
    "ReferralInfo",
    "ReferralRefused",
    "ReferralStatus",
    "create_referral",
    "partner_services",
    "referrals_by_id",
    "referrals_of_person",
]

# Barrier value → French label, for plugins' forms.
BARRIER_LABELS: dict[str, str] = {barrier.value: label for barrier, label in _LABELS.items()}


@dataclass(frozen=True)
class ReferralInfo:
    """One referral as plugins see it. ``barriers`` are values of ``BARRIER_LABELS``."""

    id: int
    association_id: int
    person_id: int
    person_first_name: str
    partner_id: int
    partner_name: str
    service_id: int | None
    service_name: str | None
    referent_id: int | None
    reason: str
    barriers: tuple[str, ...]
    status: ReferralStatus
    sent_at: datetime
    answered_at: datetime | None
    appointment_on: date | None
    refusal_reason: str
    closed_at: datetime | None
    plugin: str | None

    @property
    def status_label(self) -> str:
        return self.status.label


@dataclass(frozen=True)
class PartnerServiceRef:
    id: int
    partner_id: int
    partner_name: str
    name: str
    barriers: tuple[str, ...]


def _ordered(barriers: Iterable[Barrier | str]) -> tuple[str, ...]:
    order = list(Barrier)
    return tuple(b.value for b in sorted({Barrier(b) for b in barriers}, key=order.index))


def info(referral: Referral) -> ReferralInfo:
    return ReferralInfo(
        id=referral.id, association_id=referral.association_id, person_id=referral.person_id,
        person_first_name=referral.person.first_name, partner_id=referral.partner_id,
        partner_name=referral.partner.name, service_id=referral.service_id,
        service_name=referral.service.name if referral.service else None,
        referent_id=referral.referent_id, reason=referral.reason,
        barriers=_ordered(referral.barriers), status=referral.status, sent_at=referral.sent_at,
        answered_at=referral.answered_at, appointment_on=referral.appointment_on,
        refusal_reason=referral.refusal_reason, closed_at=referral.closed_at,
        plugin=referral.plugin,
    )


def _infos_query() -> Select[Any]:
    """Referrals with the names shown beside them and their barriers, one row per barrier
    (or one without): one query for any number of referrals."""
    return (
        select(Referral, Person.first_name, Partner.name, PartnerService.name,
               ReferralBarrier.barrier)
        .join(Person, Person.id == Referral.person_id)
        .join(Partner, Partner.id == Referral.partner_id)
        .outerjoin(PartnerService, PartnerService.id == Referral.service_id)
        .outerjoin(ReferralBarrier, ReferralBarrier.referral_id == Referral.id)
        .options(lazyload(Referral.barrier_links))
        .order_by(Referral.sent_at.desc(), Referral.id.desc())
    )


def infos(query: Select[Any]) -> list[ReferralInfo]:
    found: dict[int, tuple[Referral, str, str, str | None, list[Barrier]]] = {}
    for referral, first_name, partner_name, service_name, barrier in session.execute(query):
        entry = found.setdefault(referral.id, (referral, first_name, partner_name, service_name, []))
        if barrier is not None:
            entry[4].append(barrier)
    return [
        ReferralInfo(
            id=r.id, association_id=r.association_id, person_id=r.person_id,
            person_first_name=first_name, partner_id=r.partner_id, partner_name=partner_name,
            service_id=r.service_id, service_name=service_name, referent_id=r.referent_id,
            reason=r.reason, barriers=_ordered(barriers), status=r.status, sent_at=r.sent_at,
            answered_at=r.answered_at, appointment_on=r.appointment_on,
            refusal_reason=r.refusal_reason, closed_at=r.closed_at, plugin=r.plugin,
        )
        for r, first_name, partner_name, service_name, barriers in found.values()
    ]


def create_referral(association: AssociationRef, person_id: int, *, partner_id: int, reason: str,
                    service_id: int | None = None, barriers: Iterable[str] = (),
                    referent_id: int | None = None, recipient_email: str | None = None,
                    plugin: str | None = None) -> ReferralInfo:
    """Send ``person_id`` of ``association`` to a partner (and one of its services). The
    referent defaults to the current user; the answer link goes to ``recipient_email``, by
    default the partner's address. ``ReferralRefused`` (``.field``, French message) if the
    person is not the association's, the service not the partner's, the reason empty or no
    address is known. The caller commits; the partner's e-mail leaves after the commit."""
    if referent_id is None and current_user and current_user.is_authenticated:
        referent_id = current_user.person.id
    referral = engine.create(
        association_id=association.id, person_id=person_id, partner_id=partner_id,
        reason=reason, service_id=service_id, barriers=barriers, referent_id=referent_id,
        recipient_email=recipient_email, plugin=plugin)
    return info(referral)


def referrals_of_person(association: AssociationRef, person_id: int) -> list[ReferralInfo]:
    """The person's referrals by this association, newest first (one query)."""
    return infos(_infos_query().where(Referral.association_id == association.id,
                                      Referral.person_id == person_id))


def referrals_by_id(association: AssociationRef, ids: Iterable[int]) -> dict[int, ReferralInfo]:
    """The association's referrals among ``ids`` (one query); others' are simply absent."""
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return {}
    found = infos(_infos_query().where(Referral.association_id == association.id,
                                       Referral.id.in_(wanted)))
    return {referral.id: referral for referral in found}


def partner_services(partner_ids: Iterable[int] | None = None) -> list[PartnerServiceRef]:
    """Services of active partners (of ``partner_ids`` only), by partner then name, with the
    barriers each helps lift: for a plugin's referral form (one query)."""
    query = (
        select(PartnerService.id, PartnerService.partner_id, Partner.name, PartnerService.name,
               ServiceBarrier.barrier)
        .join(Partner, Partner.id == PartnerService.partner_id)
        .outerjoin(ServiceBarrier, ServiceBarrier.service_id == PartnerService.id)
        .where(Partner.active)
        .order_by(Partner.name, PartnerService.name, PartnerService.id)
    )
    if partner_ids is not None:
        query = query.where(PartnerService.partner_id.in_(list(partner_ids)))
    found: dict[int, tuple[int, str, str, list[Barrier]]] = {}
    for service_id, partner_id, partner_name, name, barrier in session.execute(query):
        entry = found.setdefault(service_id, (partner_id, partner_name, name, []))
        if barrier is not None:
            entry[3].append(barrier)
    return [PartnerServiceRef(id=sid, partner_id=pid, partner_name=pname, name=name,
                              barriers=_ordered(barriers))
            for sid, (pid, pname, name, barriers) in found.items()]
