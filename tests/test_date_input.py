"""The one date pattern: day, month and year boxes (core.dates), read from a form or an ISO address."""
import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from core.dates import DateInputField, parse_iso, parse_parts, problems_on


class When(Form):
    as_of = DateInputField("Where things stood at the end of")


def _form(**data):
    return When(MultiDict(data))


@pytest.mark.parametrize("day, month, year, problem, wrong", [
    ("15", "3", "2027", None, ()),
    ("", "", "", None, ()),
    ("15", "", "2027", "The date must include a month", ("month",)),
    ("", "", "2027", "The date must include a day and a month", ("day", "month")),
    ("32", "3", "2027", "Day must be between 1 and 31", ("day",)),
    ("0", "3", "2027", "Day must be between 1 and 31", ("day",)),
    ("15", "13", "2027", "Month must be between 1 and 12", ("month",)),
    ("15", "3", "20026", "Year must be 4 numbers", ("year",)),
    ("15", "3", "27", "Year must be 4 numbers", ("year",)),
    ("x", "13", "2027", "Day must be between 1 and 31. Month must be between 1 and 12", ("day", "month")),
    ("31", "2", "2026", "31 February 2026 is not a real date", ("day",)),
    ("29", "2", "2025", "29 February 2025 is not a real date", ("day",)),
])
def test_the_parts_are_read_and_what_is_wrong_is_named(day, month, year, problem, wrong):
    found, said, marked = parse_parts(day, month, year)
    assert said == problem
    assert marked == wrong
    assert (found is None) == (problem is not None or not (day or month or year))


def test_a_month_may_be_a_name_and_spaces_do_not_matter():
    assert parse_parts(" 15 ", "march", "2027")[0].isoformat() == "2027-03-15"
    assert parse_parts("1", "Sep", "2026")[0].isoformat() == "2026-09-01"
    assert parse_parts("29", "02", "2028")[0].isoformat() == "2028-02-29"


def test_the_field_reads_the_three_boxes():
    form = _form(**{"as_of-day": "1", "as_of-month": "6", "as_of-year": "2026"})
    assert form.as_of.data == "2026-06-01" and form.as_of.problem is None
    assert form.as_of.parts == {"day": "1", "month": "6", "year": "2026"}
    assert form.validate()


def test_the_field_reads_the_iso_date_of_an_address():
    form = _form(as_of="2026-06-01")
    assert form.as_of.data == "2026-06-01"
    assert form.as_of.parts == {"day": "1", "month": "6", "year": "2026"}  # shown in the boxes


def test_nothing_typed_is_no_date_and_no_problem():
    form = _form()
    assert form.as_of.data == "" and form.as_of.problem is None and form.validate()
    assert _form(**{"as_of-day": " ", "as_of": ""}).as_of.data == ""


def test_a_wrong_date_is_refused_with_the_part_named_and_kept_as_typed():
    form = _form(**{"as_of-day": "31", "as_of-month": "2", "as_of-year": "2026"})
    assert form.as_of.data is None
    assert not form.validate()
    assert form.as_of.errors == ["31 February 2026 is not a real date"]
    assert form.as_of.wrong_parts == ("day",)
    assert form.as_of.error_id == "as_of-day"
    assert form.as_of.parts == {"day": "31", "month": "2", "year": "2026"}

    form = _form(**{"as_of-day": "1", "as_of-month": "6", "as_of-year": "20026"})
    assert problems_on(form)
    assert form.as_of.errors == ["Year must be 4 numbers"]
    assert form.as_of.error_id == "as_of-year"


def test_a_wrong_iso_date_in_an_address_gets_the_same_plain_words():
    assert parse_iso("2026-02-31")[1] == "31 February 2026 is not a real date"
    assert parse_iso("tomorrow")[1] == "Enter the date as a day, month and year, for example 15 3 2027"
    assert parse_iso("2026-13-01")[1] == "Month must be between 1 and 12"
    form = _form(as_of="2026-02-31")
    assert form.as_of.problem and form.as_of.wrong_parts == ("day", "month", "year")


def test_an_error_about_the_whole_date_marks_all_three_boxes():
    form = _form(as_of="2999-01-01")
    form.as_of.errors = ["The date must be today or earlier."]
    assert form.as_of.wrong_parts == ("day", "month", "year")
    assert form.as_of.error_id == "as_of-day"


def test_the_hint_gives_an_example_in_the_same_pattern():
    field = When().as_of
    assert field.hint == "For example, 15 3 2027"
    described = DateInputField("Due by", description="Leave empty for no date.").bind(When(), "due_on")
    assert described.hint == "Leave empty for no date. For example, 15 3 2027"


def test_a_draft_form_keeps_a_wrong_date_without_refusing_it():
    class Draft(Form):
        held_on = DateInputField("Date held", check=False)

    form = Draft(MultiDict({"held_on-day": "31", "held_on-month": "2", "held_on-year": "2026"}))
    assert form.validate()
    assert form.held_on.problem == "31 February 2026 is not a real date"
    form.held_on.read_parts({"day": "28", "month": "2", "year": "2026"})
    assert form.held_on.data == "2026-02-28" and form.held_on.problem is None
