"""``?lang=`` in a public page's address: that page in that language, remembered like the switcher;
the event page's links to itself in each language it is written in; the page cache keeps each
language apart."""

from __future__ import annotations

import re

import pytest

from rsvp.extensions import db
from tests.factories import add_translation, make_event


def page_language(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, "no <html lang>"
    return match.group(1)


def language_cookie(response) -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("lang="):
            return header.split(";")[0].removeprefix("lang=")
    return None


def test_lang_in_the_address_shows_the_page_in_it_and_is_remembered(app, db_session):
    event = make_event()
    visitor = app.test_client()
    response = visitor.get(f"/events/{event.slug}?lang=fr", headers={"Accept-Language": "es"})
    assert page_language(response) == "fr" and "Quand" in response.get_data(as_text=True)
    assert language_cookie(response) == "fr"
    # The next page, without ?lang=, stays in French (the cookie), whatever the browser prefers.
    assert page_language(visitor.get("/", headers={"Accept-Language": "es"})) == "fr"
    # The address outranks a choice made before; the new choice is kept.
    response = visitor.get("/?lang=ar")
    assert page_language(response) == "ar" and 'dir="rtl"' in response.get_data(as_text=True)
    assert language_cookie(response) == "ar"
    assert page_language(visitor.get("/past")) == "ar"
    # Nothing to set when the cookie already says so.
    assert language_cookie(visitor.get("/?lang=ar")) is None


@pytest.mark.parametrize("code", ["xx", "", "FR", "fr-CA", "../en"])
def test_an_unknown_code_in_the_address_is_ignored(app, db_session, code):
    visitor = app.test_client()
    response = visitor.get("/", query_string={"lang": code}, headers={"Accept-Language": "es"})
    assert response.status_code == 200 and page_language(response) == "es"
    assert language_cookie(response) is None


def test_switching_language_on_a_page_opened_with_lang_goes_back_without_it(app, db_session):
    event = make_event()
    visitor = app.test_client()
    visitor.get(f"/events/{event.slug}?lang=fr&page=2")
    response = visitor.post("/language", data={"lang": "es", "next": f"/events/{event.slug}?lang=fr&page=2"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/events/{event.slug}?page=2"
    assert page_language(visitor.get(response.headers["Location"])) == "es"


def test_event_page_links_to_itself_in_each_language_it_is_written_in(app, client, db_session):
    event = make_event(title="Rights at risk")
    add_translation(event, "es", "Derechos en riesgo")
    add_translation(event, "fr", "Droits en danger")
    html = client.get(f"/events/{event.slug}?lang=es").get_data(as_text=True)
    alternates = re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)">', html)
    assert [(code, url.rsplit("/", 1)[1]) for code, url in alternates] == [
        ("en", f"{event.slug}?lang=en"), ("es", f"{event.slug}?lang=es"), ("fr", f"{event.slug}?lang=fr")]
    links = re.findall(r'<a href="([^"]+)" hreflang="(\w+)" lang="\w+">([^<]+)</a>', html)
    page_links = [(code, name) for url, code, name in links if f"/events/{event.slug}?lang=" in url]
    assert page_links == [("en", "English"), ("fr", "Français")]  # not the page's own language
    # Written in English only: read in English, nothing else to offer (and no empty list)...
    alone = make_event()
    html = app.test_client().get(f"/events/{alone.slug}").get_data(as_text=True)
    assert '<link rel="alternate" hreflang="en"' in html and 'id="event-languages"' not in html
    # ...read in Spanish, the page offers its one language.
    html = client.get(f"/events/{alone.slug}").get_data(as_text=True)
    assert re.findall(r'hreflang="(\w+)" lang="\w+">', html) == ["en"]


@pytest.mark.parametrize("first", ["ar", "en"])
def test_page_cache_never_serves_one_language_for_another(app, db_session, monkeypatch, first):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE_SECONDS", 60)
    monkeypatch.setattr("rsvp.web._page_cache", {})
    event = make_event(title="Rights at risk")
    add_translation(event, "ar", "حقوق في خطر")
    arabic, english = f"/events/{event.slug}?lang=ar", f"/events/{event.slug}"
    order = [arabic, english] if first == "ar" else [english, arabic]
    pages = {url: app.test_client().get(url, headers={"Accept-Language": "en"}) for url in order}
    assert page_language(pages[arabic]) == "ar" and "حقوق في خطر" in pages[arabic].get_data(as_text=True)
    assert page_language(pages[english]) == "en" and "Rights at risk" in pages[english].get_data(as_text=True)
    # Both are now served from memory: an edit does not show, and each stays in its language.
    event.title = "Edited"
    db.session.commit()
    again = app.test_client().get(english, headers={"Accept-Language": "en"})
    assert again.data == pages[english].data
    from_memory = app.test_client().get(arabic, headers={"Accept-Language": "en"})
    assert from_memory.data == pages[arabic].data
    assert language_cookie(from_memory) == "ar"  # remembered on a page from memory too
    # A visitor whose cookie says Arabic, at the plain address, gets Arabic, not the English copy.
    arab_visitor = app.test_client()
    arab_visitor.set_cookie("lang", "ar")
    assert page_language(arab_visitor.get(english)) == "ar"
