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

# The seven indicators in easy read: one plain sentence, then short sentences with one idea
# each, in everyday words. People answering see these first; the guide's wording is one tap away.
EASY_READ = {
    "valuing": (
        "Staff see service users as people, and as experts in their own lives.",
        ("Staff see you as a person.", "Not just as an illness or a problem.",
         "You know your own life best.", "Staff respect that."),
    ),
    "listening": (
        "Staff listen to what is happening to service users and what they want next.",
        ("Staff listen to you.", "They listen to what is happening in your life now.",
         "They listen to what you want to happen next."),
    ),
    "learning": (
        "Staff learn from service users what helps them get better and what gets in the way.",
        ("Staff learn from you.", "They learn what helps you get better.", "They learn what gets in the way."),
    ),
    "engaging": (
        "Staff talk with service users about the big things in their lives.",
        ("Staff talk with you about the big things in your life.",
         "Like work, a home, money, family and friends.", "And your treatment and care."),
    ),
    "working_with": (
        "Staff work with service users, for example when planning care, to make the changes they want.",
        ("Staff work with you, not just for you.", "You plan your care together.",
         "This helps you make the changes you want in your life."),
    ),
    "connecting": (
        "Staff help service users find people who speak up for them and advice about their rights.",
        ("Staff help you find support outside the service.",
         "Like an advocate: someone who speaks up for you.",
         "Or advice about your rights, like money or housing."),
    ),
    "involving": (
        "Service users help to shape the service and to choose new staff.",
        ("Service users help to shape the service.", "Service users help to choose new staff."),
    ),
}


def plain(key: str) -> str:
    return EASY_READ[key][0]


def easy_read(key: str) -> tuple[str, ...]:
    return EASY_READ[key][1]


# The answer scale in the words people answering see (the values are the same as ANSWERS).
PLAIN_ANSWERS = {"met": "Yes", "partly_met": "Partly", "not_met": "No", "dont_know": "Not sure"}

# Service users' words, and any breakdown that could single one of them out, are shown only
# when at least this many service users answered in the round. A Trust may raise it, never lower it.
MIN_ANSWERS = 3
FEWER_WORDS = f"fewer than {MIN_ANSWERS} answers"
