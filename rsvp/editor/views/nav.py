"""The tabs above every /manage page about one event (templates/manage/_event_nav.html).

A tab shows only when the app has its endpoint and the organiser's role on
the event allows it: a page added later appears by its endpoint name here,
with no template to edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l

from rsvp.auth import roles
from rsvp.auth.access import Role, current_organiser
from rsvp.events.models import Event


@dataclass(frozen=True)
class EventTab:
    endpoint: str
    label: Any
    #: The role the page itself requires (see rsvp.auth.access).
    role: Role
    #: Endpoints starting with this also mark the tab as the current one.
    section: str | None = None


EVENT_TABS = [
    EventTab("attendees.overview", _l("Overview"), Role.CO_SPONSOR),
    EventTab("attendees.index", _l("Registrations"), Role.VIEWER, section="attendees.show"),
    EventTab("checkin.desk", _l("Check-in"), Role.CHECK_IN, section="checkin."),
    EventTab("attendees.messages", _l("Messages"), Role.MANAGER),
    EventTab("attendance.index", _l("After the event"), Role.MANAGER, section="attendance."),
    EventTab("emails.index", _l("Emails"), Role.MANAGER, section="emails."),
    EventTab("exports.index", _l("Exports"), Role.VIEWER),
    EventTab("console.console", _l("Speakers"), Role.VIEWER, section="console."),
    EventTab("manage.team", _l("Team"), Role.OWNER),
    EventTab("editor.details", _l("Edit"), Role.MANAGER, section="editor."),
    EventTab("attendees.audit_log", _l("Audit log"), Role.OWNER),
]


@dataclass(frozen=True)
class ShownTab:
    label: Any
    url: str
    current: bool


def event_tabs(event: Event) -> list[ShownTab]:
    """The tabs the logged-in organiser may follow for ``event``."""
    organiser = current_organiser()
    held = None if organiser.is_admin else roles.role_on(organiser, event)  # one query, not one a tab
    here = request.endpoint or ""
    shown = []
    for tab in EVENT_TABS:
        allowed = organiser.is_admin or (held is not None and roles.satisfies(held, tab.role))
        if tab.endpoint not in current_app.view_functions or not allowed:
            continue
        current = here == tab.endpoint or bool(tab.section and here.startswith(tab.section))
        shown.append(ShownTab(tab.label, url_for(tab.endpoint, event_id=event.public_id), current))
    return shown
