"""Translation fixtures: the catalogues as Babel reads them; the SMTP server reused."""

from __future__ import annotations

import html
import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from config.default import BABEL_DEFAULT_LOCALE, LANGUAGES
from rsvp import ROOT
from tests.mail.conftest import smtp  # noqa: F401 - the real SMTP server, for the email tests here

TRANSLATIONS = ROOT / "translations"
TRANSLATED = [lang for lang in LANGUAGES if lang != BABEL_DEFAULT_LOCALE]


def catalog(lang: str) -> Catalog:
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=lang)


def english_leftovers(page: str, lang: str, shortest: int = 26) -> list[str]:
    """English message ids (long enough not to match by chance) still in a page meant for ``lang``."""
    text = html.unescape(re.sub(r"\s+", " ", page))
    leftovers = []
    for message in catalog(lang):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            # placeholders split an id into the literal runs a rendering can show
            for run in re.split(r"%\(\w+\)[sd]|\{\w+\}", msgid):
                run = run.strip()
                if len(run) >= shortest and run not in str(message.string) and run in text:
                    leftovers.append(run)
    return leftovers


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test taking ``lang`` runs once per translated language (LANGUAGES but English)."""
    if "lang" in metafunc.fixturenames:
        metafunc.parametrize("lang", TRANSLATED)
