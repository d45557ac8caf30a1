"""The team's review of a call's applications: scores per criterion, totals, the ranking per
lot.

A reviewer's total is Σ score × weight / Σ weight over the call's criteria (0 to 5), and
exists only once they have scored every criterion; an application's total is the mean of
those reviewers' totals. Both are ``Fraction``s: two applications tie when their totals are
equal, which floats would get wrong (1/3 + 1/3 + 1/3 is not 1 in binary), and they are
rounded only when shown.

Reviewers are blind to each other, as in pretalx: the other reviewers' scores, their
comments and the application's total are shown to a reviewer only once they have scored
every criterion of it themselves, on the application's page as in the ranking, so that the
first opinions do not anchor the next ones.

The ranking page is read in a fixed number of queries (lots, criteria, wishes, the scores
summed per application and reviewer in SQL), whatever the number of applications.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import delete, distinct, func, select

from core.plugin_api import columns_as, people_names, session, utcnow
from plugins.sites import labels
from plugins.sites.models import Lot
from plugins.sites.models_calls import Application, CallLot, Choice, Criterion, Decision, Field, Score

SCORE_MAX = 5


@dataclass(frozen=True, slots=True)
class CriterionLine:
    id: int
    label: str
    description: str
    weight: int


def criteria_of(call_id: int) -> list[CriterionLine]:
    """The call's criteria in their published order (one query)."""
    return list(session.scalars(
        select(columns_as(CriterionLine, Criterion.id, Criterion.label, Criterion.description,
                          Criterion.weight))
        .where(Criterion.call_id == call_id).order_by(Criterion.position, Criterion.id)))


def weights_of(criteria: Iterable[CriterionLine]) -> dict[int, int]:
    return {c.id: c.weight for c in criteria}


# --- totals (pure) ----------------------------------------------------------------------------


def weighted_total(scores: Mapping[int, int], weights: Mapping[int, int]) -> Fraction | None:
    """A reviewer's total from their score per criterion id: ``None`` until every criterion
    of ``weights`` (id → weight) is scored, or when the call has none."""
    if not weights or any(criterion not in scores for criterion in weights):
        return None
    return Fraction(sum(scores[c] * w for c, w in weights.items()), sum(weights.values()))


def mean(totals: Sequence[Fraction]) -> Fraction | None:
    return sum(totals, Fraction(0)) / len(totals) if totals else None


def two_decimals(value: Fraction) -> str:
    """« 3,75 », rounded half up (totals are never negative)."""
    hundredths = (value.numerator * 200 + value.denominator) // (2 * value.denominator)
    return f"{hundredths // 100},{hundredths % 100:02d}"


def out_of_five(value: Fraction | None) -> str:
    return "—" if value is None else f"{two_decimals(value)} / {SCORE_MAX}"


# --- what a viewer may see of an application ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Review:
    """An application's review as a viewer may see it: ``total`` is ``None`` unless the viewer
    has scored every criterion (``scored_by_viewer``)."""

    reviewers: int  # reviewers who scored every criterion
    scored_by_viewer: bool
    started_by_viewer: bool  # scored some criterion at least
    total: Fraction | None
    shown: str = "—"  # the total as pages show it, once per application (« 3,75 / 5 »)


NOT_REVIEWED = Review(reviewers=0, scored_by_viewer=False, started_by_viewer=False, total=None)


def reviews_of(call_id: int, weights: Mapping[int, int], viewer_id: int,
               application_id: int | None = None) -> dict[int, Review]:
    """Each scored application of the call (or that one only) as ``viewer_id`` may see it, in
    one query: the scores summed per application and reviewer by the database. The mean of
    the reviewers' totals Σ(Sᵣ / W) / R is Σ Sᵣ / (R × W): one fraction per application.

    A reviewer erased from Maillage leaves their scores without a name (``reviewer_id``
    NULL); they still count as one former reviewer when they form one complete set. The
    scores of two erased reviewers of one application cannot be told apart and are left
    out of its total."""
    query = (select(Score.application_id, Score.reviewer_id, func.sum(Score.score * Criterion.weight),
                    func.count(distinct(Score.criterion_id)), func.count())
             .join(Criterion, Criterion.id == Score.criterion_id)
             .join(Application, Application.id == Score.application_id)
             .where(Application.call_id == call_id, Criterion.call_id == call_id)
             .group_by(Score.application_id, Score.reviewer_id))
    if application_id is not None:
        query = query.where(Score.application_id == application_id)
    criteria, weight = len(weights), sum(weights.values())
    # application → [Σ Sᵣ of the complete reviewers, how many, the viewer complete, started]
    sums: dict[int, list[Any]] = {}
    for application, reviewer, points, scored, rows in session.execute(query):
        entry = sums.setdefault(application, [0, 0, False, False])
        complete = criteria > 0 and scored == rows == criteria
        if complete:
            entry[0] += int(points)
            entry[1] += 1
        if reviewer == viewer_id:
            entry[2], entry[3] = complete, True
    reviews = {}
    for application, (points, count, mine, started) in sums.items():
        total = Fraction(points, count * weight) if mine else None
        reviews[application] = Review(reviewers=count, scored_by_viewer=mine, started_by_viewer=started,
                                      total=total, shown=out_of_five(total))
    return reviews


# --- one application's scores, reviewer by reviewer ------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreLine:
    criterion_id: int
    reviewer_id: int | None
    first_name: str | None
    last_name: str | None
    score: int
    comment: str
    scored_at: datetime


@dataclass
class ReviewerCard:
    """One reviewer's scores of an application (criterion id → line) and their total."""

    reviewer_id: int | None
    name: str
    scores: dict[int, ScoreLine] = field(default_factory=dict)
    total: Fraction | None = None


def reviewer_cards(application_id: int, criteria: Sequence[CriterionLine]) -> list[ReviewerCard]:
    """Every reviewer's scores of the application, by name, in one query."""
    wanted = {c.id for c in criteria}
    rows = session.scalars(
        select(columns_as(ScoreLine, Score.criterion_id, Score.reviewer_id, people_names.c.first_name,
                          people_names.c.last_name, Score.score, Score.comment, Score.scored_at))
        .outerjoin(people_names, people_names.c.id == Score.reviewer_id)
        .where(Score.application_id == application_id)
        .order_by(people_names.c.last_name, people_names.c.first_name, Score.reviewer_id))
    cards: dict[int | None, ReviewerCard] = {}
    for line in rows:
        if line.criterion_id not in wanted:
            continue
        name = (f"{line.first_name} {line.last_name}" if line.reviewer_id is not None
                else "Ancien membre de l'équipe")
        card = cards.setdefault(line.reviewer_id, ReviewerCard(line.reviewer_id, name))
        card.scores[line.criterion_id] = line
    weights = weights_of(criteria)
    for card in cards.values():
        card.total = weighted_total({c: s.score for c, s in card.scores.items()}, weights)
    return list(cards.values())


def save_scores(application: Application, reviewer_id: int, scores: Mapping[int, tuple[int, str]]) -> None:
    """Replace the reviewer's scores of the application with ``scores`` (criterion id →
    (score, comment)); a criterion left out is no longer scored. The caller commits.

    The application's row is locked first (PostgreSQL; SQLite's POST holds the write lock):
    the same reviewer saving from two tabs at once would otherwise insert twice between
    the two deletes and break the unique constraint."""
    session.execute(select(Application.id).where(Application.id == application.id)
                    .with_for_update(key_share=True))
    session.execute(delete(Score).where(Score.application_id == application.id,
                                        Score.reviewer_id == reviewer_id))
    now = utcnow()
    session.add_all(Score(association_id=application.association_id, application_id=application.id,
                          criterion_id=criterion, reviewer_id=reviewer_id, score=score, comment=comment,
                          scored_at=now)
                    for criterion, (score, comment) in scores.items())


# --- the ranking per lot ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Wish:
    """A lot an application wishes, with what the ranking shows of the application."""

    application_id: int
    organisation: str
    submitted_at: datetime
    lot_id: int
    code: str
    preference: int
    decision: Decision | None

    @property
    def preference_label(self) -> str:
        return labels.preference_label(self.preference)


@dataclass(frozen=True, slots=True)
class Candidate:
    wish: Wish
    review: Review


@dataclass(frozen=True, slots=True)
class Ranked:
    rank: int
    tied: bool  # another candidate of the lot has the same total
    candidate: Candidate


@dataclass(frozen=True)
class LotRanking:
    lot_id: int
    code: str
    ranked: list[Ranked]
    to_score: list[Candidate]  # the viewer has not scored them: no total shown, no rank


def rank(candidates: Iterable[Candidate]) -> list[Ranked]:
    """Candidates whose total the viewer sees, by total descending. Equal totals share a rank
    (1, 2, 2, 4); within them, the applicant's preference for the lot, then the earlier
    submission come first."""
    totals = [(c.review.total, c) for c in candidates if c.review.total is not None]
    # The totals on one denominator: whole numbers compare (and sort) much faster than
    # fractions, and as exactly.
    common = math.lcm(*(total.denominator for total, _ in totals)) if totals else 1
    shown = [(total.numerator * (common // total.denominator), c) for total, c in totals]
    shown.sort(key=lambda pair: (-pair[0], pair[1].wish.preference, pair[1].wish.submitted_at,
                                 pair[1].wish.application_id))
    counts: dict[int, int] = defaultdict(int)
    for key, _ in shown:
        counts[key] += 1
    ranked: list[Ranked] = []
    position, previous = 0, None
    for index, (key, c) in enumerate(shown, start=1):
        if key != previous:
            position, previous = index, key
        ranked.append(Ranked(rank=position, tied=counts[key] > 1, candidate=c))
    return ranked


@dataclass(frozen=True, slots=True)
class LotCode:
    id: int
    code: str


def _wishes(call_id: int) -> list[Wish]:
    return list(session.scalars(
        select(columns_as(Wish, Application.id, Application.organisation, Application.submitted_at,
                          Choice.lot_id, Lot.code, Choice.preference, Choice.decision))
        .join(Choice, Choice.application_id == Application.id).join(Lot, Lot.id == Choice.lot_id)
        .where(Application.call_id == call_id)))


def lot_rankings(call_id: int, viewer_id: int) -> list[LotRanking]:
    """For each lot of the call (and any other lot an application wishes), by code, the
    ranking of the applications that wish it, as ``viewer_id`` may see it (four queries)."""
    lots = {lot.id: lot for lot in session.scalars(
        select(columns_as(LotCode, Lot.id, Lot.code)).join(CallLot, CallLot.lot_id == Lot.id)
        .where(CallLot.call_id == call_id))}
    wishes = _wishes(call_id)
    for wish in wishes:  # a lot taken off the call after applications wished it is kept
        lots.setdefault(wish.lot_id, LotCode(wish.lot_id, wish.code))
    reviews = reviews_of(call_id, weights_of(criteria_of(call_id)), viewer_id)
    by_lot: dict[int, list[Candidate]] = defaultdict(list)
    for wish in wishes:
        by_lot[wish.lot_id].append(Candidate(wish, reviews.get(wish.application_id, NOT_REVIEWED)))
    return [LotRanking(lot_id=lot.id, code=lot.code, ranked=rank(by_lot[lot.id]),
                       to_score=sorted((c for c in by_lot[lot.id] if c.review.total is None),
                                       key=lambda c: (c.wish.submitted_at, c.wish.application_id)))
            for lot in sorted(lots.values(), key=lambda lot: (lot.code, lot.id))]


# --- the list of a call's applications -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WishShown:
    code: str
    preference: int
    decision: Decision | None


@dataclass
class ApplicationLine:
    id: int
    organisation: str
    field: Field
    submitted_at: datetime
    notified_at: datetime | None
    wishes: list[WishShown]


def application_lines(call_id: int) -> list[ApplicationLine]:
    """The call's applications as received, each with its lots in order of preference (one
    query)."""
    lines: dict[int, ApplicationLine] = {}
    for row in session.execute(
            select(Application.id, Application.organisation, Application.field, Application.submitted_at,
                   Application.notified_at, Lot.code, Choice.preference, Choice.decision)
            .outerjoin(Choice, Choice.application_id == Application.id)
            .outerjoin(Lot, Lot.id == Choice.lot_id)
            .where(Application.call_id == call_id)
            .order_by(Application.submitted_at, Application.id, Choice.preference)):
        line = lines.get(row.id)
        if line is None:
            line = lines[row.id] = ApplicationLine(row.id, row.organisation, row.field, row.submitted_at,
                                                   row.notified_at, [])
        if row.code is not None:
            line.wishes.append(WishShown(row.code, row.preference, row.decision))
    return list(lines.values())
