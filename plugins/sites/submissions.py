"""An application as the public form sends it: saved with the lots wished in order and the
files, a link to read it back, and the confirmation e-mail.

The link carries a secret (``secrets.token_urlsafe(32)``); only its SHA-256 is stored, so
that a copy of the database does not open anyone's application. The e-mail leaves only if
the transaction commits (``send_mail_after_commit``). Nothing here commits: the view does.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from core.plugin_api import (
    AssociationRef,
    StoredFile,
    add_months,
    external_url,
    send_mail_after_commit,
    session,
    utcnow,
)
from plugins.sites.allocations import day_label
from plugins.sites.models import Lot, Site
from plugins.sites.models_calls import Application, Attachment, Call, Choice, Field, LegalForm
from plugins.sites.occupancy import KIND_LABELS
from plugins.sites.settings import rules_of

TOKEN_LENGTH = 100  # far above a token_urlsafe(32); anything longer is no link of ours


@dataclass(frozen=True)
class ApplicationFields:
    organisation: str
    legal_form: LegalForm
    field: Field
    project: str
    for_the_neighbourhood: str
    jobs: int
    contact_name: str
    contact_email: str
    contact_phone: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def application_of_token(association_id: int, token: str) -> Application | None:
    """The association's application that this link opens, if any."""
    if not token or len(token) > TOKEN_LENGTH:
        return None
    return session.scalar(select(Application).where(Application.view_token_hash == token_hash(token),
                                                    Application.association_id == association_id))


def wished_lots_of(application_id: int) -> list[Lot]:
    """The lots an application wishes, by preference."""
    return list(session.scalars(select(Lot).join(Choice, Choice.lot_id == Lot.id)
                                .where(Choice.application_id == application_id).order_by(Choice.preference)))


def attachments_of(application_id: int) -> list[StoredFile]:
    return list(session.scalars(select(Attachment.file).where(Attachment.application_id == application_id)
                                .order_by(Attachment.id)))


def kept_until(call: Call, months: int) -> date:
    """The day an application to the call is purged: ``months`` after the call closes."""
    return add_months(call.closes_on, months)


def lot_line(lot: Lot) -> str:
    return f"{lot.code} ({KIND_LABELS[lot.kind].lower()})"


DOUBLE_TAP = timedelta(minutes=10)


def sent_just_before(call: Call, email: str, organisation: str) -> bool:
    """The same organisation applied to the call from the same address a moment ago: a form
    sent twice (a double tap, a reload), not a second application."""
    return session.scalar(
        select(Application.id).where(Application.call_id == call.id,
                                     func.lower(Application.contact_email) == email.strip().lower(),
                                     Application.organisation == organisation,
                                     Application.submitted_at >= utcnow() - DOUBLE_TAP).limit(1)) is not None


def save_application(current: AssociationRef, call: Call, site: Site, fields: ApplicationFields,
                     lots: list[Lot], files: list[StoredFile]) -> Application:
    """Add the application, its choices (``lots`` by preference) and its attachments (files
    already stored), and the confirmation e-mail once it commits."""
    token = secrets.token_urlsafe(32)
    application = Application(
        association_id=current.id, call_id=call.id, organisation=fields.organisation,
        legal_form=fields.legal_form, field=fields.field, project=fields.project,
        for_the_neighbourhood=fields.for_the_neighbourhood, jobs=fields.jobs,
        contact_name=fields.contact_name, contact_email=fields.contact_email,
        contact_phone=fields.contact_phone, view_token_hash=token_hash(token))
    session.add(application)
    session.flush()
    session.add_all(Choice(association_id=current.id, application_id=application.id, lot_id=lot.id,
                           preference=preference) for preference, lot in enumerate(lots, start=1))
    session.add_all(Attachment(association_id=current.id, application_id=application.id, file=stored)
                    for stored in files)
    link = external_url("sites.public_application", association=current.slug, token=token)
    send_mail_after_commit(fields.contact_email, f"Votre candidature à l'appel « {call.title} »",
                           _confirmation(current, call, site, fields, lots, files, link))
    return application


def _confirmation(current: AssociationRef, call: Call, site: Site, fields: ApplicationFields, lots: list[Lot],
                  files: list[StoredFile], link: str) -> str:
    wished = "\n".join(f"  {rank}. Lot {lot_line(lot)}" for rank, lot in enumerate(lots, start=1))
    attached = "\n".join(f"  - {stored.original_name}" for stored in files) or "  (aucune)"
    months = rules_of(current).retention_months
    return (
        "Bonjour,\n\n"
        f"{current.name} a bien reçu la candidature de « {fields.organisation} » à l'appel "
        f"« {call.title} » ({site.name}).\n\n"
        f"Lots demandés, par ordre de préférence :\n{wished}\n\n"
        f"Pièces jointes :\n{attached}\n\n"
        "Pour relire votre candidature telle que nous l'avons reçue (elle ne peut plus être "
        f"modifiée) :\n{link}\n"
        "Ce lien est personnel : ne le transmettez qu'aux personnes de votre projet.\n\n"
        f"L'appel est ouvert jusqu'au {day_label(call.closes_on)} inclus. L'équipe étudie ensuite "
        "les candidatures et vous écrira pour vous donner sa réponse.\n\n"
        f"Vos informations sont conservées {months} mois après la clôture de l'appel, jusqu'au "
        f"{day_label(kept_until(call, months))}, puis supprimées.\n\n"
        f"— {current.name}\n"
    )
