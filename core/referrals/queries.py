"""What the referral pages read: each list in a fixed number of queries, whatever its length."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from core.database import session
from core.members.associations import Association
from core.members.people import Person
from core.partners.models import Partner, PartnerService
from core.referrals.models import Referral
from core.referrals.vocabulary import ANSWERED_STATUSES, ReferralStatus

Referent = aliased(Person, name="referent")


@dataclass(frozen=True)
class ReferralRow:
    """One line of a list of referrals (the association's team reads it: full names)."""

    id: int
    association_slug: str
    association_short_name: str
    person_id: int
    person_name: str
    partner_id: int
    partner_name: str
    service_name: str | None
    referent_name: str | None
    status: ReferralStatus
    sent_at: datetime
    answered_at: datetime | None
    appointment_on: date | None


def rows_query() -> Select[Any]:
    return (
        select(Referral.id, Association.slug, Association.short_name, Referral.person_id,
               Person.first_name, Person.last_name, Referral.partner_id, Partner.name,
               PartnerService.name, Referent.first_name, Referent.last_name, Referral.status,
               Referral.sent_at, Referral.answered_at, Referral.appointment_on)
        .join(Association, Association.id == Referral.association_id)
        .join(Person, Person.id == Referral.person_id)
        .join(Partner, Partner.id == Referral.partner_id)
        .outerjoin(PartnerService, PartnerService.id == Referral.service_id)
        .outerjoin(Referent, Referent.id == Referral.referent_id)
        .order_by(Referral.sent_at.desc(), Referral.id.desc())
    )


def rows(query: Select[Any]) -> list[ReferralRow]:
    return [
        ReferralRow(id=rid, association_slug=slug, association_short_name=short,
                    person_id=pid, person_name=f"{first} {last}", partner_id=partner_id,
                    partner_name=partner, service_name=service,
                    referent_name=f"{r_first} {r_last}" if r_first is not None else None,
                    status=status, sent_at=sent_at, answered_at=answered_at,
                    appointment_on=appointment_on)
        for (rid, slug, short, pid, first, last, partner_id, partner, service, r_first, r_last,
             status, sent_at, answered_at, appointment_on) in session.execute(query)
    ]


def count(query: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


@dataclass(frozen=True)
class AnswerFigures:
    """How a partner answers, across the collective: counts only, no one in them."""

    sent: int  # every referral to the partner
    answered: int
    expired: int
    waiting: int
    median_answer: timedelta | None

    @property
    def rate(self) -> int | None:
        """Answered out of those that got an answer or ran out of time, in percent."""
        decided = self.answered + self.expired
        return round(100 * self.answered / decided) if decided else None


def answer_figures(partner_id: int) -> AnswerFigures:
    """Two queries: the counts by status, the answer delays."""
    by_status = dict(session.execute(
        select(Referral.status, func.count()).where(Referral.partner_id == partner_id)
        .group_by(Referral.status)).all())
    delays = [answered - sent for sent, answered in session.execute(
        select(Referral.sent_at, Referral.answered_at).where(
            Referral.partner_id == partner_id, Referral.answered_at.is_not(None),
            Referral.status.in_(list(ANSWERED_STATUSES))))]
    return AnswerFigures(
        sent=sum(by_status.values()),
        answered=sum(by_status.get(s, 0) for s in ANSWERED_STATUSES),
        expired=by_status.get(ReferralStatus.EXPIRED, 0),
        waiting=by_status.get(ReferralStatus.SENT, 0),
        median_answer=statistics.median(delays) if delays else None,
    )


def delay_label(delay: timedelta | None) -> str:
    if delay is None:
        return "—"
    days = delay.total_seconds() / 86400
    if days < 1:
        hours = max(1, round(delay.total_seconds() / 3600))
        return "1 heure" if hours == 1 else f"{hours} heures"
    rounded = round(days)
    return "1 jour" if rounded == 1 else f"{rounded} jours"


def of_associations(association_ids: Iterable[int] | None, **where: Any) -> Select[Any]:
    """The rows query narrowed to those associations (None: all)."""
    query = rows_query()
    if association_ids is not None:
        query = query.where(Referral.association_id.in_(list(association_ids)))
    for name, value in where.items():
        query = query.where(getattr(Referral, name) == value)
    return query
