"""Human labels for the speakers-list vocabulary, translated at render time."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rsvp.speakers.models import SpeakerCategory, SpeakersList, SpeakerState

CATEGORY_LABELS = {
    SpeakerCategory.MEMBER_STATE: _l("Member State of the Human Rights Council"),
    SpeakerCategory.OBSERVER_STATE: _l("Observer State"),
    SpeakerCategory.UN_IGO: _l("UN entity or intergovernmental organisation"),
    SpeakerCategory.NHRI: _l("National human rights institution (NHRI)"),
    SpeakerCategory.NGO: _l("Non-governmental organisation (NGO)"),
    SpeakerCategory.OTHER: _l("Other"),
}

#: Short forms for the live list, where space is scarce.
CATEGORY_SHORT = {
    SpeakerCategory.MEMBER_STATE: _l("Member State"),
    SpeakerCategory.OBSERVER_STATE: _l("Observer State"),
    SpeakerCategory.UN_IGO: _l("UN / IGO"),
    SpeakerCategory.NHRI: _l("NHRI"),
    SpeakerCategory.NGO: _l("NGO"),
    SpeakerCategory.OTHER: _l("Other"),
}

STATE_LABELS = {
    SpeakerState.INSCRIBED: _l("Inscribed"),
    SpeakerState.CONFIRMED: _l("Confirmed"),
    SpeakerState.SPEAKING: _l("Speaking"),
    SpeakerState.DELIVERED: _l("Delivered"),
    SpeakerState.ABSENT: _l("Absent"),
    SpeakerState.WITHDRAWN: _l("Withdrawn"),
}


def list_title(speakers_list: SpeakersList) -> str:
    """What a list is called: its title, or its number ("Speakers list 2")."""
    return speakers_list.title or _("Speakers list %(number)s", number=speakers_list.number)
