"""Demo data for ``maillage demo load``: pathways at every stage in the demo association.

Built through the plugin's own rules (``create_pathway``, ``apply_review``, ``save_session``…)
so that the demo never shows what a coordinator could not have typed. Dates are relative to
``today`` (Paris): the dashboard always has a week of sessions, a review due and a waiver
ending. The people are the association's supported people, in the core's order; with fewer
of them, fewer pathways.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

from core.plugin_api import AssociationRef, PartnerRef, PersonRef, partners, people_of, session, utcnow
from plugins.premieres_heures.models import Decision, ExitOutcome, Pathway, SupportDomain, SupportStatus
from plugins.premieres_heures.pathways import (
    ReviewInput,
    SupportInput,
    WaiverInput,
    add_months,
    apply_review,
    create_pathway,
    longest_waiver_end,
    record_exit,
    save_support,
    save_waiver,
)
from plugins.premieres_heures.plan import week_of
from plugins.premieres_heures.schedule import SessionFields, mark_attendances, save_session
from plugins.premieres_heures.settings import DEFAULT_SETTINGS, parse_ladder

LADDER = parse_ladder(DEFAULT_SETTINGS["hours_ladder"])
INTERVAL = int(DEFAULT_SETTINGS["review_interval_weeks"])
SUPERVISOR = "Patrick Lemoine"
# The referring workers (not Maillage users) and the kind of partner each works for.
ORIENTEURS = {"Sophie Garnier": "mission_locale", "Thomas Roux": "france_travail"}
MORNING, NOON = time(9), time(13)


class Demo:
    """What every scenario needs: the day, the host structure, the orienteurs, the referent."""

    def __init__(self, association: AssociationRef, today: date) -> None:
        self.association, self.today = association, today
        self.monday, _ = week_of(today)
        hosts = partners(("insertion_structure",))
        self.host: PartnerRef | None = hosts[0] if hosts else None
        self.orienteur_partners = {p.kind: p for p in partners(set(ORIENTEURS.values()))}
        referents = people_of(association, ("coordinator",))
        self.referent = referents[0] if referents else None

    def pathway(self, person: PersonRef, start: date, orienteur: str) -> Pathway:
        """A pathway of nine months from ``start``, at the first rung of the ladder."""
        partner = self.orienteur_partners.get(ORIENTEURS[orienteur])
        return create_pathway(
            self.association.id, person.id, start_date=start, planned_end=add_months(start, 9),
            first_hours=LADDER[0], orienteur_name=orienteur,
            orienteur_contact="06 30 00 00 10", orienteur_partner_id=partner.id if partner else None,
            referent_id=self.referent.id if self.referent else None,
            host_partner_id=self.host.id if self.host else None)

    def review(self, pathway: Pathway, held_on: date, decision: Decision, observations: str,
               next_review_on: date | None = None) -> None:
        apply_review(pathway, ReviewInput(
            held_on=held_on, participants=", ".join(self.participants(pathway)),
            observations=observations, decision=decision, new_weekly_hours=None,
            next_review_on=next_review_on), ladder=LADDER, interval_weeks=INTERVAL)

    def participants(self, pathway: Pathway) -> list[str]:
        referent = [f"{self.referent.first_name} {self.referent.last_name}"] if self.referent else []
        return [pathway.orienteur_name, *referent]

    def sessions(self, pathway: Pathway, days: list[date], task: str, *,
                 end: time = NOON, absent: tuple[date, ...] = ()) -> None:
        """Sessions on ``days``; those already begun are marked (present unless ``absent``)."""
        rows = [save_session(pathway, SessionFields(day=day, start=MORNING, end=end,
                                                    supervisor=SUPERVISOR, task=task)).row
                for day in days]
        session.flush()
        now = utcnow()
        mark_attendances(self.association.id, {
            row.id: "absent" if day in absent else "present"
            for row, day in zip(rows, days, strict=True) if row.starts_at <= now})

    def this_week(self, *weekdays: int) -> list[date]:
        return [self.monday + timedelta(days=weekday) for weekday in weekdays]


def just_started(demo: Demo, person: PersonRef) -> None:
    """Ten days in, discovery, 4 h a week: two short mornings this week."""
    start = demo.today - timedelta(days=10)
    pathway = demo.pathway(person, start, "Sophie Garnier")
    save_waiver(pathway, WaiverInput(starts_on=start, ends_on=longest_waiver_end(start), review_id=None))
    days = [day for day in demo.this_week(1, 3) if day >= start]
    demo.sessions(pathway, days, "Découverte de l'atelier peinture", end=time(11))


def mid_ladder(demo: Demo, person: PersonRef) -> None:
    """Five months in, raised twice to 12 h; the next review is three days late and the
    six-month waiver ends in three weeks."""
    start = demo.today - timedelta(weeks=21)
    pathway = demo.pathway(person, start, "Thomas Roux")
    save_waiver(pathway, WaiverInput(starts_on=start, ends_on=demo.today + timedelta(days=21),
                                     review_id=None))
    demo.review(pathway, start + timedelta(weeks=6), Decision.RAISE,
                "Ponctuel, à l'aise avec l'équipe. Souhaite plus d'heures.")
    demo.review(pathway, start + timedelta(weeks=12), Decision.RAISE,
                "Bonne progression sur les finitions ; passe à trois matinées.",
                next_review_on=demo.today - timedelta(days=3))
    last_week = [day - timedelta(weeks=1) for day in demo.this_week(0, 2, 4)]
    demo.sessions(pathway, last_week, "Pose de plaques de plâtre", absent=(last_week[1],))
    demo.sessions(pathway, demo.this_week(0, 2, 4), "Pose de plaques de plâtre")
    save_support(pathway, SupportInput(
        domain=SupportDomain.MOBILITY, description="Passe Navigo solidarité à demander",
        status=SupportStatus.IN_PROGRESS, opened_on=start + timedelta(weeks=2), closed_on=None))


def paused(demo: Demo, person: PersonRef) -> None:
    """Three months in, paused two weeks ago while a stable place to live is found."""
    start = demo.today - timedelta(weeks=13)
    pathway = demo.pathway(person, start, "Sophie Garnier")
    save_waiver(pathway, WaiverInput(starts_on=start, ends_on=longest_waiver_end(start), review_id=None))
    demo.review(pathway, start + timedelta(weeks=6), Decision.RAISE,
                "Très investie ; fatigue liée à l'hébergement en hôtel social.")
    demo.sessions(pathway, [demo.monday - timedelta(weeks=3, days=-1)], "Tri et rangement de l'atelier")
    demo.review(pathway, demo.today - timedelta(weeks=2), Decision.PAUSE,
                "Pause le temps du relogement ; reprise à voir au prochain bilan.",
                next_review_on=demo.today + timedelta(weeks=2))
    save_support(pathway, SupportInput(
        domain=SupportDomain.HOUSING, description="Demande SIAO pour un logement d'insertion",
        status=SupportStatus.IN_PROGRESS, opened_on=start + timedelta(weeks=8), closed_on=None))


def exited(demo: Demo, person: PersonRef) -> None:
    """Eight months, up to 20 h, then an insertion contract at the host structure."""
    start = demo.today - timedelta(weeks=35)
    pathway = demo.pathway(person, start, "Thomas Roux")
    save_waiver(pathway, WaiverInput(starts_on=start, ends_on=longest_waiver_end(start), review_id=None))
    for weeks in (6, 12, 18, 24):
        demo.review(pathway, start + timedelta(weeks=weeks), Decision.RAISE, "Objectifs atteints.")
    demo.review(pathway, start + timedelta(weeks=30), Decision.KEEP,
                "Prêt pour un contrat d'insertion : candidature au chantier.")
    exit_day = demo.today - timedelta(weeks=4)
    demo.sessions(pathway, [exit_day - timedelta(days=2)], "Chantier de rénovation, rue Gabriel-Péri")
    record_exit(pathway, exit_day, ExitOutcome.INSERTION_CONTRACT,
                "CDDI de 26 h par semaine au chantier d'insertion.")


def absences(demo: Demo, person: PersonRef) -> None:
    """Two months in, 8 h a week, three missed mornings in a row: flagged to the referent."""
    start = demo.today - timedelta(weeks=9)
    pathway = demo.pathway(person, start, "Sophie Garnier")
    save_waiver(pathway, WaiverInput(starts_on=start, ends_on=longest_waiver_end(start), review_id=None))
    demo.review(pathway, start + timedelta(weeks=6), Decision.RAISE, "Régulière ; passe à 8 h.")
    missed = [demo.monday - timedelta(weeks=2, days=-1), demo.monday - timedelta(weeks=1, days=-1),
              demo.monday - timedelta(weeks=1, days=-3)]
    demo.sessions(pathway, missed, "Entretien des espaces verts", absent=tuple(missed))
    this_week = demo.this_week(1, 3)
    demo.sessions(pathway, this_week, "Entretien des espaces verts", absent=tuple(this_week))


SCENARIOS: list[Callable[[Demo, PersonRef], None]] = [just_started, mid_ladder, paused, exited, absences]


def load(association: AssociationRef, today: date) -> None:
    demo = Demo(association, today)
    for scenario, person in zip(SCENARIOS, people_of(association, ("supported",)), strict=False):
        scenario(demo, person)
