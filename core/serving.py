"""What changes when the app is started to serve pages rather than to run one command."""
import gc
import sys
from pathlib import Path


def serving() -> bool:
    """Started to serve pages (``flask run``, gunicorn), not for a one-off command."""
    program = Path(sys.argv[0]).name if sys.argv else ""
    return program.startswith("gunicorn") or (program == "flask" and "run" in sys.argv[1:])


def settle(app) -> None:
    """Once the app is made, set aside what it has loaded from Python's cycle collector.

    The modules, templates, statements and components loaded by now live as long as the
    worker. Left in the collector's care, every full collection walks all of them (well over
    a hundred thousand objects, about a tenth of a second each time on a slow machine) only
    to find nothing to free; frozen, it walks what requests make. Tests make many apps, so
    only a serving process freezes, once. No collection first: it would cost a new worker a
    tenth of a second to free a few hundred objects left over from importing."""
    if serving() and not app.testing:
        gc.freeze()
