"""Human labels for the event vocabulary, translated at render time."""

from flask_babel import lazy_gettext as _l

from rsvp.events.models import EventFormat, EventType, PartnerKind, PartnerRole, ProgrammeRole

FORMAT_LABELS = {
    EventFormat.ONLINE: _l("Online event"),
    EventFormat.IN_PERSON: _l("In person"),
    EventFormat.HYBRID: _l("In person and online"),
}

TYPE_LABELS = {
    EventType.SIDE_EVENT: _l("Side event"),
    EventType.REPORT_LAUNCH: _l("Report launch"),
    EventType.PANEL_DISCUSSION: _l("Panel discussion"),
    EventType.DIALOGUE: _l("Conversation"),
    EventType.PLEDGING_EVENT: _l("Pledging event"),
    EventType.HIGH_LEVEL_EVENT: _l("High-level event"),
    EventType.WEBINAR: _l("Webinar"),
}

ROLE_HEADINGS = {
    ProgrammeRole.MODERATOR: _l("Moderator"),
    ProgrammeRole.WELCOME_REMARKS: _l("Welcome remarks"),
    ProgrammeRole.OPENING_REMARKS: _l("Opening remarks"),
    ProgrammeRole.PRESENTER: _l("Presentation"),
    ProgrammeRole.PANELIST: _l("Panellists"),
    ProgrammeRole.SPEAKER: _l("Speakers"),
    ProgrammeRole.CLOSING_REMARKS: _l("Closing remarks"),
}

PARTNER_ROLE_HEADINGS = {
    PartnerRole.HOST: _l("Hosted by"),
    PartnerRole.CO_ORGANISER: _l("Co-organised by"),
    PartnerRole.CO_SPONSOR: _l("Co-sponsored by"),
}

PARTNER_KIND_LABELS = {
    PartnerKind.STATE: _l("States"),
    PartnerKind.NGO: _l("Non-governmental organisations"),
    PartnerKind.UN: _l("UN entities"),
    PartnerKind.NHRI: _l("National human rights institutions"),
    PartnerKind.OTHER: _l("Others"),
}
