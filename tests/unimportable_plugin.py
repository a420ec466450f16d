"""A plugin whose import fails, as one does when a package it needs is missing.

Registered by tests/test_plugin_host.py as "unimportable".
"""
raise ImportError("No module named 'a_package_nobody_installed'")
