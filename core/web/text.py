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


def phone_digits(value: str) -> str:
    """A phone number as comparable digits, French national form: "+33 6 12 34 56 78",
    "06.12.34.56.78" and "0612345678" all give "0612345678".

    Numbers are stored as typed; searches and duplicate checks compare this form.
    """
    digits = "".join(char for char in value if char in "0123456789")
    if value.strip().startswith("+33") or digits.startswith("0033"):
        national = digits[2:] if digits.startswith("33") else digits[4:]
        digits = "0" + national.lstrip("0")  # "+33 (0)6…" is written too
    return digits
