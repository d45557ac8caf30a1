"""What starting the app loads: libraries only some commands or pages need stay out, so a
worker answers its first request sooner (bench/cold_start.py measures it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# alembic: migrations only (``maillage db``); icalendar: calendar feeds only; openpyxl: Excel
# downloads only.
LOADED_ON_DEMAND = ("alembic", "icalendar", "openpyxl")


def test_starting_the_app_leaves_command_and_feed_libraries_unloaded(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "import core\n"
        "core.create_app({'SECRET_KEY': 'start-imports', 'DATABASE_URL': "
        f"'sqlite:///{tmp_path / 'start.sqlite3'}'}})\n"
        "loaded = {name.split('.')[0] for name in sys.modules}\n"
        f"print(json.dumps(sorted(loaded & {set(LOADED_ON_DEMAND)!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT, env={"MAILLAGE_INSTANCE_PATH": str(tmp_path),
                                                       "PATH": ""})
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []

