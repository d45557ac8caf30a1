"""A short French name for the device behind a User-Agent, shown in the list of open
sessions (« Firefox sur Android »). Only this name is stored, never the raw header:
it is enough to recognise one's phone, and says little more about its owner."""

from __future__ import annotations

# Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari", Android says "Linux".
_BROWSERS = [
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
]
_SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
]
UNKNOWN_DEVICE = "Appareil inconnu"


def _first_match(header: str, table: list[tuple[str, str]]) -> str | None:
    return next((name for marker, name in table if marker in header), None)


def device_name(user_agent: str | None) -> str:
    header = user_agent or ""
    browser = _first_match(header, _BROWSERS)
    system = _first_match(header, _SYSTEMS)
    if browser and system:
        return f"{browser} sur {system}"
    return browser or (f"Navigateur sur {system}" if system else UNKNOWN_DEVICE)
