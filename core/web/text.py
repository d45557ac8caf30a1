from __future__ import annotations

import re
import unicodedata


def slugify(value: str, *, max_length: int = 60) -> str:
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")
    return slug[:max_length].strip("-") or "association"
