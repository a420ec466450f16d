"""The Trust dashboard at /t/<slug>/: every service at a glance, for everyone but service users."""
import html
import re

import pytest

from core import commands
from core.models import Tenant

from years_history import SECTIONS, at, years  # noqa: F401 - years is a fixture


def text_of(response) -> str:
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture
def trust(make_tenant):
    made = make_tenant(name="Glance Trust")
    with made.context() as session:
        for plugin in SECTIONS:
            commands.enable_plugin(session.get(Tenant, made.id), plugin)
    return made


@pytest.mark.parametrize("role", ["admin", "staff", "facilitator", "viewer"])
def test_everyone_but_service_users_gets_the_dashboard(trust, signed_in, role):
    page = signed_in(role, target=trust).get(f"/t/{trust.slug}/")
    assert page.status_code == 200
    text = text_of(page)
    assert "Glance Trust at a glance" in text
    for heading in ("Health checks of user groups", "Levels of involvement",
                    "Getting there: the service user indicators", "What moved since"):
        assert heading in text, heading
    assert 'id="services-heading"' in page.get_data(as_text=True)  # the services list stays, below
    assert "Oak Day Centre" in text and "Willow Ward" in text


def test_service_users_keep_the_simple_page(trust, signed_in):
    page = signed_in("service_user", target=trust).get(f"/t/{trust.slug}/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<h1 id="whats-next-title">What\'s next for you</h1>' in text and 'id="services-heading"' in text
    assert "at a glance" not in text and 'id="panel-' not in text
    assert "API tokens" not in text  # of no use to them; the page still answers if they need it
    assert "E-mail reminders" in text
    assert signed_in("service_user", target=trust).get(f"/t/{trust.slug}/account/tokens").status_code == 200


def test_another_trusts_dashboard_is_not_found(trust, other_tenant, signed_in):
    assert signed_in("viewer", target=trust).get(f"/t/{other_tenant.slug}/").status_code == 404


def test_a_section_switched_off_has_no_panel(trust, signed_in):
    with trust.context() as session:
        commands.disable_plugin(session.get(Tenant, trust.id), "levels")
    page = signed_in("viewer", target=trust).get(f"/t/{trust.slug}/").get_data(as_text=True)
    assert 'id="panel-levels"' not in page and 'id="panel-healthcheck"' in page


def test_each_figure_says_where_it_stands_and_links_to_its_source(years, signed_in):  # noqa: F811
    oak, willow = years.services["Oak Day Centre"], years.services["Willow Ward"]
    with at(2025, 6, 30):
        response = signed_in("viewer", target=years).get(f"/t/{years.slug}/?since=2025-01-01")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = text_of(response)
    # the heatmap: services x areas, the level written in each cell, coloured by it
    heat = page.split('id="panel-levels"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'app-heat--level-4">\s*<a class="app-heat__link" href="/t/[^/]+/levels/services/%d">Level 4</a>'
                     r'<span class="app-heat__note">aiming for 5</span>' % oak, heat), heat
    assert re.search(r'app-heat--level-3">\s*<a class="app-heat__link" href="/t/[^/]+/levels/services/%d">Level 3'
                     % willow, heat)
    assert heat.index("Oak Day Centre") < heat.index("Willow Ward")  # by name, never ranked
    # health checks: Oak's last one, due again; Willow never
    checks = page.split('id="panel-healthcheck"', 1)[1].split("</section>", 1)[0]
    assert "1 November 2024" in checks and "Due now" in checks and "Not held yet" in checks
    assert f"/healthcheck/services/{oak}" in checks and "/healthcheck/reviews/" in checks
    # the round's current step and the overdue review
    rounds = page.split('id="panel-indicators"', 1)[1].split("</section>", 1)[0]
    assert f"/indicators/rounds/{years.round_id}" in rounds
    assert "Step 4: Review progress (review due)" in html.unescape(rounds)
    assert "overdue: the review date was 1 April 2025" in rounds
    # what moved since 1 January 2025, linking to the changes page for those dates
    moved = page.split('id="panel-moved"', 1)[1].split("</section>", 1)[0]
    assert "What moved since 1 January 2025" in text
    for words in ("Oak Day Centre started a round of the indicators",
                  "Oak Day Centre agreed a target for change (Valuing)",
                  "Oak Day Centre reviewed a target for change (Valuing): achieved"):
        assert words in html.unescape(moved), words
    assert f'href="/t/{years.slug}/changes?from=2025-01-01&amp;to=2025-06-30"' in moved


def test_levels_that_moved_since_a_day_are_listed(years, signed_in):  # noqa: F811
    with at(2025, 6, 30):
        text = text_of(signed_in("staff", target=years).get(f"/t/{years.slug}/?since=2024-01-01"))
    assert "Oak Day Centre: individual went up from level 2 to level 4" in text
    assert "Willow Ward: individual went up from level 1 to level 3" in text
    assert "Oak Day Centre held a health check of its user group" in text


@pytest.mark.parametrize("since, words", [("2024-02-30", "30 February 2024 is not a real date"),
                                          ("2999-01-01", "Enter today's date or a date in the past."),
                                          ("1999-01-01", "when this Trust's record begins")])
def test_a_bad_date_gets_a_plain_message(trust, signed_in, since, words):
    response = signed_in("viewer", target=trust).get(f"/t/{trust.slug}/?since={since}")
    assert response.status_code == 400
    text = text_of(response)
    assert words in text and "Correct the date above to see what moved." in text
