"""The hook a Trust's local-resource package implements.

These specs belong to the resources plugin, not to core: the plugin adds them
to the app's plugin manager itself (see ``plugins.resources.packages``). A
package that implements them marks its function
``@hookimpl(optionalhook=True)``, the pluggy idiom for a hook owned by another
plugin, so the package still loads in an app without the resources plugin.
"""
from core.hookspecs import hookspec


@hookspec
def local_resources(tenant):
    """Return a list of dicts {key, name, kind, description, phone, email, website, tags, services, ...}.

    Each dict is one local organisation (or person) the Trust ``tenant`` can draw on.
    ``key`` names it within the package and must not change (it is how a refresh
    knows the entry again); ``name`` is required; ``description``, ``address``,
    ``phone``, ``email``, ``website`` (strings) and ``tags`` (a list of short
    words such as "user-led") are optional, but give an organisation at least one
    way to get in touch. ``kind`` is "organisation" (the default) or "individual";
    an individual's contact details need ``consent_by`` (who gave consent) and
    ``consent_on`` ("YYYY-MM-DD"). ``services``: the Trust's services it is for, each
    by its code or its name (left out: every service); an entry naming a service
    the Trust does not have is left out and reported. Return an empty list for a
    Trust the package does not serve.

    Only packages switched on for the Trust are asked. What they return is
    recorded in the Trust's log when the resources section is switched on, and
    again when an admin chooses "Refresh local resources".
    """
