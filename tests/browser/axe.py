"""axe-core (vendor/axe.min.js, MPL-2.0, from the npm package) run on the page as it stands.

The script is evaluated through the DevTools protocol rather than added as a <script> tag:
the site's Content-Security-Policy (script-src 'self') rightly refuses inline scripts, and
loosening it for the tests would hide the inline code the policy is there to catch.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

SOURCE = Path(__file__).parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}


@cache
def _source() -> str:
    return SOURCE.read_text(encoding="utf-8")


def violations(page: Page) -> list[dict[str, Any]]:
    """Every violation axe finds on the page, whatever its impact."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS)
    return list(result["violations"])


def describe(found: list[dict[str, Any]]) -> str:
    """One paragraph per rule: its impact, what it asks, and where it fails (three nodes)."""
    lines = []
    for violation in found:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}"
                     f" ({violation['helpUrl']})")
        for node in violation["nodes"][:3]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}\n      {summary[:300]}")
        if len(violation["nodes"]) > 3:
            lines.append(f"    … and {len(violation['nodes']) - 3} more")
    return "\n".join(lines)


def assert_accessible(page: Page) -> list[dict[str, Any]]:
    """No serious or critical violation; the minor and moderate ones are returned."""
    found = violations(page)
    blocking = [v for v in found if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {page.url}:\n{describe(blocking)}"
    return [v for v in found if v["impact"] not in BLOCKING]
