"""Names of languages and countries, from Babel's CLDR data in the reader's locale; text direction."""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask import current_app, has_app_context
from flask_babel import get_locale

# CLDR territories that are regions, groupings or placeholders, not countries.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}


def _current() -> Locale:
    # An app context is enough: the worker renders reminders under force_locale() without a request.
    locale = get_locale() if has_app_context() else None
    return locale or Locale("en")


def language_name(code: str) -> str:
    """"fr" -> "French" in the reader's language; unknown codes come back as given."""
    locale = _current()
    name = locale.languages.get(code)
    return name[:1].upper() + name[1:] if name else code


def language_in_sentence(code: str) -> str:
    """"en" -> "anglais" in French: the name as written inside a sentence (no capital where the
    reader's language uses none); unknown codes come back as given."""
    return _current().languages.get(code) or code


def own_language_names() -> list[tuple[str, str]]:
    """Each offered language named in itself, for the switcher: ("fr", "Français")."""
    names = []
    for code in current_app.config["LANGUAGES"]:
        name = Locale.parse(code).get_display_name(code) or code
        names.append((code, name[:1].upper() + name[1:]))
    return names


def text_direction() -> str:
    """"rtl" for Arabic (RTL_LANGUAGES), else "ltr": the page's dir attribute."""
    return "rtl" if str(_current().language) in current_app.config["RTL_LANGUAGES"] else "ltr"


@cache
def _countries(locale_code: str) -> tuple[tuple[str, str], ...]:
    territories = Locale.parse(locale_code).territories
    pairs = [(code, name) for code, name in territories.items()
             if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES]
    return tuple(sorted(pairs, key=lambda pair: pair[1]))


def country_choices() -> list[tuple[str, str]]:
    return list(_countries(str(_current())))


def country_name(code: str) -> str:
    """"KE" -> "Kenya" in the reader's language; unknown codes come back as given."""
    return _current().territories.get(code, code)
