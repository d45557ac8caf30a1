from __future__ import annotations

import re
import unicodedata


def slugify(value: str, *, max_length: int = 60) -> str:
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")
    return slug[:max_length].strip("-") or "association"


def fold(value: str) -> str:
    """Lower-case, accent-free, single-spaced: "Hélène  LEFÈVRE" -> "helene lefevre".

    Searches compare folded text because SQLite's lower() only knows ASCII and people
    type names without accents on a phone.
    """
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())
