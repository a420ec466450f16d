"""Reading a round: who may see which group, each group's summary, and where the round is.

These work on plain lists of rows, so the pages, the API and the "as of"
reports (rows folded from the log) all summarise the same way.
"""
from __future__ import annotations

from datetime import date

from core.auth import role_can
from core.reports import london_day, long_date

from .indicators import ANSWERS, GROUPS, INDICATORS, LEVELS, MAX_TARGETS, STEPS, TEXTS


def round_title(round_) -> str:
    return round_.title or f"Round started {long_date(london_day(round_.started_at))}"


def own_group(role: str | None) -> str | None:
    """The group whose answers a role reads before the exchange: service users theirs, staff-side roles staff's."""
    if role == "service_user":
        return "service_users"
    return "staff" if role_can(role, "read_staff_views") else None


def visible_groups(round_, role: str | None) -> tuple[str, ...]:
    """Fair steps: until the groups exchange their views (step two), neither reads the other's
    answers. Each sees its own group's; facilitators, who prepare the exchange, see both."""
    if round_.shared or role_can(role, "read_both_groups"):
        return tuple(GROUPS)
    own = own_group(role)
    return (own,) if own else ()


def fewer_words(threshold: int) -> str:
    return f"fewer than {threshold} answers"


def withheld(group: str, responses: int, threshold: int) -> bool:
    """Service users' words and breakdowns are shown only when enough of them answered,
    so that a small group's answers cannot be traced to one person."""
    return group == "service_users" and responses < threshold


def count_by_group(responses) -> dict[str, int]:
    counts = dict.fromkeys(GROUPS, 0)
    for response in responses:
        if response.group in counts:
            counts[response.group] += 1
    return counts


def _threshold(threshold: int | None) -> int:
    if threshold is not None:
        return threshold
    from .commands import min_answers

    return min_answers()


def summarise(responses, groups=tuple(GROUPS), quotes: bool = True, threshold: int | None = None) -> list[dict]:
    """Per indicator, per group: how many answered each way at each level, and what people said.

    A group below the answer threshold (service users only) has ``withheld`` set, its
    counts at zero and no words: ``message`` says "fewer than 3 answers".
    """
    threshold = _threshold(threshold)
    responses = list(responses)
    totals = count_by_group(responses)
    answers_by_group = {group: [response.answers or {} for response in responses if response.group == group]
                        for group in groups}  # once, not once per indicator
    summary = []
    for key, (name, wording) in INDICATORS.items():
        per_group = {}
        for group in groups:
            entry = {"responses": 0,
                     **{level: dict.fromkeys(ANSWERS, 0) for level in LEVELS}}
            if quotes:
                entry["quotes"] = []
            if withheld(group, totals.get(group, 0), threshold):
                entry.update(responses=totals.get(group, 0), withheld=True, message=fewer_words(threshold))
                per_group[group] = entry
                continue
            entry["withheld"] = False
            for answers in answers_by_group[group]:
                entry["responses"] += 1
                answer = answers.get(key) or {}
                for level in LEVELS:
                    if answer.get(level) in ANSWERS:
                        entry[level][answer[level]] += 1
                if quotes and (words := {part: answer.get(part) for part in TEXTS if answer.get(part)}):
                    entry["quotes"].append(words)
            per_group[group] = entry
        summary.append({"key": key, "name": name, "wording": wording, "groups": per_group})
    return summary


# --- step four: reviews --------------------------------------------------------------

def review_state(target, today: date) -> str:
    """``reviewed``, ``overdue`` (the date has passed), ``due`` (it is today) or ``not_due``."""
    if target.reviewed_at is not None:
        return "reviewed"
    if target.review_on < today:
        return "overdue"
    if target.review_on == today:
        return "due"
    return "not_due"


def awaiting_review(targets, today: date) -> list:
    """Targets whose review date has come without a review, earliest first."""
    return sorted((t for t in targets if review_state(t, today) in ("due", "overdue")),
                  key=lambda t: (t.review_on, t.id))


# --- where the round is ----------------------------------------------------------------

def steps(round_, counts: dict[str, int], targets, today: date) -> list[dict]:
    """The four steps, each with a status: completed, in_progress, not_started, cannot_start,
    review_due or not_due."""
    both_answered = all(counts.get(group) for group in GROUPS)
    any_answered = any(counts.values())
    if round_.shared:
        evaluate = "completed"
    else:
        evaluate = "in_progress" if any_answered else "not_started"
    if round_.shared:
        share = "completed"
    else:
        share = "not_started" if both_answered else "cannot_start"
    if targets:
        agree = "completed"
    else:
        agree = "not_started" if round_.shared else "cannot_start"
    states = [review_state(t, today) for t in targets]
    if not targets:
        review = "cannot_start"
    elif all(s == "reviewed" for s in states):
        review = "completed"
    elif any(s in ("due", "overdue") for s in states):
        review = "review_due"
    else:
        review = "not_due"
    statuses = {"evaluate": evaluate, "share": share, "targets": agree, "review": review}
    result = [{"key": key, "title": title, "status": statuses[key]} for key, title in STEPS]
    current = next((s for s in result if s["status"] != "completed"), None)
    for step in result:
        step["current"] = step is current
    return result


def current_step(step_list: list[dict]) -> dict | None:
    return next((s for s in step_list if s["current"]), None)


STATUS_WORDS = {
    "completed": "Completed",
    "in_progress": "In progress",
    "not_started": "Not started",
    "cannot_start": "Cannot start yet",
    "review_due": "Review due",
    "not_due": "Not due yet",
}


def targets_left(targets) -> int:
    return max(0, MAX_TARGETS - len(targets))
