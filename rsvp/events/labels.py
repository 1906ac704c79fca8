"""Human labels for the event vocabulary, translated at render time."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rsvp.events.content import phrase, reader_language
from rsvp.events.models import (
    Event,
    EventFormat,
    EventType,
    PartnerKind,
    PartnerRole,
    ProgrammeRole,
    RegistrationRule,
    UnPremises,
)

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

RULE_LABELS = {
    RegistrationRule.EVERYONE: _l("Everyone registers"),
    RegistrationRule.WITHOUT_PASS: _l("Only people without a UN grounds pass register: pass holders come "
                                      "straight in"),
    RegistrationRule.NOBODY: _l("Nobody registers: a watch-only event, followed on its public livestream"),
}

PREMISES_LABELS = {
    UnPremises.GENEVA: _l("UN Geneva (Palais des Nations)"),
    UnPremises.NEW_YORK: _l("UN New York (UN Headquarters)"),
    UnPremises.OTHER: _l("Another UN duty station (name it below)"),
    UnPremises.NONE: _l("Not on UN premises: no grounds pass needed"),
}


def premises_name(event: Event) -> str | None:
    """The UN site whose grounds pass the event needs, as a sentence names it; None: no pass."""
    if event.un_premises is UnPremises.GENEVA:
        return _("the Palais des Nations (UN Geneva)")
    if event.un_premises is UnPremises.NEW_YORK:
        return _("UN Headquarters in New York")
    if event.un_premises is UnPremises.OTHER:  # named by the organisers, translated with the event
        station = phrase(event, event.duty_station, reader_language()).text
        return station or _("the UN premises")
    return None


def pass_holders_walk_in(event: Event) -> bool:
    """Whether people with a UN grounds pass need not register (they come straight in)."""
    return (event.registration_rule is RegistrationRule.WITHOUT_PASS
            and event.un_premises is not UnPremises.NONE and event.format is not EventFormat.ONLINE)


def watch_only(event: Event) -> bool:
    """A watch-only event: no registration form, no join link, its public livestream."""
    return event.registration_rule is RegistrationRule.NOBODY
