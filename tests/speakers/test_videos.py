"""Video statements: checked by what the file is, kept outside the web root, played from the
console to the event's organisers only (with byte ranges), erased with the speaker."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.speakers import erasure, files, live, reports, services, statements, videos
from rsvp.speakers.models import Speaker, SpeakerState
from rsvp.speakers.notify import speaker_url
from rsvp.timeutil import now_utc
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_speaker, make_speakers_list
from tests.speakers import documents, media

NGO = {"name": "Lysa Moreau", "delegation": "Defenders of the Delta", "category": "ngo", "country": "",
       "capacity": "individual", "language": "en", "email": "lysa@example.org", "consent": "y"}


@pytest.fixture
def event(db_session):
    event = make_event(title="Interactive dialogue on the Delta", interpretation_languages=["fr"])
    make_speakers_list(event, floor_starts_at=now_utc() - timedelta(minutes=1), floor_minutes=20)
    return event


def data(video: bytes | None = None, filename: str = "statement.mp4") -> services.InscriptionData:
    return services.InscriptionData(
        name="Lysa Moreau", delegation="Defenders of the Delta", category="ngo", language="en",
        email="lysa@example.org",
        video=files.VideoUpload(filename, media.as_file(video)) if video is not None else None)


def stored(event) -> list[Speaker]:
    return list(db.session.scalars(sa.select(Speaker).where(Speaker.event_id == event.id)))


def console(event, rest: str = "") -> str:
    return f"/manage/events/{event.public_id}/speakers{rest}"


# -- what a video is ------------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "kind"), [
    (media.mp4(), "mp4"), (media.mp4(major=b"mp42", compatible=b"mp42isom"), "mp4"),
    (media.mp4(major=b"XAVC", compatible=b"XAVCmp42"), "mp4"),  # a camera's own brand, MP4-compatible
    (media.webm(), "webm"), (media.matroska(b"matroska"), "mkv"),
    (media.PNG, None), (media.QUICKTIME, None), (media.TEXT, None), (documents.PDF, None),
    (media.mp4(major=b"XAVC", compatible=b"XAVC"), None), (b"\x1a\x45\xdf\xa3\x80", None), (b"", None),
])
def test_a_video_is_known_by_its_first_bytes(content, kind):
    assert videos.sniff(content[:videos.HEAD_BYTES]) == kind


def test_an_mp4_and_a_webm_are_stored_outside_the_web_root_under_random_names(event, statements_dir):
    mp4 = services.inscribe(event, data(media.mp4(50_000), "Déclaration vidéo.mov"))
    db.session.commit()
    assert (mp4.video_content_type, mp4.video_bytes) == ("video/mp4", 50_000)
    assert mp4.video_filename == "Déclaration vidéo.mp4"  # named for what it is, not what it said
    assert statements.path_of(mp4.video_stored_as).read_bytes() == media.mp4(50_000)
    assert "Déclaration" not in mp4.video_stored_as and mp4.video_stored_as.endswith(".mp4")
    other = services.InscriptionData(**{**data(media.webm(), "s.webm").__dict__, "delegation": "ISHR"})
    webm = services.inscribe(event, other)
    db.session.commit()
    assert webm.video_content_type == "video/webm"
    assert sorted(p.suffix for p in statements_dir.iterdir()) == [".mp4", ".webm"]
    assert "Déclaration" not in db.session.scalar(sa.text(
        "SELECT video_filename FROM speakers WHERE id = :id"), {"id": mp4.id})  # sealed at rest


@pytest.mark.parametrize("content", [media.PNG, media.TEXT, media.QUICKTIME, documents.EXECUTABLE])
def test_a_renamed_image_text_or_program_is_refused(event, statements_dir, content):
    with pytest.raises(videos.VideoRejected) as refused:
        services.inscribe(event, data(content, "statement.mp4"))
    assert refused.value.reason == "type"
    assert stored(event) == [] and not statements_dir.exists()


def test_a_video_over_the_limit_is_refused_and_nothing_is_written(app, event, statements_dir):
    app.config["SPEAKER_VIDEO_MAX_BYTES"], saved = 4000, app.config["SPEAKER_VIDEO_MAX_BYTES"]
    try:
        with pytest.raises(videos.VideoRejected) as refused:
            services.inscribe(event, data(media.mp4(4001)))
        assert refused.value.reason == "too_large"
        assert services.inscribe(event, data(media.mp4(4000))).video_bytes == 4000
    finally:
        app.config["SPEAKER_VIDEO_MAX_BYTES"] = saved


def test_the_video_follows_the_transaction_and_the_speaker(event, statements_dir):
    services.inscribe(event, data(media.webm()))
    db.session.rollback()
    assert list(statements_dir.iterdir()) == []  # written, then removed with the rollback
    speaker = services.inscribe(event, data(media.webm()))
    db.session.commit()
    first = statements.path_of(speaker.video_stored_as)
    services.change(speaker, language="fr", video=files.VideoUpload("new.mp4", media.as_file(media.mp4())))
    assert first.exists()  # until the change is committed
    db.session.commit()
    assert not first.exists() and [p.suffix for p in statements_dir.iterdir()] == [".mp4"]
    services.change(speaker, language="fr", remove_video=True)
    db.session.commit()
    assert list(statements_dir.iterdir()) == [] and speaker.video_stored_as is None
    again = files.VideoUpload("again.webm", media.as_file(media.webm()))
    services.change(speaker, language="fr", video=again)
    db.session.commit()
    services.withdraw(speaker)
    db.session.commit()
    assert list(statements_dir.iterdir()) == [] and speaker.video_filename is None


def test_erasure_deletes_the_video_and_its_name_and_the_report_still_says_video(event, statements_dir):
    speaker = services.inscribe(event, data(media.webm(), "Lysa Moreau statement.webm"))
    db.session.commit()
    live.start(speaker)
    live.mark_delivered(speaker)
    db.session.commit()
    report = reports.report(speaker.speakers_list)
    assert report.notes(speaker, True) == ["Statement delivered by video"]
    erasure.erase_event(event)
    db.session.commit()
    assert list(statements_dir.iterdir()) == []
    db.session.expire_all()
    assert (speaker.video_filename, speaker.video_stored_as, speaker.video_bytes) == (None, None, None)
    export = reports.by_speaker(reports.report(speaker.speakers_list), event)
    assert export.rows[0][-1] == "Statement delivered by video"


# -- the forms ------------------------------------------------------------------------------------

def test_the_inscription_form_takes_a_video_by_content(client, event):
    page = client.get(f"/events/{event.slug}/speakers").get_data(as_text=True)
    assert 'name="video"' in page and 'accept="video/mp4,video/webm"' in page and "up to 200 MB" in page
    response = client.post(f"/events/{event.slug}/speakers", content_type="multipart/form-data",
                           data={**NGO, "video": (media.as_file(media.webm()), "statement.webm")})
    assert response.status_code == 303
    (speaker,) = stored(event)
    assert (speaker.video_filename, speaker.video_content_type) == ("statement.webm", "video/webm")
    assert "Video statement" in client.get(speaker_url(speaker).removeprefix("http://localhost")).get_data(
        as_text=True)


def test_a_refused_video_keeps_everything_typed(app, client, event):
    response = client.post(f"/events/{event.slug}/speakers", content_type="multipart/form-data",
                           data={**NGO, "video": (media.as_file(media.PNG), "statement.mp4")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and stored(event) == []
    assert "The video must be an MP4 or WebM file" in page
    assert 'value="Lysa Moreau"' in page and 'value="Defenders of the Delta"' in page
    assert 'value="lysa@example.org"' in page
    app.config["SPEAKER_VIDEO_MAX_BYTES"], saved = 4000, app.config["SPEAKER_VIDEO_MAX_BYTES"]
    try:
        response = client.post(f"/events/{event.slug}/speakers", content_type="multipart/form-data",
                               data={**NGO, "video": (media.as_file(media.mp4(6000)), "statement.mp4")})
    finally:
        app.config["SPEAKER_VIDEO_MAX_BYTES"] = saved
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and stored(event) == []
    assert "The video is too large" in page and 'value="Defenders of the Delta"' in page


def test_a_video_larger_than_the_rest_of_the_site_takes_is_received(app, client, event):
    """Only these forms take bodies above MAX_CONTENT_LENGTH, up to the video limit."""
    app.config["MAX_CONTENT_LENGTH"], saved = 3000, app.config["MAX_CONTENT_LENGTH"]
    app.config["SPEAKER_VIDEO_MAX_BYTES"], saved_video = 20_000, app.config["SPEAKER_VIDEO_MAX_BYTES"]
    try:
        response = client.post(f"/events/{event.slug}/speakers", content_type="multipart/form-data",
                                data={**NGO, "video": (media.as_file(media.mp4(15_000)), "statement.mp4")})
        assert response.status_code == 303 and stored(event)[0].video_bytes == 15_000
        # Far over the video's limit: the body is not read, and the page says the limit.
        response = client.post(f"/events/{event.slug}/speakers?list=1", content_type="multipart/form-data",
                               data={**NGO, "delegation": "ISHR",
                                     "video": (media.as_file(media.mp4(2_000_000)), "long.mp4")})
        assert response.status_code == 413
        assert "A video statement may be up to" in response.get_data(as_text=True)
        # Elsewhere the site's own limit holds.
        assert client.post("/manage/login", data={"email": "x" * 5000}).status_code == 413
    finally:
        app.config["MAX_CONTENT_LENGTH"], app.config["SPEAKER_VIDEO_MAX_BYTES"] = saved, saved_video


def test_the_speaker_adds_and_removes_a_video_through_their_link(client, event):
    speaker = make_speaker(event, delegation="Defenders of the Delta", name="Lysa")
    path = speaker_url(speaker).removeprefix("http://localhost")
    response = client.post(path, content_type="multipart/form-data",
                           data={"language": "en", "video": (media.as_file(media.mp4()), "me.mp4")})
    assert response.status_code == 303
    db.session.expire_all()
    assert speaker.video_content_type == "video/mp4"
    page = client.get(path).get_data(as_text=True)
    assert "me.mp4" in page and "Remove the video I sent" in page
    response = client.post(path, content_type="multipart/form-data",
                           data={"language": "en", "video": (media.as_file(media.TEXT), "other.webm")})
    assert response.status_code == 422 and "The video must be an MP4 or WebM file" in response.get_data(
        as_text=True)
    assert client.post(path, data={"language": "en", "remove_video": "y"}).status_code == 303
    db.session.expire_all()
    assert speaker.video_stored_as is None


# -- the console ----------------------------------------------------------------------------------

@pytest.fixture
def with_video(event, statements_dir) -> Speaker:
    speaker = services.inscribe(event, data(media.webm(10_000), "Lysa.webm"))
    db.session.commit()
    return speaker


def signed_in(client, event, role: Role) -> None:
    organiser = make_organiser()
    grant_role(event, organiser, role)
    assert log_in(client, organiser.email).status_code == 303


def test_the_console_row_offers_the_video_and_its_page_plays_it(client, event, with_video):
    plain = make_speaker(event, delegation="ISHR")
    db.session.commit()
    signed_in(client, event, Role.VIEWER)
    page = client.get(console(event)).get_data(as_text=True)
    video_page = console(event, f"/{with_video.public_id}/video")
    assert f'href="{video_page}" data-field="video">' in page
    state = client.get(console(event, "/console.json")).get_json()
    assert [e["has_video"] for e in state["queue"]] == [True, False]
    player = client.get(video_page).get_data(as_text=True)
    assert '<video class="speaker-video" id="speaker-video" controls preload="metadata"' in player
    assert f'src="{console(event, f"/{with_video.public_id}/video/file")}"' in player
    assert client.get(console(event, f"/{plain.public_id}/video")).status_code == 404
    assert client.get(console(event, f"/{plain.public_id}/video/file")).status_code == 404


def test_the_video_is_for_the_events_organisers_only(app, client, event, with_video):
    path = console(event, f"/{with_video.public_id}/video/file")
    response = client.get(path)
    assert response.status_code == 302 and b"\x1a\x45\xdf\xa3" not in response.data  # to the login page
    outsider = make_organiser()
    grant_role(make_event(), outsider, Role.OWNER)
    log_in(client, outsider.email)
    assert client.get(path).status_code == 404
    assert client.get(console(event, f"/{with_video.public_id}/video")).status_code == 404
    assert all(with_video.video_stored_as not in rule.rule for rule in app.url_map.iter_rules())
    assert client.get(f"/static/{with_video.video_stored_as}").status_code == 404


def test_the_video_is_served_inline_with_its_checked_type_and_byte_ranges(client, event, with_video):
    signed_in(client, event, Role.VIEWER)
    path = console(event, f"/{with_video.public_id}/video/file")
    whole = client.get(path)
    assert whole.status_code == 200 and whole.data == media.webm(10_000)
    assert whole.mimetype == "video/webm" and whole.headers["Content-Disposition"] == "inline"
    assert whole.headers["X-Content-Type-Options"] == "nosniff"
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert "media-src 'self'" in whole.headers["Content-Security-Policy"]
    whole.close()
    part = client.get(path, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == media.webm(10_000)[100:200]
    assert part.headers["Content-Range"] == "bytes 100-199/10000"
    part.close()
    tail = client.get(path, headers={"Range": "bytes=-16"})
    assert tail.status_code == 206 and tail.data == media.webm(10_000)[-16:]
    tail.close()
    beyond = client.get(path, headers={"Range": "bytes=20000-"})
    assert beyond.status_code == 416
    beyond.close()


def test_the_report_says_the_statement_was_delivered_by_video(client, event, with_video):
    live.start(with_video)
    live.mark_delivered(with_video)
    db.session.commit()
    signed_in(client, event, Role.VIEWER)
    assert "Statement delivered by video" in client.get(console(event, "/report")).get_data(as_text=True)
    csv = client.get(console(event, "/report/speakers.csv")).get_data(as_text=True)
    assert "Statement delivered by video" in csv
    assert with_video.state is SpeakerState.DELIVERED
