"""`flask --app core db revision`: a plugin's first migration starts its own branch."""
import re

import pytest

from core.hookspecs import hookimpl
from core.testing import throwaway_app

VERSIONS = {"path": None}


@hookimpl
def migration_directory():
    return VERSIONS["path"]


@pytest.fixture
def revision_app(database, tmp_path, tmp_path_factory):
    VERSIONS["path"] = str(tmp_path / "versions")
    (tmp_path / "versions").mkdir()
    with throwaway_app(database.engine, tmp_path_factory, plugins={"newsection": __name__}) as app:
        yield app


def test_a_plugins_first_revision_starts_its_branch(revision_app, tmp_path):
    runner = revision_app.test_cli_runner()
    result = runner.invoke(args=["db", "revision", "-m", "first tables", "--branch", "newsection"])
    assert result.exit_code == 0, result.output
    [written] = (tmp_path / "versions").glob("*.py")
    text = written.read_text()
    assert "revision = '0001_newsection'" in text
    assert "branch_labels = ('newsection',)" in text
    assert "depends_on = '0001_core'" in text
    assert "core.db" not in text  # migrations never import the app

    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    again = runner.invoke(args=["db", "revision", "-m", "second", "--branch", "newsection"])
    assert again.exit_code == 0, again.output
    second = [p for p in (tmp_path / "versions").glob("*.py") if p != written]
    assert re.search(r"down_revision = '0001_newsection'", second[0].read_text())


def test_an_unknown_branch_is_one_plain_line(revision_app, tmp_path):
    result = revision_app.test_cli_runner().invoke(args=["db", "revision", "-m", "x", "--branch", "nosuch"])
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == ["Error: There is no installed plugin with migrations called 'nosuch'."]
    assert not list((tmp_path / "versions").glob("*.py"))
