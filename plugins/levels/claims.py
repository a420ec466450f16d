"""The level claimed in each area beside the level the practices ticked support."""
from __future__ import annotations

from .levels import AREAS, flat_key
from .practices import claim


def area_claim(assessment, area: str, practices) -> dict:
    ticked = assessment.get(flat_key(area, "practices"))
    return claim(assessment.level(area, "current"), ticked if isinstance(ticked, list) else [], practices)


def claims(assessment, practices) -> dict:
    """Per area key: the claim (see ``practices.claim``); empty without an assessment."""
    if assessment is None:
        return {}
    return {area.key: area_claim(assessment, area.key, practices) for area in AREAS}
