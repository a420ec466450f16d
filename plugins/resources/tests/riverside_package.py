"""A Trust's local-resource package, as small as one can be.

The tests install it as "riverside" (``create_app(..., plugins={"riverside": __name__})``)
and change ``ENTRIES`` to play a new release of the package.
"""
from core.hookspecs import hookimpl

ORIGINAL = [
    {"key": "user-voice", "name": "Riverside User Voice",
     "description": "Represents service users at Trust meetings and runs a user forum.",
     "phone": "0800 000 0000", "email": "voice@example.org", "website": "https://voice.example.org",
     "tags": ["user-led", "advocacy"]},
    {"key": "research-network", "name": "Riverside Research Network",
     "description": "Service users and their allies involved in research and training.",
     "website": "www.research.example.org", "tags": ["research", "training"]},
]
ENTRIES = [dict(entry) for entry in ORIGINAL]
SERVED = {"all"}  # tenant slugs served; "all" serves every Trust


@hookimpl(optionalhook=True)
def local_resources(tenant):
    if "all" not in SERVED and tenant.slug not in SERVED:
        return []
    return [dict(entry) for entry in ENTRIES]
