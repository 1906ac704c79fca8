"""Large Excel lists built by the worker: queued, built in chunks, for the one who asked, then gone."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from rsvp import sealing, tokens
from rsvp.auth.models import Role
from rsvp.events.models import QuestionKind
from rsvp.exports import jobs
from rsvp.exports import services as exports
from rsvp.exports.models import ExportJob, ExportStatus
from rsvp.extensions import db
from rsvp.jobs import purge_event
from rsvp.privacy.models import AuditEntry
from rsvp.registrations.models import Registration
from rsvp.timeutil import now_utc
from tests.auth.conftest import log_in
from tests.factories import add_question, grant_role, make_event, make_organiser, make_registration

#: Names that sort together whatever their case: the chunks must neither repeat nor skip one.
NAMES = ["ana", "Ana", "ANA", "Ben", "ben", "Cleo", "Dev"]


@pytest.fixture
def exports_folder(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 3)
    monkeypatch.setattr(exports, "CHUNK", 2)
    return tmp_path / "exports"


@pytest.fixture
def event(db_session, exports_folder):
    event = make_event()
    topic = add_question(event, "Topic you follow")
    arrival = add_question(event, "Arrival", QuestionKind.DATE)
    for n, name in enumerate(NAMES):
        make_registration(event, name=name, answers={topic.key: f"Case {n}", arrival.key: "2026-07-03"})
    return event


def client_for(app, organiser):
    client = app.test_client()
    assert log_in(client, organiser.email).status_code == 303
    return client


@pytest.fixture
def manager(app, event):
    organiser = make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    return client_for(app, organiser)


def ask(client, event, fmt="xlsx", query=""):
    return client.get(f"/manage/events/{event.public_id}/exports/attendees.{fmt}{query}")


def built(client, event) -> tuple[str, bytes]:
    """Ask for the list, let the worker build it; the prepared page's path and the file."""
    asked = ask(client, event)
    assert asked.status_code == 303
    page = asked.headers["Location"]
    assert jobs.build_exports(now_utc()) == 1
    file = client.get(f"{page}/file")
    assert file.status_code == 200
    return page, file.get_data()


def rows_of(data: bytes) -> list[list]:
    return [[cell.value for cell in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]


def test_a_large_excel_list_is_prepared_by_the_worker_whole(manager, event):
    asked = ask(manager, event)
    page = manager.get(asked.headers["Location"]).get_data(as_text=True)
    assert "This list has 7 rows" in page and "0 of 7 rows" in page
    assert "js/export-progress.js" in page
    assert ask(manager, event).headers["Location"] == asked.headers["Location"]  # asked twice: one job

    assert jobs.build_exports(now_utc()) == 1
    ready = manager.get(asked.headers["Location"]).get_data(as_text=True)
    assert "Ready: 7 rows" in ready and "export-progress.js" not in ready
    file = manager.get(f"{asked.headers['Location']}/file")
    assert file.headers["Content-Disposition"] == f"attachment; filename={event.slug}-attendees.xlsx"
    rows = rows_of(file.get_data())
    assert rows[0][-2:] == ["Topic you follow", "Arrival"]
    # Each once, in the list's order (by name whatever the case, then by registration).
    assert [row[0] for row in rows[1:]] == NAMES
    assert [row[-2] for row in rows[1:]] == [f"Case {n}" for n in range(7)]
    assert rows[1][-1].date().isoformat() == "2026-07-03"
    details = db.session.scalars(sa.select(AuditEntry.detail).where(AuditEntry.event_id == event.id))
    assert [d for d in details
            if d.startswith("attendees.xlsx: 7 row(s); filter confidential=no; columns name,")]
    assert jobs.build_exports(now_utc()) == 0  # nothing left to do


def test_the_filter_and_columns_asked_for_are_those_built(app, manager, event, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 2)
    asked = ask(manager, event, query="?q=an&column=name&column=email&questions=0")
    assert asked.status_code == 303
    jobs.build_exports(now_utc())
    rows = rows_of(manager.get(f"{asked.headers['Location']}/file").get_data())
    assert rows[0] == ["Name", "Email address"]
    assert [row[0] for row in rows[1:]] == ["ana", "Ana", "ANA"]  # "Dev", "Ben" do not match


def test_only_the_organiser_who_asked_may_see_or_download_it(app, manager, event):
    page, _data = built(manager, event)
    other = make_organiser()
    grant_role(event, other, Role.MANAGER)
    colleague = client_for(app, other)
    for path in (page, f"{page}/progress", f"{page}/file"):
        assert colleague.get(path).status_code == 404
    assert "Prepared for you" not in colleague.get(f"/manage/events/{event.public_id}/exports").get_data(
        as_text=True)
    assert "Prepared for you" in manager.get(f"/manage/events/{event.public_id}/exports").get_data(
        as_text=True)


def test_files_are_deleted_once_expired(manager, event, exports_folder):
    page, _data = built(manager, event)
    assert len(list(exports_folder.iterdir())) == 1
    jobs.remove_expired(now_utc() + timedelta(hours=23))
    assert manager.get(f"{page}/file").status_code == 200
    jobs.remove_expired(now_utc() + timedelta(hours=25))
    assert list(exports_folder.iterdir()) == []
    assert manager.get(page).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(ExportJob.id))) == 0


def test_files_are_deleted_when_the_events_data_is_purged(manager, event, exports_folder):
    page, _data = built(manager, event)
    purge_event(event, now_utc())
    db.session.commit()
    assert list(exports_folder.iterdir()) == []
    assert manager.get(page).status_code == 404


def test_a_prepared_list_goes_when_someone_in_it_is_erased(manager, event, exports_folder):
    """Through their manage link or by an organiser: no copy of the list with them in it stays."""
    page, _data = built(manager, event)
    person = db.session.scalar(sa.select(Registration).where(Registration.event_id == event.id))
    token = tokens.sign("manage-registration", [person.public_id, person.token_version])
    assert manager.post(f"/r/{token}/erase", data={"confirm": "y"}).status_code == 200
    assert list(exports_folder.iterdir()) == []
    assert manager.get(page).status_code == 404

    page, _data = built(manager, event)
    other = db.session.scalar(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.erased_at.is_(None)))
    erased = manager.post(f"/manage/events/{event.public_id}/registrations/{other.public_id}/erase",
                          data={"confirm": "yes"})
    assert erased.status_code == 303
    assert list(exports_folder.iterdir()) == []


def test_a_purge_during_the_build_leaves_no_file(manager, event, exports_folder, monkeypatch):
    ask(manager, event)
    progress = jobs._progress

    def purged_meanwhile(job_id, token):
        record = progress(job_id, token)

        def first_chunk_then_purge(rows):
            jobs.delete_export_files(event.id)
            record(rows)
        return first_chunk_then_purge

    monkeypatch.setattr(jobs, "_progress", purged_meanwhile)
    spreadsheet_scraps = set(Path(tempfile.gettempdir()).glob("openpyxl.*"))
    assert jobs.build_exports(now_utc()) == 0
    assert list(exports_folder.iterdir()) == []
    assert set(Path(tempfile.gettempdir()).glob("openpyxl.*")) == spreadsheet_scraps


def test_a_failed_build_is_reported_and_the_worker_goes_on(manager, event, exports_folder, monkeypatch):
    asked = ask(manager, event)

    def broken(export, output=None):
        output.write(b"half a workbook")
        raise ValueError("disk full")

    monkeypatch.setattr(exports, "write_xlsx", broken)
    assert jobs.build_exports(now_utc()) == 0
    page = manager.get(asked.headers["Location"]).get_data(as_text=True)
    assert "The file could not be made" in page
    assert manager.get(f"{asked.headers['Location']}/file").status_code == 404
    assert list(exports_folder.iterdir()) == []


def test_a_job_whose_worker_died_is_built_again(manager, event):
    asked = ask(manager, event)
    job = db.session.scalar(sa.select(ExportJob))
    job.status, job.claim = ExportStatus.BUILDING, "a worker that died"
    job.lease_expires_at = now_utc() + timedelta(minutes=1)
    db.session.commit()
    assert jobs.build_exports(now_utc()) == 0  # still its worker's
    assert jobs.build_exports(now_utc() + timedelta(minutes=2)) == 1
    assert len(rows_of(manager.get(f"{asked.headers['Location']}/file").get_data())) == 8


def test_lists_up_to_the_limit_and_csv_come_at_once(manager, event):
    small = ask(manager, event, query="?q=ana")  # three rows: the limit
    assert small.status_code == 200
    assert [row[0] for row in rows_of(small.get_data())] == ["Name", "ana", "Ana", "ANA"]
    whole = ask(manager, event, "csv")
    assert whole.status_code == 200
    rows = list(csv.reader(io.StringIO(whole.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == NAMES
    assert db.session.scalar(sa.select(sa.func.count(ExportJob.id))) == 0


def test_a_prepared_file_is_sealed_at_rest_and_resealed_when_the_keys_rotate(app, manager, event,
                                                                             exports_folder):
    """The file waiting in the instance folder names no one; it opens only whole and unaltered."""
    _page, sent = built(manager, event)
    (path,) = exports_folder.iterdir()
    stored = path.read_bytes()
    assert stored.startswith(sealing.FILE_MAGIC) and b"Cleo" not in stored and b"Case 3" not in stored
    assert [row[0] for row in rows_of(sent)[1:]] == NAMES  # sent opened

    old = app.extensions[sealing.EXTENSION]
    new = sealing.new_key()
    app.extensions[sealing.EXTENSION] = sealing.Keyring.parse(f"{new},{app.config['DATA_KEYS']}")
    try:
        assert jobs.reseal_files() == 1 and jobs.reseal_files() == 0
        app.extensions[sealing.EXTENSION] = sealing.Keyring.parse(new)  # the old key is gone
        with sealing.keyring().open_file(path) as opened:
            assert opened.read() == sent
        path.write_bytes(path.read_bytes()[:-20])  # cut short
        with pytest.raises(sealing.UnopenableValue), sealing.keyring().open_file(path) as opened:
            opened.read()
    finally:
        app.extensions[sealing.EXTENSION] = old


def test_a_file_of_many_frames_opens_as_written(app, tmp_path):
    data = bytes(range(256)) * (3 * sealing.FRAME // 256) + b"tail"
    with app.app_context():
        ring = sealing.keyring()
        with open(tmp_path / "f", "wb") as out:
            writer = ring.file_writer(out)
            for start in range(0, len(data), 10_000):
                writer.write(data[start:start + 10_000])
            writer.close()
        with ring.open_file(tmp_path / "f") as opened:
            assert opened.read() == data
