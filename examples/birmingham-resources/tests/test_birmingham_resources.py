"""The package offers the guide's two Birmingham organisations, to the Trust it was made for only."""
from types import SimpleNamespace

import birmingham_resources


def test_it_offers_user_voice_and_suresearch_to_birmingham():
    entries = birmingham_resources.local_resources(SimpleNamespace(slug="birmingham"))
    assert [e["name"] for e in entries] == ["User Voice", "Suresearch"]
    assert entries[0]["phone"] == "0800 694 0212" and "B24 9SA" in entries[0]["address"]
    assert entries[1]["website"] == "www.suresearch.org.uk"


def test_it_offers_nothing_to_another_trust():
    assert birmingham_resources.local_resources(SimpleNamespace(slug="north")) == []
    assert birmingham_resources.TRUSTS == ["birmingham"]
