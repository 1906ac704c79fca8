"""The live list in the reader's language: names in another script than the page keep their own
direction (each is isolated in <bdi>), and the floor time is CLDR's interval."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from rsvp.speakers.models import SpeakerCategory
from tests.factories import make_event, make_speaker, make_speakers_list


def test_arabic_live_list_isolates_delegations_groups_and_names(client, db_session):
    event = make_event()
    make_speakers_list(event, floor_starts_at=event.starts_at, floor_minutes=10,
                       public_shows_names=True)
    make_speaker(event, delegation="International Service for Human Rights", name="Phil Lynch")
    make_speaker(event, delegation="Costa Rica", category=SpeakerCategory.MEMBER_STATE,
                 on_behalf_of_group=True, group_name="cross-regional group", country="CR")
    client.set_cookie("lang", "ar")
    page = client.get(f"/events/{event.slug}/speakers/live").get_data(as_text=True)
    assert 'dir="rtl"' in page
    delegations = re.findall(r'<strong class="live-delegation">(.*?)</strong>', page)
    assert sorted(delegations) == ["<bdi>Costa Rica</bdi>",
                                   "<bdi>International Service for Human Rights</bdi>"]
    group = re.search(r'<span class="live-group">(.*?)</span>', page).group(1)
    assert "<bdi>cross-regional group</bdi>" in group and "on behalf" not in group  # in Arabic
    assert '<span class="live-name"> · <bdi>Phil Lynch</bdi></span>' in page


def test_isolated_names_are_still_escaped(client, db_session):
    event = make_event()
    make_speakers_list(event, floor_starts_at=event.starts_at, floor_minutes=10)
    make_speaker(event, delegation="<script>alert(1)</script>")
    page = client.get(f"/events/{event.slug}/speakers/live").get_data(as_text=True)
    assert "<bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>" in page


def test_floor_time_is_the_languages_own_interval(client, db_session):
    event = make_event(starts_at=datetime(2026, 12, 6, 13, 0, tzinfo=UTC))  # 14:00 in Geneva
    make_speakers_list(event, floor_starts_at=event.starts_at, floor_minutes=90)
    client.set_cookie("lang", "fr")
    page = client.get(f"/events/{event.slug}/speakers/live").get_data(as_text=True)
    assert "Temps de parole : 14:00\u2009–\u200915:30 CET." in page
    client.set_cookie("lang", "en")
    state = client.get(f"/events/{event.slug}/speakers/live.json").get_json()
    assert state["floor"]["span_local"] == "2:00\u2009–\u20093:30\u202fPM CET"
