"""What the pathways put on the core's pages: the dashboard widget (the target's progress,
the pathways of the referent) and the person's section (their pathway and its timeline).

Both are for the association's coordinators and admins, in a fixed number of queries.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import url_for
from sqlalchemy import func, select

from core.plugin_api import (
    BARRIER_LABELS,
    AssociationRef,
    PersonRef,
    ReferralStatus,
    Role,
    Section,
    french_date,
    has_role,
    neighbourhoods,
    paris_today,
    referrals_by_id,
    session,
    utcnow,
)
from plugins.allervers import TITLE
from plugins.allervers.models_pathways import Pathway, PathwayAction
from plugins.allervers.pathways import (
    BARRIER_STATUS_LABELS,
    OUTCOME_LABELS,
    current_stage,
    pathways_of_person,
)
from plugins.allervers.targets import progress, target_check
from plugins.allervers.timeline import KIND_LABELS, people_and_partners, timeline

LABELS = {
    "outcome": OUTCOME_LABELS,
    "barrier_status": BARRIER_STATUS_LABELS,
    "barrier": BARRIER_LABELS,
    "kind": KIND_LABELS,
}


def referrals_of_actions(association: AssociationRef, pathway: Pathway) -> dict[int, Any]:
    """The core's live status of the pathway's referrals, in one query."""
    ids = [a.referral_id for a in pathway.actions if a.referral_id is not None]
    return referrals_by_id(association, ids) if ids else {}


def pathway_context(association: AssociationRef, pathway: Pathway) -> dict[str, Any]:
    """What the pathway page and the person's section show."""
    names, partner_names = people_and_partners(pathway)
    referrals = referrals_of_actions(association, pathway)
    entries = timeline(pathway, names=names, partners=partner_names,
                       barrier_labels=BARRIER_LABELS, referrals=referrals)
    return {
        "pathway": pathway,
        "names": names,
        "partners": partner_names,
        "referrals": referrals,
        "stage": current_stage(pathway),
        "check": target_check(association, pathway.age_at_first_contact, pathway.neighbourhood_id,
                              {n.id: n for n in neighbourhoods()}),
        "timeline": entries,
    }


def person_sections(association: AssociationRef, person: PersonRef) -> list[Section]:
    """The person's latest pathway and its timeline; nothing without a pathway."""
    if not has_role(association.id, Role.COORDINATOR):
        return []
    found = pathways_of_person(association.id, person.id)
    if not found:
        return []
    latest = found[0]
    context = pathway_context(association, latest)
    context |= {"labels": LABELS, "person": person, "earlier": len(found) - 1,
                "url": url_for("allervers.pathway_detail", association=association.slug,
                               pathway_id=latest.id)}
    return [Section(title=f"{TITLE} — parcours", template="allervers/person_section.html",
                    context=context, weight=25, minimum_role=Role.COORDINATOR)]


ANSWERS_DAYS = 14  # the partners' answers the referent is shown on the dashboard


def answers_for(association: AssociationRef, person: PersonRef) -> list[dict[str, Any]]:
    """The partners' answers (accepted, refused) of the last days to the referrals of the
    open pathways ``person`` is the referent of, newest first: two queries."""
    rows = session.execute(
        select(PathwayAction.referral_id, Pathway.id)
        .join(Pathway, Pathway.id == PathwayAction.pathway_id)
        .where(Pathway.association_id == association.id, Pathway.referent_id == person.id,
               Pathway.ended_on.is_(None), PathwayAction.referral_id.is_not(None))).all()
    pathway_of = dict(rows)
    since = utcnow() - timedelta(days=ANSWERS_DAYS)
    answered = [r for r in referrals_by_id(association, pathway_of).values()
                if r.answered_at is not None and r.answered_at >= since
                and r.status in (ReferralStatus.ACCEPTED, ReferralStatus.REFUSED, ReferralStatus.DONE)]
    answered.sort(key=lambda r: r.answered_at, reverse=True)
    return [{"name": r.person_first_name,
             "label": (f"{r.partner_name} a refusé l'orientation" if r.status is ReferralStatus.REFUSED
                       else f"{r.partner_name} a accepté l'orientation"
                       + (f" (rendez-vous le {french_date(r.appointment_on)})" if r.appointment_on else "")),
             "url": url_for("allervers.pathway_detail", association=association.slug,
                            pathway_id=pathway_of[r.id])}
            for r in answered]


def dashboard_widgets(association: AssociationRef, person: PersonRef) -> list[Section]:
    """The target's progress, the pathways open and those the person is the referent of,
    the partners' recent answers to the person's referrals."""
    if not has_role(association.id, Role.COORDINATOR):
        return []
    today = paris_today()
    open_count, mine = session.execute(
        select(func.count(Pathway.id), func.count(Pathway.id).filter(Pathway.referent_id == person.id))
        .where(Pathway.association_id == association.id, Pathway.ended_on.is_(None))).one()
    context = {"association": association, "progress": progress(association, today),
               "open_count": open_count, "mine": mine, "answers": answers_for(association, person)}
    return [Section(title=f"{TITLE} — {association.short_name}", template="allervers/widget.html",
                    context=context, weight=25, minimum_role=Role.COORDINATOR)]
