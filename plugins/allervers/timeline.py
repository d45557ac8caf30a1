"""A pathway's timeline: everything that happened, by date — first contact, start, stages,
barriers, actions, referrals and their answers, changes of referent, exit.

Nothing is stored for it: it is read from the pathway's rows and, for referrals, from the
core's live statuses, so that it never says a referral is waiting when the partner
answered. Building it takes a fixed number of queries (names, partners, referrals), whatever
the pathway's length.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from core.plugin_api import in_paris, partner_names, people_names, session
from plugins.allervers.models_pathways import BarrierStatus, Pathway
from plugins.allervers.pathways import OUTCOME_LABELS

# Within a day, in the order things happen.
KINDS = ("contact", "start", "referent", "stage", "barrier", "action", "referral", "exit")


@dataclass(frozen=True)
class Entry:
    on: date
    kind: str  # one of KINDS, for the page's badge
    text: str
    detail: str = ""

    @property
    def sort_key(self) -> tuple[date, int]:
        return self.on, KINDS.index(self.kind)


KIND_LABELS = {
    "contact": "Premier contact",
    "start": "Début",
    "referent": "Référent·e",
    "stage": "Étape",
    "barrier": "Frein",
    "action": "Action",
    "referral": "Orientation",
    "exit": "Sortie",
}


def names_of(person_ids: Iterable[int | None]) -> dict[int, str]:
    """« Prénom Nom » of these people, in one query (none if no id)."""
    ids = sorted({i for i in person_ids if i is not None})
    if not ids:
        return {}
    rows = session.execute(select(people_names.c.id, people_names.c.first_name,
                                  people_names.c.last_name).where(people_names.c.id.in_(ids)))
    return {i: f"{first} {last}" for i, first, last in rows}


def partners_of(partner_ids: Iterable[int | None]) -> dict[int, str]:
    ids = sorted({i for i in partner_ids if i is not None})
    if not ids:
        return {}
    return dict(session.execute(select(partner_names.c.id, partner_names.c.name)
                                .where(partner_names.c.id.in_(ids))).all())


def _referral_entries(referral: Any) -> list[Entry]:
    """A referral's dated steps, from the core's ``ReferralInfo``."""
    to = referral.partner_name + (f" — {referral.service_name}" if referral.service_name else "")
    entries = [Entry(in_paris(referral.sent_at).date(), "referral", f"Orientation envoyée : {to}",
                     referral.reason)]
    status = str(referral.status)
    if referral.answered_at is not None:
        day = in_paris(referral.answered_at).date()
        if status == "refused":
            entries.append(Entry(day, "referral", f"Orientation refusée par {referral.partner_name}",
                                 referral.refusal_reason))
        else:
            appointment = (f" : rendez-vous le {referral.appointment_on:%d/%m/%Y}"
                           if referral.appointment_on else "")
            entries.append(Entry(day, "referral",
                                 f"Orientation acceptée par {referral.partner_name}{appointment}"))
    if referral.closed_at is not None and status in ("done", "expired", "withdrawn"):
        text = {"done": f"Orientation réalisée : {to}",
                "expired": f"Orientation expirée sans réponse de {referral.partner_name}",
                "withdrawn": f"Orientation retirée : {to}"}[status]
        entries.append(Entry(in_paris(referral.closed_at).date(), "referral", text))
    return entries


def timeline(pathway: Pathway, *, names: Mapping[int, str], partners: Mapping[int, str],
             barrier_labels: Mapping[str, str], referrals: Mapping[int, Any]) -> list[Entry]:
    """The pathway's entries, oldest first. ``names`` and ``partners`` by id (see
    ``names_of``, ``partners_of``), ``barrier_labels`` the core's, ``referrals`` the core's
    ``ReferralInfo`` by id."""
    def who(person_id: int | None) -> str:
        return names.get(person_id, "personne retirée") if person_id else "personne non désignée"

    def at(partner_id: int | None) -> str:
        return f" ({partners[partner_id]})" if partner_id in partners else ""

    met = ("Rencontre lors d'une action d'aller-vers" if pathway.contact_id
           else "Premier contact avec l'association")
    entries = [Entry(pathway.first_contact_on, "contact", met),
               Entry(pathway.started_on, "start", "Entrée en parcours")]
    previous: int | None = None
    for index, row in enumerate(pathway.referents):
        if index == 0:
            entries.append(Entry(row.from_on, "referent", f"Personne référente : {who(row.referent_id)}"))
        else:
            entries.append(Entry(row.from_on, "referent",
                                 f"Changement de personne référente : {who(row.referent_id)} "
                                 f"succède à {who(previous)}"))
        previous = row.referent_id
    for stage in pathway.stages:
        entries.append(Entry(stage.started_on, "stage", f"Étape « {stage.name} »{at(stage.partner_id)}"))
    for barrier in pathway.barriers:
        label = barrier_labels.get(barrier.barrier, barrier.barrier)
        entries.append(Entry(barrier.identified_on, "barrier", f"Frein repéré : {label}"))
        if barrier.being_lifted_on is not None:
            entries.append(Entry(barrier.being_lifted_on, "barrier", f"Frein en cours de levée : {label}"))
        if barrier.status is BarrierStatus.LIFTED and barrier.lifted_on is not None:
            entries.append(Entry(barrier.lifted_on, "barrier", f"Frein levé : {label}"))
    for action in pathway.actions:
        referral = referrals.get(action.referral_id) if action.referral_id else None
        if referral is not None:
            entries.extend(_referral_entries(referral))
        else:
            entries.append(Entry(action.done_on, "action", (action.description.splitlines() or [""])[0][:200]
                                 + at(action.partner_id)))
    if pathway.ended_on is not None and pathway.exit_outcome is not None:
        entries.append(Entry(pathway.ended_on, "exit",
                             f"Sortie : {OUTCOME_LABELS[pathway.exit_outcome]}", pathway.exit_note))
    return sorted(entries, key=lambda entry: entry.sort_key)


def people_and_partners(pathway: Pathway) -> tuple[dict[int, str], dict[int, str]]:
    """The names a pathway's timeline and page need, in two queries."""
    names = names_of([pathway.person_id, pathway.referent_id,
                      *(r.referent_id for r in pathway.referents),
                      *(a.by_person_id for a in pathway.actions)])
    partners = partners_of([*(s.partner_id for s in pathway.stages),
                            *(a.partner_id for a in pathway.actions)])
    return names, partners
