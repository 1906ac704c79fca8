"""The organisers' console over HTTP: who may see and act, each button with and without the
console's script, refusals that say why, reordering, the JSON it polls, and statement files."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.privacy.models import AuditEntry
from rsvp.sealing import digest
from rsvp.speakers import files, lists, live, screens, services
from rsvp.speakers.models import SpeakerCategory, SpeakerState
from rsvp.timeutil import now_utc
from tests.auth.conftest import csrf_in, log_in
from tests.factories import grant_role, make_event, make_organiser, make_speaker, make_speakers_list
from tests.speakers import documents

JSON = {"Accept": "application/json"}


@pytest.fixture
def event(db_session):
    event = make_event(title="Rights at Risk", interpretation_languages=["fr"])
    make_speakers_list(event, floor_starts_at=now_utc() - timedelta(minutes=1), floor_minutes=10)
    return event


def signed_in(client, event, role: Role):
    organiser = make_organiser()
    grant_role(event, organiser, role)
    assert log_in(client, organiser.email).status_code == 303
    return organiser


@pytest.fixture
def manager(client, event):
    return signed_in(client, event, Role.MANAGER)


def console(event, rest: str = "") -> str:
    return f"/manage/events/{event.public_id}/speakers{rest}"


def act(client, event, speaker, action: str, **kwargs):
    return client.post(console(event, f"/{speaker.public_id}/act"), data={"action": action}, **kwargs)


def page_after(client, response, event) -> str:
    assert response.status_code == 303 and response.headers["Location"] == console(event)
    return client.get(console(event)).get_data(as_text=True)


def audit_count(event) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.event_id == event.id)) or 0


def reload(*speakers):
    db.session.expire_all()
    return [s.state for s in speakers]


def test_a_viewer_sees_the_console_but_no_button_and_cannot_act(client, event):
    speaker = make_speaker(event, delegation="Human Rights Watch", name="Sarah Okafor",
                           email="sarah@example.org")
    signed_in(client, event, Role.VIEWER)
    page = client.get(console(event)).get_data(as_text=True)
    assert "Human Rights Watch" in page and "Sarah Okafor" in page  # organisers see names
    assert "sarah@example.org" not in page  # a console may be projected: no address on it
    assert "/act" not in page.replace("__speaker__/act", "") and 'name="action"' not in page
    assert console(event, "/settings") not in page
    assert act(client, event, speaker, "start").status_code == 404
    assert reload(speaker) == [SpeakerState.INSCRIBED]


def test_the_console_shows_who_speaks_with_the_time_left_who_is_next_and_whether_it_fits(client, event,
                                                                                          manager):
    now = now_utc()
    speaking = make_speaker(event, delegation="Permanent Mission of Lithuania",
                            category=SpeakerCategory.MEMBER_STATE, country="LT")
    make_speaker(event, delegation="CIVICUS", name="Lysa John")
    live.start(speaking, now - timedelta(seconds=52))
    db.session.commit()
    page = client.get(console(event)).get_data(as_text=True)
    current = page.split('id="now-heading"')[1].split('id="next-heading"')[0]
    assert "Permanent Mission of Lithuania" in current
    countdown = re.search(r'<p class="countdown ([^"]*)" id="console-countdown"[^>]*>([^<]*)</p>', current)
    assert countdown.group(1) == "is-warning" and countdown.group(2) in ("0:08", "0:07")
    nxt = page.split('id="next-heading"')[1].split("</section>")[0]
    assert "CIVICUS" in nxt and "Lysa John" in nxt and "Projected start:" in nxt
    assert "The list fits the floor time" in page
    # Someone holds the floor: no Start button until they are done.
    assert re.search(r'<form[^>]*id="console-next-actions"[^>]*hidden', page)


def test_the_buttons_run_the_floor_without_javascript(client, event, manager, smtp):
    state = make_speaker(event, delegation="Permanent Mission of Lithuania",
                         category=SpeakerCategory.MEMBER_STATE, country="LT")
    ngo, late, gone = (make_speaker(event, delegation=name) for name in ("CIVICUS", "ISHR", "Amnesty"))
    entries = audit_count(event)

    assert "CIVICUS is confirmed." in page_after(client, act(client, event, ngo, "confirm"), event)
    assert "Permanent Mission of Lithuania has the floor." in page_after(
        client, act(client, event, state, "start"), event)
    assert "The time of Permanent Mission of Lithuania is stopped." in page_after(
        client, act(client, event, state, "stop"), event)
    page = page_after(client, act(client, event, state, "delivered"), event)
    assert re.search(r"Permanent Mission of Lithuania delivered their statement in 0:0\d\.", page)
    assert "CIVICUS is marked absent." in page_after(client, act(client, event, ngo, "absent"), event)
    assert "ISHR is moved to the end of the list." in page_after(
        client, act(client, event, late, "end"), event)
    page = page_after(client, act(client, event, gone, "withdraw"), event)
    assert "Amnesty is withdrawn from the list; we have emailed them." in page

    assert reload(state, ngo, late, gone) == [SpeakerState.DELIVERED, SpeakerState.ABSENT,
                                               SpeakerState.INSCRIBED, SpeakerState.WITHDRAWN]
    assert late.moved_to_end_at is not None
    told = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.recipient_hash == digest(gone.email))).all()
    assert len(told) == 1
    assert audit_count(event) == entries  # running the floor is not an audited change


def test_the_script_gets_each_outcome_as_json(client, event, manager):
    speaker = make_speaker(event, delegation="CIVICUS")
    response = act(client, event, speaker, "start", headers=JSON)
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "message": "CIVICUS has the floor."}
    response = act(client, event, speaker, "start", headers=JSON)
    assert response.status_code == 409
    assert response.get_json() == {
        "ok": False,
        "message": "Nothing was changed: CIVICUS is now marked “Speaking”. The list below is up to date.",
    }


@pytest.mark.parametrize(("setup", "action", "message"), [
    ("speaking", "start", "Someone else has the floor: mark them delivered or absent"),
    ("withdrawn", "start", "Nothing was changed: Target is now marked “Withdrawn”."),
    ("withdrawn", "up", "Nothing was changed: Target is now marked “Withdrawn”."),
    ("delivered", "absent", "Nothing was changed: Target is now marked “Delivered”."),
    ("waiting", "delivered", "Nothing was changed: Target is now marked “Inscribed”."),
    ("waiting", "stop", "Nothing was changed: Target is now marked “Inscribed”."),
    ("absent", "withdraw", "Nothing was changed: Target is now marked “Absent”."),
])
def test_a_button_from_a_stale_page_is_refused_with_a_clear_message(client, event, manager, setup,
                                                                    action, message):
    other = make_speaker(event, delegation="Other")
    target = make_speaker(event, delegation="Target")
    if setup == "speaking":
        live.start(other)
    elif setup == "withdrawn":
        services.withdraw(target)
    elif setup == "delivered":
        live.start(target)
        live.mark_delivered(target)
    elif setup == "absent":
        live.mark_absent(target)
    db.session.commit()
    before = reload(other, target)
    response = act(client, event, target, action)
    assert message in page_after(client, response, event)
    assert reload(other, target) == before


def test_unknown_actions_and_speakers_of_other_events_are_refused(client, event, manager):
    speaker = make_speaker(event)
    elsewhere = make_event()
    make_speakers_list(elsewhere)
    stranger = make_speaker(elsewhere)
    assert act(client, event, speaker, "explode").status_code == 400
    assert client.post(console(event, f"/{speaker.public_id}/act")).status_code == 400
    assert act(client, event, stranger, "start").status_code == 404
    assert client.post(console(event, "/not-a-speaker/act"), data={"action": "start"}).status_code == 404
    assert reload(speaker, stranger) == [SpeakerState.INSCRIBED, SpeakerState.INSCRIBED]


def test_up_and_down_move_a_speaker_and_later_inscriptions_keep_the_order(client, event, manager):
    now = now_utc()
    first, second, third = (make_speaker(event, delegation=name, inscribed_at=now + timedelta(seconds=n))
                            for n, name in enumerate(("First", "Second", "Third")))
    assert "Third is now number 2 in the queue." in page_after(client, act(client, event, third, "up"), event)
    assert "First is now number 1 in the queue." in page_after(client, act(client, event, first, "up"), event)
    assert "Second is now number 3 in the queue." in page_after(
        client, act(client, event, second, "down"), event)
    make_speaker(event, delegation="Later", inscribed_at=now + timedelta(seconds=9))
    queue = [s.delegation for s in services.lineup(lists.speakers_list_of(event)).queue]
    # The organiser's order holds; the newcomer goes after whoever precedes it by default (Third).
    assert queue == ["First", "Third", "Later", "Second"]


def test_drag_and_drop_saves_the_whole_order_unless_the_list_changed_meanwhile(client, event, manager):
    a, b, c = (make_speaker(event, delegation=name) for name in "ABC")
    response = client.post(console(event, "/order"), data={"order": [c.public_id, a.public_id, b.public_id]},
                           headers=JSON)
    assert response.get_json() == {"ok": True, "message": "The new order is saved. Later inscriptions "
                                                          "keep it."}
    stale = client.post(console(event, "/order"), data={"order": [a.public_id, b.public_id]})
    assert "The list changed while you were reordering it" in page_after(client, stale, event)
    queue = services.lineup(lists.speakers_list_of(event)).queue
    assert [s.delegation for s in queue] == ["C", "A", "B"]


def test_swap_exchanges_two_waiting_speakers_and_explains_what_it_cannot_do(client, event, manager):
    a, b, c = (make_speaker(event, delegation=name) for name in "ABC")
    swap = console(event, "/swap")
    page = page_after(client, client.post(swap, data={"first": a.public_id, "second": c.public_id}), event)
    assert "A and C have swapped places." in page
    assert "Choose two different speakers to swap." in page_after(
        client, client.post(swap, data={"first": a.public_id, "second": a.public_id}), event)
    assert "Choose two different speakers to swap." in page_after(
        client, client.post(swap, data={"first": a.public_id}), event)
    live.mark_absent(b)
    db.session.commit()
    assert "the list had changed meanwhile" in page_after(
        client, client.post(swap, data={"first": a.public_id, "second": b.public_id}), event)
    queue = services.lineup(lists.speakers_list_of(event)).queue
    assert [s.delegation for s in queue] == ["C", "A"]


def test_console_posts_need_the_csrf_token(csrf_client, event):
    speaker = make_speaker(event)
    signed_in(csrf_client, event, Role.MANAGER)
    assert act(csrf_client, event, speaker, "start").status_code == 400
    token = csrf_in(csrf_client.get(console(event)).get_data(as_text=True))
    response = csrf_client.post(console(event, f"/{speaker.public_id}/act"),
                                data={"action": "start", "csrf_token": token})
    assert response.status_code == 303
    assert reload(speaker) == [SpeakerState.SPEAKING]


def test_the_json_has_names_and_ids_for_the_console_never_addresses(client, event, manager):
    speaker = make_speaker(event, delegation="CIVICUS", name="Lysa John", email="lysa@example.org")
    live.start(speaker, now_utc() - timedelta(seconds=70))
    db.session.commit()
    response = client.get(console(event, "/console.json"))
    assert response.headers["Cache-Control"] == "no-store"
    state = response.get_json()
    assert state["current"]["id"] == speaker.public_id and state["current"]["name"] == "Lysa John"
    assert state["current"]["seconds_left"] <= -10
    assert "lysa@example.org" not in response.get_data(as_text=True)
    without = make_event()
    assert client.get(f"/manage/events/{without.public_id}/speakers/console.json").status_code == 404


def test_an_event_without_a_list_offers_to_set_one_up(client, db_session):
    event = make_event()
    signed_in(client, event, Role.MANAGER)
    page = client.get(console(event)).get_data(as_text=True)
    assert "This event has no speakers list." in page and console(event, "/settings") in page
    assert "Nobody has spoken yet" not in client.get(console(event, "/report")).get_data(as_text=True)


def inscribed_with(event, filename: str, data: bytes):
    return services.inscribe(event, services.InscriptionData(
        name="Sarah Okafor", delegation="Human Rights Watch", category="ngo", language="en",
        email="sarah@example.org", statement=files.Upload(filename, data)))


def test_organisers_download_statements_as_attachments_under_a_safe_name(client, event, manager):
    speaker = inscribed_with(event, 'C:\\Users\\me\\Déclaration "finale";\r\nX: y.pdf', documents.PDF)
    db.session.commit()
    response = client.get(console(event, f"/{speaker.public_id}/statement"))
    assert response.status_code == 200 and response.data == documents.PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition and "\n" not in disposition and "Users" not in disposition
    assert "filename*=UTF-8''D%C3%A9claration%20%22finale%22%3BX%3A%20y.pdf" in disposition
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_statements_are_for_the_events_organisers_only(app, client, event):
    speaker = inscribed_with(event, "statement.txt", documents.TEXT)
    plain = make_speaker(event)
    db.session.commit()
    path = console(event, f"/{speaker.public_id}/statement")
    assert client.get(path).status_code == 302  # to the login page
    outsider = make_organiser()
    grant_role(make_event(), outsider, Role.OWNER)
    log_in(client, outsider.email)
    assert client.get(path).status_code == 404
    signed_in(client, event, Role.VIEWER)
    response = client.get(path)
    assert response.status_code == 200 and response.data == documents.TEXT
    response.close()
    assert client.get(console(event, f"/{plain.public_id}/statement")).status_code == 404
    stored_as = speaker.statement_stored_as
    assert all(stored_as not in rule.rule for rule in app.url_map.iter_rules())
    assert client.get(f"/static/{stored_as}").status_code == 404


def test_a_floor_opened_early_projects_the_next_speakers_from_now_not_the_scheduled_date(client, db_session):
    """Issue 16: the chair opens the floor the day before its scheduled start."""
    event = make_event(starts_at=now_utc().replace(microsecond=0) + timedelta(days=1))
    speakers_list = make_speakers_list(event)
    first, second = (make_speaker(event, state=SpeakerState.CONFIRMED) for _ in range(2))
    start = now_utc()
    live.start(first, start)
    live.mark_delivered(first, start + timedelta(seconds=50))
    db.session.commit()
    now = start + timedelta(seconds=60)
    lineup = services.lineup(speakers_list, now)
    assert lineup.slot_of(second).starts_at == now
    assert lineup.timetable.floor_starts_at == start
    state = screens.live_state(speakers_list, now, console=True)
    assert state["queue"][0]["projected_start"] == screens.iso(now)
