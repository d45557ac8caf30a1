"""Calls for applications and what they receive: the lots a call opens, its published
criteria with their weights, the applications (sent from the public page, without an
account), the lots each one wishes in order of preference with the decision taken on each,
the attached files, and the team's scores.

An application is an organisation's, but its contact is a person: the contact's name, e-mail
and phone are personal data (exported and erased with them, purged with the application
once the call is closed for longer than the retention setting; ``CallCounts`` then keeps
what was decided, as counts).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, StoredFile, TimestampMixin, stored_file_column, string_enum, utcnow


class Field(StrEnum):
    """The fields a call opens lots to (DOMAIN.md), also an occupant's."""

    ESS = "ess"
    CIRCULAR = "circular"
    SOCIAL = "social"
    ARTISTIC = "artistic"
    OTHER = "other"


class LegalForm(StrEnum):
    ASSOCIATION = "association"
    COOPERATIVE = "cooperative"  # SCOP, SCIC
    COMPANY = "company"
    SOLE_TRADER = "sole_trader"  # entrepreneur individuel, micro-entreprise
    INFORMAL = "informal"  # a collective not (yet) registered
    OTHER = "other"


class Decision(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    WAITING = "waiting"  # liste d'attente


def _association() -> Mapped[int]:
    return mapped_column(ForeignKey("associations.id", ondelete="CASCADE"), index=True)


class Call(TimestampMixin, Base):
    """A call for applications on one site. Visitors see it from ``opens_on`` to
    ``closes_on`` (both days included, Paris time) once it is published; a draft is the
    team's alone."""

    __tablename__ = "sites_calls"
    __table_args__ = (CheckConstraint("closes_on >= opens_on", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    site_id: Mapped[int] = mapped_column(ForeignKey("sites_sites.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    presentation: Mapped[str] = mapped_column(Text, default="")
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    published: Mapped[bool] = mapped_column(default=False)


class CallLot(Base):
    """A lot a call opens."""

    __tablename__ = "sites_call_lots"
    __table_args__ = (UniqueConstraint("call_id", "lot_id", name="uq_sites_call_lots"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("sites_calls.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("sites_lots.id", ondelete="CASCADE"), index=True)


class Criterion(Base):
    """A published criterion of a call: applications are scored 0 to 5 on each, and the
    weighted total ranks them."""

    __tablename__ = "sites_criteria"
    __table_args__ = (CheckConstraint("weight BETWEEN 1 AND 10", name="weight"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("sites_calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(default=1)


class Application(TimestampMixin, Base):
    """An application to a call, as its sender wrote it. ``view_token_hash`` is the SHA-256
    of the secret in the link the confirmation e-mail gives (to read it back, not to edit):
    the link itself is never stored."""

    __tablename__ = "sites_applications"
    __table_args__ = (
        CheckConstraint("jobs >= 0", name="jobs"),
        Index("ix_sites_applications_call_submitted", "call_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    call_id: Mapped[int] = mapped_column(ForeignKey("sites_calls.id", ondelete="CASCADE"))
    organisation: Mapped[str] = mapped_column(String(150))
    legal_form: Mapped[LegalForm] = mapped_column(string_enum(LegalForm, "sites_legal_form"))
    field: Mapped[Field] = mapped_column(string_enum(Field, "sites_field"))
    project: Mapped[str] = mapped_column(Text)
    for_the_neighbourhood: Mapped[str] = mapped_column(Text)  # jobs, activities, openings
    jobs: Mapped[int] = mapped_column(default=0)  # jobs the project plans on the site
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    view_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    notified_at: Mapped[datetime | None]  # when the decision e-mail went


class Choice(Base):
    """A lot an application wishes, ``preference`` 1 first, and the decision on it. A
    refusal always says why: the applicant is told."""

    __tablename__ = "sites_choices"
    __table_args__ = (
        UniqueConstraint("application_id", "lot_id", name="uq_sites_choices_lot"),
        UniqueConstraint("application_id", "preference", name="uq_sites_choices_preference"),
        CheckConstraint("preference >= 1", name="preference"),
        CheckConstraint("decision IS NULL OR decision != 'refused' OR reasons != ''", name="reasons"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    application_id: Mapped[int] = mapped_column(ForeignKey("sites_applications.id", ondelete="CASCADE"),
                                                index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("sites_lots.id", ondelete="CASCADE"), index=True)
    preference: Mapped[int]
    decision: Mapped[Decision | None] = mapped_column(string_enum(Decision, "sites_decision"))
    reasons: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]


class Attachment(Base):
    """A file sent with an application (a presentation, statutes, a budget)."""

    __tablename__ = "sites_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    application_id: Mapped[int] = mapped_column(ForeignKey("sites_applications.id", ondelete="CASCADE"),
                                                index=True)
    file: Mapped[StoredFile] = stored_file_column("file")


class Score(Base):
    """One reviewer's score of an application on one criterion, 0 to 5, with a comment."""

    __tablename__ = "sites_scores"
    __table_args__ = (
        UniqueConstraint("application_id", "criterion_id", "reviewer_id", name="uq_sites_scores"),
        CheckConstraint("score BETWEEN 0 AND 5", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    application_id: Mapped[int] = mapped_column(ForeignKey("sites_applications.id", ondelete="CASCADE"),
                                                index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("sites_criteria.id", ondelete="CASCADE"),
                                              index=True)
    # SET NULL: a reviewer erased leaves their scores, no longer theirs.
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"),
                                                    index=True)
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallCounts(Base):
    """What a call received and decided, kept once its applications are purged."""

    __tablename__ = "sites_call_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    call_id: Mapped[int] = mapped_column(ForeignKey("sites_calls.id", ondelete="CASCADE"), unique=True)
    received: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[int] = mapped_column(default=0)  # applications with a lot accepted
    refused: Mapped[int] = mapped_column(default=0)  # applications refused on every lot
    waiting: Mapped[int] = mapped_column(default=0)  # on a waiting list, none accepted
    purged_at: Mapped[datetime] = mapped_column(default=utcnow)
