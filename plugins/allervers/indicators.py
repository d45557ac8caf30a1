"""Counts for funder reports (REAJI, Activ'Action, the State): numbers, never lists of
people.

Rules, for the period from ``period_start`` to ``period_end`` (both included, days in
Paris time):

- **People reached**: the people met at the outreach actions of the period — the anonymous
  tallies, plus the identified contacts who were not counted in a tally (a contact linked to
  its tally is the same person: counted once).
- **People identified**: contacts whose consent was recorded in the period.
- **People engaged**: people whose pathway started in the period (once each).
- **Exits by outcome**: pathways that ended in the period, one indicator per outcome, always
  all of them.
- **Referrals by status**: the referrals made from the pathways' actions and sent in the
  period, by their status today, one indicator per status.

Small cells, under the plugin API's rule (``masked_count``): a breakdown cell (an outcome, a
status) counting 1 or 2 is masked — its value is 0 and its unit says « masqué : moins de 3 »;
no total of exits nor of referrals is reported, so that a masked cell cannot be worked out
by subtraction. The totals (reached, identified, engaged) are reported exactly.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from core.plugin_api import (
    AssociationRef,
    Indicator,
    ReferralStatus,
    day_bounds,
    in_paris,
    masked_count,
    referrals_by_id,
    session,
)
from plugins.allervers import NAME
from plugins.allervers.models_outreach import Contact, OutreachAction, Tally
from plugins.allervers.models_pathways import ExitOutcome, Pathway, PathwayAction

EXIT_LABELS = {
    ExitOutcome.JOB: "Sorties vers un emploi",
    ExitOutcome.TRAINING: "Sorties vers une formation",
    ExitOutcome.JOB_SEARCH: "Relais vers le droit commun",
    ExitOutcome.OTHER: "Autres sorties",
    ExitOutcome.DROPPED_OUT: "Abandons ou perdus de vue",
}
REFERRAL_LABELS = {
    ReferralStatus.SENT: "Orientations sans réponse",
    ReferralStatus.ACCEPTED: "Orientations acceptées",
    ReferralStatus.DONE: "Orientations réalisées",
    ReferralStatus.REFUSED: "Orientations refusées",
    ReferralStatus.EXPIRED: "Orientations expirées sans réponse",
    ReferralStatus.WITHDRAWN: "Orientations retirées",
}


def indicators_for(association: AssociationRef, period_start: date,
                   period_end: date) -> list[Indicator]:
    since, until = day_bounds(period_start, (period_end - period_start).days + 1)
    in_period = (OutreachAction.association_id == association.id,
                 OutreachAction.starts_at >= since, OutreachAction.starts_at < until)
    tallies = session.scalar(select(func.count(Tally.id))
                             .join(OutreachAction, OutreachAction.id == Tally.action_id)
                             .where(*in_period)) or 0
    untallied = session.scalar(select(func.count(Contact.id))
                               .join(OutreachAction, OutreachAction.id == Contact.action_id)
                               .where(*in_period, Contact.tally_id.is_(None))) or 0
    identified = session.scalar(select(func.count(Contact.id)).where(
        Contact.association_id == association.id, Contact.consent_on >= period_start,
        Contact.consent_on <= period_end)) or 0
    engaged = session.scalar(select(func.count(func.distinct(Pathway.person_id))).where(
        Pathway.association_id == association.id, Pathway.started_on >= period_start,
        Pathway.started_on <= period_end)) or 0
    exits = dict(session.execute(
        select(Pathway.exit_outcome, func.count(Pathway.id))
        .where(Pathway.association_id == association.id, Pathway.exit_outcome.is_not(None),
               Pathway.ended_on >= period_start, Pathway.ended_on <= period_end)
        .group_by(Pathway.exit_outcome)).all())
    referral_ids = session.scalars(
        select(PathwayAction.referral_id).join(Pathway, Pathway.id == PathwayAction.pathway_id)
        .where(Pathway.association_id == association.id, PathwayAction.referral_id.is_not(None))).all()
    statuses = Counter(r.status for r in referrals_by_id(association, referral_ids).values()
                       if period_start <= in_paris(r.sent_at).date() <= period_end)

    def indicator(key: str, label: str, value: int, unit: str = "personnes") -> Indicator:
        return Indicator(key=f"{NAME}.{key}", label=label, value=value, unit=unit,
                         period_start=period_start, period_end=period_end)

    result = [
        indicator("reached", "Personnes rencontrées en aller-vers (comptages anonymes compris)",
                  tallies + untallied),
        indicator("identified", "Personnes identifiées (contact avec consentement)", identified),
        indicator("engaged", "Personnes entrées en parcours", engaged),
    ]
    for outcome, label in EXIT_LABELS.items():
        value, unit = masked_count(exits.get(outcome, 0))
        result.append(indicator(f"exits.{outcome.value}", label, value, unit))
    for status, label in REFERRAL_LABELS.items():
        value, unit = masked_count(statuses.get(status, 0), "orientations")
        result.append(indicator(f"referrals.{status.value}", label, value, unit))
    return result
