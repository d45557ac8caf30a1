"""The hours plan: which weekly target applies on a given day, and the next step up or down
the association's ladder. Shared by the pathway pages, the schedule and the dashboard."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select

from core.plugin_api import session
from plugins.premieres_heures.models import HoursStage


def target_on(pathway_id: int, day: date) -> int | None:
    """Weekly hours in force on ``day`` (None before the first stage)."""
    return session.scalar(
        select(HoursStage.weekly_hours)
        .where(HoursStage.pathway_id == pathway_id, HoursStage.effective_date <= day)
        .order_by(HoursStage.effective_date.desc()).limit(1)
    )


def current_target(stages: Iterable[HoursStage], day: date) -> int | None:
    """Weekly hours in force on ``day`` among already loaded stages (``target_on`` without
    a query)."""
    in_force = [stage for stage in stages if stage.effective_date <= day]
    return max(in_force, key=lambda stage: stage.effective_date).weekly_hours if in_force else None


def targets_on(pathway_ids: list[int], day: date) -> dict[int, int]:
    """The same for many pathways, in one query (dashboard, week views)."""
    if not pathway_ids:
        return {}
    rows = session.execute(
        select(HoursStage.pathway_id, HoursStage.weekly_hours, HoursStage.effective_date)
        .where(HoursStage.pathway_id.in_(pathway_ids), HoursStage.effective_date <= day)
        .order_by(HoursStage.pathway_id, HoursStage.effective_date)
    )
    targets: dict[int, int] = {}
    for pathway_id, hours, _effective in rows:
        targets[pathway_id] = hours  # the latest stage wins: rows come in date order
    return targets


def step(ladder: list[int], current: int | None, direction: int) -> int:
    """The next rung up (+1) or down (-1) from ``current``; stays within the ladder."""
    if current is None:
        return ladder[0]
    if direction > 0:
        return next((rung for rung in ladder if rung > current), ladder[-1] if current < ladder[-1]
                    else current)
    return next((rung for rung in reversed(ladder) if rung < current), ladder[0])


def week_of(day: date) -> tuple[date, date]:
    """Monday and the following Monday of the week holding ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)
