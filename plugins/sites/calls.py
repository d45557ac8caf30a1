"""Calls for applications as the team runs them and visitors see them: a call's state on a
day (brouillon, à venir, ouvert, clos), the lots it opens, its criteria, and the calls open
to the public.

A call is seen by visitors once published, from ``opens_on`` to ``closes_on``, both days
included, in Paris time (the view passes ``paris_today()``). Nothing here commits: the
views do, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from flask import abort
from sqlalchemy import delete, func, select

from core.plugin_api import AssociationRef, columns_as, own_or_404, session
from plugins.sites.allocations import day_label
from plugins.sites.models import Lot, Site
from plugins.sites.models_calls import Application, Call, CallLot, Choice, Criterion, Score


class CallState(StrEnum):
    DRAFT = "draft"
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


STATE_LABELS = {CallState.DRAFT: "Brouillon", CallState.UPCOMING: "À venir", CallState.OPEN: "Ouvert",
                CallState.CLOSED: "Clos"}
def state_of(call: Call | CallLine, today: date) -> CallState:
    if not call.published:
        return CallState.DRAFT
    if today < call.opens_on:
        return CallState.UPCOMING
    return CallState.OPEN if today <= call.closes_on else CallState.CLOSED


def not_open_message(call: Call, today: date) -> str | None:
    """What a visitor reads instead of the form, or None while the call is open (a draft is
    never shown to visitors: 404)."""
    state = state_of(call, today)
    if state is CallState.UPCOMING:
        return f"Cet appel à candidatures ouvrira le {day_label(call.opens_on)}."
    if state is CallState.CLOSED:
        return f"Cet appel à candidatures est clos depuis le {day_label(call.closes_on)}."
    return None


def published_call_or_404(current: AssociationRef, call_id: int) -> Call:
    """The association's call, once published: a draft is the team's alone, and visitors
    cannot tell it from a call that does not exist."""
    call = own_or_404(Call, call_id, current)
    if not call.published:
        abort(404)
    return call


@dataclass(frozen=True, slots=True)
class CallLine:
    """A call as the team's list shows it."""

    id: int
    title: str
    site_name: str
    opens_on: date
    closes_on: date
    published: bool
    applications: int


def calls_of(association_id: int) -> list[CallLine]:
    """The association's calls, the latest opening first, with their applications counted
    (one query)."""
    received = (select(func.count(Application.id)).where(Application.call_id == Call.id)
                .correlate(Call).scalar_subquery())
    return list(session.scalars(
        select(columns_as(CallLine, Call.id, Call.title, Site.name, Call.opens_on, Call.closes_on,
                          Call.published, received))
        .join(Site, Site.id == Call.site_id)
        .where(Call.association_id == association_id)
        .order_by(Call.opens_on.desc(), Call.id.desc())))


def applications_count(call_id: int) -> int:
    return session.scalar(select(func.count(Application.id)).where(Application.call_id == call_id)) or 0


def lots_of_call(call_id: int) -> list[Lot]:
    """The lots the call opens, by code."""
    return list(session.scalars(select(Lot).join(CallLot, CallLot.lot_id == Lot.id)
                                .where(CallLot.call_id == call_id).order_by(Lot.code, Lot.id)))


def lots_of_calls(call_ids: list[int]) -> dict[int, list[Lot]]:
    """The lots of several calls at once (the public list), by code."""
    found: dict[int, list[Lot]] = {call_id: [] for call_id in call_ids}
    if call_ids:
        for call_id, lot in session.execute(
                select(CallLot.call_id, Lot).join(Lot, Lot.id == CallLot.lot_id)
                .where(CallLot.call_id.in_(call_ids)).order_by(Lot.code, Lot.id)):
            found[call_id].append(lot)
    return found


def criteria_of(call_id: int) -> list[Criterion]:
    return list(session.scalars(select(Criterion).where(Criterion.call_id == call_id)
                                .order_by(Criterion.position, Criterion.id)))


def criteria_of_calls(call_ids: list[int]) -> dict[int, list[Criterion]]:
    found: dict[int, list[Criterion]] = {call_id: [] for call_id in call_ids}
    if call_ids:
        for criterion in session.scalars(select(Criterion).where(Criterion.call_id.in_(call_ids))
                                         .order_by(Criterion.position, Criterion.id)):
            found[criterion.call_id].append(criterion)
    return found


def open_calls(association_id: int, today: date) -> list[tuple[Call, Site]]:
    """The calls a visitor may answer today, the soonest to close first, with their site."""
    return [(call, site) for call, site in session.execute(
        select(Call, Site).join(Site, Site.id == Call.site_id)
        .where(Call.association_id == association_id, Call.published, Call.opens_on <= today,
               Call.closes_on >= today)
        .order_by(Call.closes_on, Call.title, Call.id))]


def wished_lots(call_id: int) -> set[int]:
    """The lots that applications to the call wish: they stay in the call."""
    return set(session.scalars(select(Choice.lot_id)
                               .join(Application, Application.id == Choice.application_id)
                               .where(Application.call_id == call_id).distinct()))


def set_lots(call: Call, lot_ids: set[int]) -> None:
    """The call opens exactly ``lot_ids`` (checked by the form: the site's lots, the wished
    ones kept)."""
    kept = set(session.scalars(select(CallLot.lot_id).where(CallLot.call_id == call.id)))
    if kept - lot_ids:
        session.execute(delete(CallLot).where(CallLot.call_id == call.id,
                                              CallLot.lot_id.in_(kept - lot_ids)))
    session.add_all(CallLot(call_id=call.id, lot_id=lot_id) for lot_id in sorted(lot_ids - kept))


def next_position(call_id: int) -> int:
    """A new criterion comes last."""
    return (session.scalar(select(func.max(Criterion.position)).where(Criterion.call_id == call_id)) or 0) + 1


def is_scored(criterion_id: int) -> bool:
    """Whether a reviewer already scored an application on the criterion: deleting it would
    silently change every ranking."""
    return session.scalar(select(Score.id).where(Score.criterion_id == criterion_id).limit(1)) is not None
