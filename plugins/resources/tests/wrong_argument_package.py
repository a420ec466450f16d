"""A local-resource package whose hook names an argument the spec does not have."""
from core.hookspecs import hookimpl


@hookimpl(optionalhook=True)
def local_resources(trust):
    return []
