"""Start-up: compiled templates are kept between starts and a changed template is compiled afresh;
what the first page does not need is not imported to serve it; a serving process sets what it
has loaded aside from the cycle collector."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from jinja2 import DictLoader, Environment

from core import TemplateCache


def test_a_kept_template_is_used_until_its_source_changes(tmp_path):
    cache = TemplateCache(str(tmp_path))
    first = Environment(loader=DictLoader({"page.html": "Hello {{ name }}"}), bytecode_cache=cache)
    assert first.get_template("page.html").render(name="Oak") == "Hello Oak"
    assert list(tmp_path.iterdir())  # kept on disk for the next start
    again = Environment(loader=DictLoader({"page.html": "Hello {{ name }}"}), bytecode_cache=cache)
    assert again.get_template("page.html").render(name="Elm") == "Hello Elm"
    changed = Environment(loader=DictLoader({"page.html": "Goodbye {{ name }}"}), bytecode_cache=cache)
    assert changed.get_template("page.html").render(name="Elm") == "Goodbye Elm"


def test_a_folder_that_cannot_be_written_keeps_nothing_and_pages_still_render(tmp_path):
    cache = TemplateCache(str(tmp_path / "missing"))
    env = Environment(loader=DictLoader({"page.html": "Hi"}), bytecode_cache=cache)
    assert env.get_template("page.html").render() == "Hi"


def test_the_sign_in_page_is_served_without_the_pdf_maker_migrations_or_charts(tmp_path):
    script = f"""
import sys
from core import create_app
app = create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path}/start.db", "SECRET_KEY": "x" * 40,
                  "RATELIMIT_STORAGE_URI": "memory://"}})
assert app.test_client().get("/sign-in").status_code == 200
print(" ".join(name for name in ("xhtml2pdf", "alembic", "pygal", "email_validator") if name in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parent.parent,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def _frozen_after_start(tmp_path, program: list[str]) -> tuple[int, str]:
    """(objects set aside from the cycle collector, the sign-in page's status) in a fresh interpreter
    started as ``program`` would be."""
    script = f"""
import gc, sys
sys.argv = {program!r}
from core import create_app
app = create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path}/start.db", "SECRET_KEY": "x" * 40,
                  "RATELIMIT_STORAGE_URI": "memory://"}})
print(gc.get_freeze_count(), app.test_client().get("/sign-in").status_code)
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parent.parent,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    frozen, status = done.stdout.split()
    return int(frozen), status


def test_a_serving_worker_sets_what_it_loaded_aside_from_the_cycle_collector(tmp_path):
    frozen, status = _frozen_after_start(tmp_path, ["/srv/venv/bin/gunicorn", "core:create_app()"])
    assert frozen > 10_000  # the modules, templates and app: everything loaded by then
    assert status == "200"


def test_a_command_leaves_the_cycle_collector_as_it_was(tmp_path):
    frozen, status = _frozen_after_start(tmp_path, ["flask", "db", "upgrade"])
    assert frozen == 0
    assert status == "200"
