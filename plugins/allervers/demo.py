"""Demo data for ``maillage demo load``: three outreach actions with their tallies, contacts
identified with their consent, and pathways at every stage — with barriers, actions and
referrals to the partners' services.

The outreach rows are written directly (their models are fixed); the pathways go through
the plugin's own functions (``engage``, ``move_to_next_stage``, ``set_barrier``…) and the
referrals through the core's ``create_referral``, so that the demo never shows what a
coordinator could not have typed. The referrals are all waiting for the partner's answer:
the plugin API creates referrals, only the partner's link and the core's pages answer them.
Dates are relative to ``today`` (Paris).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import cycle

from core.plugin_api import (
    BARRIER_LABELS,
    AssociationRef,
    create_referral,
    neighbourhoods,
    paris_to_utc,
    partner_services,
    partners,
    people_of,
    session,
)
from plugins.allervers import NAME
from plugins.allervers.engagement import engage
from plugins.allervers.models_outreach import (
    AgeBand,
    Contact,
    Gender,
    OutreachAction,
    PlaceKind,
    Request,
    Tally,
)
from plugins.allervers.models_pathways import BarrierStatus, ExitOutcome, Pathway
from plugins.allervers.pathways import (
    add_action,
    change_referent,
    move_to_next_stage,
    record_exit,
    set_barrier,
    start_pathway,
)
from plugins.allervers.settings import DEFAULT_SETTINGS, parse_stages

STAGES = parse_stages(DEFAULT_SETTINGS["stages"])
EXPLAINED = ("Prénom et numéro gardés par l'association pour reprendre contact, pas plus ; "
             "la personne peut demander à tout moment qu'ils soient effacés.")
# (days ago, hour, place kind, place, tallies: (age band, gender, neet, no service, minor, woman, request))
ACTIONS = [
    (40, 10, PlaceKind.MARKET, "Marché du Franc-Moisin", [
        (AgeBand.FROM_18_TO_25, Gender.MAN, True, True, False, False, Request.JOB),
        (AgeBand.FROM_18_TO_25, Gender.WOMAN, True, False, False, True, Request.TRAINING),
        (AgeBand.FROM_16_TO_17, Gender.MAN, True, True, True, False, Request.NOTHING),
        (AgeBand.FROM_26_TO_29, Gender.WOMAN, False, True, False, True, Request.HOUSING),
        (AgeBand.FROM_30, Gender.NOT_STATED, False, False, False, False, Request.RIGHTS),
        (AgeBand.FROM_18_TO_25, Gender.MAN, True, True, False, False, Request.JOB),
    ]),
    (25, 17, PlaceKind.STREET, "Tournée de rue, cité Allende", [
        (AgeBand.FROM_18_TO_25, Gender.MAN, True, True, False, False, Request.JOB),
        (AgeBand.FROM_16_TO_17, Gender.WOMAN, True, True, False, False, Request.HEALTH),
        (AgeBand.UNKNOWN, Gender.NOT_STATED, False, False, False, False, Request.NOTHING),
        (AgeBand.FROM_26_TO_29, Gender.MAN, True, False, False, False, Request.JOB),
    ]),
    (9, 14, PlaceKind.PARTNER_PREMISES, "Permanence au centre social", [
        (AgeBand.FROM_18_TO_25, Gender.WOMAN, True, True, False, True, Request.TRAINING),
        (AgeBand.FROM_18_TO_25, Gender.MAN, False, True, False, False, Request.JOB),
        (AgeBand.FROM_26_TO_29, Gender.WOMAN, True, True, False, True, Request.JOB),
        (AgeBand.UNDER_16, Gender.MAN, False, False, False, False, Request.OTHER),
        (AgeBand.FROM_18_TO_25, Gender.NOT_STATED, True, False, False, False, Request.RIGHTS),
    ]),
]
# (action index, tally index or None, name, reach, age, engaged as (last name) or None)
CONTACTS = [
    (0, 0, "Yanis", "06 31 00 00 01", 19, "Benali"),
    (0, 1, "Inès", "06 31 00 00 02", 22, "Morel"),
    (1, 0, "Kevin", "Instagram @kev_93", 24, "Diallo"),
    (1, 1, "Lina", "06 31 00 00 04", 17, None),
    (2, 2, "Fatou", "06 31 00 00 05", 27, None),
]


def _at(day: date, hour: int) -> datetime:
    return paris_to_utc(datetime.combine(day, time(hour)))


def load(association: AssociationRef, today: date) -> None:
    coordinators = people_of(association, ("coordinator", "admin"))
    referent = coordinators[0].id if coordinators else None
    other_referent = coordinators[1].id if len(coordinators) > 1 else None
    qpv = [n for n in neighbourhoods() if n.qpv_code]
    places = cycle(qpv or [None])
    actions: list[OutreachAction] = []
    tallies: list[list[Tally]] = []
    for days_ago, hour, kind, place, counted in ACTIONS:
        day = today - timedelta(days=days_ago)
        neighbourhood = next(places)
        action = OutreachAction(association_id=association.id, starts_at=_at(day, hour),
                                ends_at=_at(day, hour + 2), place_kind=kind, place=place,
                                neighbourhood_id=neighbourhood.id if neighbourhood else None, notes="")
        session.add(action)
        session.flush()
        rows = [Tally(association_id=association.id, action_id=action.id, age_band=band, gender=gender,
                      neet=neet, no_employment_service=no_service, isolated_minor=minor,
                      isolated_woman=woman, request=request, recorded_at=_at(day, hour + 1))
                for band, gender, neet, no_service, minor, woman, request in counted]
        session.add_all(rows)
        session.flush()
        actions.append(action)
        tallies.append(rows)

    engaged: dict[str, Pathway] = {}
    for action_index, tally_index, name, reach, age, last_name in CONTACTS:
        action = actions[action_index]
        contact = Contact(association_id=association.id, action_id=action.id,
                          tally_id=tallies[action_index][tally_index].id if tally_index is not None else None,
                          name=name, reach=reach, age_at_first_contact=age,
                          consent_on=today - timedelta(days=ACTIONS[action_index][0]),
                          consent_by_id=referent, consent_explained=EXPLAINED)
        session.add(contact)
        session.flush()
        if last_name is not None:
            started = today - timedelta(days=ACTIONS[action_index][0] - 3)
            engaged[name] = engage(association, contact, first_name=name, last_name=last_name,
                                   email=None, phone=reach if reach[:1].isdigit() else "",
                                   referent_id=referent, started_on=started, first_stage=STAGES[0],
                                   stage_partner_id=None, today=today)

    by_kind = {p.kind: p for p in partners()}
    services = partner_services()
    mission_locale = by_kind.get("mission_locale")
    social_centre = by_kind.get("social_centre")
    insertion = by_kind.get("insertion_structure")

    def refer(pathway: Pathway, partner_id: int | None, done_on: date, reason: str,
              barriers: tuple[str, ...] = ()) -> None:
        if partner_id is None:
            return
        # The partner's service for these barriers, or its first one.
        offered = [s for s in services if s.partner_id == partner_id]
        service = next((s for s in offered if set(barriers) & set(s.barriers)),
                       offered[0] if offered else None)
        referral = create_referral(association, pathway.person_id, partner_id=partner_id, reason=reason,
                                   service_id=service.id if service else None, barriers=barriers,
                                   referent_id=pathway.referent_id,
                                   recipient_email="accueil@partenaire.exemple.org", plugin=NAME)
        add_action(pathway, done_on=done_on, description=reason, partner_id=partner_id,
                   by_person_id=pathway.referent_id, referral_id=referral.id)

    # Yanis: the second stage, a barrier being lifted, a referral to the Mission Locale.
    yanis = engaged["Yanis"]
    set_barrier(yanis, "mobility", BarrierStatus.IDENTIFIED, yanis.started_on, today, BARRIER_LABELS)
    set_barrier(yanis, "mobility", BarrierStatus.BEING_LIFTED, today - timedelta(days=12), today,
                BARRIER_LABELS)
    add_action(yanis, done_on=yanis.started_on + timedelta(days=2), description="Premier entretien au local",
               partner_id=None, by_person_id=referent)
    move_to_next_stage(yanis, STAGES, today - timedelta(days=14),
                       mission_locale.id if mission_locale else None, today)
    refer(yanis, mission_locale.id if mission_locale else None, today - timedelta(days=6),
          "Inscription au contrat d'engagement jeune", ("training",))

    # Inès: the last stage, barriers lifted, a change of referent.
    ines = engaged["Inès"]
    set_barrier(ines, "childcare", BarrierStatus.IDENTIFIED, ines.started_on, today, BARRIER_LABELS)
    set_barrier(ines, "childcare", BarrierStatus.LIFTED, today - timedelta(days=20), today, BARRIER_LABELS)
    refer(ines, social_centre.id if social_centre else None, today - timedelta(days=30),
          "Halte-garderie pour suivre la formation", ("childcare",))
    move_to_next_stage(ines, STAGES, today - timedelta(days=25), None, today)
    move_to_next_stage(ines, STAGES, today - timedelta(days=5),
                       insertion.id if insertion else None, today)
    if other_referent is not None:
        change_referent(ines, other_referent, today - timedelta(days=5), today)

    # Kevin: just started, barriers identified.
    kevin = engaged["Kevin"]
    set_barrier(kevin, "housing", BarrierStatus.IDENTIFIED, kevin.started_on, today, BARRIER_LABELS)
    set_barrier(kevin, "administrative", BarrierStatus.IDENTIFIED, kevin.started_on, today, BARRIER_LABELS)
    add_action(kevin, done_on=today - timedelta(days=2), description="Rendez-vous pour la domiciliation",
               partner_id=None, by_person_id=referent)

    # A person already supported, met before Maillage: a pathway ended with a job.
    engaged_ids = {p.person_id for p in engaged.values()}
    supported = [p for p in people_of(association, ("supported",)) if p.id not in engaged_ids]
    if supported:
        person = supported[-1]
        started = today - timedelta(days=200)
        ended = start_pathway(association.id, person.id, first_contact_on=started - timedelta(days=10),
                              started_on=started, first_stage=STAGES[0], today=today,
                              referent_id=referent, age_at_first_contact=25,
                              neighbourhood_id=qpv[0].id if qpv else None)
        move_to_next_stage(ended, STAGES, started + timedelta(days=40), None, today)
        move_to_next_stage(ended, STAGES, started + timedelta(days=120),
                           insertion.id if insertion else None, today)
        record_exit(ended, today - timedelta(days=15), ExitOutcome.JOB,
                    "CDD de six mois en second œuvre, puis CDI visé.", today)
    session.flush()
