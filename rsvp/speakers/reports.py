"""The speaking-time report: time allowed against time used, per speaker and per category, with
what decisions did to each speaker; and as tables to download.

Written by rsvp.exports, so every text cell a spreadsheet would read as a
formula is neutralised there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rsvp.events.models import Event
from rsvp.exports.services import Column, Export
from rsvp.i18n import language_name
from rsvp.speakers import ordering, services
from rsvp.speakers.labels import CATEGORY_SHORT, STATE_LABELS
from rsvp.speakers.models import (
    RecordKind,
    Speaker,
    SpeakerCategory,
    SpeakersList,
    SpeakersRecord,
    SpeakerState,
)
from rsvp.speakers.records import records_of, speakers_by_id
from rsvp.speakers.screens import shown_name, signatory_names
from rsvp.timeutil import to_local


@dataclass
class CategoryTotals:
    category: SpeakerCategory
    delivered: int = 0
    absent: int = 0
    seconds_allowed: int = 0
    seconds_used: int = 0

    @property
    def seconds_over(self) -> int:
        return self.seconds_used - self.seconds_allowed


@dataclass
class Report:
    #: Everyone listed, in list order: time allowed against time used (None if they never spoke).
    speakers: list[Speaker]
    #: Delivered interventions per category, in the order of the floor.
    categories: list[CategoryTotals] = field(default_factory=list)
    #: The list's draws, swaps and substitutions, oldest first.
    records: list[SpeakersRecord] = field(default_factory=list)
    #: Everyone the records name, by id (the withdrawn included).
    people: dict[int, Speaker] = field(default_factory=dict)

    def notes(self, speaker: Speaker, sees_confidential: bool) -> list[str]:
        """What decisions did to this speaker: drawn by lot, swapped, substituted."""
        found = []
        if speaker.video_uploaded_at is not None:
            found.append(_("Statement delivered by video") if speaker.state is SpeakerState.DELIVERED
                         else _("Video statement sent"))
        for record in self.records:
            public = record.public
            if record.kind is RecordKind.DRAW and speaker.id in public["before"]:
                found.append(_("Drawn by lot (seed %(seed)s): place %(before)s → %(after)s",
                               seed=public["seed"],
                               before=public["first_place"] + public["before"].index(speaker.id),
                               after=public["first_place"] + public["after"].index(speaker.id)))
            elif record.kind is RecordKind.SWAP and speaker.id in public["speakers"]:
                other = self.people.get(next(i for i in public["speakers"] if i != speaker.id))
                found.append(_("Swapped places with %(other)s",
                               other=other.delegation if other else _("a withdrawn speaker")))
            elif record.kind is RecordKind.SUBSTITUTION and speaker.id in public["speakers"]:
                if speaker.confidential and not sees_confidential:
                    found.append(_("Speaker substituted, on authorisation"))
                else:
                    found.append(_("Speaker substituted: %(before)s → %(after)s (authorisation: %(note)s)",
                                   before=record.private.get("from", ""), after=record.private.get("to", ""),
                                   note=record.private.get("authorisation", "")))
        return found

    @property
    def seconds_allowed(self) -> int:
        return sum(c.seconds_allowed for c in self.categories)

    @property
    def seconds_used(self) -> int:
        return sum(c.seconds_used for c in self.categories)


def report(speakers_list: SpeakersList) -> Report:
    """Speaking time allowed and used, per speaker and per category (delivered interventions)."""
    lineup = services.lineup(speakers_list)
    totals = {c: CategoryTotals(c) for c in ordering.CATEGORY_RANK}
    for speaker in lineup.order:
        category = totals[speaker.category]
        if speaker.state is SpeakerState.DELIVERED:
            category.delivered += 1
            category.seconds_allowed += speaker.seconds_allowed
            category.seconds_used += speaker.seconds_used or 0
        elif speaker.state is SpeakerState.ABSENT:
            category.absent += 1
    records = records_of(speakers_list)
    people = speakers_by_id({i for r in records
                              for i in r.public.get("before", r.public.get("speakers", []))})
    return Report(lineup.order, [c for c in totals.values() if c.delivered or c.absent], records, people)


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
