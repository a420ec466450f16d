"""Local organisations of Birmingham and Solihull, from the guide."""
from core.hookspecs import hookimpl

# The Trusts (short names) this package was made for: only they may use it, unless the
# operator allows another (`flask --app core plugins allow SLUG birmingham_resources`).
TRUSTS = ["birmingham"]

ENTRIES = [
    {"key": "user-voice", "name": "User Voice",
     "description": "A project that promotes greater involvement of service users in the planning and delivery "
                    "of mental health services in Birmingham and Solihull. It represents users at key Trust "
                    "meetings, organises local user meetings, runs a user forum where user representatives meet "
                    "with Trust staff, encourages users to get involved in research, training, education, "
                    "employment and volunteering, and keeps strong communication networks between users and "
                    "Trust staff.",
     "address": "User Voice BSMH NHS Trust\nPALS House number 3\nArdenleigh Way\nArdenleigh Site\n"
                "385 Kingsbury Road\nErdington\nBirmingham B24 9SA",
     "phone": "0800 694 0212",
     "tags": ["user-led", "advocacy"]},
    {"key": "suresearch", "name": "Suresearch",
     "description": "A Midlands based user led network of mental health service users and their professional "
                    "and academic allies. Its members are involved in education, training and research, based "
                    "in the University of Birmingham Centre of Excellence in Interdisciplinary Mental Health, "
                    "and hold regular monthly meetings open to all who are interested in the network.",
     "address": "Centre of Excellence in Interdisciplinary Mental Health\nUniversity of Birmingham",
     "phone": "0121 414 8170",
     "website": "www.suresearch.org.uk",
     "tags": ["user-led", "research", "training"]},
]


@hookimpl(optionalhook=True)
def local_resources(tenant):
    """Every entry, for the Trusts this package was made for."""
    return [dict(entry) for entry in ENTRIES] if tenant.slug in TRUSTS else []
