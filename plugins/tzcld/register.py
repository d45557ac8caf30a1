"""The register of people durably deprived of employment (PPDE): eligibility, the status
pipeline with its dated transitions, and the wait for a job (exhaustiveness).

identified → met → waiting (a volunteer, on the waiting list) → hired by the EBE, or an exit
(job elsewhere, training, moved away, withdrew, other) from any step; someone who left may
come back (to met, or straight to the waiting list). A transition never goes back in time.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from core.plugin_api import add_months, session
from plugins.tzcld.models import Employment, ExitReason, Ppde, PpdeStatus, Transition, WorkingTime
from plugins.tzcld.settings import Rules

STATUS_LABELS = {
    PpdeStatus.IDENTIFIED: "Repérée",
    PpdeStatus.MET: "Rencontrée",
    PpdeStatus.WAITING: "Volontaire, en attente d'embauche",
    PpdeStatus.HIRED: "Embauchée par l'EBE",
    PpdeStatus.EXITED: "Sortie",
}
EXIT_LABELS = {
    ExitReason.JOB_ELSEWHERE: "Emploi ailleurs",
    ExitReason.TRAINING: "Formation",
    ExitReason.MOVED_AWAY: "Déménagement",
    ExitReason.WITHDREW: "Ne souhaite plus",
    ExitReason.OTHER: "Autre",
}
# Where each status may lead.
NEXT = {
    PpdeStatus.IDENTIFIED: (PpdeStatus.MET, PpdeStatus.EXITED),
    PpdeStatus.MET: (PpdeStatus.WAITING, PpdeStatus.EXITED),
    PpdeStatus.WAITING: (PpdeStatus.HIRED, PpdeStatus.EXITED),
    PpdeStatus.HIRED: (PpdeStatus.EXITED,),
    PpdeStatus.EXITED: (PpdeStatus.MET, PpdeStatus.WAITING),
}


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Eligibility:
    met: tuple[str, ...]  # the conditions fulfilled, in French
    missing: tuple[str, ...]  # those that are not, and from when they would be

    @property
    def eligible(self) -> bool:
        return not self.missing


def eligibility(without_work_since: date | None, resident_since: date | None,
                consent_on: date | None, on: date, rules: Rules) -> Eligibility:
    """Eligible on ``on``: without work for more than the setting's months, resident on the
    territory for at least its months, and a volunteer."""
    met: list[str] = []
    missing: list[str] = []
    months = rules.months_without_work
    if without_work_since is None:
        missing.append("Date de fin du dernier emploi non renseignée.")
    elif add_months(without_work_since, months) < on:
        met.append(f"Sans emploi depuis plus de {months} mois (depuis le {_fr(without_work_since)}).")
    else:
        first_day = add_months(without_work_since, months) + timedelta(days=1)
        missing.append(f"Sans emploi depuis moins de {months} mois : éligible à partir du "
                       f"{_fr(first_day)}.")
    months = rules.months_resident
    if resident_since is None:
        missing.append("Date d'arrivée sur le territoire non renseignée.")
    elif add_months(resident_since, months) <= on:
        met.append(f"Réside sur le territoire depuis au moins {months} mois "
                   f"(depuis le {_fr(resident_since)}).")
    else:
        missing.append(f"Réside sur le territoire depuis moins de {months} mois : éligible à "
                       f"partir du {_fr(add_months(resident_since, months))}.")
    if consent_on is None or consent_on > on:
        missing.append("Pas encore volontaire (consentement non recueilli).")
    else:
        met.append(f"Volontaire depuis le {_fr(consent_on)}.")
    return Eligibility(tuple(met), tuple(missing))


def eligibility_of(ppde: Ppde, on: date, rules: Rules) -> Eligibility:
    return eligibility(ppde.without_work_since, ppde.resident_since, ppde.consent_on, on, rules)


class TransitionRefused(Exception):
    """``str(error)`` is the French reason; ``field`` the form field it is about."""

    def __init__(self, message: str, field: str = "status") -> None:
        super().__init__(message)
        self.field = field


def enter(association_id: int, person_id: int, on: date, *, recorded_by_id: int | None,
          without_work_since: date | None = None, resident_since: date | None = None,
          consent_on: date | None = None) -> Ppde:
    """A new entry of the register, identified on ``on`` (the caller commits)."""
    entry = Ppde(association_id=association_id, person_id=person_id, status=PpdeStatus.IDENTIFIED,
                 without_work_since=without_work_since, resident_since=resident_since,
                 consent_on=consent_on)
    entry.transitions.append(Transition(association_id=association_id, status=PpdeStatus.IDENTIFIED,
                                        on=on, recorded_by_id=recorded_by_id))
    session.add(entry)
    return entry


def move(ppde: Ppde, status: PpdeStatus, on: date, *, rules: Rules, today: date,
         recorded_by_id: int | None, exit_reason: ExitReason | None = None,
         weekly_hours: Decimal | None = None, note: str = "") -> Transition:
    """Record a step of the pipeline (the caller commits). A hire also opens the person's
    PPDE contract with the EBE, at the hours they chose."""
    if status not in NEXT[ppde.status]:
        raise TransitionRefused(
            f"Impossible de passer de « {STATUS_LABELS[ppde.status]} » à « {STATUS_LABELS[status]} ».")
    last = ppde.transitions[-1].on if ppde.transitions else None
    if on > today:
        raise TransitionRefused("La date ne peut pas être dans le futur.", "on")
    if last is not None and on < last:
        raise TransitionRefused(f"La date ne peut pas précéder l'étape précédente ({_fr(last)}).", "on")
    if status is PpdeStatus.WAITING:
        verdict = eligibility_of(ppde, on, rules)
        if not verdict.eligible:
            raise TransitionRefused("Pas éligible à cette date. " + " ".join(verdict.missing))
    if status is PpdeStatus.EXITED and exit_reason is None:
        raise TransitionRefused("Indiquez le motif de sortie.", "exit_reason")
    if status is not PpdeStatus.EXITED:
        exit_reason = None
    # Leaving the register ends the EBE contract that the hire opened, on the day of the exit:
    # a contract left running would keep counting in the ETP and the CDE.
    to_close = running_ppde_contracts(ppde) if status is PpdeStatus.EXITED else []
    for contract in to_close:
        if on < contract.started_on:
            raise TransitionRefused("La sortie ne peut pas précéder le début du contrat "
                                    f"({_fr(contract.started_on)}).", "on")
    if status is PpdeStatus.HIRED:
        if running_ppde_contracts(ppde):
            raise TransitionRefused("Cette personne a déjà un contrat PPDE en cours avec l'EBE : "
                                    "terminez-le d'abord.")
        last_day = session.scalar(select(func.max(Employment.ended_on)).where(
            Employment.association_id == ppde.association_id, Employment.person_id == ppde.person_id,
            Employment.ppde.is_(True)))
        if last_day is not None and on <= last_day:
            # The exit's day is the last day of the previous contract: counted once, not twice.
            raise TransitionRefused("L'embauche suit la fin du contrat précédent "
                                    f"({_fr(last_day)}) : datez-la du lendemain ou après.", "on")
        if weekly_hours is None:
            raise TransitionRefused("Indiquez le temps de travail choisi (heures par semaine).",
                                    "weekly_hours")
        if not Decimal(1) <= weekly_hours <= rules.full_time_hours:
            raise TransitionRefused(f"Entre 1 et {rules.full_time_hours} heures par semaine.",
                                    "weekly_hours")
    else:
        weekly_hours = None
    transition = Transition(association_id=ppde.association_id, status=status, on=on,
                            exit_reason=exit_reason, weekly_hours=weekly_hours, note=note,
                            recorded_by_id=recorded_by_id)
    ppde.transitions.append(transition)
    ppde.status = status
    ppde.waiting_since = on if status is PpdeStatus.WAITING else None
    for contract in to_close:
        contract.ended_on = on
        contract.end_reason = f"Sortie du registre : {EXIT_LABELS[exit_reason].lower()}"
    if status is PpdeStatus.HIRED:
        assert weekly_hours is not None
        employment = Employment(association_id=ppde.association_id, person_id=ppde.person_id,
                                ppde=True, started_on=on)
        employment.hours.append(WorkingTime(effective_on=on, weekly_hours=weekly_hours))
        session.add(employment)
    return transition


def running_ppde_contracts(ppde: Ppde) -> list[Employment]:
    """The person's PPDE contracts with the association's EBE that have no end yet."""
    return list(session.scalars(select(Employment).where(
        Employment.association_id == ppde.association_id, Employment.person_id == ppde.person_id,
        Employment.ppde.is_(True), Employment.ended_on.is_(None))))


# --- exhaustiveness --------------------------------------------------------------------------

BINS = ((0, 30, "0 à 30 jours"), (31, 90, "31 à 90 jours"), (91, 180, "91 à 180 jours"),
        (181, 365, "181 à 365 jours"), (366, None, "plus d'un an"))


@dataclass(frozen=True)
class Waiting:
    ppde_id: int
    person_id: int
    since: date
    days: int


@dataclass(frozen=True)
class Exhaustiveness:
    waiting: list[Waiting]  # longest wait first
    median_days: float | None
    longest_days: int | None
    distribution: list[tuple[str, int]]
    over_threshold: list[Waiting]


def waiting_of(association_id: int, today: date, threshold_days: int) -> Exhaustiveness:
    """Who waits for a job and for how long, in one query."""
    rows = session.execute(
        select(Ppde.id, Ppde.person_id, Ppde.waiting_since)
        .where(Ppde.association_id == association_id, Ppde.status == PpdeStatus.WAITING,
               Ppde.waiting_since.is_not(None))
        .order_by(Ppde.waiting_since, Ppde.id)).all()
    waiting = [Waiting(pid, person, since, (today - since).days) for pid, person, since in rows]
    days = [w.days for w in waiting]
    counts = Counter(next(label for low, high, label in BINS if d >= low and (high is None or d <= high))
                     for d in days)
    return Exhaustiveness(
        waiting=waiting,
        median_days=statistics.median(days) if days else None,
        longest_days=max(days) if days else None,
        distribution=[(label, counts.get(label, 0)) for _low, _high, label in BINS],
        over_threshold=[w for w in waiting if w.days > threshold_days])


def hires_by_month(association_id: int, first: date, last: date) -> dict[date, int]:
    """Hires recorded per month (first day of the month) between two days, in one query."""
    rows = session.execute(
        select(Transition.on, func.count())
        .where(Transition.association_id == association_id, Transition.status == PpdeStatus.HIRED,
               Transition.on >= first, Transition.on <= last)
        .group_by(Transition.on)).all()
    months: Counter[date] = Counter()
    for day, count in rows:
        months[day.replace(day=1)] += count
    return dict(months)
