"""Pathways with a single referent: their start, the move from one stage to the next, the
barriers being lifted, the actions, the change of referent and the exit.

Functions here work in the shared ``session`` and never commit: the views commit once, so
that a refusal leaves nothing half done. A rule the user broke raises ``Refused``, with a
French message and the form field it is about.
"""

from __future__ import annotations

from datetime import date

from flask import abort
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import Refused, session, utcnow
from plugins.allervers.models_pathways import (
    BarrierStatus,
    ExitOutcome,
    Pathway,
    PathwayAction,
    PathwayBarrier,
    PathwayReferent,
    PathwayStage,
)

OUTCOME_LABELS = {
    ExitOutcome.JOB: "Emploi",
    ExitOutcome.TRAINING: "Formation",
    ExitOutcome.JOB_SEARCH: "Relais vers le droit commun (recherche d'emploi accompagnée)",
    ExitOutcome.OTHER: "Autre sortie",
    ExitOutcome.DROPPED_OUT: "Abandon ou perdu·e de vue",
}
BARRIER_STATUS_LABELS = {
    BarrierStatus.IDENTIFIED: "Repéré",
    BarrierStatus.BEING_LIFTED: "En cours de levée",
    BarrierStatus.LIFTED: "Levé",
}

DUPLICATE_PATHWAY = "Cette personne a déjà un parcours en cours dans l'association."
PATHWAY_ENDED = "Ce parcours est terminé."
IN_THE_FUTURE = "Cette date est dans le futur : notez ce qui a eu lieu."


def _french(day: date) -> str:
    return f"{day:%d/%m/%Y}"


# --- Reading ------------------------------------------------------------------------------

def pathway_or_404(association_id: int, pathway_id: int) -> Pathway:
    """The pathway if it belongs to the association; another association's does not exist."""
    pathway = session.get(Pathway, pathway_id)
    if pathway is None or pathway.association_id != association_id:
        abort(404)
    return pathway


def open_pathway_of(association_id: int, person_id: int) -> Pathway | None:
    return session.scalar(select(Pathway).where(
        Pathway.association_id == association_id, Pathway.person_id == person_id,
        Pathway.ended_on.is_(None)))


def pathways_of_person(association_id: int, person_id: int) -> list[Pathway]:
    """The person's pathways in the association, the latest first."""
    return list(session.scalars(select(Pathway).where(
        Pathway.association_id == association_id, Pathway.person_id == person_id)
        .order_by(Pathway.started_on.desc(), Pathway.id.desc())))


def current_stage(pathway: Pathway) -> PathwayStage | None:
    return next((s for s in reversed(pathway.stages) if s.ended_on is None), None)


def next_stage_name(pathway: Pathway, stages: list[str]) -> str | None:
    """The stage after the current one in the association's list; when the current one is
    no longer in the list (the setting changed), the first of the list not yet gone
    through. None at the last stage: what follows is the exit."""
    done = {s.name.casefold() for s in pathway.stages}
    current = current_stage(pathway)
    names = [name.casefold() for name in stages]
    if current is not None and current.name.casefold() in names:
        index = names.index(current.name.casefold())
        return stages[index + 1] if index + 1 < len(stages) else None
    return next((name for name in stages if name.casefold() not in done), None)


# --- Start --------------------------------------------------------------------------------

def start_pathway(association_id: int, person_id: int, *, first_contact_on: date,
                  started_on: date, first_stage: str, today: date,
                  referent_id: int | None = None, stage_partner_id: int | None = None,
                  age_at_first_contact: int | None = None, neighbourhood_id: int | None = None,
                  contact_id: int | None = None) -> Pathway:
    """A new pathway at its first stage, with its first referent. Refused when the person
    already has an open one in the association, even when another request opened it a
    moment ago (the unique index, caught in a savepoint)."""
    if first_contact_on > today:
        raise Refused(IN_THE_FUTURE, "first_contact_on")
    if started_on < first_contact_on:
        raise Refused(f"Le parcours ne peut commencer avant le premier contact "
                      f"({_french(first_contact_on)}).", "started_on")
    if open_pathway_of(association_id, person_id) is not None:
        raise Refused(DUPLICATE_PATHWAY, "person_id")
    pathway = Pathway(association_id=association_id, person_id=person_id, contact_id=contact_id,
                      referent_id=referent_id, first_contact_on=first_contact_on,
                      age_at_first_contact=age_at_first_contact,
                      neighbourhood_id=neighbourhood_id, started_on=started_on, exit_note="")
    pathway.referents = [PathwayReferent(referent_id=referent_id, from_on=started_on)]
    pathway.stages = [PathwayStage(name=first_stage, partner_id=stage_partner_id,
                                   started_on=started_on)]
    try:
        with session.begin_nested():
            session.add(pathway)
            session.flush()
    except IntegrityError:
        raise Refused(DUPLICATE_PATHWAY, "person_id") from None
    return pathway


# --- Stages -------------------------------------------------------------------------------

def _check_open(pathway: Pathway, field: str) -> None:
    if pathway.ended_on is not None:
        raise Refused(PATHWAY_ENDED, field)


def move_to_next_stage(pathway: Pathway, stages: list[str], on: date, partner_id: int | None,
                       today: date) -> PathwayStage:
    """Close the current stage on ``on`` and open the next one of the list from that day."""
    _check_open(pathway, "on")
    if on > today:
        raise Refused(IN_THE_FUTURE, "on")
    name = next_stage_name(pathway, stages)
    if name is None:
        raise Refused("C'est la dernière étape : la suite est la sortie du parcours.", "on")
    current = current_stage(pathway)
    if current is not None:
        if on < current.started_on:
            raise Refused(f"L'étape « {current.name} » a commencé le {_french(current.started_on)} : "
                          "la suivante ne peut commencer avant.", "on")
        current.ended_on = on
    stage = PathwayStage(name=name, partner_id=partner_id, started_on=on)
    pathway.stages.append(stage)
    session.flush()
    return stage


# --- Barriers -----------------------------------------------------------------------------

def set_barrier(pathway: Pathway, barrier: str, status: BarrierStatus, on: date,
                today: date, known: dict[str, str]) -> PathwayBarrier:
    """A barrier (one of ``known``: the core's list) gets to ``status`` on ``on``. The day
    of each status is kept; setting a barrier back to an earlier status forgets the later
    days, and « identified » again dates it anew."""
    _check_open(pathway, "status")
    if barrier not in known:
        raise Refused("Ce frein n'est pas dans la liste : choisissez dans la liste.", "barrier")
    if on > today:
        raise Refused(IN_THE_FUTURE, "on")
    if on < pathway.first_contact_on:
        raise Refused(f"Le premier contact date du {_french(pathway.first_contact_on)} : "
                      "le frein ne peut être noté avant.", "on")
    row = next((b for b in pathway.barriers if b.barrier == barrier), None)
    if row is None:
        row = PathwayBarrier(barrier=barrier, status=status, identified_on=on)
        pathway.barriers.append(row)
    elif status is BarrierStatus.IDENTIFIED:
        row.identified_on = on
    elif on < row.identified_on:
        raise Refused(f"Ce frein a été repéré le {_french(row.identified_on)} : choisissez "
                      "une date à partir de ce jour.", "on")
    elif (status is BarrierStatus.LIFTED and row.being_lifted_on is not None
          and on < row.being_lifted_on):
        raise Refused(f"Sa levée a commencé le {_french(row.being_lifted_on)} : choisissez "
                      "une date à partir de ce jour.", "on")
    row.status = status
    if status is BarrierStatus.IDENTIFIED:
        row.being_lifted_on = row.lifted_on = None
    elif status is BarrierStatus.BEING_LIFTED:
        row.being_lifted_on, row.lifted_on = on, None
    else:
        row.lifted_on = on
    session.flush()
    return row


# --- Actions ------------------------------------------------------------------------------

def add_action(pathway: Pathway, *, done_on: date, description: str, partner_id: int | None,
               by_person_id: int | None, referral_id: int | None = None) -> PathwayAction:
    _check_open(pathway, "description")
    if done_on < pathway.first_contact_on:
        raise Refused(f"Le premier contact date du {_french(pathway.first_contact_on)} : "
                      "l'action ne peut le précéder.", "done_on")
    action = PathwayAction(done_on=done_on, description=description, partner_id=partner_id,
                           by_person_id=by_person_id, referral_id=referral_id)
    pathway.actions.append(action)
    session.flush()
    return action


# --- Referent -----------------------------------------------------------------------------

def change_referent(pathway: Pathway, referent_id: int, on: date, today: date) -> PathwayReferent:
    """The new single referent from ``on``: the previous one's period closes that day, and
    stays in the history."""
    _check_open(pathway, "referent_id")
    if referent_id == pathway.referent_id:
        raise Refused("C'est déjà la personne référente de ce parcours.", "referent_id")
    if on > today:
        raise Refused(IN_THE_FUTURE, "on")
    current = next((r for r in reversed(pathway.referents) if r.until_on is None), None)
    earliest = current.from_on if current is not None else pathway.started_on
    if on < earliest:
        raise Refused(f"La personne référente actuelle l'est depuis le {_french(earliest)} : "
                      "le changement ne peut être daté avant.", "on")
    if current is not None:
        current.until_on = on
    row = PathwayReferent(referent_id=referent_id, from_on=on)
    pathway.referents.append(row)
    pathway.referent_id = referent_id
    session.flush()
    return row


# --- Exit ---------------------------------------------------------------------------------

def record_exit(pathway: Pathway, ended_on: date, outcome: ExitOutcome | None, note: str,
                today: date) -> None:
    """The exit: its date and outcome (both required); the current stage closes that day
    (the referent stays the pathway's, for the record)."""
    _check_open(pathway, "ended_on")
    if outcome is None:
        raise Refused("Indiquez la sortie.", "exit_outcome")
    if ended_on > today:
        raise Refused(IN_THE_FUTURE, "ended_on")
    current = current_stage(pathway)
    earliest = max(pathway.started_on, current.started_on if current else pathway.started_on)
    if ended_on < earliest:
        raise Refused(f"La sortie ne peut précéder le {_french(earliest)} (début du parcours "
                      "ou de son étape en cours).", "ended_on")
    if current is not None:
        current.ended_on = ended_on
    pathway.ended_on, pathway.exit_outcome, pathway.exit_note = ended_on, outcome, note
    session.flush()


# --- Referrals' answers -------------------------------------------------------------------

def referral_changed(referral_id: int, association_id: int) -> Pathway | None:
    """A referral of one of the pathway's actions changed status (the core's hook). Nothing
    of the referral is copied — the pages read its status live — but the pathway is marked
    as changed (``updated_at``): the plugin learns of the answer in the same transaction."""
    pathway = session.scalar(
        select(Pathway).join(PathwayAction, PathwayAction.pathway_id == Pathway.id)
        .where(PathwayAction.referral_id == referral_id, Pathway.association_id == association_id))
    if pathway is not None:
        pathway.updated_at = utcnow()
        session.flush()
    return pathway
