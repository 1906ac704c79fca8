"""Names of languages and countries, from Babel's CLDR data in the reader's locale; lists as the
reader's language writes them; text direction."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, cached_property
from types import SimpleNamespace
from typing import Any

import flask_babel
import pyuca
from babel import Locale
from babel.lists import format_list
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, has_app_context
from flask_babel import get_locale
from markupsafe import Markup, escape

try:  # ICU's collation, tailored per language (pinyin order in Chinese), where PyICU could be built
    import icu
except ImportError:  # it needs ICU's headers and a C++ compiler; pyuca is pure Python
    icu = None

# ISO 3166-1's exceptional reservations: codes reserved for a territory ISO does not list as a
# country (Canary Islands, Ceuta & Melilla, Diego Garcia, Clipperton Island, Ascension, Tristan da
# Cunha) or a union (EU, UN). ICU's ISO list keeps DG, EA and IC; CLDR's territories keep them all.
_EXCEPTIONALLY_RESERVED = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "FX", "IC", "SU", "TA", "UK", "UN"}


def _user_assigned(code: str) -> bool:
    """AA, QM-QZ, XA-XZ and ZZ are ISO 3166-1's user-assigned codes (CLDR's XK, QO, XA, ZZ)."""
    return code in {"AA", "ZZ"} or code[0] == "X" or (code[0] == "Q" and code[1] >= "M")


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1's officially assigned alpha-2 codes (249), from CLDR's territories (Babel):
    the two-letter ones, less the reservations and user-assigned codes (ICU's ISO list agrees)."""
    codes = [str(code) for code in Locale("en").territories]
    return frozenset(code for code in codes
                     if len(code) == 2 and code.isalpha() and code.isupper()
                     and code not in _EXCEPTIONALLY_RESERVED and not _user_assigned(code))


class Domain(flask_babel.Domain):
    """Flask-Babel's message catalogue, found once per request (and per forced locale) rather
    than once per string: a page of fifty registrations asked for it about 200 times, each
    time looking up the request's Babel state three times and writing the locale's name out
    anew, a sixth of the page's work."""

    def get_translations(self) -> Translations | NullTranslations:
        state = _state()
        if state is None:
            return NullTranslations()
        locale = getattr(state, "babel_locale", None) or get_locale()
        held = getattr(state, "rsvp_translations", None)
        if held is not None and held[0] is locale:  # force_locale() sets another Locale object
            return held[1]  # type: ignore[no-any-return]
        translations = super().get_translations()
        state.rsvp_translations = (locale, translations)
        return translations


def _state() -> SimpleNamespace | None:
    """Flask-Babel's state of this request or app context (None outside one)."""
    try:
        return g._flask_babel  # type: ignore[no-any-return]
    except (AttributeError, RuntimeError):
        return flask_babel._get_current_context()  # noqa: SLF001 - it makes the state


class Babel(flask_babel.Babel):
    """Flask-Babel with the Domain above, for Python's gettext and the templates' alike."""

    @cached_property
    def domain_instance(self) -> Domain:
        return Domain(domain=self.domain)

    def init_app(self, app: Flask, *args: Any, **kwargs: Any) -> None:
        super().init_app(app, *args, **kwargs)
        if not self._configure_jinja:
            return
        # As Flask-Babel installs them, less its two lookups of the domain per string.
        def domain() -> Translations | NullTranslations:
            return self.domain_instance.get_translations()

        app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
            gettext=lambda s: domain().ugettext(s),
            ngettext=lambda s, p, n: domain().ungettext(s, p, n),
            pgettext=lambda c, s: domain().upgettext(c, s),
            npgettext=lambda c, s, p, n: domain().unpgettext(c, s, p, n),
            newstyle=True)


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


def list_text(items: Iterable[object]) -> str:
    """["French", "Spanish"] -> "French and Spanish", "francés y español", "法语和西班牙语": CLDR's
    list pattern for the reader's language, never a hand-written comma."""
    parts = [str(item) for item in items]
    return format_list(parts, locale=_current()) if parts else ""


def isolated_list(items: Iterable[object]) -> Markup:
    """list_text for a page, each item escaped and in its own <bdi>: a name in another script
    (an English organisation in an Arabic page) keeps its own direction and leaves the
    separators in the page's."""
    parts = [str(item) for item in items]
    # Placeholders the pattern cannot contain stand in for the items, so only the pattern is escaped here.
    keys = [f"\x00{i}\x00" for i in range(len(parts))]
    text = str(escape(list_text(keys)))
    for key, part in zip(keys, parts, strict=True):
        text = text.replace(key, f"<bdi>{escape(part)}</bdi>")
    return Markup(text)  # noqa: S704 - every item and the pattern were escaped above


def isolate(text: object) -> Markup:
    """``text`` escaped in a <bdi>: a name or organisation that may be in another script than the
    page ("Human Rights Watch" in an Arabic page) keeps its own direction and leaves the
    punctuation around it in the page's."""
    return Markup("<bdi>{}</bdi>").format(text)


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
    pairs = [(code, territories.get(code, code)) for code in country_codes()]
    # The Unicode collation algorithm: Côte d'Ivoire before Czechia, Åland among the A's, never
    # code-point order. With PyICU, the language's own CLDR tailoring too (pinyin order in
    # Chinese); without, the default table (pyuca), the same for most languages.
    if icu is not None:
        collator = icu.Collator.createInstance(icu.Locale(locale_code))
        return tuple(sorted(pairs, key=lambda pair: collator.getSortKey(pair[1])))
    return tuple(sorted(pairs, key=lambda pair: _default_collator().sort_key(pair[1])))


@cache
def _default_collator() -> pyuca.Collator:
    return pyuca.Collator()


def country_choices() -> list[tuple[str, str]]:
    """(code, name) for every country, in the reader's language and its alphabetical order."""
    return list(_countries(str(_current())))


def country_name(code: str) -> str:
    """"KE" -> "Kenya" in the reader's language; unknown codes come back as given."""
    return _current().territories.get(code, code)
