"""What the editor's forms offer to choose from: time zones and languages.

The common ones are checkboxes; any other zone or two-letter language is typed in
and checked against these lists.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from babel import Locale
from flask import current_app

from rsvp.i18n import language_name

#: Zones offered as checkboxes for the extra display times; any other is typed in.
COMMON_ZONES = ["America/New_York", "Europe/London", "Europe/Zurich", "Africa/Nairobi",
                "Asia/Bangkok", "Asia/Hong_Kong", "America/Bogota", "Australia/Sydney"]
#: Languages offered as checkboxes for interpretation and captions: the UN's six and the seeds'.
COMMON_LANGUAGES = ["en", "fr", "es", "ar", "zh", "ru", "pt", "ug"]


def interface_languages() -> list[str]:
    """The languages pages are offered in: those an event's text is written or translated in."""
    return list(current_app.config["LANGUAGES"])


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones())
            if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))]


def language_choices() -> list[tuple[str, str]]:
    """Every two-letter language, by name in the reader's language."""
    return sorted(((code, language_name(code)) for code in known_languages()), key=lambda p: p[1])


@cache
def known_languages() -> frozenset[str]:
    """Two-letter ISO 639-1 codes Babel has a name for."""
    return frozenset(code for code in Locale("en").languages if isinstance(code, str) and len(code) == 2)
