"""A person's data in Aller-vers' pathways: export (right of access) and erasure.

Both are called for every installed plugin, whether or not an association still has
Aller-vers enabled. The export holds only the associations whose part the requester may see
(the core checks each record's ``association_id`` again); the erasure, the collective
admin's, takes everything.

What belongs to the person: their pathways with their stages, barriers, actions and
referent history, and the outreach contact they were before they were engaged (the contact
row linked to them by ``Contact.person_id``). The anonymous tallies are not personal data —
no name, no date, nothing that points to anyone — and stay, so that the counts of past
actions do not change. A person may also be the *referent* of other people's pathways, the
author of actions or the one who recorded a contact's consent: the export says how many
pathways they follow, never whose; the erasure only clears those links.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, true, update

from core.plugin_api import PersonalData, PersonRef, partner_names, session
from plugins.allervers.models_outreach import Contact
from plugins.allervers.models_pathways import (
    Pathway,
    PathwayAction,
    PathwayBarrier,
    PathwayReferent,
    PathwayStage,
)

TITLE = "Aller-vers : contact et parcours d'accompagnement"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _grouped(model: Any, pathway_ids: list[int], *order: Any) -> dict[int, list[Any]]:
    """The rows of ``model`` for these pathways, by pathway, in one query."""
    rows: dict[int, list[Any]] = defaultdict(list)
    if pathway_ids:
        for row in session.scalars(select(model).where(model.pathway_id.in_(pathway_ids)).order_by(*order)):
            rows[row.pathway_id].append(row)
    return rows


def _partners(ids: set[int | None]) -> dict[int | None, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(session.execute(select(partner_names.c.id, partner_names.c.name)
                                .where(partner_names.c.id.in_(wanted))).all())


def export_person(person: PersonRef, associations: frozenset[int] | None) -> PersonalData | None:
    def scope(column: Any) -> Any:
        return column.in_(associations) if associations is not None else true()

    pathways = session.scalars(select(Pathway).where(Pathway.person_id == person.id,
                                                     scope(Pathway.association_id))
                               .order_by(Pathway.started_on, Pathway.id)).all()
    contacts = session.scalars(select(Contact).where(Contact.person_id == person.id,
                                                     scope(Contact.association_id))
                               .order_by(Contact.id)).all()
    referent_of = session.execute(
        select(Pathway.association_id, func.count(Pathway.id))
        .where(Pathway.referent_id == person.id, Pathway.person_id != person.id,
               scope(Pathway.association_id))
        .group_by(Pathway.association_id).order_by(Pathway.association_id)).all()
    if not pathways and not contacts and not referent_of:
        return None
    ids = [p.id for p in pathways]
    stages = _grouped(PathwayStage, ids, PathwayStage.started_on, PathwayStage.id)
    barriers = _grouped(PathwayBarrier, ids, PathwayBarrier.barrier)
    actions = _grouped(PathwayAction, ids, PathwayAction.done_on, PathwayAction.id)
    referents = _grouped(PathwayReferent, ids, PathwayReferent.id)
    partners = _partners({s.partner_id for rows in stages.values() for s in rows}
                         | {a.partner_id for rows in actions.values() for a in rows})
    records: list[dict[str, Any]] = [
        {"type": "contact", "association_id": c.association_id, "nom_ou_surnom": c.name,
         "pour_joindre": c.reach, "age_au_premier_contact": c.age_at_first_contact,
         "consentement_le": _iso(c.consent_on), "consentement_explique": c.consent_explained,
         "engage_le": _iso(c.engaged_on)}
        for c in contacts]
    for p in pathways:
        records.append({
            "type": "parcours",
            "association_id": p.association_id,
            "premier_contact": _iso(p.first_contact_on),
            "age_au_premier_contact": p.age_at_first_contact,
            "quartier_id": p.neighbourhood_id,
            "debut": _iso(p.started_on),
            "fin": _iso(p.ended_on),
            "sortie": p.exit_outcome.value if p.exit_outcome else None,
            "sortie_note": p.exit_note,
            "referents": [{"referent_id": r.referent_id, "du": _iso(r.from_on), "au": _iso(r.until_on)}
                          for r in referents[p.id]],
            "etapes": [{"etape": s.name, "partenaire": partners.get(s.partner_id),
                        "du": _iso(s.started_on), "au": _iso(s.ended_on)} for s in stages[p.id]],
            "freins": [{"frein": b.barrier, "statut": b.status.value, "repere_le": _iso(b.identified_on),
                        "levee_commencee_le": _iso(b.being_lifted_on), "leve_le": _iso(b.lifted_on)}
                       for b in barriers[p.id]],
            "actions": [{"le": _iso(a.done_on), "action": a.description,
                         "partenaire": partners.get(a.partner_id), "orientation_id": a.referral_id}
                        for a in actions[p.id]],
        })
    # Referent of someone else's pathway: that it is so, never whose.
    records.extend({"type": "referent", "association_id": association_id,
                    "parcours_suivis_comme_referent": count}
                   for association_id, count in referent_of)
    return PersonalData(title=TITLE, records=records)


def erase_person(person: PersonRef) -> int:
    """Delete the person's pathways (and everything under them) and their contact row;
    clear the person where they only acted on others' records. Returns the rows deleted or
    changed; the core commits once, after every plugin."""
    own = select(Pathway.id).where(Pathway.person_id == person.id).scalar_subquery()
    affected = 0

    def run(statement: Any) -> None:
        nonlocal affected
        affected += session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0

    # Explicit deletes, children first: the count is exact, and nothing depends on the
    # database enforcing ON DELETE CASCADE.
    for model in (PathwayAction, PathwayBarrier, PathwayStage, PathwayReferent):
        run(delete(model).where(model.pathway_id.in_(own)))
    run(delete(Pathway).where(Pathway.person_id == person.id))
    run(delete(Contact).where(Contact.person_id == person.id))  # their tally stays
    run(update(Pathway).where(Pathway.referent_id == person.id).values(referent_id=None))
    run(update(PathwayReferent).where(PathwayReferent.referent_id == person.id).values(referent_id=None))
    run(update(PathwayAction).where(PathwayAction.by_person_id == person.id).values(by_person_id=None))
    run(update(Contact).where(Contact.consent_by_id == person.id).values(consent_by_id=None))
    return affected
