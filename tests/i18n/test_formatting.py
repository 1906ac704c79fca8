"""Lists, date ranges and instants in all seven languages, as CLDR (through Babel) writes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from rsvp.i18n import isolated_list, list_text
from rsvp.timeutil import format_day_and_span, format_moment, format_span

SEVEN = ["en", "fr", "es", "pt", "ru", "zh", "ar"]

# Written out by hand from CLDR's listPattern "standard" for each language: a change of Babel's
# data, or a return to a hand-written ", ", fails here.
THREE_LANGUAGES = {
    "en": "French, Spanish, and Arabic",
    "fr": "French, Spanish et Arabic",
    "es": "French, Spanish y Arabic",
    "pt": "French, Spanish e Arabic",
    "ru": "French, Spanish и Arabic",
    "zh": "French、Spanish和Arabic",
    "ar": "French وSpanish وArabic",
}
TWO = {"en": "A and B", "fr": "A et B", "es": "A y B", "pt": "A e B", "ru": "A и B", "zh": "A和B",
       "ar": "A وB"}

START = datetime(2026, 12, 6, 13, 0, tzinfo=UTC)  # 14:00 in Geneva (CET)

# CLDR's intervalFormats for hours and minutes: 12-hour clocks where the locale uses one, the
# locale's own dash and spacing (thin spaces in English, an em dash in Russian).
SPANS = {
    "en": "2:00\u2009–\u20093:30\u202fPM CET",
    "fr": "14:00\u2009–\u200915:30 CET",
    "es": "14:00–15:30 CET",
    "pt": "14:00\u2009–\u200915:30 CET",
    "ru": "14:00—15:30 CET",
    "zh": "14:00–15:30 CET",
    "ar": "2:00–3:30 م CET",
}
# CLDR's full date, the time, and the dateTimeFormat that joins them ("{1}, {0}", "{1} {0}", "{1}، {0}").
MOMENTS = {
    "en": "Sunday, December 6, 2026, 2:00\u202fPM CET",
    "fr": "dimanche 6 décembre 2026, 14:00 CET",
    "es": "domingo, 6 de diciembre de 2026, 14:00 CET",
    "pt": "domingo, 6 de dezembro de 2026 14:00 CET",
    "ru": "воскресенье, 6 декабря 2026\u202fг., 14:00 CET",
    "zh": "2026年12月6日星期日 14:00 CET",
    "ar": "الأحد، 6 ديسمبر 2026، 2:00 م CET",
}


@pytest.mark.parametrize("locale", SEVEN)
def test_lists_use_the_languages_own_pattern(app, locale):
    with app.test_request_context(), force_locale(locale):
        assert list_text(["French", "Spanish", "Arabic"]) == THREE_LANGUAGES[locale]
        assert list_text(["A", "B"]) == TWO[locale]
        assert list_text(["A"]) == "A"
        assert list_text([]) == ""


def test_chinese_and_arabic_lists_have_no_latin_comma(app):
    with app.test_request_context():
        with force_locale("zh"):
            assert "、" in list_text(["甲", "乙", "丙"]) and "," not in list_text(["甲", "乙", "丙"])
        with force_locale("ar"):
            text = list_text(["الفرنسية", "الإسبانية", "الروسية"])
            assert text == "الفرنسية والإسبانية والروسية" and "," not in text


@pytest.mark.parametrize("locale", SEVEN)
def test_isolated_list_escapes_and_isolates_each_name(app, locale):
    with app.test_request_context(), force_locale(locale):
        html = isolated_list(["Human Rights Watch", "<b>A & B</b>"])
    expected = TWO[locale].replace("A", "<bdi>Human Rights Watch</bdi>", 1).replace(
        "B", "<bdi>&lt;b&gt;A &amp; B&lt;/b&gt;</bdi>", 1)
    assert str(html) == expected


@pytest.mark.parametrize("locale", SEVEN)
def test_time_span_is_cldrs_interval(app, locale):
    with app.test_request_context(), force_locale(locale):
        assert format_span(START, START + timedelta(minutes=90), "Europe/Zurich") == SPANS[locale]


@pytest.mark.parametrize("locale", SEVEN)
def test_moment_joins_date_and_time_with_the_locales_pattern(app, locale):
    with app.test_request_context(), force_locale(locale):
        assert format_moment(START, "Europe/Zurich") == MOMENTS[locale]


@pytest.mark.parametrize("locale", SEVEN)
def test_day_and_span_is_the_full_date_then_the_interval(app, locale):
    with app.test_request_context(), force_locale(locale):
        text = format_day_and_span(START, START + timedelta(minutes=90), "Europe/Zurich")
    day = MOMENTS[locale].rsplit(" ", 2)[0].removesuffix(",").removesuffix("،")
    assert text.startswith(day) and text.endswith(SPANS[locale])


def test_span_across_midnight_names_both_dates(app):
    with app.test_request_context():
        text = format_span(START, START + timedelta(hours=12), "Europe/Zurich")
        with force_locale("zh"):
            chinese = format_span(START, START + timedelta(hours=12), "Europe/Zurich")
    assert text == "Dec 6, 2026, 2:00\u202fPM\u2009–\u2009Dec 7, 2026, 2:00\u202fAM CET"
    assert chinese == "2026年12月6日 14:00 – 2026年12月7日 02:00 CET"


@pytest.mark.parametrize("code", SEVEN)
def test_clock_and_day_kept_are_what_babel_writes(app, code):
    """The clock and the day are kept per locale once written (a list page writes fifty a page):
    whatever the minute, the zone and the order, each is what Babel writes for that moment."""
    from babel.dates import format_date, format_time

    from rsvp.timeutil import format_clock, format_day, to_local

    moments = [START + timedelta(minutes=17 * step) for step in range(0, 24 * 60 // 17 * 2, 7)]
    with app.test_request_context(), force_locale(code):
        for zone in ("Europe/Zurich", "America/New_York", "Asia/Kolkata"):
            for moment in moments + moments[::-1]:  # written once, then read back from what is kept
                local = to_local(moment, zone)
                assert format_clock(moment, zone) == format_time(local, format="short", locale=code)
                assert format_day(moment, zone) == format_date(local, format="full", locale=code)
