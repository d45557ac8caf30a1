"""The local employment committee (CLE): its decisions, never changed silently, and what a
decision about an activity does to it. An activity starts only after an approving decision;
a refusal states its reasons."""

from __future__ import annotations

from sqlalchemy import select

from core.plugin_api import session
from plugins.tzcld.models import (
    Activity,
    ActivityStatus,
    Decision,
    DecisionSubject,
    DecisionVersion,
    Outcome,
)

SUBJECT_LABELS = {
    DecisionSubject.ACTIVITY: "Activité utile",
    DecisionSubject.PERSON_RULE: "Règle concernant les personnes",
    DecisionSubject.BUDGET: "Budget",
    DecisionSubject.OTHER: "Autre",
}
OUTCOME_LABELS = {Outcome.APPROVED: "Approuvée", Outcome.REFUSED: "Refusée", Outcome.POSTPONED: "Reportée"}
ACTIVITY_FOR = {Outcome.APPROVED: ActivityStatus.APPROVED, Outcome.REFUSED: ActivityStatus.REFUSED,
                Outcome.POSTPONED: ActivityStatus.POSTPONED}


class DecisionRefused(Exception):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _check(subject: DecisionSubject, activity: Activity | None, outcome: Outcome, reasons: str) -> None:
    if outcome is Outcome.REFUSED and not reasons.strip():
        raise DecisionRefused("Un refus s'explique : indiquez les motifs.", "reasons")
    if subject is DecisionSubject.ACTIVITY and activity is None:
        raise DecisionRefused("Choisissez l'activité dont il s'agit.", "activity_id")
    if activity is not None and activity.status in (ActivityStatus.RUNNING, ActivityStatus.ENDED) \
            and outcome is not Outcome.APPROVED:
        raise DecisionRefused("Cette activité a démarré : une décision qui la refuse ou la reporte "
                              "ne s'applique plus.", "outcome")


def _apply(activity: Activity | None, outcome: Outcome) -> None:
    if activity is not None and activity.status not in (ActivityStatus.RUNNING, ActivityStatus.ENDED):
        activity.status = ACTIVITY_FOR[outcome]


def decide(association_id: int, meeting_id: int, *, subject: DecisionSubject, activity: Activity | None,
           title: str, outcome: Outcome, reasons: str) -> Decision:
    """A decision of the meeting (the caller commits)."""
    _check(subject, activity, outcome, reasons)
    decision = Decision(association_id=association_id, meeting_id=meeting_id, subject=subject,
                        activity_id=activity.id if activity else None, title=title, outcome=outcome,
                        reasons=reasons)
    session.add(decision)
    _apply(activity, outcome)
    return decision


def amend(decision: Decision, *, title: str, outcome: Outcome, reasons: str,
          by_id: int | None) -> DecisionVersion | None:
    """Change a decision's wording, keeping the previous one, dated and signed; None when
    nothing changed (no empty version)."""
    if (title, outcome, reasons) == (decision.title, decision.outcome, decision.reasons):
        return None
    activity = session.get(Activity, decision.activity_id) if decision.activity_id else None
    _check(decision.subject, activity, outcome, reasons)
    version = DecisionVersion(title=decision.title, outcome=decision.outcome, reasons=decision.reasons,
                              replaced_by_id=by_id)
    decision.versions.append(version)
    decision.title, decision.outcome, decision.reasons = title, outcome, reasons
    _apply(activity, outcome)
    return version


def approved(activity_id: int) -> bool:
    """Whether the CLE approved the activity (its latest decision about it)."""
    latest = session.scalar(select(Decision.outcome).where(Decision.activity_id == activity_id)
                            .order_by(Decision.id.desc()).limit(1))
    return latest is Outcome.APPROVED
