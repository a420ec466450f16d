"""A plugin whose hook asks for an argument the spec does not offer.

Registered by tests/test_plugin_host.py as "wrongargument".
"""
from core.hookspecs import hookimpl


@hookimpl
def navigation(tenant, membership, colour):
    return []
