"""Thousands of generated inputs against every public form and the manage link:
never a server error, and nothing stored is ever rendered as markup."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsvp.registrations.notify import manage_url
from tests.factories import make_event, make_registration, make_speakers_list

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SCRIPT = "<script>alert(1)</script>"
#: Text as people (and attackers) type it: any Unicode, markup, formulas, very long runs.
TEXT = st.one_of(st.text(max_size=300), st.just(SCRIPT), st.just('"><img src=x onerror=alert(1)>'),
                 st.just("=HYPERLINK(\"http://evil\")"), st.text(min_size=2000, max_size=5000),
                 st.just("\x00\r\n\t"))
CHOICE = st.one_of(st.sampled_from(["", "ngo", "state", "online", "in_person", "fr", "xx", "DE",
                                    "yes", "no", "individual", "group", "member_state"]), TEXT)
FUZZ = settings(max_examples=250, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def form_of(fields: list[str]) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({}, optional={name: st.one_of(TEXT, CHOICE) for name in fields})


def assert_safe(response) -> None:
    assert response.status_code < 500, response.status_code
    assert SCRIPT not in response.get_data(as_text=True)


@pytest.fixture
def event(db_session):
    event = make_event(slug="fuzzed", grounds_pass_required=True)
    make_speakers_list(event)
    return event


@FUZZ
@given(data=form_of(["name", "email", "organisation", "organisation_type", "country",
                     "attendance_mode", "interpretation_language", "captions",
                     "accessibility_needs", "timezone", "consent", "has_grounds_pass",
                     "passport_name", "nationality", "date_of_birth", "website"]))
def test_registration_form(client, event, data):
    response = client.post("/events/fuzzed/register", data=data, follow_redirects=True)
    assert_safe(response)


@FUZZ
@given(data=form_of(["name", "delegation", "category", "country", "capacity", "group_name",
                     "language", "email", "consent", "nhri_a_status"]))
def test_speakers_inscription_form(client, event, data):
    assert_safe(client.post("/events/fuzzed/speakers", data=data, follow_redirects=True))


@FUZZ
@given(data=form_of(["email", "website"]))
def test_link_request_form(client, event, data):
    assert_safe(client.post("/my-registrations", data=data))


@FUZZ
@given(data=form_of(["attendance_mode", "interpretation_language", "captions",
                     "accessibility_needs", "has_grounds_pass", "passport_name"]),
       token=st.one_of(st.text(max_size=200), st.just("")))
def test_manage_link_and_its_form(client, event, data, token):
    registration = make_registration(event, name=SCRIPT, organisation=SCRIPT,
                                     accessibility_needs=SCRIPT)
    path = manage_url(registration).removeprefix("http://localhost")
    assert_safe(client.post(path, data=data, follow_redirects=True))
    assert_safe(client.get(path))
    assert_safe(client.get("/r/" + token.replace("/", "")))
