"""A worker's memory after logins: argon2's 19 MiB block goes back to the system each time
(core/allocator.py); bench/memory.py measures the whole worker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_logins_leave_no_argon2_block_resident(tmp_path: Path) -> None:
    code = (
        "import json\n"
        "from pathlib import Path\n"
        "import core\n"
        "from core.auth.passwords import hash_password, verify_password\n"
        "def resident():\n"
        "    status = Path('/proc/self/status').read_text().split('VmRSS:')[1]\n"
        "    return int(status.split()[0]) / 1024\n"
        "core.create_app({'SECRET_KEY': 'memory', 'DATABASE_URL': "
        f"'sqlite:///{tmp_path / 'memory.sqlite3'}'}})\n"
        "before = resident()\n"
        "stored = hash_password('un mot de passe assez long')\n"
        "for _ in range(3):\n"
        "    assert verify_password(stored, 'un mot de passe assez long')\n"
        "print(json.dumps(resident() - before))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=ROOT, env={"MAILLAGE_INSTANCE_PATH": str(tmp_path), "PATH": ""})
    grown_mb = json.loads(result.stdout.strip().splitlines()[-1])
    assert grown_mb < 8  # 19 MB or more when the block stays on the heap
