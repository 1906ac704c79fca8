"""The error summary above the registration form: one link per question, to a control that
exists, in the order the form shows them."""

from __future__ import annotations

import re

from rsvp.events.models import EventFormat, QuestionKind
from tests.factories import add_question, make_event


def summary_targets(page: str) -> list[str]:
    summary = page.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<a href="#([^"]+)"', summary)


def control_ids(page: str) -> list[str]:
    """The ids of the inputs, selects and text areas after the summary, in document order."""
    after = page.split('id="error-summary"', 1)[1]
    return re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', after)


def test_links_point_at_the_first_control_of_each_question_in_form_order(client, db_session):
    event = make_event(format=EventFormat.HYBRID, venue="Room XXIV", grounds_pass_required=True,
                       interpretation_languages=["fr"])
    add_question(event, "Topic you follow", required=True)
    add_question(event, "Sessions", QuestionKind.MULTIPLE_CHOICE, required=True,
                 options=["HRC58", "HRC59"])
    response = client.post(f"/events/{event.slug}/register",
                           data={"attendance_mode": "in_person", "email": "not an address"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    targets = summary_targets(page)
    ids = control_ids(page)

    # radio groups and checkbox sets have no element with the field's own id: the first option
    assert "has_grounds_pass-0" in targets and "has_grounds_pass" not in targets
    assert targets[0] == "name"
    assert targets[-1] == "consent"
    assert any(t.endswith("-0") and t.startswith("question") for t in targets), targets
    assert all(target in ids for target in targets), set(targets) - set(ids)
    assert targets == sorted(targets, key=ids.index)  # the form's order, not the declaration's


def test_a_missing_attendance_mode_links_to_its_first_radio(client, db_session):
    event = make_event(format=EventFormat.HYBRID, venue="Room XXIV")
    page = client.post(f"/events/{event.slug}/register", data={}).get_data(as_text=True)
    targets = summary_targets(page)
    assert "attendance_mode-0" in targets and 'id="attendance_mode-0"' in page
    assert "attendance_mode" not in targets



def test_the_event_editors_summary_follows_its_page(client, db_session):
    from rsvp.auth.models import Role
    from tests.auth.conftest import log_in
    from tests.factories import grant_role, make_organiser

    event = make_event()
    organiser = make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    log_in(client, organiser.email)
    response = client.post(f"/manage/events/{event.public_id}/edit",
                           data={"slug": event.slug, "format": "nowhere", "timezone": "Mars/Olympus",
                                 "start_date": "someday", "end_time": "late", "retention_days": "-1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    targets, ids = summary_targets(page), control_ids(page)
    assert len(targets) >= 5 and {"timezone", "format-0", "retention_days"} <= set(targets), targets
    assert all(target in ids for target in targets), set(targets) - set(ids)
    assert targets == sorted(targets, key=ids.index)
