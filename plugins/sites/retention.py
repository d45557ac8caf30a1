"""Applications are kept while they are useful: a call closed for longer than the
association's ``retention_months`` loses its applications (contacts, projects, scores,
attachments and their files), and keeps what was received and decided as counts
(``CallCounts``), for the indicators and the funders' reports. An allocation that came from
a purged application stays: the occupant's record is the allocation's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select

from core.plugin_api import AssociationRef, add_months, delete_upload, session
from plugins.sites.models_calls import Application, Attachment, Call, CallCounts, Choice, Decision


@dataclass(frozen=True)
class Purged:
    calls: int
    applications: int


def decided_counts(call_ids: list[int]) -> dict[int, tuple[int, int, int, int]]:
    """Per call: applications received, with a lot accepted, refused on every lot, on a
    waiting list without a lot accepted — in one query. An application is counted once."""
    if not call_ids:
        return {}
    per_application = (
        select(Application.call_id, Application.id,
               func.count().filter(Choice.decision == Decision.ACCEPTED).label("accepted"),
               func.count().filter(Choice.decision == Decision.WAITING).label("waiting"),
               func.count().filter(Choice.decision == Decision.REFUSED).label("refused"),
               func.count(Choice.id).label("choices"))
        .outerjoin(Choice, Choice.application_id == Application.id)
        .where(Application.call_id.in_(call_ids))
        .group_by(Application.call_id, Application.id)
        .subquery())
    rows = session.execute(
        select(per_application.c.call_id, func.count(),
               func.count().filter(per_application.c.accepted > 0),
               func.count().filter(per_application.c.accepted == 0,
                                   per_application.c.refused == per_application.c.choices,
                                   per_application.c.choices > 0),
               func.count().filter(per_application.c.accepted == 0, per_application.c.waiting > 0))
        .group_by(per_application.c.call_id))
    return {call_id: (received, accepted, refused, waiting)
            for call_id, received, accepted, refused, waiting in rows}


def purge_association(association: AssociationRef, retention_months: int, today: date) -> Purged:
    """Purge the applications of the association's calls closed before ``today`` minus the
    retention. The caller holds the write lock and commits: the files go when it does."""
    cutoff = add_months(today, -retention_months)
    calls = list(session.scalars(
        select(Call.id).where(Call.association_id == association.id, Call.closes_on < cutoff,
                              Call.id.in_(select(Application.call_id)))))
    if not calls:
        return Purged(0, 0)
    counts = decided_counts(calls)
    kept = {row.call_id: row
            for row in session.scalars(select(CallCounts).where(CallCounts.call_id.in_(calls)))}
    for call_id, (received, accepted, refused, waiting) in counts.items():
        row = kept.get(call_id) or CallCounts(association_id=association.id, call_id=call_id,
                                              received=0, accepted=0, refused=0, waiting=0)
        row.received += received
        row.accepted += accepted
        row.refused += refused
        row.waiting += waiting
        session.add(row)
    applications = select(Application.id).where(Application.call_id.in_(calls))
    for stored in session.scalars(select(Attachment).where(Attachment.application_id.in_(applications))):
        delete_upload(stored.file)
    removed = session.execute(delete(Application).where(Application.call_id.in_(calls))
                              .execution_options(synchronize_session=False)).rowcount or 0
    return Purged(len(calls), removed)
