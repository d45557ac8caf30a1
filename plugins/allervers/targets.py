"""The target public and the targets of the funders: who the pathway is meant for (an age
at the first contact, a priority neighbourhood), and how many people the association has
accompanied over the period of its target (REAJI: 330 young people over two years)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from core.plugin_api import AssociationRef, NeighbourhoodRef, add_months, session
from plugins.allervers.models_pathways import Pathway
from plugins.allervers.settings import settings_of


@dataclass(frozen=True)
class TargetCheck:
    """What the pathway page says of the person against the target public."""

    age: int | None
    age_min: int
    age_max: int
    neighbourhood: NeighbourhoodRef | None

    @property
    def age_known(self) -> bool:
        return self.age is not None

    @property
    def in_age_range(self) -> bool:
        return self.age is not None and self.age_min <= self.age <= self.age_max

    @property
    def age_text(self) -> str:
        span = f"{self.age_min}–{self.age_max} ans"
        if self.age is None:
            return f"Âge au premier contact non renseigné (public cible {span})"
        if self.in_age_range:
            return f"{self.age} ans au premier contact : dans le public cible {span}"
        return f"{self.age} ans au premier contact : hors du public cible {span}"

    @property
    def qpv(self) -> bool:
        return self.neighbourhood is not None and bool(self.neighbourhood.qpv_code)

    @property
    def neighbourhood_text(self) -> str:
        if self.neighbourhood is None:
            return "Quartier du premier contact non renseigné"
        if self.qpv:
            return (f"{self.neighbourhood.name} ({self.neighbourhood.city}) : quartier prioritaire "
                    f"de la politique de la ville (QPV {self.neighbourhood.qpv_code})")
        return f"{self.neighbourhood.name} ({self.neighbourhood.city}) : hors quartier prioritaire"


def target_check(association: AssociationRef, age: int | None, neighbourhood_id: int | None,
                 neighbourhoods: dict[int, NeighbourhoodRef]) -> TargetCheck:
    settings = settings_of(association)
    return TargetCheck(age=age, age_min=int(settings["age_min"]), age_max=int(settings["age_max"]),
                       neighbourhood=neighbourhoods.get(neighbourhood_id) if neighbourhood_id else None)


@dataclass(frozen=True)
class Progress:
    """People accompanied since the start of the target's period, against the target."""

    count: int
    target: int
    starts_on: date
    ends_on: date  # the period's last day

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.count / self.target)) if self.target else 0


def progress(association: AssociationRef, today: date) -> Progress:
    """Distinct people whose pathway started within the period (1st January of
    ``target_start_year``, for ``target_months`` months), in one query. A person with two
    pathways counts once: the target counts people."""
    settings = settings_of(association)
    starts_on = date(int(settings["target_start_year"]), 1, 1)
    after = add_months(starts_on, int(settings["target_months"]))
    count = session.scalar(select(func.count(func.distinct(Pathway.person_id))).where(
        Pathway.association_id == association.id, Pathway.started_on >= starts_on,
        Pathway.started_on < after)) or 0
    return Progress(count=count, target=int(settings["target_people"]), starts_on=starts_on,
                    ends_on=date.fromordinal(after.toordinal() - 1))
