"""Decisions on the lots an application wishes, and the e-mail that tells the applicant.

Each lot wished is accepted, refused (always with reasons: the applicant is told why) or put
on a waiting list, or not decided yet. A lot is accepted for one application of a call at
most: the check locks the lots concerned first on PostgreSQL (SQLite's POST already holds
the write lock), so that two coordinators accepting one lot for two applications at the
same instant cannot both pass. A decision changed after the e-mail went clears
``notified_at``: the applicant will be told again.

The e-mail goes once per application fully decided: ``notify`` claims the applications with
one conditional UPDATE (``notified_at IS NULL``) and writes to those it claimed, so a second
click, or a second coordinator at the same moment, sends nothing more. Nothing here commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, select, update

from core.plugin_api import AssociationRef, send_mail_after_commit, session, utcnow
from plugins.sites.labels import DECISION_WORDS, preference_label
from plugins.sites.models import Lot
from plugins.sites.models_calls import Application, Call, Choice, Decision


@dataclass(frozen=True)
class DecisionInput:
    choice_id: int
    decision: Decision | None
    reasons: str


class DecisionsRefused(Exception):
    """``problems``: the French reason for each choice id refused."""

    def __init__(self, problems: dict[int, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def _accepted_elsewhere(application: Application, lot_ids: list[int]) -> dict[int, tuple[str, str]]:
    """The lots of ``lot_ids`` accepted for another application of the same call: lot id →
    (its code, that application's organisation). Locks the lots first (see above), in id
    order so that two such checks never wait on each other crosswise."""
    session.execute(select(Lot.id).where(Lot.id.in_(lot_ids)).order_by(Lot.id).with_for_update(key_share=True))
    rows = session.execute(
        select(Choice.lot_id, Lot.code, Application.organisation)
        .join(Application, Application.id == Choice.application_id).join(Lot, Lot.id == Choice.lot_id)
        .where(Application.call_id == application.call_id, Application.id != application.id,
               Choice.lot_id.in_(lot_ids), Choice.decision == Decision.ACCEPTED)
        .order_by(Application.submitted_at))
    found: dict[int, tuple[str, str]] = {}
    for lot_id, code, organisation in rows:
        found.setdefault(lot_id, (code, organisation))
    return found


def save_decisions(application: Application, inputs: Sequence[DecisionInput]) -> bool:
    """Write the decisions on the application's choices; whether anything changed. Raises
    ``DecisionsRefused`` (a lot already accepted for another application of the call), after
    which the caller rolls back."""
    session.execute(select(Application.id).where(Application.id == application.id)
                    .with_for_update(key_share=True))
    choices = {c.id: c for c in session.scalars(
        select(Choice).where(Choice.application_id == application.id))}
    wanted = [(choices[i.choice_id], i) for i in inputs if i.choice_id in choices]
    newly_accepted = sorted(c.lot_id for c, i in wanted
                            if i.decision is Decision.ACCEPTED and c.decision is not Decision.ACCEPTED)
    if newly_accepted:
        taken = _accepted_elsewhere(application, newly_accepted)
        problems = {c.id: f"Le lot {taken[c.lot_id][0]} est déjà retenu pour « {taken[c.lot_id][1]} » : "
                          "changez d'abord cette décision-là."
                    for c, i in wanted if i.decision is Decision.ACCEPTED and c.lot_id in taken}
        if problems:
            raise DecisionsRefused(problems)
    changed = False
    now = utcnow()
    for choice, given in wanted:
        if (choice.decision, choice.reasons) == (given.decision, given.reasons):
            continue
        if choice.decision != given.decision:
            choice.decided_at = now if given.decision is not None else None
        choice.decision, choice.reasons = given.decision, given.reasons
        changed = True
    if changed:
        application.notified_at = None  # told something else: the applicant will be told again
    return changed


# --- telling the applicants ----------------------------------------------------------------


@dataclass(frozen=True)
class NotificationCounts:
    ready: int  # every lot decided, not told yet, an e-mail to write to
    undecided: int  # some lot still to decide: not sent
    notified: int  # told, nothing changed since
    unreachable: int  # decided, not told, but the contact was erased: no address


def notification_counts(call_id: int) -> NotificationCounts:
    """How the call's applications stand towards the e-mail (one query)."""
    counts: dict[str, int] = defaultdict(int)
    rows = session.execute(
        select(Application.id, Application.notified_at, Application.contact_email, func.count(Choice.id),
               func.count(Choice.decision))
        .outerjoin(Choice, Choice.application_id == Application.id)
        .where(Application.call_id == call_id)
        .group_by(Application.id, Application.notified_at, Application.contact_email))
    for _, notified_at, email, wished, decided in rows:
        if not wished or decided < wished:
            counts["undecided"] += 1
        elif notified_at is not None:
            counts["notified"] += 1
        elif not email:
            counts["unreachable"] += 1
        else:
            counts["ready"] += 1
    return NotificationCounts(ready=counts["ready"], undecided=counts["undecided"],
                              notified=counts["notified"], unreachable=counts["unreachable"])


def _fully_decided() -> ColumnElement[bool]:
    any_choice = exists().where(Choice.application_id == Application.id)
    undecided = exists().where(Choice.application_id == Application.id, Choice.decision.is_(None))
    return and_(any_choice, ~undecided)


@dataclass(frozen=True)
class Told:
    organisation: str
    contact_name: str
    contact_email: str


@dataclass(frozen=True)
class Outcome:
    code: str
    preference: int
    decision: Decision
    reasons: str


def notify(call: Call, association: AssociationRef, site_name: str) -> int:
    """Send one e-mail per application of the call fully decided and not told yet (once the
    transaction commits); how many. Undecided applications, and those without an address,
    are left for later."""
    claimed = session.execute(
        update(Application)
        .where(Application.call_id == call.id, Application.notified_at.is_(None),
               Application.contact_email != "", _fully_decided())
        .values(notified_at=utcnow())
        .returning(Application.id, Application.organisation, Application.contact_name,
                   Application.contact_email)
        .execution_options(synchronize_session=False))
    told = {row.id: Told(row.organisation, row.contact_name, row.contact_email) for row in claimed}
    if not told:
        return 0
    # Read after the claim: a decision changed meanwhile is in what the e-mail says.
    outcomes: dict[int, list[Outcome]] = defaultdict(list)
    for application_id, code, preference, decision, reasons in session.execute(
            select(Choice.application_id, Lot.code, Choice.preference, Choice.decision, Choice.reasons)
            .join(Application, Application.id == Choice.application_id).join(Lot, Lot.id == Choice.lot_id)
            .where(Application.call_id == call.id).order_by(Choice.preference)):
        if application_id in told:
            outcomes[application_id].append(Outcome(code, preference, decision, reasons))
    for application_id, who in told.items():
        subject, body = decision_mail(call.title, association.name, site_name, who, outcomes[application_id])
        send_mail_after_commit(who.contact_email, subject, body)
    return len(told)


def decision_mail(title: str, association: str, site_name: str, who: Told,
                  outcomes: Sequence[Outcome]) -> tuple[str, str]:
    """The subject and text of the e-mail that gives an applicant the decision on each lot."""
    lines = [f"Bonjour {who.contact_name}," if who.contact_name else "Bonjour,", "",
             f"{association} a examiné la candidature de « {who.organisation} » à l'appel « {title} » "
             f"({site_name}). Voici la décision pour chacun des lots demandés :", ""]
    for outcome in outcomes:
        lines.append(f"- Lot {outcome.code}, votre {preference_label(outcome.preference)} : "
                     f"{DECISION_WORDS[outcome.decision]}.")
        if outcome.decision is Decision.REFUSED and outcome.reasons:
            lines.append("  Motifs : " + outcome.reasons.replace("\n", "\n  "))
    decisions = {o.decision for o in outcomes}
    lines.append("")
    if Decision.ACCEPTED in decisions:
        lines.append("L'équipe vous contactera pour préparer votre installation : convention d'occupation, "
                     "dates, accès au site.")
    elif Decision.WAITING in decisions:
        lines.append("Si un lot se libère, l'équipe vous contactera.")
    lines += ["", f"Pour toute question, contactez {association}.", "", "—", association]
    return f"Votre candidature à l'appel « {title} »", "\n".join(lines)
