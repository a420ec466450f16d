"""Every page that asks for a date asks for it the same way: day, month and year boxes.

Each GET filter reads the three boxes or the documented ISO parameter (links, tests and
the API use ``?as_of=2026-06-01``); a date that is not one gets a plain message naming
the wrong part, the error summary links to that box, only it is marked, and the page
answers 400, never 500. Page words never ask for YYYY-MM-DD.
"""
import re

import pytest

from core.reports import london_today
from core.testing import date_boxes

pytest_plugins = ["core.testing"]

# page, the field's name, the parameter in the address
FILTERS = [
    ("report", "as_of"),
    ("report", "known_on"),
    ("trends", "from"),
    ("trends", "known_on"),
    ("changes", "from"),
    ("changes", "to"),
    ("audit/", "date_from"),
    ("audit/", "date_to"),
    ("", "since"),
    ("actions", "due_before"),
]


def _parts(name, day, month, year):
    parts = {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}
    other = {"from": "to", "to": "from"}.get(name)
    if other:  # what changed needs both dates
        parts[other] = london_today().isoformat()
    return parts


def _marked(html: str, box_id: str) -> bool:
    tag = re.search(rf'<input\b[^>]*\bid="{re.escape(box_id)}"[^>]*>', html).group(0)
    return "nhsuk-input--error" in tag


@pytest.mark.parametrize("page, name", FILTERS)
def test_a_filter_reads_the_three_boxes(tenant, signed_in, page, name):
    client = signed_in("admin")
    today = london_today()  # the Trust's record begins today
    response = client.get(f"/t/{tenant.slug}/{page}",
                          query_string=_parts(name, str(today.day), str(today.month), str(today.year)))
    assert response.status_code == 200, response.get_data(as_text=True)[-3000:]
    html = response.get_data(as_text=True)
    assert date_boxes(html, name) == (str(today.day), str(today.month), str(today.year))
    assert "YYYY-MM-DD" not in html
    assert "For example, 15 3 20" in html


@pytest.mark.parametrize("page, name", FILTERS)
def test_a_filter_still_reads_the_iso_date_of_a_link(tenant, signed_in, page, name):
    client = signed_in("admin")
    today = london_today()
    response = client.get(f"/t/{tenant.slug}/{page}", query_string={"from": today.isoformat(), "to": today.isoformat(),
                                                                      name: today.isoformat()})
    assert response.status_code == 200
    assert date_boxes(response.get_data(as_text=True), name) == (str(today.day), str(today.month), str(today.year))


@pytest.mark.parametrize("page, name", FILTERS)
@pytest.mark.parametrize("typed, message, wrong", [
    (("31", "2", "2026"), "31 February 2026 is not a real date", "day"),
    (("1", "6", "20026"), "Year must be 4 numbers", "year"),
    (("1", "", "2026"), "The date must include a month", "month"),
])
def test_a_filter_refuses_a_date_that_is_not_one_naming_the_part(tenant, signed_in, page, name, typed, message,
                                                                    wrong):
    client = signed_in("admin")
    response = client.get(f"/t/{tenant.slug}/{page}", query_string=_parts(name, *typed))
    assert response.status_code == (200 if page == "audit/" else 400)  # the audit page's filters: as before
    html = response.get_data(as_text=True)
    assert message in html
    assert f'href="#{name}-{wrong}"' in html  # the error summary links to the wrong box
    assert [part for part in ("day", "month", "year") if _marked(html, f"{name}-{part}")] == [wrong]
    assert date_boxes(html, name) == tuple(typed)  # what was typed stays in the boxes


def test_a_wrong_iso_date_in_an_address_is_a_plain_400(tenant, signed_in):
    client = signed_in("admin")
    for query in ({"as_of": "2026-02-31"}, {"as_of": "tomorrow"}):
        response = client.get(f"/t/{tenant.slug}/report", query_string=query)
        assert response.status_code == 400
        assert "YYYY-MM-DD" not in response.get_data(as_text=True)


def test_the_report_links_it_makes_stay_iso(tenant, signed_in):
    client = signed_in("admin")
    today = london_today()
    day = _parts("from", str(today.day), str(today.month), str(today.year))
    response = client.get(f"/t/{tenant.slug}/changes", query_string={**day, "to": today.isoformat()})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"as_of={today.isoformat()}" in html
    assert "from-day=" not in html
