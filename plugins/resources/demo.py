"""The demo Trust's local resources: the organisations its services found over the years.

A few are added, one changes its telephone number, one closes and is archived,
and one takes its place. The national organisations come with the section.
"""
from __future__ import annotations

from core.demo_history import COMMUNITY, DAY_CENTRE, WARD, History, Step

from . import commands

USER_VOICE = {
    "name": "Demo Borough User Voice",
    "description": "Promotes the involvement of service users in planning and delivering mental health "
                   "services: represents users at Trust meetings, organises local user meetings and runs a "
                   "user forum where user representatives meet Trust staff.",
    "website": "https://uservoice.example.org.uk", "phone": "0121 496 0000", "scope": "local",
    "tags": ["user-led", "advocacy"],
}
NETWORK = {
    "name": "Demo Borough Service User Research Network",
    "description": "A user-led network of service users and their allies, involved in education, training "
                   "and research. Monthly meetings are open to everyone interested.",
    "website": "https://network.example.org.uk", "scope": "local", "tags": ["user-led", "research", "training"],
}
ADVOCACY = {
    "name": "Riverside Advocacy Drop-in",
    "description": "Independent mental health advocacy, with a drop-in on Wednesday mornings.",
    "phone": "0121 496 0123", "scope": "local", "tags": ["advocacy"],
}
HEARING_VOICES = {
    "name": "Riverside Hearing Voices Group",
    "description": "A peer support group for people who hear voices, meeting every other Monday evening.",
    "email": "voices@example.org.uk", "scope": "local", "tags": ["peer-support", "user-led"],
}
ADVICE = {
    "name": "Demo Borough Advice Centre",
    "description": "Free advice on housing, benefits and debt, with an adviser who visits Willow Ward.",
    "website": "https://advice.example.org.uk", "phone": "0121 496 0456", "scope": "local",
    "tags": ["advocacy", "employment"],
}


def steps(history: History) -> list[Step]:
    made = {}

    def add(key: str, data: dict, services: tuple[str, ...] = ()):
        def run():
            made[key] = commands.add_resource({**data, "service_ids": [history.services[s] for s in services]})
        return run

    return [
        history.step(history.day(0, 20), add("voice", USER_VOICE), by="admin"),
        history.step(history.day(0, 20), add("network", NETWORK), by="admin", minute=5),
        history.step(history.day(6, 12), add("advocacy", ADVOCACY, (COMMUNITY, WARD)), by="staff"),
        history.step(history.day(11, 3), add("voices", HEARING_VOICES, (COMMUNITY,)), by="staff"),
        history.step(history.day(19, 14), lambda: commands.change_resource(
            made["voice"], {"phone": "0121 496 0999"}), by="admin"),
        history.step(history.day(22, 9), lambda: commands.change_resource(
            made["advocacy"], {"service_ids": [history.services[s] for s in (COMMUNITY, WARD, DAY_CENTRE)]}),
            by="staff"),
        history.step(history.day(30, 2), lambda: commands.archive_resource(made["voices"]), by="admin"),
        history.step(history.day(36, 21), add("advice", ADVICE, (WARD,)), by="staff"),
    ]
