"""Pathways: their creation with a first stage, the decisions of reviews (bilans), waivers
for contracts under 20 h a week, social support and the exit.

Functions here work in the shared ``session`` and never commit: the views commit once, so
that a refusal leaves nothing half done. A rule the user broke raises ``Refused``, with a
French message and the form field it is about. The dashboard query ``reviews_due`` takes
ids and dates only, so that the hooks can call it; ``waiver_states`` is what every page
says about waivers.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from flask import abort
from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import Refused, fold, session
from plugins.premieres_heures import plan
from plugins.premieres_heures.models import (
    Decision,
    ExitOutcome,
    HoursStage,
    Pathway,
    PathwayStatus,
    Review,
    SupportAction,
    SupportDomain,
    SupportStatus,
    Waiver,
)
from plugins.premieres_heures.settings import DEFAULT_SETTINGS, MAX_WEEKLY_HOURS

WAIVER_THRESHOLD_HOURS = 20  # a contract under this many hours a week needs a waiver
MAX_WAIVER_MONTHS = 12
REVIEWS_DUE_DAYS = 14

STATUS_LABELS = {
    PathwayStatus.DISCOVERY: "Découverte",
    PathwayStatus.ACTIVE: "En cours",
    PathwayStatus.PAUSED: "En pause",
    PathwayStatus.ENDED: "Terminé",
}
DECISION_LABELS = {
    Decision.RAISE: "Augmenter les heures",
    Decision.KEEP: "Maintenir",
    Decision.LOWER: "Diminuer",
    Decision.PAUSE: "Mettre en pause",
    Decision.END: "Arrêter",
}
OUTCOME_LABELS = {
    ExitOutcome.INSERTION_CONTRACT: "Contrat d'insertion",
    ExitOutcome.TRAINING: "Formation",
    ExitOutcome.JOB: "Emploi",
    ExitOutcome.OTHER: "Autre",
    ExitOutcome.INTERRUPTION: "Interruption",
}
DOMAIN_LABELS = {
    SupportDomain.HOUSING: "Logement",
    SupportDomain.RIGHTS: "Accès aux droits",
    SupportDomain.HEALTH: "Santé",
    SupportDomain.MOBILITY: "Mobilité",
    SupportDomain.CHILDCARE: "Garde d'enfants",
    SupportDomain.LANGUAGE: "Langue française",
    SupportDomain.DIGITAL: "Numérique",
    SupportDomain.MONEY: "Budget",
    SupportDomain.OTHER: "Autre",
}
SUPPORT_STATUS_LABELS = {
    SupportStatus.PLANNED: "Prévue",
    SupportStatus.IN_PROGRESS: "En cours",
    SupportStatus.DONE: "Faite",
    SupportStatus.DROPPED: "Abandonnée",
}

DUPLICATE_PATHWAY = "Cette personne a déjà un parcours Premières Heures dans l'association."
REVIEW_BEFORE_START = "Le bilan ne peut pas précéder le début du parcours."
EXIT_BEFORE_START = "La sortie ne peut pas précéder le début du parcours."
WAIVER_TOO_LONG = "Une dérogation dure 12 mois au plus."
PATHWAY_ENDED = "Ce parcours est terminé : il n'y a plus de bilan ni de palier à ajouter."


class DueReview(NamedTuple):
    pathway_id: int
    person_id: int
    next_review_on: date


# --- Dates --------------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 August + 6 = 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_planned_end(start: date, duration_months: int) -> date:
    return add_months(start, duration_months)


def longest_waiver_end(starts_on: date) -> date:
    """The last day a waiver starting on ``starts_on`` may cover: 12 months, both ends in."""
    return add_months(starts_on, MAX_WAIVER_MONTHS) - timedelta(days=1)


# --- Pathways -----------------------------------------------------------------------------

def pathway_or_404(association_id: int, pathway_id: int) -> Pathway:
    """The pathway if it belongs to the association; another association's does not exist."""
    pathway = session.get(Pathway, pathway_id)
    if pathway is None or pathway.association_id != association_id:
        abort(404)
    return pathway


def pathway_of_person(association_id: int, person_id: int) -> Pathway | None:
    return session.scalar(select(Pathway).where(Pathway.association_id == association_id,
                                                Pathway.person_id == person_id))


def create_pathway(association_id: int, person_id: int, *, start_date: date, planned_end: date,
                   first_hours: int, orienteur_name: str, orienteur_contact: str = "",
                   orienteur_partner_id: int | None = None, referent_id: int | None = None,
                   host_partner_id: int | None = None) -> Pathway:
    """A new pathway, in discovery, with its first stage (``first_hours`` a week) from the
    start. Refused when the person already has one in the association, even when another
    request created it a moment ago (the unique constraint, caught in a savepoint)."""
    if planned_end <= start_date:
        raise Refused("La fin prévue doit être après le début du parcours.", "planned_end")
    if pathway_of_person(association_id, person_id) is not None:
        raise Refused(DUPLICATE_PATHWAY, "person_id")
    pathway = Pathway(association_id=association_id, person_id=person_id, start_date=start_date,
                      planned_end=planned_end, orienteur_name=orienteur_name,
                      orienteur_contact=orienteur_contact,
                      orienteur_partner_id=orienteur_partner_id, referent_id=referent_id,
                      host_partner_id=host_partner_id, status=PathwayStatus.DISCOVERY)
    pathway.stages = [HoursStage(effective_date=start_date, weekly_hours=first_hours)]
    try:
        with session.begin_nested():
            session.add(pathway)
            session.flush()
    except IntegrityError:
        raise Refused(DUPLICATE_PATHWAY, "person_id") from None
    return pathway


def change_start(pathway: Pathway, new_start: date) -> None:
    """Move the start (and the first stage with it) while nothing already recorded precedes
    it: a later stage, a review, the exit."""
    if new_start == pathway.start_date:
        return
    stages = sorted(pathway.stages, key=lambda s: s.effective_date)
    later_stages = [s.effective_date for s in stages[1:]]
    first_review = session.scalar(select(Review.held_on).where(Review.pathway_id == pathway.id)
                                  .order_by(Review.held_on).limit(1))
    limits = [d for d in (*later_stages, first_review) if d is not None]
    if limits and new_start >= min(limits):
        raise Refused(f"Le début doit rester avant le premier bilan ou palier suivant "
                      f"(le {min(limits):%d/%m/%Y}).", "start_date")
    if pathway.exit_date is not None and new_start > pathway.exit_date:
        raise Refused("Le début ne peut pas être après la sortie.", "start_date")
    if stages and stages[0].effective_date == pathway.start_date:
        stages[0].effective_date = new_start
    pathway.start_date = new_start


# --- Hours plan ---------------------------------------------------------------------------

def check_hours(hours: int, field: str) -> None:
    if not 1 <= hours <= MAX_WEEKLY_HOURS:
        raise Refused(f"Entre 1 et {MAX_WEEKLY_HOURS} heures par semaine.", field)


def add_stage(pathway: Pathway, effective_date: date, weekly_hours: int) -> HoursStage:
    """A stage added by hand by a coordinator."""
    if pathway.status is PathwayStatus.ENDED:
        raise Refused(PATHWAY_ENDED, "effective_date")
    if effective_date < pathway.start_date:
        raise Refused("Un palier ne peut pas commencer avant le début du parcours.", "effective_date")
    check_hours(weekly_hours, "weekly_hours")
    existing = next((s for s in pathway.stages if s.effective_date == effective_date), None)
    if existing is not None:
        raise Refused(f"Un palier commence déjà ce jour-là ({existing.weekly_hours} h par semaine).",
                      "effective_date")
    stage = HoursStage(effective_date=effective_date, weekly_hours=weekly_hours)
    pathway.stages.append(stage)
    session.flush()
    return stage


@dataclass(frozen=True)
class ReviewInput:
    held_on: date
    participants: str
    observations: str
    decision: Decision
    new_weekly_hours: int | None
    next_review_on: date | None


def orienteur_takes_part(orienteur_name: str, participants: str) -> bool:
    return fold(orienteur_name) in fold(participants)


def hours_after(decision: Decision, current: int | None, wanted: int | None,
                ladder: list[int]) -> int | None:
    """The weekly hours a decision leads to (None: the plan does not change)."""
    if decision is Decision.RAISE:
        hours = wanted if wanted is not None else plan.step(ladder, current, +1)
        if current is not None and hours <= current:
            if wanted is None:
                raise Refused(f"Le dernier palier ({current} h) est atteint : indiquez le nombre "
                              f"d'heures voulu (au plus {MAX_WEEKLY_HOURS}).", "new_weekly_hours")
            raise Refused(f"Pour augmenter, indiquez plus que les {current} h actuelles.",
                          "new_weekly_hours")
        return hours
    if decision is Decision.LOWER:
        hours = wanted if wanted is not None else plan.step(ladder, current, -1)
        if current is not None and hours >= current:
            if wanted is None:
                raise Refused(f"Le premier palier ({current} h) est atteint : indiquez le nombre "
                              "d'heures voulu (au moins 1).", "new_weekly_hours")
            raise Refused(f"Pour diminuer, indiquez moins que les {current} h actuelles.",
                          "new_weekly_hours")
        return hours
    if wanted is not None:
        raise Refused("Le nombre d'heures ne se donne que pour augmenter ou diminuer.",
                      "new_weekly_hours")
    return None


def apply_review(pathway: Pathway, data: ReviewInput, *, ladder: list[int],
                 interval_weeks: int) -> Review:
    """Record a review and apply its decision: a new stage from the review's date (raise,
    lower), the status (pause: paused; end: ended, the exit to be completed; otherwise
    active), the next review (by default ``interval_weeks`` later)."""
    if pathway.status is PathwayStatus.ENDED:
        raise Refused(PATHWAY_ENDED, "decision")
    if data.held_on < pathway.start_date:
        raise Refused(REVIEW_BEFORE_START, "held_on")
    if not orienteur_takes_part(pathway.orienteur_name, data.participants):
        raise Refused(f"L'orienteur·ice participe à chaque bilan : ajoutez « {pathway.orienteur_name} » "
                      "aux participants.", "participants")
    if data.new_weekly_hours is not None:
        check_hours(data.new_weekly_hours, "new_weekly_hours")
    current = plan.current_target(pathway.stages, data.held_on)
    hours = hours_after(data.decision, current, data.new_weekly_hours, ladder)
    next_review_on = data.next_review_on
    if data.decision is Decision.END:
        if next_review_on is not None:
            raise Refused("Un parcours arrêté n'a pas de prochain bilan : laissez ce champ vide.",
                          "next_review_on")
    elif next_review_on is None:
        next_review_on = data.held_on + timedelta(weeks=interval_weeks)
    elif next_review_on <= data.held_on:
        raise Refused("Le prochain bilan vient après celui-ci.", "next_review_on")

    review = Review(pathway_id=pathway.id, held_on=data.held_on, participants=data.participants,
                    observations=data.observations, decision=data.decision,
                    new_weekly_hours=hours, next_review_on=next_review_on)
    session.add(review)
    session.flush()
    if hours is not None:
        same_day = next((s for s in pathway.stages if s.effective_date == data.held_on), None)
        if same_day is not None:  # the review decides for that day: it replaces the stage
            same_day.weekly_hours, same_day.review_id = hours, review.id
        else:
            pathway.stages.append(HoursStage(effective_date=data.held_on, weekly_hours=hours,
                                             review_id=review.id))
    if data.decision is Decision.PAUSE:
        pathway.status = PathwayStatus.PAUSED
    elif data.decision is Decision.END:
        pathway.status = PathwayStatus.ENDED
        pathway.exit_date = pathway.exit_date or data.held_on
    else:
        pathway.status = PathwayStatus.ACTIVE
    session.flush()
    return review


def next_review_date(pathway: Pathway, latest: Review | None, interval_weeks: int) -> date | None:
    """The latest review's next date, or the start plus the interval before any review."""
    if pathway.status is PathwayStatus.ENDED:
        return None
    if latest is None:
        return pathway.start_date + timedelta(weeks=interval_weeks)
    return latest.next_review_on


def _latest_review_column() -> Select[tuple[date | None]]:
    latest = (select(Review.next_review_on).where(Review.pathway_id == Pathway.id)
              .order_by(Review.held_on.desc(), Review.id.desc()).limit(1))
    return latest


def next_reviews(pathway_ids: list[int], interval_weeks: int) -> dict[int, date | None]:
    """Next review date of each pathway (None when ended or none planned), in one query."""
    if not pathway_ids:
        return {}
    rows = session.execute(
        select(Pathway.id, Pathway.start_date, Pathway.status,
               _latest_review_column().scalar_subquery(),
               exists().where(Review.pathway_id == Pathway.id))
        .where(Pathway.id.in_(pathway_ids)))
    result: dict[int, date | None] = {}
    for pathway_id, start, status, latest_next, reviewed in rows:
        if status is PathwayStatus.ENDED:
            result[pathway_id] = None
        elif reviewed:
            result[pathway_id] = latest_next
        else:
            result[pathway_id] = start + timedelta(weeks=interval_weeks)
    return result


def reviews_due(association_id: int, today: date, days: int = REVIEWS_DUE_DAYS, *,
                interval_weeks: int = DEFAULT_SETTINGS["review_interval_weeks"]) -> list[DueReview]:
    """Pathways of the association (not ended) whose next review falls on or before
    ``today + days`` — overdue ones included, soonest first — in one query.

    The next review is the one the latest review planned or, before any review, the start
    plus ``interval_weeks`` (pass the association's ``review_interval_weeks`` setting)."""
    horizon = today + timedelta(days=days)
    latest_next = _latest_review_column().scalar_subquery()
    reviewed = exists().where(Review.pathway_id == Pathway.id)
    rows = session.execute(
        select(Pathway.id, Pathway.person_id, Pathway.start_date, latest_next, reviewed)
        .where(Pathway.association_id == association_id, Pathway.status != PathwayStatus.ENDED,
               or_(and_(reviewed, latest_next <= horizon),
                   and_(~reviewed, Pathway.start_date <= horizon - timedelta(weeks=interval_weeks)))))
    due = [DueReview(pathway_id, person_id,
                     latest if was_reviewed else start + timedelta(weeks=interval_weeks))
           for pathway_id, person_id, start, latest, was_reviewed in rows]
    return sorted(due, key=lambda row: (row.next_review_on, row.pathway_id))


# --- Waivers ------------------------------------------------------------------------------

@dataclass(frozen=True)
class WaiverInput:
    starts_on: date
    ends_on: date
    review_id: int | None


def save_waiver(pathway: Pathway, data: WaiverInput, waiver: Waiver | None = None) -> Waiver:
    """A new waiver (or ``waiver`` changed): 12 months at most, within the pathway, not
    overlapping another of the pathway; a renewal is decided at a review of the pathway."""
    if data.starts_on < pathway.start_date:
        raise Refused("La dérogation ne peut pas commencer avant le début du parcours.", "starts_on")
    if data.ends_on <= data.starts_on:
        raise Refused("La fin doit être après le début.", "ends_on")
    if data.ends_on > longest_waiver_end(data.starts_on):
        raise Refused(f"{WAIVER_TOO_LONG} Partant du {data.starts_on:%d/%m/%Y}, elle finit au plus "
                      f"tard le {longest_waiver_end(data.starts_on):%d/%m/%Y}.", "ends_on")
    others = session.scalars(select(Waiver).where(Waiver.pathway_id == pathway.id)).all()
    others = [w for w in others if waiver is None or w.id != waiver.id]
    clash = next((w for w in others if w.starts_on <= data.ends_on and data.starts_on <= w.ends_on),
                 None)
    if clash is not None:
        raise Refused(f"Elle chevauche la dérogation du {clash.starts_on:%d/%m/%Y} au "
                      f"{clash.ends_on:%d/%m/%Y}.", "starts_on")
    is_renewal = any(w.starts_on < data.starts_on for w in others)
    if data.review_id is not None:
        review = session.get(Review, data.review_id)
        if review is None or review.pathway_id != pathway.id:
            raise Refused("Ce bilan n'est pas un bilan de ce parcours.", "review_id")
    elif is_renewal:
        raise Refused("Un renouvellement se décide en bilan : choisissez le bilan qui l'a décidé.",
                      "review_id")
    if waiver is None:
        waiver = Waiver(pathway_id=pathway.id)
        session.add(waiver)
    waiver.starts_on, waiver.ends_on, waiver.review_id = data.starts_on, data.ends_on, data.review_id
    session.flush()
    return waiver


# The words every page uses for a pathway's waiver, one per case.
WAIVER_TO_PLAN = "Dérogation à prévoir"
WAIVER_TO_RENEW = "Dérogation à renouveler"
WAIVER_RUNNING = "Dérogation en cours"
WAIVER_NOT_NEEDED = "Pas de dérogation nécessaire"


@dataclass(frozen=True)
class WaiverState:
    """What every page says about a pathway's waivers on a given day."""

    waivers: tuple[Waiver, ...]  # in start order
    target: int | None  # weekly hours in force on the day
    current: Waiver | None  # the waiver covering the day
    latest_end: date | None  # the end of the last waiver
    ending_soon: bool  # the last one ends within the warning delay, none follows it
    needed: bool  # under 20 h a week, and no waiver covers the day
    ongoing: bool  # the pathway has not ended

    @property
    def verdict(self) -> str:
        """The pathway page, the list, the person's page and the dashboard say this."""
        if not self.ongoing:
            return ""
        if self.needed:
            return WAIVER_TO_PLAN
        if self.current is not None:
            return WAIVER_TO_RENEW if self.ending_soon else WAIVER_RUNNING
        return WAIVER_NOT_NEEDED


def waiver_state(waivers: list[Waiver], target: int | None, today: date, warning_days: int,
                 status: PathwayStatus) -> WaiverState:
    ordered = tuple(sorted(waivers, key=lambda w: w.starts_on))
    current = next((w for w in ordered if w.starts_on <= today <= w.ends_on), None)
    latest_end = max((w.ends_on for w in ordered), default=None)
    ongoing = status is not PathwayStatus.ENDED
    ending_soon = bool(ongoing and latest_end is not None
                       and today <= latest_end <= today + timedelta(days=warning_days))
    needed = bool(ongoing and target is not None and target < WAIVER_THRESHOLD_HOURS
                  and current is None)
    return WaiverState(waivers=ordered, target=target, current=current, latest_end=latest_end,
                       ending_soon=ending_soon, needed=needed, ongoing=ongoing)


def waiver_states(pathways: list[Pathway], today: date, warning_days: int) -> dict[int, WaiverState]:
    """The waiver state of each pathway on ``today``, in two queries whatever their number:
    the one computation behind every page that speaks of waivers, so that none can say
    « à prévoir » while another says the opposite."""
    ids = [p.id for p in pathways]
    targets = plan.targets_on(ids, today)
    waivers: dict[int, list[Waiver]] = {}
    if ids:
        for waiver in session.scalars(select(Waiver).where(Waiver.pathway_id.in_(ids))):
            waivers.setdefault(waiver.pathway_id, []).append(waiver)
    return {p.id: waiver_state(waivers.get(p.id, []), targets.get(p.id), today, warning_days,
                               p.status)
            for p in pathways}


def waiver_state_of(pathway: Pathway, today: date, warning_days: int) -> WaiverState:
    return waiver_states([pathway], today, warning_days)[pathway.id]


def renewal_start(waivers: list[Waiver], pathway: Pathway, today: date) -> date:
    """Where a new waiver starts by default: the day after the last one, or today (not
    before the start of the pathway)."""
    latest_end = max((w.ends_on for w in waivers), default=None)
    if latest_end is not None:
        return latest_end + timedelta(days=1)
    return max(today, pathway.start_date)


# --- Support and exit ---------------------------------------------------------------------

@dataclass(frozen=True)
class SupportInput:
    domain: SupportDomain
    description: str
    status: SupportStatus
    opened_on: date
    closed_on: date | None


CLOSED_STATUSES = (SupportStatus.DONE, SupportStatus.DROPPED)


def save_support(pathway: Pathway, data: SupportInput,
                 action: SupportAction | None = None) -> SupportAction:
    closed_on = data.closed_on
    if closed_on is not None and closed_on < data.opened_on:
        raise Refused("La clôture ne peut pas précéder l'ouverture.", "closed_on")
    if closed_on is not None and data.status not in CLOSED_STATUSES:
        raise Refused("Seule une action faite ou abandonnée a une date de clôture.", "closed_on")
    if action is None:
        action = SupportAction(pathway_id=pathway.id)
        session.add(action)
    action.domain, action.description, action.status = data.domain, data.description, data.status
    action.opened_on, action.closed_on = data.opened_on, closed_on
    session.flush()
    return action


def record_exit(pathway: Pathway, exit_date: date, outcome: ExitOutcome, note: str) -> None:
    """The exit: its date and outcome; the pathway is ended."""
    if exit_date < pathway.start_date:
        raise Refused(EXIT_BEFORE_START, "exit_date")
    pathway.exit_date, pathway.exit_outcome, pathway.exit_note = exit_date, outcome, note
    pathway.status = PathwayStatus.ENDED
    session.flush()
