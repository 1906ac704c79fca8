"""The speaking-time report (live.report) as tables to download: per speaker and per category.

Written by rsvp.exports, so every text cell a spreadsheet would read as a
formula is neutralised there.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from rsvp.events.models import Event
from rsvp.exports.services import Column, Export
from rsvp.i18n import language_name
from rsvp.speakers.labels import CATEGORY_SHORT, STATE_LABELS
from rsvp.speakers.live import Report, shown_name, signatory_names
from rsvp.speakers.models import SpeakerState
from rsvp.timeutil import to_local


def _difference(used: int | None, allowed: int) -> int | None:
    return None if used is None else used - allowed


def by_speaker(report: Report, event: Event, sees_confidential: bool = False) -> Export:
    """One row per speaker listed, in list order: time allowed against time used; a confidential
    speaker's name only when a manager deliberately includes it (``sees_confidential``)."""
    columns = [Column(key, label, personal=key in ("name", "delegation", "decisions")) for key, label in [
        ("order", _l("Order")), ("delegation", _l("Delegation or organisation")), ("name", _l("Speaker")),
        ("category", _l("Category")), ("group_name", _l("On behalf of")),
        ("signatories", _l("Signatories")), ("language", _l("Language")),
        ("state", _l("State")), ("started_at", _l("Spoke at (%(zone)s)", zone=event.timezone)),
        ("seconds_allowed", _l("Seconds allowed")), ("seconds_used", _l("Seconds used")),
        ("difference", _l("Seconds over (+) or under (-)")),
        ("decisions", _l("Draws, swaps and substitutions"))]]
    rows: list[list[Any]] = []
    for number, speaker in enumerate(report.speakers, start=1):
        spoke = speaker.started_at if speaker.state is SpeakerState.DELIVERED else None
        rows.append([
            number, speaker.delegation, shown_name(speaker, sees_confidential),
            str(CATEGORY_SHORT[speaker.category]),
            speaker.group_name or "", "; ".join(signatory_names(speaker)), language_name(speaker.language),
            str(STATE_LABELS[speaker.state]),
            to_local(spoke, event.timezone).replace(tzinfo=None) if spoke else None,
            speaker.seconds_allowed, speaker.seconds_used,
            _difference(speaker.seconds_used, speaker.seconds_allowed),
            "; ".join(report.notes(speaker, sees_confidential))])
    return Export(columns, rows, "speaking-time")


def by_category(report: Report) -> Export:
    """Delivered interventions per category, in the order of the floor, then the total."""
    columns = [Column(key, label, personal=False) for key, label in [
        ("category", _l("Category")), ("delivered", _l("Delivered")), ("absent", _l("Absent")),
        ("seconds_allowed", _l("Seconds allowed")), ("seconds_used", _l("Seconds used")),
        ("difference", _l("Seconds over (+) or under (-)"))]]
    rows: list[list[Any]] = [
        [str(CATEGORY_SHORT[c.category]), c.delivered, c.absent, c.seconds_allowed, c.seconds_used,
         c.seconds_over] for c in report.categories]
    rows.append([str(_l("Total")), sum(c.delivered for c in report.categories),
                 sum(c.absent for c in report.categories), report.seconds_allowed, report.seconds_used,
                 report.seconds_used - report.seconds_allowed])
    return Export(columns, rows, "speaking-time-by-category")
