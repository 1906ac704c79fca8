"""Organisers' sessions on the real servers: one visitor's login, language or form token is theirs alone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from rsvp.auth.models import Role
from tests.auth.conftest import PASSWORD
from tests.factories import grant_role, make_event, make_organiser, make_registration
from tests.served.client import Visitor
from tests.served.conftest import setting_up


def log_in(visitor: Visitor, email: str, password: str = PASSWORD) -> None:
    page = visitor.get("/manage/login")
    response = visitor.submit(page, "/manage/login", {"email": email, "password": password})
    assert response.status_code == 303, response.text
    assert visitor.get("/manage").status_code == 200


def test_a_login_opens_nothing_to_anyone_else(served):
    with setting_up():
        organiser = make_organiser(is_admin=True, name="Ada Organiser")
        event = make_event()
        make_registration(event, name="Hidden Defender", email="hidden@example.org")
        grant_role(event, organiser, Role.OWNER)
        event_id, email = event.public_id, organiser.email

    organiser_browser = served.visitor()
    log_in(organiser_browser, email)
    private = ["/manage", "/manage/organisers", f"/manage/events/{event_id}/registrations",
               f"/manage/events/{event_id}/exports/attendees.csv",
               f"/manage/events/{event_id}/check-in"]

    def stranger(n: int) -> list[tuple[str, int, bool]]:
        visitor = served.visitor()
        try:
            seen = []
            for path in private:
                response = visitor.get(path)
                seen.append((path, response.status_code, "hidden@example.org" in response.text))
            return seen
        finally:
            visitor.close()

    # 50 requests from ten strangers at once, while the organiser keeps working.
    with ThreadPoolExecutor(max_workers=6) as pool:
        strangers = [pool.submit(stranger, n) for n in range(10)]
        for _ in range(5):
            assert organiser_browser.get(f"/manage/events/{event_id}/registrations").status_code == 200
        answers = [answer for future in strangers for answer in future.result()]
    assert len(answers) == 50
    assert all(status == 302 and not leaked for _, status, leaked in answers), answers
    assert "Hidden Defender" in organiser_browser.get(
        f"/manage/events/{event_id}/registrations").text  # the organiser, still logged in, sees it


def test_each_visitor_keeps_their_own_language_and_form_token(served):
    with setting_up():
        email = make_organiser().email
        slug = make_event(title="Voices from the field").slug

    french, english = served.visitor(language="fr"), served.visitor(language="en")
    page_fr = french.get(f"/events/{slug}/register")
    page_en = english.get(f"/events/{slug}/register")
    assert 'lang="fr"' in page_fr.text and 'lang="en"' in page_en.text
    organiser_browser = served.visitor()
    log_in(organiser_browser, email)

    # Their pages stay in their language after someone else's login, on every worker.
    for _ in range(6):
        assert 'lang="fr"' in french.get("/").text
        assert 'lang="en"' in english.get("/").text
    # A form opened before another person logged in is still accepted (their own CSRF token).
    response = french.submit(page_fr, f"/events/{slug}/register", {
        "name": "Camille Dupont", "email": "camille@example.org", "organisation_type": "ngo",
        "consent": "y"})
    assert response.status_code == 303, response.text[:2000]
    assert french.follow(response).status_code == 200


def test_logout_ends_the_session_of_its_cookie(served):
    with setting_up():
        email = make_organiser().email
    browser = served.visitor()
    log_in(browser, email)
    cookie = browser.http.cookies.get("session")
    assert cookie

    home = browser.get("/manage")
    response = browser.submit(home, "/manage/logout")
    assert response.status_code == 303
    assert browser.get("/manage").status_code == 302

    copy = served.visitor()
    copy.http.cookies.set("session", cookie)
    for _ in range(4):  # whichever worker answers
        assert copy.get("/manage").status_code == 302
