"""The outreach funnel: reached → identified → engaged → exits, per place kind, per
neighbourhood and per action, over the actions a filter keeps.

- reached: the tallies, plus the identified contacts who were not counted in a tally (a
  contact made « from this tally » is the same person: counted once);
- identified: the contacts;
- engaged: the contacts that became a core person (``person_id`` set);
- exits: the pathways grown from those contacts that ended, by outcome.

``funnel()`` runs a fixed number of queries (three per breakdown, GROUP BY in SQL), whatever
the number of actions, tallies and contacts: the page and the benchmark call it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select

from core.plugin_api import day_bounds, format_number, french_date, session
from plugins.allervers.models_outreach import Contact, OutreachAction, PlaceKind, Tally
from plugins.allervers.models_pathways import ExitOutcome, Pathway
from plugins.allervers.outreach import PLACE_LABELS, neighbourhood_names

EXIT_LABELS: dict[ExitOutcome, str] = {
    ExitOutcome.JOB: "Emploi",
    ExitOutcome.TRAINING: "Formation",
    ExitOutcome.JOB_SEARCH: "Relais vers le droit commun",
    ExitOutcome.OTHER: "Autre sortie",
    ExitOutcome.DROPPED_OUT: "Abandon",
}
STAGES = ("Rencontrées", "Identifiées", "Accompagnées", "Sorties")
ACTIONS_SHOWN = 50  # the most recent actions of the filter get a line each


@dataclass(frozen=True)
class FunnelFilters:
    start: date | None = None  # first day (Paris) of the actions kept
    end: date | None = None  # last day, included
    neighbourhood_id: int | None = None
    place_kind: PlaceKind | None = None
    action_id: int | None = None


@dataclass
class Stage:
    """One line of the funnel."""

    label: str
    tallies: int = 0
    contacts: int = 0
    contacts_without_tally: int = 0
    engaged: int = 0
    exits: dict[ExitOutcome, int] = field(default_factory=dict)

    @property
    def reached(self) -> int:
        return self.tallies + self.contacts_without_tally

    @property
    def identified(self) -> int:
        return self.contacts

    @property
    def exited(self) -> int:
        return sum(self.exits.values())

    @property
    def counts(self) -> list[int]:
        return [self.reached, self.identified, self.engaged, self.exited]

    def add(self, other: Stage) -> None:
        self.tallies += other.tallies
        self.contacts += other.contacts
        self.contacts_without_tally += other.contacts_without_tally
        self.engaged += other.engaged
        for outcome, count in other.exits.items():
            self.exits[outcome] = self.exits.get(outcome, 0) + count

    @property
    def rates(self) -> list[str]:
        """identified / reached, engaged / identified, exits / engaged, in French."""
        return [rate(self.identified, self.reached), rate(self.engaged, self.identified),
                rate(self.exited, self.engaged)]


@dataclass
class Funnel:
    total: Stage
    by_place: list[Stage]
    by_neighbourhood: list[Stage]
    by_action: list[Stage]
    actions_capped: bool


def rate(part: int, whole: int) -> str:
    """« 42 % », « 12,5 % »; « — » when there is nothing to divide."""
    if whole <= 0:
        return "—"
    value = 100 * part / whole
    return f"{format_number(value, 0 if value == int(value) else 1)}\u00a0%"


def _criteria(association_id: int, filters: FunnelFilters) -> list[Any]:
    kept: list[Any] = [OutreachAction.association_id == association_id]
    if filters.start is not None:
        kept.append(OutreachAction.starts_at >= day_bounds(filters.start)[0])
    if filters.end is not None:
        kept.append(OutreachAction.starts_at < day_bounds(filters.end)[1])
    if filters.neighbourhood_id is not None:
        kept.append(OutreachAction.neighbourhood_id == filters.neighbourhood_id)
    if filters.place_kind is not None:
        kept.append(OutreachAction.place_kind == filters.place_kind)
    if filters.action_id is not None:
        kept.append(OutreachAction.id == filters.action_id)
    return kept


def _grouped(key: Any, criteria: list[Any]) -> dict[Any, Stage]:
    """The four measures grouped by ``key`` (a column of the actions): three queries."""
    stages: dict[Any, Stage] = defaultdict(lambda: Stage(""))
    # The join names the association on both sides: the tallies' and contacts' indexes start
    # with it, and without it SQLite read the whole index once per action (bench/allervers.py).
    tallies = session.execute(
        select(key, func.count(Tally.id))
        .join(OutreachAction, and_(OutreachAction.id == Tally.action_id,
                                   OutreachAction.association_id == Tally.association_id))
        .where(*criteria).group_by(key))
    for group, count in tallies:
        stages[group].tallies = int(count)
    contacts = session.execute(
        select(key, func.count(Contact.id),
               func.sum(case((Contact.tally_id.is_(None), 1), else_=0)),
               func.sum(case((Contact.person_id.is_not(None), 1), else_=0)))
        .join(OutreachAction, and_(OutreachAction.id == Contact.action_id,
                                   OutreachAction.association_id == Contact.association_id))
        .where(*criteria).group_by(key))
    for group, count, without_tally, engaged in contacts:
        stage = stages[group]
        stage.contacts, stage.contacts_without_tally = int(count), int(without_tally or 0)
        stage.engaged = int(engaged or 0)
    exits = session.execute(
        select(key, Pathway.exit_outcome, func.count(Pathway.id))
        .join(Contact, Contact.id == Pathway.contact_id)
        .join(OutreachAction, OutreachAction.id == Contact.action_id)
        .where(*criteria, Pathway.ended_on.is_not(None), Pathway.exit_outcome.is_not(None),
               Pathway.association_id == OutreachAction.association_id)
        .group_by(key, Pathway.exit_outcome))
    for group, outcome, count in exits:
        stages[group].exits[ExitOutcome(outcome)] = int(count)
    return dict(stages)


def funnel(association_id: int, filters: FunnelFilters = FunnelFilters()) -> Funnel:
    """The funnel of the association's actions that ``filters`` keeps: 11 queries, always."""
    criteria = _criteria(association_id, filters)

    by_place_raw = _grouped(OutreachAction.place_kind, criteria)
    total = Stage("Total")
    by_place = []
    for kind in PlaceKind:
        stage = by_place_raw.get(kind) or by_place_raw.get(kind.value)
        if stage is not None:
            stage.label = PLACE_LABELS[kind]
            by_place.append(stage)
            total.add(stage)

    by_neighbourhood_raw = _grouped(OutreachAction.neighbourhood_id, criteria)
    # Always run, even for none: the page's query count does not depend on the data.
    names = dict(session.execute(
        select(neighbourhood_names.c.id, neighbourhood_names.c.name)
        .where(neighbourhood_names.c.id.in_([k for k in by_neighbourhood_raw if k is not None]))
    ).all())
    by_neighbourhood = []
    for key, stage in by_neighbourhood_raw.items():
        stage.label = names.get(key, "Sans quartier") if key is not None else "Sans quartier"
        by_neighbourhood.append(stage)
    by_neighbourhood.sort(key=lambda s: (s.label == "Sans quartier", s.label.casefold()))

    latest = session.execute(
        select(OutreachAction.id, OutreachAction.starts_at, OutreachAction.place)
        .where(*criteria).order_by(OutreachAction.starts_at.desc(), OutreachAction.id.desc())
        .limit(ACTIONS_SHOWN + 1)).all()
    shown = latest[:ACTIONS_SHOWN]
    by_action_raw = _grouped(OutreachAction.id, [*criteria, OutreachAction.id.in_([r[0] for r in shown])])
    by_action = []
    for action_id, starts_at, place in shown:
        stage = by_action_raw.get(action_id) or Stage("")
        stage.label = f"{french_date(starts_at)} — {place}"
        by_action.append(stage)
    return Funnel(total=total, by_place=by_place, by_neighbourhood=by_neighbourhood,
                  by_action=by_action, actions_capped=len(latest) > ACTIONS_SHOWN)
