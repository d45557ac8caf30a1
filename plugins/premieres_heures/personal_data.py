"""A person's data in Premières Heures: export (right of access) and erasure.

Both are called for every installed plugin, whether or not an association still has
Premières Heures enabled: data outlives a switch-off. The export holds only the pathways of
the associations whose part the requester may see (the core checks each record's
``association_id`` again); the erasure, the collective admin's, takes them all.

What belongs to the person: their own pathways, with everything hanging from them (hours
stages, work sessions and attendance, reviews, waivers, support actions). A person may also
be the *referent* of someone else's pathway: the export says so (how many pathways, in
which association) without a word of the other person's data, and the erasure only clears
the link, since the pathway is the other person's.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, true, update

from core.plugin_api import PersonalData, PersonRef, partner_names, session
from plugins.premieres_heures.models import (
    HoursStage,
    Pathway,
    Review,
    SupportAction,
    Waiver,
    WorkSession,
)

TITLE = "Premières Heures : parcours de premières heures de travail"


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _value(enum_value: Any) -> str | None:
    return enum_value.value if enum_value is not None else None


def _partner_names(partner_ids: set[int | None]) -> dict[int | None, str]:
    """Names of these partners (a deleted one is left out), in one query."""
    ids = [partner_id for partner_id in partner_ids if partner_id is not None]
    if not ids:
        return {}
    return dict(session.execute(select(partner_names.c.id, partner_names.c.name)
                                .where(partner_names.c.id.in_(ids))).all())


def _grouped(model: Any, pathway_ids: list[int], *order: Any) -> dict[int, list[Any]]:
    """The rows of ``model`` for these pathways, by pathway, in one query."""
    rows: dict[int, list[Any]] = defaultdict(list)
    for row in session.scalars(select(model).where(model.pathway_id.in_(pathway_ids))
                               .order_by(*order, model.id)):
        rows[row.pathway_id].append(row)
    return rows


def export_person(person: PersonRef, associations: frozenset[int] | None) -> PersonalData | None:
    """The pathways (and referent links) of the associations in ``associations``; of every
    association when it is None (the collective admin's full export)."""
    in_scope = (Pathway.association_id.in_(associations) if associations is not None
                else true())
    pathways = session.scalars(select(Pathway).where(Pathway.person_id == person.id, in_scope)
                               .order_by(Pathway.start_date, Pathway.id)).all()
    referent_of = session.execute(
        select(Pathway.association_id, func.count(Pathway.id))
        .where(Pathway.referent_id == person.id, Pathway.person_id != person.id, in_scope)
        .group_by(Pathway.association_id).order_by(Pathway.association_id)
    ).all()
    if not pathways and not referent_of:
        return None
    ids = [p.id for p in pathways]
    stages = _grouped(HoursStage, ids, HoursStage.effective_date)
    sessions = _grouped(WorkSession, ids, WorkSession.starts_at)
    reviews = _grouped(Review, ids, Review.held_on)
    waivers = _grouped(Waiver, ids, Waiver.starts_on)
    actions = _grouped(SupportAction, ids, SupportAction.opened_on)
    partners = _partner_names({p.orienteur_partner_id for p in pathways}
                              | {p.host_partner_id for p in pathways}
                              | {s.host_partner_id for rows in sessions.values() for s in rows})
    records: list[dict[str, Any]] = []
    for pathway in pathways:
        records.append({
            "type": "parcours",
            "association_id": pathway.association_id,
            "orienteur": pathway.orienteur_name,
            "orienteur_contact": pathway.orienteur_contact,
            "orienteur_structure": partners.get(pathway.orienteur_partner_id),
            "referent_id": pathway.referent_id,
            "structure_d_accueil": partners.get(pathway.host_partner_id),
            "debut": _iso(pathway.start_date),
            "fin_prevue": _iso(pathway.planned_end),
            "statut": _value(pathway.status),
            "sortie_le": _iso(pathway.exit_date),
            "sortie": _value(pathway.exit_outcome),
            "sortie_note": pathway.exit_note,
            "paliers": [{"a_partir_du": _iso(s.effective_date), "heures_par_semaine": s.weekly_hours}
                        for s in stages[pathway.id]],
            "seances": [{"debut": _iso(s.starts_at), "fin": _iso(s.ends_at),
                         "heures": round(s.hours, 2), "presence": _value(s.attendance),
                         "structure_d_accueil": partners.get(s.host_partner_id),
                         "encadrant": s.supervisor, "tache": s.task}
                        for s in sessions[pathway.id]],
            "bilans": [{"le": _iso(r.held_on), "participants": r.participants,
                        "observations": r.observations, "decision": _value(r.decision),
                        "nouvelles_heures_par_semaine": r.new_weekly_hours,
                        "prochain_bilan": _iso(r.next_review_on)}
                       for r in reviews[pathway.id]],
            "derogations": [{"du": _iso(w.starts_on), "au": _iso(w.ends_on)}
                            for w in waivers[pathway.id]],
            "accompagnement": [{"domaine": _value(a.domain), "action": a.description,
                                "statut": _value(a.status), "ouverte_le": _iso(a.opened_on),
                                "close_le": _iso(a.closed_on)}
                               for a in actions[pathway.id]],
        })
    # Referent of someone else's pathway: that it is so, never whose.
    records.extend({"type": "referent", "association_id": association_id,
                    "parcours_suivis_comme_referent": count}
                   for association_id, count in referent_of)
    return PersonalData(title=TITLE, records=records)


def erase_person(person: PersonRef) -> int:
    """Delete the person's pathways and everything under them; clear the person as referent
    of other people's pathways. Returns the number of rows deleted or changed. The caller
    (the core) commits once, after every plugin."""
    own = select(Pathway.id).where(Pathway.person_id == person.id).scalar_subquery()
    affected = 0
    # Explicit deletes, children first: the count is exact, and nothing depends on the
    # database enforcing ON DELETE CASCADE.
    for model in (HoursStage, Waiver, SupportAction, WorkSession, Review):
        affected += session.execute(
            delete(model).where(model.pathway_id.in_(own)).execution_options(synchronize_session=False)
        ).rowcount or 0
    affected += session.execute(
        delete(Pathway).where(Pathway.person_id == person.id)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    affected += session.execute(
        update(Pathway).where(Pathway.referent_id == person.id).values(referent_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    return affected
