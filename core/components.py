"""NHS.UK frontend components, each rendered once per distinct set of parameters.

The components of nhsuk-frontend-jinja are pure functions of their parameters
(imported without context, they see nothing else), but rendering one runs its
whole template: the header alone took about as long as the rest of a simple
page. This loader serves every ``nhsuk/components/<name>/macro.jinja`` as a thin
macro of the same name and signature that asks ``nhsuk_component`` for the
markup; that answers from a per-worker LRU keyed on the parameters, or renders
the untouched original (served under ``nhsuk-uncached/``) and keeps the result.
Every template, the plugins' included, gets this without changing an import.

Calls with a ``caller`` block, or with a parameter that is not plain data
(strings, markup, numbers, booleans, None, lists, dicts, undefined), are
rendered every time. Per-request values (the CSRF token, the CSP nonce) must
not be parameters of a cached call: the layout puts a placeholder where the
sign-out form's token goes and swaps the real one in afterwards.
"""
from __future__ import annotations

import re
import threading

from cachetools import LRUCache
from flask import current_app
from jinja2 import BaseLoader, TemplateNotFound, Undefined
from markupsafe import Markup

ORIGINAL = "nhsuk-uncached/"
COMPONENT = re.compile(r"^nhsuk/components/.+/macro\.jinja$")
MACRO = re.compile(r"\{%-?\s*macro\s+(\w+)\(([^)]*)\)\s*-?%\}")
CACHE_CHARS = 4_000_000  # the most markup kept per worker, in characters
LARGEST = 64_000  # a component bigger than this is not kept


class ComponentLoader(BaseLoader):
    """Wraps the NHS.UK package loader; everything but the component macros passes through unchanged."""

    def __init__(self, inner: BaseLoader):
        self.inner = inner

    def get_source(self, environment, template):
        if template.startswith(ORIGINAL):
            return self.inner.get_source(environment, template[len(ORIGINAL):])
        source, filename, uptodate = self.inner.get_source(environment, template)
        if not COMPONENT.match(template):
            return source, filename, uptodate
        found = MACRO.search(source)
        if found is None:
            return source, filename, uptodate
        name, signature = found.groups()
        arguments = ", ".join(part.split("=")[0].strip() for part in signature.split(",") if part.strip())
        wrapper = (f"{{% macro {name}({signature}) -%}}"
                   f"{{{{ nhsuk_component({template!r}, {name!r}, caller if caller else none, {arguments}) }}}}"
                   f"{{%- endmacro %}}")
        return wrapper, filename, uptodate

    def list_templates(self):
        return self.inner.list_templates()


class _NotPlain(Exception):
    pass


def _freeze(value):
    """A hashable stand-in for plain template data; the type is kept so True, 1 and Markup differ."""
    kind = type(value)
    if value is None or kind in (str, int, bool, float):
        return kind, value
    if kind is Markup:
        return Markup, str(value)
    if kind is dict:
        return dict, tuple((key, _freeze(item)) for key, item in value.items())
    if kind in (list, tuple):
        return kind, tuple(_freeze(item) for item in value)
    if isinstance(value, Undefined):
        return Undefined
    raise _NotPlain


class _Store:
    def __init__(self):
        self.entries: LRUCache = LRUCache(maxsize=CACHE_CHARS, getsizeof=len)
        self.lock = threading.Lock()


def nhsuk_component(template: str, name: str, caller, *arguments) -> Markup:
    """The markup of component ``name`` from ``template`` for these arguments (kept for the next call)."""
    app = current_app._get_current_object()
    macro = getattr(app.jinja_env.get_template(ORIGINAL + template).module, name)
    if caller:
        return macro(*arguments, caller=caller)
    try:
        key = (template, _freeze(arguments))
    except _NotPlain:
        return macro(*arguments)
    return kept_markup(key, lambda: macro(*arguments))


def kept_markup(key, render) -> Markup:
    """``render()``, or the markup it gave for the same ``key`` in this worker before (a hashable key
    that holds everything the markup depends on)."""
    app = current_app._get_current_object()
    store = app.extensions.get("changing_lives_components")
    if store is None:
        store = app.extensions.setdefault("changing_lives_components", _Store())
    with store.lock:
        found = store.entries.get(key)
    if found is not None:
        return found
    markup = render()
    if len(markup) <= LARGEST:
        with store.lock:
            store.entries[key] = markup
    return markup


def init_app(app) -> None:
    app.add_template_global(nhsuk_component, "nhsuk_component")
