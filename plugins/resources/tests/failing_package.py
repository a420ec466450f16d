"""A local-resource package that fails when asked, installed by the tests as "failing"."""
from core.hookspecs import hookimpl


@hookimpl(optionalhook=True)
def local_resources():
    # Takes fewer arguments than the spec names: pluggy allows it.
    raise RuntimeError("the package's data file is missing")
