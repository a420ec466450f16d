"""A plugin with a misspelt hook: start-up must stop and name it.

Registered by tests/test_plugin_host.py as "broken".
"""
from core.hookspecs import hookimpl


@hookimpl
def event_typez():
    return []
