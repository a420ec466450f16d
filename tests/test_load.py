"""A short run of ``make load`` (bench/load.py): the same script, a few seconds long."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_a_short_load_run_finds_no_errors(database):
    env = {**os.environ, "LOAD_SECONDS": "4", "LOAD_USERS": "4", "LOAD_TRUSTS": "2", "LOAD_SERVERS": "2"}
    env.pop("LOAD_DATABASE_URL", None)
    if database.engine == "postgresql":
        env["LOAD_DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
    if not os.path.exists("/usr/bin/redis-server"):
        pytest.skip("/usr/bin/redis-server is missing: apt-get install redis-server")
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1].startswith("OK: no server errors, every Trust's event count exact, all 2 chains valid")
    assert any(line.startswith("latency: p50 ") and " ms, p99 " in line for line in lines)
    assert "4 people writing to 2 Trusts" in done.stderr  # the progress bar
    assert "changes recorded" in done.stdout and " 0 changes recorded" not in done.stdout
