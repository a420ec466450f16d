"""Every operation of the served OpenAPI document, fuzzed with schemathesis on each engine.

Signed in with a real token of a Trust that has a service, a health check, an
assessment, a round with a target and a resource, so paths with ids reach real
rows as well as another Trust's rows and ids that exist nowhere. Two checks must
hold for every answer: no 5xx, and the body matches the schema the operation
declares. ``make fuzz`` runs the same with many more examples and more checks.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks

from core.testing import new_tenant
from tests.section_seeds import seed_sections

# Bounded and seeded in `make test`; `make fuzz` raises the count and adds checks.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
THOROUGH = os.environ.get("FUZZ_THOROUGH") == "1"

CHECKS = [not_a_server_error, openapi_checks.response_schema_conformance]
if THOROUGH:
    CHECKS += [openapi_checks.status_code_conformance, openapi_checks.content_type_conformance,
               openapi_checks.response_headers_conformance]

MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
ID_PARAMETERS = ("service_id", "review_id", "assessment_id", "round_id", "target_id", "resource_id")


def _ids_of(app, tenant) -> dict[str, list[int]]:
    """The ids of every kind of row the Trust holds, by the path parameter that names them."""
    from sqlalchemy import select

    from core.db import db
    from core.models import Service
    from plugins.healthcheck.models import Review
    from plugins.indicators.models import Round, Target
    from plugins.levels.models import Assessment
    from plugins.resources.models import Resource

    found = {}
    with tenant.context():
        for name, model in (("service_id", Service), ("review_id", Review), ("assessment_id", Assessment),
                            ("round_id", Round), ("target_id", Target), ("resource_id", Resource)):
            found[name] = list(db.session.scalars(select(model.id)))
    return found


def _seed(tenant) -> None:
    """A section of each kind with rows behind it, recorded through the API as people would."""
    from core.testing import ApiClient
    from plugins.indicators.tests.helpers import shared_round, target

    service_id = next(iter(tenant.services.values()))
    with tenant.context("cli"):
        seed_sections(service_id, "fuzz")

    def api(role):
        return ApiClient(tenant.app.test_client(), tenant.token(role), tenant.slug)

    round_id = shared_round(tenant, api, next(iter(tenant.services)))
    assert api("facilitator").post(f"indicators/rounds/{round_id}/targets", json=target()).status_code == 201
    assert api("admin").post("resources/resources", json={"name": "Oak User Forum", "scope": "local", "description": "Meets monthly.", "website": "forum.example.org", "tags": ["user led"], "service_ids": [service_id]}).status_code == 201


@pytest.fixture
def trusts(app):
    """Our Trust (signed in) and another, both with a row of every kind."""
    roles = ("admin", "staff", "service_user", "facilitator")
    ours = new_tenant(app, "Fuzz Trust", roles=roles)
    theirs = new_tenant(app, "Other Fuzz Trust", roles=roles, services=("Elm Team",))
    _seed(ours)
    _seed(theirs)
    return ours, theirs


def _path_choices(path_parameters: dict, ours, theirs, ids: dict, foreign: dict) -> dict:
    """Mostly our own slug and rows; sometimes another Trust's, or what schemathesis made up."""
    choices = {}
    for name, generated in path_parameters.items():
        if name == "slug":
            choices[name] = st.sampled_from([ours.slug] * 8 + [theirs.slug, generated])
        elif name in ID_PARAMETERS:
            choices[name] = st.sampled_from(ids.get(name, []) * 4 + foreign.get(name, []) + [generated])
        else:
            choices[name] = st.just(generated)
    return choices


def _fuzz(operation, mode, headers, choose) -> str | None:
    """Run one operation's examples in one generation mode; the first failure in plain text, or None."""

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
              report_multiple_bugs=False)
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case, data):
        if case.path_parameters:
            case.path_parameters = data.draw(st.fixed_dictionaries(choose(case.path_parameters)))
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        run()
    except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - every operation is tried; all are listed
        return f"{operation.label} ({mode.value}): {failure}"
    return None


def test_api_answers_every_input_within_its_schema(app, trusts):
    ours, theirs = trusts
    ids, foreign = _ids_of(app, ours), _ids_of(app, theirs)
    headers = {"Authorization": f"Bearer {ours.token('admin')}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40, "the served document lists every operation"

    def choose(path_parameters):
        return _path_choices(path_parameters, ours, theirs, ids, foreign)

    failures = [problem for operation in operations for mode in MODES
                if (problem := _fuzz(operation, mode, headers, choose))]
    assert not failures, "\n\n".join(failures)
