"""The national organisations the guide names, as they are known today.

The guide (2008) gave telephone numbers and web addresses; numbers change and
some sites have gone, so only each organisation's description and its current,
well-known website are kept. The guide's "Mental Health in Higher Education"
project has closed and is left out. Each entry's key never changes: it is how
switching the section off and on again finds the entries it added before.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NationalResource:
    key: str
    name: str
    description: str
    website: str
    tags: tuple[str, ...] = field(default=())

    @property
    def origin_key(self) -> str:
        return f"guide:{self.key}"


NATIONAL_RESOURCES = (
    NationalResource(
        "mind", "Mind",
        "Leading mental health charity for England and Wales that works to create a better life for "
        "everyone with experience of mental distress. It has a range of publications and training "
        "opportunities that relate to user involvement.",
        "https://www.mind.org.uk", ("charity", "publications", "training")),
    NationalResource(
        "rethink", "Rethink Mental Illness",
        "A leading mental health charity working together to help everyone affected by severe mental "
        "illness recover a better quality of life. It has a range of publications and activities that "
        "relate to user involvement. The guide knew it by its former name, Rethink.",
        "https://www.rethink.org", ("charity", "publications")),
    NationalResource(
        "centre-for-mental-health", "Centre for Mental Health",
        "A charity working to improve the quality of life for people with severe mental health problems. "
        "It has a range of publications and training opportunities that relate to user involvement. "
        "The guide knew it by its former name, the Sainsbury Centre for Mental Health; it has since been "
        "renamed Centre for Mental Health.",
        "https://www.centreformentalhealth.org.uk", ("charity", "publications", "research", "training")),
)
