"""Whose view an assessment is: the latest of each view side by side, and where they differ.

The staff team and service users may see the same service differently; the
guide asks for both. Differences are counted between the latest submitted
staff view and the latest submitted service-user view, per area, for the level
now and the level aimed for; a difference of one level or more is named.
"""
from __future__ import annotations

from flask import has_request_context, request

from . import grid
from .levels import AREAS, DEFAULT_VIEW, VIEW_SHORT, VIEWS, level_title

PARTS = (("current", "the level now"), ("aim", "the level aimed for"))
BOTH = "both"


def latest_views(assessments) -> dict:
    """View -> its latest submitted assessment (None where there is none)."""
    found = dict.fromkeys(VIEWS)
    for assessment in grid.submitted(assessments):
        found[assessment.view or DEFAULT_VIEW] = assessment
    return found


def differences(found: dict) -> list[dict]:
    staff, users = found.get("staff"), found.get("service_users")
    if staff is None or users is None:
        return []
    items = []
    for area in AREAS:
        for part, words in PARTS:
            a, b = staff.level(area.key, part), users.level(area.key, part)
            if a is None or b is None or a == b:
                continue
            gap = b - a
            steps = f"{abs(gap)} level{'s' if abs(gap) > 1 else ''}"
            higher = "service users" if gap > 0 else "the staff team"
            items.append({
                "area": area.key, "area_name": area.name, "part": part, "staff": a, "service_users": b,
                "gap": gap,
                "note": (f"{area.name}, {words}: the staff team say {level_title(a)}, service users say "
                         f"{level_title(b)}. They differ by {steps}; {higher} put it higher."),
            })
    return items


def summary(found: dict, found_differences: list[dict]) -> str:
    staff, users = found.get("staff"), found.get("service_users")
    if staff is None and users is None:
        return "There is no submitted staff view or service-user view of this service yet."
    if users is None:
        return "There is a staff view but no service-user view yet, so the two cannot be compared."
    if staff is None:
        return "There is a service-user view but no staff view yet, so the two cannot be compared."
    if not found_differences:
        return "The latest staff and service-user views agree in every area."
    areas = sorted({d["area_name"] for d in found_differences}, key=[a.name for a in AREAS].index)
    return (f"The latest staff and service-user views differ by a level or more in "
            f"{len(found_differences)} place{'s' if len(found_differences) > 1 else ''}: {', '.join(areas)}.")


def chosen() -> str:
    """The view a change-over-time page or API asks for (``?view=``): one of VIEWS or ``both``; staff by default."""
    if has_request_context():
        value = request.args.get("view")
        if value in VIEWS or value == BOTH:
            return value
    return DEFAULT_VIEW


def of_view(assessments, view: str) -> list:
    """Only the assessments of one view (all of them for ``both``)."""
    if view == BOTH:
        return list(assessments)
    return [a for a in assessments if (a.view or DEFAULT_VIEW) == view]


def label(view: str) -> str:
    return "Staff and service users' views" if view == BOTH else VIEW_SHORT[view]
