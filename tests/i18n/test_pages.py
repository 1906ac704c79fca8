"""Every public page in every language, and how the language is chosen and remembered."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import request

from rsvp.registrations.notify import manage_url
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration, make_speakers_list
from tests.i18n.conftest import english_leftovers

#: Monday, as each language writes it in a long date.
MONDAY = {"en": "Monday", "fr": "lundi", "es": "lunes", "pt": "segunda-feira",
                  "ru": "понедельник", "zh": "星期一", "ar": "الاثنين"}


def public_pages() -> dict[str, str]:
    """Each public page's path, with an upcoming event, its speakers list and a registration."""
    soon = now_utc().replace(hour=13, minute=0, second=0, microsecond=0) + timedelta(days=7)
    starts = soon + timedelta(days=(7 - soon.weekday()) % 7)  # a Monday, one or two weeks ahead
    event = make_event(starts_at=starts, ends_at=starts + timedelta(hours=1))
    make_speakers_list(event)
    registration = make_registration(event)
    return {
        "upcoming": "/", "past": "/past", "event": f"/events/{event.slug}",
        "register": f"/events/{event.slug}/register",
        "manage": urlsplit(manage_url(registration)).path,
        "inscribe": f"/events/{event.slug}/speakers",
        "live list": f"/events/{event.slug}/speakers/live",
        "bad link": "/r/not-a-real-link", "my registrations": "/my-registrations",
    }


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def test_every_public_page_in_each_language(app, client, lang):
    pages = public_pages()
    client.set_cookie("lang", lang)
    for name, path in pages.items():
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == (404 if name == "bad link" else 200), name
        direction = "rtl" if lang in app.config["RTL_LANGUAGES"] else "ltr"
        assert html_tag(page) == f'<html lang="{lang}" dir="{direction}">', name
        assert english_leftovers(page, lang) == [], name
    event_page = client.get(pages["event"]).get_data(as_text=True)
    assert MONDAY[lang] in event_page  # dates are written the language's way


def test_english_is_the_default_and_left_to_right(client, db_session):
    page = client.get("/").get_data(as_text=True)
    assert html_tag(page) == '<html lang="en" dir="ltr">'


def test_the_browsers_language_is_used(client, db_session, lang):
    page = client.get("/", headers={"Accept-Language": f"{lang};q=0.9, de;q=1"}).get_data(as_text=True)
    assert f'<html lang="{lang}"' in page


def test_a_regional_variant_gets_its_language(client, db_session):
    page = client.get("/", headers={"Accept-Language": "fr-CH, de;q=0.5"}).get_data(as_text=True)
    assert '<html lang="fr"' in page


HEADERS = [None, "", "fr", "fr-CH, de;q=0.5", "de, es;q=0.4, ar;q=0.8", "zh-Hans-CN", "pt-BR;q=0.1",
           "*", "xx, *;q=0.2", "de", "en-GB,en;q=0.9,ru;q=0.8", ";;;q=x, ,", "ES;Q=0.5, RU"]


@pytest.mark.parametrize("header", HEADERS)
def test_the_browsers_language_is_chosen_as_werkzeug_matches_it(app, client, db_session, header):
    """The choice is kept per header (rsvp.web._browsers_choice): asked twice, each answer is
    the one Werkzeug's own match gives, and a header nothing matches gets the first language."""
    languages = list(app.config["LANGUAGES"])
    headers = {} if header is None else {"Accept-Language": header}
    with app.test_request_context("/", headers=headers):
        expected = request.accept_languages.best_match(languages) or languages[0]
    for _ in range(2):
        page = client.get("/", headers=headers).get_data(as_text=True)
        assert f'<html lang="{expected}"' in page


def test_the_switcher_is_on_every_page_and_its_choice_sticks(client, db_session, lang):
    page = client.get("/past").get_data(as_text=True)
    assert 'action="/language"' in page and f'<option value="{lang}" lang="{lang}">' in page
    response = client.post("/language", data={"lang": lang, "next": "/past"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 303 and response.headers["Location"] == "/past"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"lang={lang};") and "Path=/" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie
    # the choice beats the browser's language, on every page after
    for path in ("/", "/past", "/my-registrations"):
        page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert f'<html lang="{lang}"' in page
        assert re.search(rf'<option value="{lang}" lang="{lang}" selected>', page)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_the_switcher_only_goes_back_to_this_site(client, db_session, target):
    response = client.post("/language", data={"lang": "fr", "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_a_language_not_offered_changes_nothing(client, db_session):
    response = client.post("/language", data={"lang": "de", "next": "/past"})
    assert "Set-Cookie" not in response.headers
    assert '<html lang="en"' in client.get("/past").get_data(as_text=True)


def test_the_cookie_is_secure_in_production(app, client, db_session):
    app.config["ENV"] = "production"
    try:
        cookie = client.post("/language", data={"lang": "fr"}).headers["Set-Cookie"]
    finally:
        app.config["ENV"] = "testing"
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_the_page_cache_keeps_one_copy_per_language(app, client, db_session):
    event = make_event()
    app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 60
    try:
        english = client.get(f"/events/{event.slug}").get_data(as_text=True)
        client.set_cookie("lang", "fr")
        french = client.get(f"/events/{event.slug}").get_data(as_text=True)
    finally:
        app.config["PUBLIC_PAGE_CACHE_SECONDS"] = 0
    assert '<html lang="en"' in english and '<html lang="fr"' in french
