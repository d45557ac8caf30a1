"""A site's documents: the list its page shows, and removing them with their files (the
database's cascade would leave the files behind)."""

from __future__ import annotations

from sqlalchemy import select

from core.plugin_api import delete_upload, session
from plugins.sites.models import DocumentKind, SiteDocument


def documents_of(site_id: int) -> list[SiteDocument]:
    """Photos first, then plans, then the rest; the latest first within each (one query)."""
    order = {DocumentKind.PHOTO: 0, DocumentKind.PLAN: 1, DocumentKind.OTHER: 2}
    rows = session.scalars(select(SiteDocument).where(SiteDocument.site_id == site_id)
                           .order_by(SiteDocument.uploaded_at.desc(), SiteDocument.id.desc())).all()
    return sorted(rows, key=lambda row: order[row.kind])


def delete_document(document: SiteDocument) -> None:
    """The row now, the file when the transaction commits."""
    delete_upload(document.file)
    session.delete(document)


def delete_documents_of(site_id: int) -> int:
    """Every document of a site, before the site itself is deleted."""
    documents = session.scalars(select(SiteDocument).where(SiteDocument.site_id == site_id)).all()
    for document in documents:
        delete_document(document)
    return len(documents)
