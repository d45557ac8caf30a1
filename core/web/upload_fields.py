"""The form field for a file: its content checked as ``store_upload`` checks it, with the
French message next to the field (in ``core.plugin_api``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf.file import FileField
from wtforms.validators import StopValidation

from core.web.file_kinds import allowed_kinds
from core.web.uploads import UploadRefused, check_upload


class UploadField(FileField):
    """One file, of ``kinds`` (``"pdf"``, ``"jpeg"``, ``"png"``, ``"webp"``) and at most
    ``max_bytes``. ``data`` is the sent file (a ``FileStorage``), or None when none was
    chosen: add ``required()`` when one is needed. The browser's file picker offers the
    kinds' files first (``accept``); the server checks the content regardless."""

    def __init__(self, label: str | None = None, validators: Any = None, *,
                 kinds: Iterable[str], max_bytes: int, **kwargs: Any) -> None:
        self.kinds = allowed_kinds(kinds)
        self.max_bytes = max_bytes
        accept = ",".join(part for kind in self.kinds
                          for part in (kind.content_type, *kind.extensions))
        kwargs["render_kw"] = {"accept": accept, **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form: Any) -> None:
        if self.data is None:
            return
        try:
            check_upload(self.data, [kind.name for kind in self.kinds], self.max_bytes)
        except UploadRefused as refused:
            raise StopValidation(str(refused)) from None
