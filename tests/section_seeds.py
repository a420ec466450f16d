"""Something of each of the guide's sections for a Trust, through each section's own commands.

Shared by the cross-tenant matrix and the replay tests, so their routes and
projections have real rows. Call with the Trust in context; the caller commits.
"""
from core.plugins import host


def seed_sections(service_id: int, marker: str) -> list[str]:
    """Records a review, an assessment, a round and an invitation link; returns the links' tokens."""
    installed = host().installed
    tokens = []
    if "healthcheck" in installed:
        from plugins.healthcheck import commands as healthcheck

        review = healthcheck.start_review(service_id, {"staff_count": 3,
                                                       "participant_roles": f"{marker} peer workers"})
        healthcheck.save_draft(review, {"service_user_count": 4})
    if "levels" in installed:
        from plugins.levels import commands as levels

        levels.start_assessment(service_id, {})
    if "indicators" in installed:
        from plugins.indicators import commands as indicators

        round_ = indicators.start_round(service_id, f"{marker} spring round")
        _, token = indicators.create_invitation(round_, "service_users", label=f"{marker} link")
        tokens.append(token)
    return tokens
