"""A small plugin for the report and audit tests.

Registered as "fakereport" by the tests (``create_app(..., plugins={"fakereport":
"fake_report_plugin"})``). It contributes a fragment to each report, and owns
three event types about a service: one that keeps personal words apart (so
erasure can be seen on the audit page), one with no sentence of its own and
one whose sentence fails.
"""
from flask import Blueprint
from marshmallow import Schema, fields

from core.events import EventType
from core.hookspecs import hookimpl
from core.models import Service
from core.reports import Fragment


class NoteWords(Schema):
    words = fields.String(required=True)


def _leave_service_alone(service, event):
    """These events are about a service but change nothing in its row."""


def _broken_sentence(event, actor, service):
    return "{missing}".format(**event.payload)


@hookimpl
def event_types():
    return [
        EventType("fakereport.noted", Service, _leave_service_alone, personal=NoteWords,
                  describe=lambda ev, actor, service: f"{actor} noted something about {service}"),
        EventType("fakereport.plain", Service, _leave_service_alone),
        EventType("fakereport.broken", Service, _leave_service_alone, describe=_broken_sentence),
    ]


@hookimpl
def page_blueprint():
    # Pages it has none; the blueprint brings its report templates.
    return Blueprint("fakereport", __name__, template_folder="fake_report_templates")


@hookimpl
def service_report_fragment(service):
    # Takes fewer arguments than the spec names, and leaves its name for the report to fill in.
    return Fragment("", "Fake service section", "fakereport/service.html",
                    {"service_id": service.id, "service_name": service.name})


@hookimpl
def tenant_report_fragment(tenant, when):
    # Order -1 puts it before core's (order 0), whatever the registration order.
    day = when.as_of.isoformat() if when.as_of else "now"
    return Fragment("fakereport", "Fake Trust section", "fakereport/tenant.html",
                    {"as_of": day, "name": f"<b>{tenant.name}</b>"}, order=-1)
