"""Test-only plugins join the test run from their folders, never the environment `make run` serves.

Each package below is made importable and given the metadata an editable
install would give it (its name, version and entry points, read from its own
pyproject.toml), in a folder of this run's own, so the plugin host finds it
through its entry point exactly as it finds an installed package. Nothing is
written into any environment: after `make test`, `.venv` is as it was.
"""
from __future__ import annotations

import atexit
import importlib
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TEST_PLUGINS = (ROOT / "tests" / "example_plugin", ROOT / "examples" / "birmingham-resources")


def _metadata(project: Path, site: Path) -> None:
    spec = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name, version = spec["name"], spec["version"]
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    lines = []
    for group, points in spec.get("entry-points", {}).items():
        lines.append(f"[{group}]")
        lines.extend(f"{key} = {target}" for key, target in points.items())
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _join() -> None:
    site = Path(tempfile.mkdtemp(prefix="changing-lives-test-plugins-"))
    atexit.register(shutil.rmtree, site, ignore_errors=True)
    for project in TEST_PLUGINS:
        _metadata(project, site)
        sys.path.insert(0, str(project))
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()


_join()
