"""Attendee lists too large to build within a request, built by the worker into a file.

An XLSX file is written whole before its first byte can be sent, at about
0.3 ms a row (bench/export.py): a list of 100,000 takes longer than a web
server's worker may spend on one request. Above EXPORT_INLINE_MAX_ROWS rows
the export view queues a job instead; the worker builds it reading rows in
chunks, each chunk its own short transaction that also records the progress
shown to the organiser. A worker that dies leaves its lease to run out, and
the job is built again from the start (a half-written workbook cannot be
resumed).

Files are kept in <instance>/exports under random names, sealed with the data
key as the database's personal columns are (rsvp.sealing; rsvp keys rotate
re-seals them too); no route serves that folder, only the organiser who asked
is given the file, opened as it is sent. They are deleted
EXPORT_KEEP_HOURS after they were written, and at once when the event's
personal data is purged.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import MultiDict

from rsvp import sealing
from rsvp.events.models import Event
from rsvp.exports import services as exports
from rsvp.exports.models import ExportJob, ExportStatus
from rsvp.extensions import db
from rsvp.registrations.tracking import AttendeeFilter
from rsvp.timeutil import now_utc

log = logging.getLogger(__name__)

#: A building job belongs to its worker this long after its last chunk; then anyone may rebuild it.
LEASE = timedelta(minutes=5)
_UNFINISHED = (ExportStatus.QUEUED, ExportStatus.BUILDING)


class _Withdrawn(Exception):
    """The job is no longer this worker's: deleted by a purge, or taken over after the lease ran out."""


def folder() -> Path:
    return Path(current_app.instance_path) / "exports"


def path_of(stored_as: str) -> Path:
    return folder() / Path(stored_as).name


def built_by_worker(fmt: str, rows: int) -> bool:
    """Whether an export of ``rows`` rows is too slow to build within the request.

    CSV is written as it is read (100,000 rows in about 3 s, bench/export.py), so only XLSX moves.
    """
    return fmt == "xlsx" and rows > current_app.config["EXPORT_INLINE_MAX_ROWS"]


def queue(event: Event, organiser_id: int, fmt: str, selection: AttendeeFilter,
          keys: Iterable[str], with_questions: bool, rows: int, detail: str) -> ExportJob:
    """A job building this attendee list for this organiser; the same one if it is still unfinished."""
    options = {"filter": selection.query_args(), "questions": with_questions,
               "columns": [key for key in keys if key in exports.BASE_COLUMNS]}
    for job in db.session.scalars(sa.select(ExportJob).where(
            ExportJob.event_id == event.id, ExportJob.organiser_id == organiser_id,
            ExportJob.format == fmt, ExportJob.status.in_(_UNFINISHED))):
        if job.options == options:
            return job  # asked twice (the form sent again, the back button): one file
    job = ExportJob(event_id=event.id, organiser_id=organiser_id, format=fmt, options=options,
                    detail=detail, rows_total=rows)
    db.session.add(job)
    db.session.flush()
    return job


def job_of(event: Event, organiser_id: int, public_id: str) -> ExportJob | None:
    """The job, if this organiser asked for it on this event: nobody else's file is anyone's business."""
    return db.session.scalar(sa.select(ExportJob).where(
        ExportJob.public_id == public_id, ExportJob.event_id == event.id,
        ExportJob.organiser_id == organiser_id))


def jobs_of(event: Event, organiser_id: int) -> list[ExportJob]:
    """This organiser's files for this event, newest first."""
    return list(db.session.scalars(sa.select(ExportJob).where(
        ExportJob.event_id == event.id, ExportJob.organiser_id == organiser_id)
        .order_by(ExportJob.id.desc())))


def file_of(job: ExportJob) -> Path | None:
    """The job's file, if it is ready and still there."""
    if job.status is not ExportStatus.READY or not job.stored_as:
        return None
    path = path_of(job.stored_as)
    return path if path.is_file() else None


def reseal_files() -> int:
    """Seal again under the first key every prepared file sealed under an older one; how many."""
    ring = sealing.keyring()
    resealed = 0
    if not folder().is_dir():
        return 0
    for path in folder().iterdir():
        if path.name.startswith(".") or ring.file_key(path) == ring.active:
            continue
        partial = path.with_name(f".{path.name}.part")
        try:
            with ring.open_file(path) as plain, open(partial, "xb") as out:
                os.chmod(partial, 0o600)
                sealed = ring.file_writer(out)
                shutil.copyfileobj(plain, sealed)
                sealed.close()
            os.replace(partial, path)
            resealed += 1
        finally:
            partial.unlink(missing_ok=True)
    return resealed


def delete_export_files(event_id: int) -> None:
    """Delete the event's prepared files now and forget their jobs (its personal data is purged).

    The files go at once, whatever becomes of the caller's transaction: a copy of a list
    lost early is asked for again, one kept too long is a leak.
    """
    for stored_as in db.session.scalars(sa.select(ExportJob.stored_as).where(
            ExportJob.event_id == event_id)):
        if stored_as:
            path_of(stored_as).unlink(missing_ok=True)
    db.session.execute(sa.delete(ExportJob).where(ExportJob.event_id == event_id)
                       .execution_options(synchronize_session=False))


def remove_expired(now: datetime) -> int:
    """Delete files and jobs past their time, and any file in the folder as old (a deleted event's,
    a build interrupted by a crash); returns the jobs removed."""
    expired = db.session.execute(sa.select(ExportJob.id, ExportJob.stored_as).where(
        ExportJob.expires_at <= now)).all()
    for _id, stored_as in expired:
        if stored_as:
            path_of(stored_as).unlink(missing_ok=True)
    if expired:
        db.session.execute(sa.delete(ExportJob).where(ExportJob.id.in_([i for i, _s in expired]))
                           .execution_options(synchronize_session=False))
    oldest = (now - timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"])).timestamp()
    if folder().is_dir():
        for path in folder().iterdir():
            if path.is_file() and path.stat().st_mtime < oldest:
                path.unlink(missing_ok=True)
    return len(expired)


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(ExportJob.status == ExportStatus.QUEUED,
                  sa.and_(ExportJob.status == ExportStatus.BUILDING, ExportJob.lease_expires_at < now))


def _claim(now: datetime) -> tuple[int, str] | None:
    """Take the oldest due job for this worker and commit the claim."""
    candidate = db.session.scalar(sa.select(ExportJob.id).where(_due(now)).order_by(ExportJob.id).limit(1))
    db.session.commit()  # end the read: on SQLite a write must not upgrade a stale read transaction
    if candidate is None:
        return None
    token = secrets.token_hex(16)
    claimed: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(ExportJob).where(ExportJob.id == candidate, _due(now))
        .values(status=ExportStatus.BUILDING, claim=token, lease_expires_at=now_utc() + LEASE,
                rows_done=0)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return (candidate, token) if claimed.rowcount == 1 else None  # another worker was first


def _record(job_id: int, token: str, **values: object) -> None:
    """Write to the job while it is still ours, in a transaction of its own.

    :raises _Withdrawn: the job was deleted or taken over.
    """
    db.session.commit()  # end the chunk's read first (see _claim)
    moved: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(ExportJob).where(ExportJob.id == job_id, ExportJob.claim == token).values(**values)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if moved.rowcount != 1:
        raise _Withdrawn


def _progress(job_id: int, token: str) -> Callable[[int], None]:
    def record(rows: int) -> None:
        _record(job_id, token, rows_done=rows, lease_expires_at=now_utc() + LEASE)
    return record


def _write(export: exports.Export, fmt: str) -> str:
    """Write the file under a new random name; returns the name. Nothing is left if it fails."""
    target = folder()
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored_as = f"{secrets.token_urlsafe(24)}.{fmt}"
    partial = target / f".{stored_as}.part"
    try:
        with open(partial, "xb") as out:
            os.chmod(partial, 0o600)
            sealed = sealing.keyring().file_writer(out)  # sealed at rest, as the database is
            if fmt == "xlsx":
                with tempfile.TemporaryFile() as plain:
                    shutil.copyfileobj(exports.write_xlsx(export, plain), sealed)
            else:
                for chunk in exports.write_csv(export):
                    sealed.write(chunk)
            sealed.close()
        os.replace(partial, target / stored_as)
    finally:
        partial.unlink(missing_ok=True)
    return stored_as


def _build(job_id: int, token: str) -> None:
    job = db.session.get(ExportJob, job_id)
    event = db.session.get(Event, job.event_id) if job else None
    if job is None or event is None:
        raise _Withdrawn
    options, fmt = job.options, job.format
    export = exports.attendee_export(
        event, AttendeeFilter.from_query(MultiDict(options["filter"])), options["columns"],
        options["questions"], between_chunks=_progress(job_id, token))
    db.session.commit()  # the export holds plain values from here: no transaction stays open
    stored_as = _write(export, fmt)
    finished = now_utc()
    try:
        _record(job_id, token, status=ExportStatus.READY, stored_as=stored_as,
                rows_total=ExportJob.rows_done, claim=None, lease_expires_at=None,
                finished_at=finished,
                expires_at=finished + timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"]))
    except _Withdrawn:
        path_of(stored_as).unlink(missing_ok=True)
        raise


def build_exports(now: datetime) -> int:
    """The worker's duty: delete what has expired, then build the oldest due export, if any.

    One job a pass, so email goes out between two large exports. Returns the jobs built.
    """
    remove_expired(now)
    db.session.commit()
    claimed = _claim(now)
    if claimed is None:
        return 0
    job_id, token = claimed
    try:
        _build(job_id, token)
    except _Withdrawn:
        db.session.rollback()
        log.info("export job %s withdrawn while it was being built", job_id)
        return 0
    except sa.exc.OperationalError:
        raise  # the database is away: the worker waits, and the lease lets the job be built again
    except Exception as error:  # a broken export must not stop the worker's email
        db.session.rollback()
        log.exception("could not build export job %s", job_id)
        finished = now_utc()
        try:
            _record(job_id, token, status=ExportStatus.FAILED, error=type(error).__name__,
                    claim=None, lease_expires_at=None, finished_at=finished,
                    expires_at=finished + timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"]))
        except _Withdrawn:
            pass
        return 0
    return 1
