"""The local employment committee (CLE): its decisions, never changed silently, and what a
decision about an activity does to it. An activity starts only after an approving decision;
a refusal states its reasons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.plugin_api import in_paris, session, utcnow
from plugins.tzcld.models import (
    Activity,
    ActivityStatus,
    CleMember,
    Decision,
    DecisionSubject,
    DecisionVersion,
    Meeting,
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


def reads_decisions(association_id: int, person_id: int) -> bool:
    """Whether the person sits on the association's committee with read access to its
    decisions and the figures counted over everyone (never to people's files)."""
    return session.scalar(select(CleMember.id).where(
        CleMember.association_id == association_id, CleMember.person_id == person_id,
        CleMember.reads_decisions.is_(True)).limit(1)) is not None


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


def _latest(activity_id: int) -> Any:
    """The committee's last word on the activity: the decision of its latest meeting (a decision
    entered late for an earlier meeting does not override it), then the last recorded."""
    return session.execute(select(Decision.id, Decision.outcome, Meeting.starts_at)
                           .join(Meeting, Meeting.id == Decision.meeting_id)
                           .where(Decision.activity_id == activity_id)
                           .order_by(Meeting.starts_at.desc(), Decision.id.desc()).limit(1)).first()


def decide(association_id: int, meeting_id: int, *, subject: DecisionSubject, activity: Activity | None,
           title: str, outcome: Outcome, reasons: str) -> Decision:
    """A decision of the meeting (the caller commits), once the meeting has begun."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.starts_at > utcnow():
        raise DecisionRefused("La réunion n'a pas encore eu lieu : ses décisions s'enregistrent "
                              "une fois qu'elle s'est tenue.", "subject")
    _check(subject, activity, outcome, reasons)
    if activity is not None and in_paris(meeting.starts_at).date() < activity.proposed_on:
        raise DecisionRefused("Cette réunion précède la proposition de l'activité "
                              f"({activity.proposed_on:%d/%m/%Y}).", "activity_id")
    decision = Decision(association_id=association_id, meeting_id=meeting_id, subject=subject,
                        activity_id=activity.id if activity else None, title=title, outcome=outcome,
                        reasons=reasons)
    session.add(decision)
    session.flush()
    if activity is not None and _latest(activity.id)[0] == decision.id:
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
    latest = _latest(activity.id)[0] if activity is not None else None
    version = DecisionVersion(title=decision.title, outcome=decision.outcome, reasons=decision.reasons,
                              replaced_by_id=by_id)
    decision.versions.append(version)
    decision.title, decision.outcome, decision.reasons = title, outcome, reasons
    if latest == decision.id:  # an earlier decision, corrected, does not undo a later one
        _apply(activity, outcome)
    return version


def approved_at(activity_id: int) -> datetime | None:
    """When the meeting whose decision approved the activity began, if its latest decision
    about it is an approval: an activity starts on that day or later."""
    latest = _latest(activity_id)
    return latest[2] if latest is not None and latest[1] is Outcome.APPROVED else None
