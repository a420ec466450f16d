"""``flask --app core events import FILE``: an export loaded into a fresh database answers
every report as the original did, and its chains verify to the same heads."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from core import commands
from core.events import Event, EventPersonal
from core.models import Membership, Tenant, User
from core.reports import london_today
from core.testing import ApiClient, TenantFixture, new_tenant, projection_rows
from export_scenario import fill


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def rich(trust, api_client, app) -> dict:
    """Every section filled, a service renamed and archived, a member removed, words erased."""
    ids = fill(trust, api_client)
    admin = api_client("admin", target=trust)
    willow = trust.services["Willow Ward"]
    renamed = admin.patch(f"services/{willow}", json={"name": "Willow Ward (acute)"})
    assert renamed.status_code == 200, renamed.json
    assert admin.patch(f"services/{willow}", json={"archived": True}).status_code == 200
    with trust.context("user:%d" % trust.people["admin"].user_id) as session:
        commands.remove_member(session.get(Membership, trust.people["facilitator"].membership_id))
        words = session.scalars(select(Event.seq).join(EventPersonal, EventPersonal.event_id == Event.id)
                                .order_by(Event.seq)).first()
    erased = run(app, "events", "erase", "--tenant", trust.slug, "--event", str(words),
                 "--authority", "Data protection officer, request 7")
    assert erased.exit_code == 0, erased.output
    return ids


def reports(api: ApiClient, service_ids) -> dict:
    """Every report the API answers for the Trust, without the moment each was read."""
    today = london_today().isoformat()
    paths = ["report", f"report?known_on={today}", "trends", f"changes?from={today}&to={today}"]
    for service_id in service_ids:
        paths += [f"services/{service_id}/report", f"services/{service_id}/changes?from={today}&to={today}"]
    found = {}
    for path in paths:
        response = api.get(path)
        assert response.status_code == 200, (path, response.json)
        body = response.json
        body.pop("made_at", None)
        found[path] = body
    return found


@pytest.fixture
def exported(app, api_client, tmp_path):
    """Two Trusts after a rich scenario, exported with their words into one file; each Trust's
    viewer has an API token (it travels in the log) to read the reports back."""
    trusts = [new_tenant(app, name) for name in ("North Trust", "South Trust")]
    for trust in trusts:
        rich(trust, api_client, app)
        trust.viewer_token = trust.token("viewer")
    path = tmp_path / "two-trusts.jsonl"
    with open(path, "w") as handle:
        for trust in trusts:
            result = run(app, "events", "export", "--tenant", trust.slug, "--with-personal")
            assert result.exit_code == 0
            handle.write(result.stdout)
    return trusts, path


def test_an_import_answers_every_report_as_the_original(app, fresh_app, exported):
    trusts, path = exported
    tokens = {trust.slug: trust.viewer_token for trust in trusts}

    result = run(fresh_app, "events", "import", str(path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("OK: ") and lines[-1].endswith("events imported into 2 Trusts.")
    assert any(line.startswith("Made ") and "placeholder accounts" in line for line in lines)
    assert "Importing events" in result.stderr  # the progress bar

    for trust in trusts:
        services = list(trust.services.values())
        before = reports(ApiClient(app.test_client(), tokens[trust.slug], trust.slug), services)
        after = reports(ApiClient(fresh_app.test_client(), tokens[trust.slug], trust.slug), services)
        assert after == before
        assert "Oak User Forum" in json.dumps(before) and "Willow Ward (acute)" in json.dumps(before)
        copy = TenantFixture(fresh_app, trust.id, trust.slug, trust.name)
        assert projection_rows(copy) == projection_rows(trust)
        verified = [run(a, "events", "verify", "--tenant", trust.slug).stdout for a in (app, fresh_app)]
        assert verified[0] == verified[1] and verified[0].startswith("OK: ")
    assert "every chain is intact" in run(fresh_app, "events", "verify").stdout

    # the imported Trust carries on: new events follow its head, new records take new ids
    south = trusts[1]
    with TenantFixture(fresh_app, south.id, south.slug, south.name).context():
        added = commands.create_service("Birch House", "day_centre", "").id
    assert added not in trusts[0].services.values() and added not in south.services.values()
    assert run(fresh_app, "events", "verify", "--tenant", south.slug).exit_code == 0
    names = [s["name"] for s in ApiClient(fresh_app.test_client(), tokens[south.slug], south.slug)
             .get("services").json["services"]]
    assert "Birch House" in names


def test_without_the_words_they_read_erased(app, fresh_app, exported, tmp_path):
    trusts, _ = exported
    north = trusts[0]
    plain = tmp_path / "north.jsonl"
    with open(plain, "w") as handle:
        handle.write(run(app, "events", "export", "--tenant", north.slug).stdout)
    result = run(fresh_app, "events", "import", str(plain))
    assert result.exit_code == 0, result.output
    assert "read [erased] (export with --with-personal to keep them)" in result.stdout
    services = list(north.services.values())
    original = json.dumps(reports(ApiClient(app.test_client(), north.viewer_token, north.slug), services))
    copy = json.dumps(reports(ApiClient(fresh_app.test_client(), north.viewer_token, north.slug), services))
    assert "Oak User Forum" in original and "Oak User Forum" not in copy and "[erased]" in copy
    assert run(fresh_app, "events", "verify", "--tenant", north.slug).exit_code == 0


def _count(app, model) -> int:
    with app.app_context():
        from core.db import db

        return db.session.scalar(select(func.count()).select_from(model).execution_options(all_tenants=True))


def test_a_trust_that_exists_is_refused(app, exported):
    trusts, path = exported
    events_before = _count(app, Event)
    result = run(app, "events", "import", str(path))
    assert result.exit_code != 0
    assert result.stderr.strip().splitlines()[-1].startswith("Error: A Trust called ")
    assert "already exists in this database. Nothing was imported." in result.stderr
    assert _count(app, Event) == events_before


def test_a_file_that_does_not_verify_is_refused(fresh_app, exported, tmp_path):
    _, path = exported
    lines = path.read_text().splitlines()
    changed = json.loads(lines[5])
    changed["actor"] = "user:999"  # an edit the hash no longer matches
    lines[5] = json.dumps(changed)
    bad = tmp_path / "edited.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    result = run(fresh_app, "events", "import", str(bad))
    assert result.exit_code != 0
    assert "does not verify" in result.stderr and "event 6: its contents do not match its hash" in result.stderr
    assert _count(fresh_app, Event) == 0 and _count(fresh_app, Tenant) == 0 and _count(fresh_app, User) == 0


def test_words_changed_in_the_file_are_refused(fresh_app, exported, tmp_path):
    _, path = exported
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    kept = next(rec for rec in lines if "personal" in rec)
    first = next(iter(kept["personal"]["data"]))
    kept["personal"]["data"][first] = "Forged words"
    bad = tmp_path / "forged.jsonl"
    bad.write_text("".join(json.dumps(rec) + "\n" for rec in lines))
    result = run(fresh_app, "events", "import", str(bad))
    assert result.exit_code != 0
    assert "the personal words kept with it do not match their fingerprint" in result.stderr
    assert _count(fresh_app, Event) == 0


@pytest.mark.parametrize("content", ["", "\n\n"])
def test_an_empty_file_is_refused(fresh_app, tmp_path, content):
    empty = tmp_path / "empty.jsonl"
    empty.write_text(content)
    result = run(fresh_app, "events", "import", str(empty))
    assert result.exit_code != 0
    assert result.stderr.strip() == f"Error: {empty} holds no events: there is nothing to import."


def test_a_record_that_verifies_but_cannot_be_stored_is_refused(fresh_app, exported, tmp_path):
    """A file rewritten by hand, hashes and all: the chain verifies, the payload does not fit its type."""
    from core.events import event_hash

    _, path = exported
    records = [json.loads(line) for line in path.read_text().splitlines()]
    north = [rec for rec in records if rec["tenant_id"] == records[0]["tenant_id"]]
    created = next(rec for rec in north if rec["type"] == "service.created")
    created["payload"]["kind"] = "castle"
    prev = "0" * 64
    for rec in north:  # forge the whole chain again
        rec["prev_hash"] = prev
        rec["hash"] = prev = event_hash(rec)
    bad = tmp_path / "forged-chain.jsonl"
    bad.write_text("".join(json.dumps(rec) + "\n" for rec in north))
    assert run(fresh_app, "events", "verify", "--file", str(bad)).exit_code == 0
    result = run(fresh_app, "events", "import", str(bad))
    assert result.exit_code != 0
    assert f"Event {created['seq']} of Trust " in result.stderr
    assert "its payload does not fit its type (kind). Nothing was imported." in result.stderr
    assert _count(fresh_app, Event) == 0
