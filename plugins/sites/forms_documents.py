"""The form of a site's documents: a photo, a plan or another document, with a title. The
file is judged on its content by the core's upload helper (``UploadField``)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Optional

from core.plugin_api import STRIP, ChoiceField, UploadField, max_length, required
from plugins.sites.models import DocumentKind

DOCUMENT_KINDS = ("jpeg", "png", "webp", "pdf")
DOCUMENT_MAX = 5 * 1024 * 1024  # « 5 Mo au plus »
KIND_LABELS = {DocumentKind.PHOTO: "Photo", DocumentKind.PLAN: "Plan", DocumentKind.OTHER: "Autre document"}


class DocumentForm(FlaskForm):
    kind = ChoiceField("Nature", choices=[(kind.value, label) for kind, label in KIND_LABELS.items()])
    title = StringField("Titre", filters=STRIP, validators=[Optional(), max_length(150)],
                        description="Par exemple « Façade nord » ou « Plan du rez-de-chaussée ».")
    file = UploadField("Fichier", validators=[required()], kinds=DOCUMENT_KINDS, max_bytes=DOCUMENT_MAX,
                       description="JPEG, PNG, WebP ou PDF, 5 Mo au plus.")
