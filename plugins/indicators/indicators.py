"""The guide's seven user-generated indicators and the words of the four steps.

The indicator texts are the guide's own wording ("Getting there", step one),
kept exactly as printed; a test checks them against the guide.
"""

# key -> (short name, the guide's wording)
INDICATORS = {
    "valuing": (
        "Valuing",
        "Valuing users as people and experts in their own lives",
    ),
    "listening": (
        "Listening",
        "Listening to what service users say about what is happening to them and what they want "
        "to happen in the future",
    ),
    "learning": (
        "Learning",
        "Learning from service users about what works for them and what blocks their recovery.",
    ),
    "engaging": (
        "Engaging",
        "Engaging with service users on key issues relating to their lives e.g. employment, housing "
        "income, personal and family relationships, treatment and care options",
    ),
    "working_with": (
        "Working with",
        "Working with users through exchanges, including care planning assessment, directed at "
        "achieving life changes that support recovery",
    ),
    "connecting": (
        "Connecting",
        "Connecting service users to sources of specialist and community based advocacy and advice "
        "that will promote their rights as citizens",
    ),
    "involving": (
        "Involving",
        "Involving service users in service development and staff recruitment.",
    ),
}
KEYS = tuple(INDICATORS)


def short_name(key: str) -> str:
    return INDICATORS[key][0]


def wording(key: str) -> str:
    return INDICATORS[key][1]


# The two groups that evaluate the service (step one).
GROUPS = {"service_users": "Service users", "staff": "Staff"}
GROUP_WORDS = {"service_users": "service users", "staff": "staff"}

# Whether an indicator is met, asked at two levels.
ANSWERS = {"met": "Met", "partly_met": "Partly met", "not_met": "Not met", "dont_know": "Don't know"}
LEVELS = ("individual", "service")
# What each group is asked, in plain words, at each level.
LEVEL_QUESTIONS = {
    "service_users": {"individual": "Is this happening for you?",
                      "service": "Is this happening across the service?"},
    "staff": {"individual": "Is this happening for the individual people you work with?",
              "service": "Is this happening across the service as a whole?"},
}
LEVEL_NAMES = {"individual": "For individuals", "service": "Across the service"}

# The words people may add to each answer.
TEXTS = {
    "how": "If it is happening, how? What helps?",
    "barriers": "If it is not happening, what stands in the way?",
    "change": "How could it change?",
}
TEXT_LIMIT = 2000

# Step two: where the groups shared their views, and who chaired.
SETTINGS = {"user_meeting": "A regular user meeting", "special_event": "A special event"}
CHAIRS = {
    "external_user_facilitator": "An external user facilitator",
    "service_user": "A service user",
    "staff": "A member of staff",
    "other": "Someone else",
}

# Step three: the guide asks for one or two targets for change.
MAX_TARGETS = 2

# Step four: did the change happen?
HAPPENED = {"yes": "Yes", "partly": "Partly", "no": "No"}

STEPS = (
    ("evaluate", "Step 1: Evaluate the service"),
    ("share", "Step 2: Share your views"),
    ("targets", "Step 3: Agree targets for change"),
    ("review", "Step 4: Review progress"),
)
