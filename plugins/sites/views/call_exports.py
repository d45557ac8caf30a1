"""A call's applications as CSV or Excel, with their review, through the core's
``export_table``: ``appels/<call>/telecharger/candidatures.<csv|xlsx>``, the team's.

The review's rule holds in the file as on the pages: an application's total appears only
once the person downloading has scored it (« à noter par vous » otherwise), so that nobody
reads the others' judgement before giving theirs. Three queries whatever the number of
applications: the criteria, the review totals, the applications with their wishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from werkzeug.wrappers import Response

from core.plugin_api import ExportColumn, Level, access, current_person, export_table, in_paris, session
from plugins.sites.labels import DECISION_LABELS, FIELD_LABELS, LEGAL_FORM_LABELS
from plugins.sites.models import Lot
from plugins.sites.models_calls import Application, Call, Choice, Decision
from plugins.sites.review import NOT_REVIEWED, Review, criteria_of, reviews_of, weights_of
from plugins.sites.views import bp, own_or_404, team


@dataclass
class Row:
    application: Application
    wishes: list[tuple[str, Decision | None]]
    review: Review

    @property
    def received(self) -> datetime:
        return in_paris(self.application.submitted_at).replace(tzinfo=None)

    def wished(self) -> str:
        return " ; ".join(f"{rank}. {code}" for rank, (code, _) in enumerate(self.wishes, start=1))

    def decisions(self) -> str:
        return " ; ".join(f"{code} : {DECISION_LABELS[decision]}" for code, decision in self.wishes)

    def total(self) -> str:
        if self.review.scored_by_viewer:
            return self.review.shown
        return "à noter par vous"


def _app(getter: str) -> Any:
    return lambda row: getattr(row.application, getter)


COLUMNS = (
    ExportColumn("Reçue le", "received"),
    ExportColumn("Organisation", _app("organisation")),
    ExportColumn("Forme juridique", lambda row: LEGAL_FORM_LABELS[row.application.legal_form]),
    ExportColumn("Domaine", lambda row: FIELD_LABELS[row.application.field]),
    ExportColumn("Emplois prévus", _app("jobs")),
    ExportColumn("Lots souhaités (par préférence)", lambda row: row.wished()),
    ExportColumn("Décisions", lambda row: row.decisions()),
    ExportColumn("Notations complètes", lambda row: row.review.reviewers),
    ExportColumn("Total pondéré (sur 5)", lambda row: row.total()),
    ExportColumn("Projet", _app("project")),
    ExportColumn("Pour le quartier", _app("for_the_neighbourhood")),
    ExportColumn("Contact", _app("contact_name")),
    ExportColumn("E-mail", _app("contact_email")),
    ExportColumn("Téléphone", _app("contact_phone")),
)


def rows_of(call: Call, viewer_id: int) -> list[Row]:
    reviews = reviews_of(call.id, weights_of(criteria_of(call.id)), viewer_id)
    rows: dict[int, Row] = {}
    for application, code, decision in session.execute(
            select(Application, Lot.code, Choice.decision)
            .outerjoin(Choice, Choice.application_id == Application.id)
            .outerjoin(Lot, Lot.id == Choice.lot_id)
            .where(Application.call_id == call.id)
            .order_by(Application.submitted_at, Application.id, Choice.preference)):
        row = rows.get(application.id)
        if row is None:
            row = rows[application.id] = Row(application, [], reviews.get(application.id, NOT_REVIEWED))
        if code is not None:
            row.wishes.append((code, decision))
    return list(rows.values())


@bp.get("/<association>/appels/<int:call_id>/telecharger/candidatures.<format>")
@access(Level.MANAGER)
def call_download(association: str, call_id: int, format: str) -> Response:
    current = team()
    call = own_or_404(Call, call_id, current)
    viewer = current_person()
    assert viewer is not None  # @access(Level.MANAGER): someone is logged in
    return export_table(format, f"Candidatures — {call.title}", COLUMNS, rows_of(call, viewer.id),
                        title="Candidatures")
