"""The country list: ISO 3166-1's countries only, named and sorted as the reader's language does."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from rsvp.i18n import country_choices, country_name, icu

SEVEN = ["en", "fr", "es", "pt", "ru", "zh", "ar"]
NOT_COUNTRIES = {"IC", "EA", "DG", "CP", "AC", "TA", "CQ", "EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ"}


def names(app, locale: str) -> list[str]:
    with app.test_request_context(), force_locale(locale):
        return [name for _, name in country_choices()]


@pytest.mark.parametrize("locale", SEVEN)
def test_only_iso_3166_countries_in_every_language(app, locale):
    with app.test_request_context(), force_locale(locale):
        codes = [code for code, _ in country_choices()]
    assert len(codes) == len(set(codes)) == 249  # ISO 3166-1's officially assigned codes
    assert not NOT_COUNTRIES & set(codes)
    assert {"CH", "KE", "PS", "TW", "CI", "TR", "AX", "CN"} <= set(codes)


def test_english_order_is_the_unicode_collation_algorithms(app):
    english = names(app, "en")
    assert english.index("Côte d’Ivoire") < english.index("Czechia")
    assert english.index("Türkiye") < english.index("Tuvalu")
    assert english.index("Åland Islands") < english.index("Albania")
    assert english[-1] == "Zimbabwe"


def test_french_and_spanish_accents_sort_with_their_letter(app):
    french = names(app, "fr")
    assert french.index("Égypte") < french.index("Érythrée") < french.index("Espagne")
    spanish = names(app, "es")
    assert spanish.index("Japón") < spanish.index("Jordania")


@pytest.mark.skipif(icu is None, reason="PyICU is not installed (make test EXTRAS=dev,icu; CI does)")
def test_chinese_is_in_pinyin_order(app):
    chinese = names(app, "zh")
    # 阿富汗 (Āfùhàn) … 巴西 (Bāxī) … 法国 (Fǎguó) … 英国 (Yīngguó) … 中国 (Zhōngguó): not code-point order
    order = [chinese.index(name) for name in ("阿富汗", "巴西", "法国", "英国", "中国")]
    assert order == sorted(order)
    assert sorted(chinese) != chinese


def test_russian_and_arabic_follow_their_alphabets(app):
    russian = names(app, "ru")
    assert russian.index("Австралия") < russian.index("Эстония") < russian.index("Япония")
    arabic = names(app, "ar")
    assert arabic.index("الأردن") < arabic.index("اليابان")


def test_a_code_no_longer_offered_is_still_named(app):
    with app.test_request_context(), force_locale("en"):
        assert country_name("IC") == "Canary Islands"
        assert country_name("QQ") == "QQ"
