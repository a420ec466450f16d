"""Exports: reports as PDF, a zip of CSV files and JSON; the audit log as JSON Lines.

Each report export must say which Trust, service and question it answers, when
it was made and the log's head then; its contents must be the report's.
"""
import csv
import html
import io
import json
import re
import zipfile

from datetime import datetime, timezone

import pytest
import time_machine
from pypdf import PdfReader

from core import commands, events
from core.exports import csvzip, pdf
from core.exports.tables import tables
from core.models import Tenant
from core.reports import london_today, long_date
from core.testing import throwaway_app
from export_scenario import FORMULA_NAME, fill

ROLES = ("admin", "staff", "service_user", "facilitator", "viewer")


@pytest.fixture
def filled(make_tenant, api_client):
    """A Trust begun in June 2024, with something in every section recorded today."""
    with at(2024, 6, 1):
        trust = make_tenant()
    fill(trust, api_client)
    return trust


def at(*args):
    """Travel to a moment (UTC), frozen, so events are recorded then."""
    return time_machine.travel(datetime(*args, 12, tzinfo=timezone.utc), tick=False)


def head(trust):
    with trust.context():
        return events.head(trust.id)


def pdf_text(data: bytes) -> str:
    """Every page's text, spaces collapsed."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def attachment_name(response) -> str:
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;"), disposition
    return re.search(r'filename="?([^";]+)"?', disposition).group(1)


def csv_files(data: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
                for name in archive.namelist()}


def facts(rows: list[list[str]]) -> dict[str, str]:
    assert rows[0] == ["field", "value"]
    return dict(rows[1:])


def api_report(api, path: str) -> dict:
    response = api.get(path)
    assert response.status_code == 200, response.json
    return response.json


# --- PDF ------------------------------------------------------------------------------------------

def test_service_pdf_holds_the_report_and_the_head(filled, signed_in, api_client):
    oak = filled.services["Oak Day Centre"]
    today = london_today().isoformat()
    response = signed_in("staff", target=filled).get(f"/t/{filled.slug}/services/{oak}/report.pdf?as_of={today}&known_on={today}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert attachment_name(response) == f"{filled.slug}-oak-day-centre-report-{today}-known-{today}.pdf"
    text = pdf_text(response.data)
    seq, digest = head(filled)

    assert "Report for Oak Day Centre" in text
    assert f"Trust {filled.name}" in text and "Service Oak Day Centre" in text
    assert f"What the records said at the end of {long_date(london_today())}" in text
    assert f"Where things stood at the end of {today}" in text
    assert f"Using what had been recorded by the end of {today}" in text
    assert f"Event {seq}, fingerprint (hash) {digest}" in text
    assert text.count(digest) >= 2  # the first page and every page's foot
    reader = PdfReader(io.BytesIO(response.data))
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text
    # every section the report has, with its numbers
    report = api_report(api_client("admin", target=filled),
                        f"services/{oak}/report?as_of={today}&known_on={today}")
    for fragment in report["fragments"]:
        assert fragment["title"] in text
    assert "How many service users usually attend 7" in text
    assert "Individual Level 2: Limited involvement Level 4: Collaboration" in text
    # One service user answered: their answers are not shown, the staff member's are.
    assert "Valuing Not shown: fewer than 3 answers" in text
    assert "1 met, 0 partly, 0 not met, 0 don't know" in text
    assert "A welcome pack for new service users" in text
    assert FORMULA_NAME in text and "Oak User Forum" in text


def test_trust_pdf_names_every_service(filled, signed_in):
    response = signed_in("viewer", target=filled).get(f"/t/{filled.slug}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert attachment_name(response) == f"{filled.slug}-report-{london_today().isoformat()}.pdf"
    text = pdf_text(response.data)
    assert f"Report for {filled.name}" in text
    assert "Every service (the whole Trust)" in text
    assert "As things stand now, from everything recorded." in text
    assert "Everything recorded when this copy was made" in text
    assert head(filled)[1] in text
    for title in ("Services and members", "Health checks of user groups", "Levels of involvement by service",
                  "Getting there: the service user indicators", "Local and national resources"):
        assert title in text
    assert "Oak Day Centre" in text and "Willow Ward" in text
    assert "Oak Day Centre 10 February 2025 Level 2, aiming for 4" in text


def test_inline_charts_are_drawn_as_images():
    svg = '<p>Before</p><svg viewBox="0 0 800 400" role="img"><title>A chart</title><rect width="8" height="4"/></svg>'
    drawn = pdf.inline_svgs_as_images(svg)
    assert "<svg" not in drawn and drawn.startswith("<p>Before</p><img ")
    assert 'src="data:image/svg+xml;base64,' in drawn
    assert 'width="480" height="240"' in drawn  # scaled to the page's width, its shape kept


def test_long_words_may_break_only_in_their_own_cells():
    cells = ('<td class="a">https://www.centreformentalhealth.org.uk</td>'
             '<td class="b">Service users take turns to chair</td>')
    broken = pdf.breakable_cells(cells)
    assert '<td class="a" style="-pdf-word-wrap: CJK">https://' in broken
    assert '<td class="b">Service users' in broken


@pytest.fixture(scope="module")
def chart_app(database, tmp_path_factory):
    """An app with the fake report plugin, whose service section draws an inline SVG chart."""
    with throwaway_app(database.engine, tmp_path_factory, {"fakereport": "fake_report_plugin"}) as app:
        yield app


def test_a_sections_chart_comes_out_in_the_pdf(chart_app, make_tenant, signed_in):
    trust = make_tenant(roles=("admin",), services=("Oak Day Centre",), target_app=chart_app)
    with trust.context() as session:
        commands.allow_plugin(session.get(Tenant, trust.id), "fakereport")
        commands.enable_plugin(session.get(Tenant, trust.id), "fakereport")
    oak = trust.services["Oak Day Centre"]
    response = signed_in("admin", target=trust).get(f"/t/{trust.slug}/services/{oak}/report.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Fake service section" in text and "Fake for Oak Day Centre" in text
    assert "Chart label 42" in text  # drawn from the section's own SVG


# --- the zip of CSV files -------------------------------------------------------------------------

def test_service_zip_has_about_and_a_file_per_section(filled, signed_in):
    oak = filled.services["Oak Day Centre"]
    response = signed_in("service_user", target=filled).get(f"/t/{filled.slug}/services/{oak}/report.zip?as_of=2025-06-01")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert attachment_name(response) == f"{filled.slug}-oak-day-centre-report-2025-06-01.zip"
    files = csv_files(response.data)
    seq, digest = head(filled)

    about = facts(files["about.csv"])
    assert about["trust"] == filled.name and about["trust_slug"] == filled.slug
    assert about["service"] == "Oak Day Centre" and about["service_id"] == str(oak)
    assert about["as_of"] == "2025-06-01" and about["known_on"] == ""
    assert about["question"].startswith("Where things stood at the end of 1 June 2025")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", about["made_at"])
    assert (about["head_seq"], about["head_hash"]) == (str(seq), digest)

    names = list(files)
    assert names[0] == "about.csv"
    assert ["01-core.csv", "02-healthcheck.csv", "03-levels.csv", "04-indicators.csv", "05-resources.csv"] == [
        n for n in names if re.fullmatch(r"\d\d-[a-z]+\.csv", n)]
    for name in names[1:]:
        assert about[f"file {name}"]  # about.csv lists what each file holds
        assert files[name][0], f"{name} has no header row"
        assert all(len(row) == len(files[name][0]) for row in files[name])

    # held on 15 January 2025: counts on 1 June 2025; dates stay ISO
    healthcheck = facts(files["02-healthcheck.csv"])
    assert healthcheck["section"] == "Health check of the user group"
    assert healthcheck["latest.held_on"] == "2025-01-15"
    assert healthcheck["latest.key_answers.q5_attendance"] == "7"
    assert healthcheck["agreed_changes"] == "Service users take turns to chair"
    levels = facts(files["03-levels.csv"])
    assert levels["latest.levels.individual.current"] == "2" and levels["latest.levels.individual.aim"] == "4"
    # the round began today: not yet on 1 June 2025
    assert facts(files["04-indicators.csv"])["rounds"] == "0"


def test_zip_tables_hold_the_numbers_and_neutralise_formulas(filled, signed_in):
    oak = filled.services["Oak Day Centre"]
    files = csv_files(signed_in("admin", target=filled).get(f"/t/{filled.slug}/services/{oak}/report.zip").data)
    indicators = files["04-indicators-indicators.csv"]
    header, rows = indicators[0], indicators[1:]
    assert len(rows) == 7
    valuing = dict(zip(header, rows[0]))
    assert valuing["name"] == "Valuing"
    assert valuing["groups.service_users.message"] == "fewer than 3 answers"
    assert "groups.service_users.individual.met" not in valuing
    assert valuing["groups.staff.service.partly_met"] == "1"
    assert facts(files["04-indicators.csv"])["indicators"] == "7 rows: see 04-indicators-indicators.csv"

    resources = [dict(zip(files["05-resources-resources.csv"][0], row))
                 for row in files["05-resources-resources.csv"][1:]]
    by_name = {row["name"]: row for row in resources}
    assert "'" + FORMULA_NAME in by_name  # a spreadsheet shows it as text, never runs it
    assert by_name["Oak User Forum"]["phone"] == "'+44 121 496 0000"
    assert by_name["Oak User Forum"]["tags"] == "user-led; advocacy"
    assert by_name["Mind"]["website"] == "https://www.mind.org.uk"


def test_trust_zip(filled, signed_in):
    response = signed_in("facilitator", target=filled).get(f"/t/{filled.slug}/report.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    files = csv_files(response.data)
    about = facts(files["about.csv"])
    assert about["service"] == "" and about["service_id"] == ""
    services = files["01-core-services.csv"]
    assert [row[services[0].index("name")] for row in services[1:]] == ["Oak Day Centre", "Willow Ward"]


@pytest.mark.parametrize("text", ["=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_gets_an_apostrophe(text):
    assert csvzip.neutralised(text) == "'" + text
    assert next(csv.reader(io.StringIO(csvzip.csv_text(["field"], [[text]]))))


def test_numbers_and_plain_text_are_left_alone():
    assert csvzip.neutralised(-2) == -2
    assert csvzip.neutralised("Oak = good") == "Oak = good"


def test_flattening_keeps_every_value():
    found = tables({"when": "2025-01-15", "count": 3, "none": None, "flag": True, "words": ["a", "b"],
                    "empty": [], "nested": {"x": {"y": 1}},
                    "items": [{"name": "One", "n": {"met": 2}}, {"name": "Two", "extra": "e"}]})
    facts_table, items = found
    assert facts_table.rows == [["when", "2025-01-15"], ["count", 3], ["none", ""], ["flag", "true"],
                                ["words", "a; b"], ["empty", ""], ["nested.x.y", 1],
                                ["items", "2 rows: see the table items"]]
    assert (items.name, items.header) == ("items", ["name", "n.met", "extra"])
    assert items.rows == [["One", 2, ""], ["Two", "", "e"]]


# --- JSON -----------------------------------------------------------------------------------------

def test_json_is_the_apis_report_with_the_head(filled, signed_in, api_client):
    oak = filled.services["Oak Day Centre"]
    api = api_client("admin", target=filled)  # its token is an event: made before the head is read
    response = signed_in("viewer", target=filled).get(f"/t/{filled.slug}/services/{oak}/report.json?known_on=2025-06-01")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert attachment_name(response) == f"{filled.slug}-oak-day-centre-report-2025-06-01-known-2025-06-01.json"
    body = json.loads(response.data)
    api = api_report(api, f"services/{oak}/report?known_on=2025-06-01")
    seq, digest = head(filled)
    assert (body["trust"], body["trust_slug"], body["head_seq"], body["head_hash"]) == (
        filled.name, filled.slug, seq, digest)
    assert body["known_on"] == "2025-06-01" and body["question"] == api["question"]
    assert body["service"] == api["service"] and body["fragments"] == api["fragments"]
    assert (api["head_seq"], api["head_hash"]) == (seq, digest)
    assert set(body) == set(api)


def test_trust_json(filled, signed_in):
    response = signed_in("admin", target=filled).get(f"/t/{filled.slug}/report.json")
    body = json.loads(response.data)
    assert attachment_name(response) == f"{filled.slug}-report-{london_today().isoformat()}.json"
    assert body["trust"] == filled.name and "service" not in body
    assert [f["plugin"] for f in body["fragments"]] == ["core", "healthcheck", "levels", "indicators", "resources"]


# --- the audit log as JSON Lines ------------------------------------------------------------------

def test_audit_log_download_is_what_events_export_writes(filled, signed_in):
    response = signed_in("viewer", target=filled).get(f"/t/{filled.slug}/audit/export.jsonl")
    assert response.status_code == 200
    assert response.mimetype == "application/jsonl"
    seq, digest = head(filled)
    assert attachment_name(response) == f"{filled.slug}-events-1-to-{seq}.jsonl"
    downloaded = response.get_data(as_text=True)

    exported = filled.app.test_cli_runner().invoke(args=["events", "export", "--tenant", filled.slug])
    assert exported.exit_code == 0
    assert downloaded == exported.output
    records = [json.loads(line) for line in downloaded.splitlines()]
    assert len(records) == seq and {r["tenant_id"] for r in records} == {filled.id}
    report = events.verify_records(records, digest)
    assert report.ok and report.count == seq and report.head == digest


def test_audit_log_download_verifies_on_the_command_line(filled, signed_in, tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_bytes(signed_in("admin", target=filled).get(f"/t/{filled.slug}/audit/export.jsonl").data)
    checked = filled.app.test_cli_runner().invoke(args=["events", "verify", "--file", str(path)])
    assert checked.exit_code == 0, checked.output
    assert checked.output.startswith(f"OK: {head(filled)[0]} events checked")


# --- who may, and which Trust ---------------------------------------------------------------------

def report_paths(trust, service_id):
    return [f"/t/{trust.slug}/report.{ext}" for ext in ("pdf", "zip", "json")] + [
        f"/t/{trust.slug}/services/{service_id}/report.{ext}" for ext in ("pdf", "zip", "json")]


def test_every_member_may_export_reports_but_only_admins_and_viewers_the_log(tenant, signed_in):
    oak = tenant.services["Oak Day Centre"]
    for role in ROLES:
        client = signed_in(role)
        for path in report_paths(tenant, oak):
            assert client.get(path).status_code == 200, (role, path)
        expected = 200 if role in ("admin", "viewer") else 403
        assert client.get(f"/t/{tenant.slug}/audit/export.jsonl").status_code == expected, role


def test_signed_out_people_are_sent_to_sign_in(tenant, client):
    oak = tenant.services["Oak Day Centre"]
    for path in report_paths(tenant, oak) + [f"/t/{tenant.slug}/audit/export.jsonl"]:
        response = client.get(path)
        assert response.status_code in (302, 303) and "/sign-in" in response.headers["Location"], path


def test_another_trusts_service_or_address_is_not_found(tenant, other_tenant, signed_in):
    elm = other_tenant.services["Elm Community Team"]
    client = signed_in("admin")
    for service_id in (elm, 987654321):
        for ext in ("pdf", "zip", "json"):
            assert client.get(f"/t/{tenant.slug}/services/{service_id}/report.{ext}").status_code == 404
    oak = tenant.services["Oak Day Centre"]
    for path in report_paths(other_tenant, oak) + [f"/t/{other_tenant.slug}/audit/export.jsonl"]:
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("query, message", [
    ("as_of=2026-02-30", "30 February 2026 is not a real date"),
    ("as_of=tomorrow", "Enter the date as a day, month and year, for example 15 3 2027"),
    ("known_on=9999-01-01", "Enter today's date or a date in the past."),
    ("as_of=1999-01-01", "when this Trust's record begins"),
])
def test_bad_dates_are_a_plain_400(tenant, signed_in, query, message):
    client = signed_in("staff")
    for path in report_paths(tenant, tenant.services["Oak Day Centre"]):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert response.mimetype == "text/html"
        text = html.unescape(response.get_data(as_text=True))
        assert message in text and "Traceback" not in text
        field = "Using only what had been recorded by the end of" if "known_on" in query else \
            "Where things stood at the end of"
        assert f"The date for “{field}” needs correcting." in text


def test_a_service_not_added_yet_has_nothing_to_export(make_tenant, signed_in):
    with at(2024, 1, 10):
        trust = make_tenant(roles=("admin",), services=())
    with at(2024, 3, 1):
        willow = trust.add_service("Willow Ward")
    client = signed_in("admin", target=trust)
    for ext in ("pdf", "zip", "json"):
        response = client.get(f"/t/{trust.slug}/services/{willow}/report.{ext}?as_of=2024-02-01")
        assert response.status_code == 404
        assert ("Willow Ward had not been added to Changing Lives yet at the end of 1 February 2024. "
                "It was added on 1 March 2024.") in response.get_data(as_text=True)
        assert client.get(f"/t/{trust.slug}/services/{willow}/report.{ext}?as_of=2024-03-01").status_code == 200


# --- links ----------------------------------------------------------------------------------------

def test_report_pages_link_their_downloads(filled, signed_in):
    oak = filled.services["Oak Day Centre"]
    client = signed_in("staff", target=filled)
    page = client.get(f"/t/{filled.slug}/services/{oak}/report?as_of=2025-06-01").get_data(as_text=True)
    for ext, words in (("pdf", "PDF, ready to print"), ("zip", "CSV files for spreadsheets"), ("json", "JSON")):
        link = re.search(rf'<a href="([^"]+report\.{ext}[^"]*)" download>([^<]+)</a>', page)
        assert link, ext
        assert link.group(2).startswith(words)
        href = link.group(1).replace("&amp;", "&")
        assert href == f"/t/{filled.slug}/services/{oak}/report.{ext}?as_of=2025-06-01"
        assert client.get(href).status_code == 200
    trust_page = client.get(f"/t/{filled.slug}/report").get_data(as_text=True)
    assert f'href="/t/{filled.slug}/report.pdf"' in trust_page
    # a date to correct: no downloads offered
    assert "report.pdf" not in client.get(f"/t/{filled.slug}/report?as_of=nonsense").get_data(as_text=True)


def test_audit_page_links_the_log_download(filled, signed_in):
    page = signed_in("viewer", target=filled).get(f"/t/{filled.slug}/audit/").get_data(as_text=True)
    seq, _ = head(filled)
    assert re.search(rf'<a href="/t/{filled.slug}/audit/export.jsonl" download>Download the whole record as '
                     rf'JSON Lines\s+\({seq} events\)</a>', page)
