"""Joint statements: one delegation speaks on behalf of a named group, with its signatories
(States from the country list, organisations typed), published on the live list and the report."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.speakers import services
from rsvp.speakers.models import Speaker
from tests.factories import make_event, make_speakers_list
from tests.speakers.test_console import signed_in
from tests.speakers.test_services import data
from tests.speakers.test_views import VALID

JOINT = VALID | {"capacity": "group", "group_name": "the Nordic-Baltic group",
                 "signatories": ["EE", "LV", "FI"], "signatory_organisations": "CIVICUS\n\n  ISHR  \nCIVICUS"}


@pytest.fixture
def event(db_session):
    event = make_event(title="Civic space", interpretation_languages=["fr"])
    make_speakers_list(event)
    return event


def test_signatories_are_stored_in_order_once_each_and_only_for_a_group(event):
    speaker = services.inscribe(event, data(
        on_behalf_of_group=True, group_name="the Nordic-Baltic group",
        signatories=(("state", "EE"), ("state", "LV"), ("organisation", " CIVICUS "), ("state", "EE"))))
    assert speaker.signatories == [{"state": "EE"}, {"state": "LV"}, {"organisation": "CIVICUS"}]
    with pytest.raises(services.InvalidInscription):  # signatories, but not on behalf of a group
        services.inscribe(event, data(signatories=(("state", "EE"),), delegation="Alone"))
    for bad in ((("state", "Estonia"),), (("organisation", "x" * 201),), (("person", "Anyone"),)):
        with pytest.raises(services.InvalidInscription):
            services.inscribe(event, data(on_behalf_of_group=True, group_name="Core group", signatories=bad))


def test_the_form_takes_states_from_the_list_and_organisations_one_per_line(client, event):
    page = client.get(f"/events/{event.slug}/speakers").get_data(as_text=True)
    assert "Signatory States" in page and "Other signatories" in page
    assert client.post(f"/events/{event.slug}/speakers", data=JOINT).status_code == 303
    speaker = db.session.scalar(sa.select(Speaker).where(Speaker.event_id == event.id))
    assert speaker.signatories == [{"state": "EE"}, {"state": "LV"}, {"state": "FI"},
                                   {"organisation": "CIVICUS"}, {"organisation": "ISHR"}]
    refused = client.post(f"/events/{event.slug}/speakers", data=JOINT | {"signatories": ["XX"],
                                                                          "delegation": "Other"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Choose the signatory States from the list." in body
    assert "CIVICUS\n\n  ISHR" in body  # what was typed stays


def test_the_live_list_and_the_report_publish_the_signatories_in_the_readers_language(client, event):
    assert client.post(f"/events/{event.slug}/speakers", data=JOINT).status_code == 303
    page = client.get(f"/events/{event.slug}/speakers/live").get_data(as_text=True)
    assert ("Signatories: <bdi>Estonia</bdi>, <bdi>Latvia</bdi>, <bdi>Finland</bdi>, <bdi>CIVICUS</bdi>"
            in page)
    french = client.get(f"/events/{event.slug}/speakers/live.json", headers={"Accept-Language": "fr"})
    assert french.get_json()["queue"][0]["signatories"][:3] == ["Estonie", "Lettonie", "Finlande"]
    signed_in(client, event, Role.VIEWER)
    report = client.get(f"/manage/events/{event.public_id}/speakers/report").get_data(as_text=True)
    assert "<bdi>Finland</bdi>, <bdi>CIVICUS</bdi>, <bdi>ISHR</bdi>" in report
    csv_text = client.get(f"/manage/events/{event.public_id}/speakers/report/speakers.csv"
                          ).data.decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(csv_text)))
    assert row[header.index("Signatories")] == "Estonia; Latvia; Finland; CIVICUS; ISHR"
