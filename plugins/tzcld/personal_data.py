"""A person's data in Territoire zéro chômeur: export (right of access) and erasure.

What belongs to the person: their entry in the register (eligibility facts, status and every
transition), their contracts with the EBE (hours and their changes), their seat on the CLE.
Someone who recorded a transition or changed a decision is named there by id: the export
says how many, the erasure clears the link.

Erasure deletes the register's entry and the CLE seat, ends a contract still running on the
day of the erasure, and unlinks the contracts rather than deleting them: a contract's dates
and hours are what the months' ETP and the CDE already declared to the State rest on, and
without the person they say nothing about anyone. The register's past hires per month lose
the erased person's hire.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, true, update

from core.plugin_api import PersonalData, PersonRef, paris_today, session
from plugins.tzcld.models import (
    CleMember,
    Decision,
    DecisionVersion,
    Employment,
    Ppde,
    Transition,
    WorkingTime,
)

TITLE = "Territoire zéro chômeur : registre, contrats avec l'EBE, comité local"


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_person(person: PersonRef, associations: frozenset[int] | None) -> PersonalData | None:
    """The person's records in the associations of ``associations`` (all when None)."""
    def scope(column: Any) -> Any:
        return column.in_(associations) if associations is not None else true()

    entries = session.scalars(select(Ppde).where(Ppde.person_id == person.id,
                                                 scope(Ppde.association_id))).all()
    transitions: dict[int, list[Transition]] = defaultdict(list)
    if entries:
        for transition in session.scalars(select(Transition).where(
                Transition.ppde_id.in_([e.id for e in entries])).order_by(Transition.on, Transition.id)):
            transitions[transition.ppde_id].append(transition)
    contracts = session.scalars(select(Employment).where(
        Employment.person_id == person.id, scope(Employment.association_id))
        .order_by(Employment.started_on, Employment.id)).all()
    hours: dict[int, list[WorkingTime]] = defaultdict(list)
    if contracts:
        for row in session.scalars(select(WorkingTime).where(
                WorkingTime.employment_id.in_([c.id for c in contracts])).order_by(WorkingTime.effective_on)):
            hours[row.employment_id].append(row)
    seats = session.scalars(select(CleMember).where(CleMember.person_id == person.id,
                                                    scope(CleMember.association_id))).all()
    recorded = session.execute(
        select(Transition.association_id, func.count())
        .join(Ppde, Ppde.id == Transition.ppde_id)
        .where(Transition.recorded_by_id == person.id, Ppde.person_id != person.id,
               scope(Transition.association_id))
        .group_by(Transition.association_id)).all()
    changed = session.execute(
        select(Decision.association_id, func.count())
        .join(DecisionVersion, DecisionVersion.decision_id == Decision.id)
        .where(DecisionVersion.replaced_by_id == person.id, scope(Decision.association_id))
        .group_by(Decision.association_id)).all()
    if not (entries or contracts or seats or recorded or changed):
        return None
    records: list[dict[str, Any]] = [{
        "type": "registre",
        "association_id": e.association_id,
        "sans_emploi_depuis": _iso(e.without_work_since),
        "reside_depuis": _iso(e.resident_since),
        "volontaire_depuis": _iso(e.consent_on),
        "statut": e.status.value,
        "en_attente_depuis": _iso(e.waiting_since),
        "etapes": [{"statut": t.status.value, "le": _iso(t.on),
                    "motif_de_sortie": t.exit_reason.value if t.exit_reason else None,
                    "heures_par_semaine": str(t.weekly_hours) if t.weekly_hours is not None else None,
                    "note": t.note} for t in transitions[e.id]],
    } for e in entries]
    records += [{
        "type": "contrat",
        "association_id": c.association_id,
        "ppde": c.ppde, "poste": c.job, "debut": _iso(c.started_on), "fin": _iso(c.ended_on),
        "motif_de_fin": c.end_reason,
        "temps_de_travail": [{"a_partir_du": _iso(h.effective_on), "heures_par_semaine": str(h.weekly_hours)}
                             for h in hours[c.id]],
    } for c in contracts]
    records += [{"type": "comite_local", "association_id": s.association_id, "role": s.role,
                 "organisation": s.organisation, "lit_les_decisions": s.reads_decisions} for s in seats]
    records += [{"type": "etapes_enregistrees", "association_id": association_id, "nombre": count}
                for association_id, count in recorded]
    records += [{"type": "decisions_modifiees", "association_id": association_id, "nombre": count}
                for association_id, count in changed]
    return PersonalData(title=TITLE, records=records)


def erase_person(person: PersonRef) -> int:
    """Returns the number of rows deleted or changed; the core commits, after every plugin."""
    affected = 0
    entries = select(Ppde.id).where(Ppde.person_id == person.id).scalar_subquery()
    for statement in (
            delete(Transition).where(Transition.ppde_id.in_(entries)),
            delete(Ppde).where(Ppde.person_id == person.id),
            delete(CleMember).where(CleMember.person_id == person.id),
            # A contract still running ends on the day of the erasure: left open without
            # anyone, it would go on adding ETP and CDE for months to come.
            update(Employment).where(Employment.person_id == person.id, Employment.ended_on.is_(None))
            .values(ended_on=paris_today(), end_reason="Fiche de la personne effacée"),
            update(Employment).where(Employment.person_id == person.id).values(person_id=None),
            update(Transition).where(Transition.recorded_by_id == person.id).values(recorded_by_id=None),
            update(DecisionVersion).where(DecisionVersion.replaced_by_id == person.id)
            .values(replaced_by_id=None)):
        affected += session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0
    return affected
