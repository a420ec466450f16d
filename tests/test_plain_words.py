"""Plain words: role choices explained, password fields for password managers, short section names,
and no internal event name on the audit page or in reports."""
import re
from html import unescape

from sqlalchemy import select

from core.auth import ROLE_HINTS, ROLES
from core.events import Event
from core.plugins import host
from core.reports import EVENT_TYPE_LABELS, event_type_label
from export_scenario import fill

def text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


def visible(page: str) -> str:
    """What a reader sees: no tags or attributes (option values name event types, and may)."""
    body = page[page.index("<body"):]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_every_event_type_has_a_plain_name_and_a_sentence(app):
    with app.app_context():
        for name, etype in host().event_types.items():
            assert etype.describe is not None, f"{name} has no plain sentence for the audit page"
            label = etype.label or EVENT_TYPE_LABELS.get(name)
            assert label, f"{name} has no plain name: give its EventType a label"
            assert "." not in label and "_" not in label, f"{name}'s name {label!r} looks internal"


def test_the_audit_page_and_the_report_speak_in_sentences(tenant, signed_in, api_client):
    fill(tenant, api_client)
    admin = signed_in("admin")
    admin.post(f"/t/{tenant.slug}/contact/edit", data={"name": "PALS"})
    with tenant.context() as session:
        recorded = set(session.scalars(select(Event.type).distinct()))
    assert len(recorded) >= 15  # every section took part
    with tenant.app.app_context():
        names = set(host().event_types)
    for type_name in sorted(recorded):
        page = text(admin.get(f"/t/{tenant.slug}/audit/", query_string={"type": type_name}))
        shown = visible(page)
        assert type_name not in shown, f"the audit page shows {type_name}"
        with tenant.app.app_context():
            label = event_type_label(type_name)
        assert f"Kind of event: {label}" in shown
        sentences = re.findall(r'<p class="app-sentence">(.*?)</p>', page)
        assert sentences, type_name
        for sentence in sentences:
            assert not sentence.endswith(" recorded"), f"{type_name}: {sentence}"
            assert not any(name in sentence for name in names), f"{type_name}: {sentence}"
    report = visible(text(admin.get(f"/t/{tenant.slug}/services/{tenant.services['Oak Day Centre']}/report")))
    for type_name in recorded:
        assert type_name not in report, f"the report shows {type_name}"


def test_role_choices_are_explained_and_password_fields_suit_password_managers(tenant, signed_in, client):
    page = text(signed_in("admin").get(f"/t/{tenant.slug}/members/new"))
    for role, hint in ROLE_HINTS.items():
        assert ROLES[role] in page and hint in page
    assert page.count('class="nhsuk-hint nhsuk-radios__hint"') == len(ROLES) + 2  # and the two ways to a password
    assert 'autocomplete="new-password"' in page
    assert "onpaste" not in page
    sign_in = text(client.get("/sign-in"))
    assert 'autocomplete="current-password"' in sign_in and 'autocomplete="username"' in sign_in
    assert "onpaste" not in sign_in


def test_section_names_are_short_with_what_they_are_below(tenant, signed_in):
    page = text(signed_in("admin").get(f"/t/{tenant.slug}/plugins"))
    for short in ("Health check", "Levels of involvement", "Indicators", "Resources"):
        assert f'<strong class="app-section-name">{short}</strong>' in page
    assert "the guide's 14 questions" in page  # the description stays, below the name
