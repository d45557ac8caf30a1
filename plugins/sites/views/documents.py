"""A site's photos, plans and other documents: sent from the site's page, served to the
team only, deleted with their file."""

from __future__ import annotations

from flask import flash
from werkzeug.wrappers import Response

from core.plugin_api import (
    Level,
    UploadRefused,
    accepts_uploads,
    access,
    add_error,
    see_other,
    send_upload,
    session,
    store_upload,
)
from plugins.sites.documents import delete_document
from plugins.sites.forms_documents import DOCUMENT_KINDS, DOCUMENT_MAX, DocumentForm
from plugins.sites.models import DocumentKind, Site, SiteDocument
from plugins.sites.views import bp, own_or_404, team
from plugins.sites.views.sites import detail_page


@bp.post("/<association>/sites/<int:site_id>/documents")
@access(Level.MANAGER)
@accepts_uploads(2 * DOCUMENT_MAX)
def document_upload(association: str, site_id: int) -> Response | tuple[str, int]:
    current = team()
    site = own_or_404(Site, site_id, current)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            stored = store_upload(form.file.data, plugin="sites", kinds=DOCUMENT_KINDS,
                                  max_bytes=DOCUMENT_MAX)
        except UploadRefused as refused:
            add_error(form.file, str(refused))
        else:
            session.add(SiteDocument(association_id=current.id, site_id=site.id,
                                     kind=DocumentKind(form.kind.data), title=form.title.data or "",
                                     file=stored))
            session.commit()
            flash("Document ajouté.", "success")
            return see_other("sites.site_detail", association=current.slug, site_id=site.id,
                             _anchor="documents")
    return detail_page(current, site, form)


@bp.get("/<association>/documents/<int:document_id>")
@access(Level.MANAGER)
def document_file(association: str, document_id: int) -> Response:
    return send_upload(own_or_404(SiteDocument, document_id, team()).file)


@bp.post("/<association>/documents/<int:document_id>/supprimer")
@access(Level.MANAGER)
def document_delete(association: str, document_id: int) -> Response:
    current = team()
    document = own_or_404(SiteDocument, document_id, current)
    site_id = document.site_id
    delete_document(document)
    session.commit()
    flash("Document supprimé.", "success")
    return see_other("sites.site_detail", association=current.slug, site_id=site_id, _anchor="documents")
