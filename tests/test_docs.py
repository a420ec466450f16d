"""docs/plugins.md and the hooks stay in step: every hook documented, every hook used."""
import inspect
from pathlib import Path

import pytest

from core import hookspecs
from core.plugins import host

DOC = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
SPEC_MARK = f"{hookspecs.hookspec.project_name}_spec"


def specs() -> dict:
    """name -> function, for every function marked @hookspec in core.hookspecs."""
    return {name: function for name, function in vars(hookspecs).items()
            if inspect.isfunction(function) and hasattr(function, SPEC_MARK)}


def signature(function) -> str:
    return f"{function.__name__}({', '.join(inspect.signature(function).parameters)})"


def test_the_hookspecs_are_found():
    assert {"event_types", "migration_directory", "plugin_enabled", "page_blueprint", "api_blueprint",
            "navigation", "service_links", "service_report_fragment", "tenant_report_fragment"} <= set(specs())


@pytest.mark.parametrize("name", sorted(specs()))
def test_every_hook_is_documented_with_its_signature_and_an_example(name):
    text = DOC.read_text(encoding="utf-8")
    assert f"### `{signature(specs()[name])}`" in text, f"docs/plugins.md has no heading for {signature(specs()[name])}"
    section = text.split(f"### `{signature(specs()[name])}`", 1)[1].split("\n### ", 1)[0]
    assert f"def {name}(" in section, f"docs/plugins.md has no example of {name}"


def test_the_docs_name_no_hook_that_does_not_exist():
    text = DOC.read_text(encoding="utf-8")
    every_hook = text.split("## Every hook", 1)[1].split("\n## ", 1)[0]
    headings = [line[5:-1] for line in every_hook.splitlines() if line.startswith("### `")]
    assert headings == [signature(function) for function in specs().values()]


def test_every_hook_is_implemented_by_a_registered_plugin(app):
    """Core, the built-ins and the example plugin between them use every hook, so every hook is exercised."""
    with app.app_context():
        unused = [name for name in specs() if not host().impls(name)]
    assert unused == []


def test_the_example_plugin_implements_every_hook(app):
    with app.app_context():
        missing = [name for name in specs() if "example" not in {plugin for plugin, _ in host().impls(name)}]
    assert missing == []
