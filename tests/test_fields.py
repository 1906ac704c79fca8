"""rsvp.fields.valid_address: an address accepted, refused and written exactly as email-validator
does, though a plain one is judged without it past its domain's first time."""

from __future__ import annotations

import random

import pytest
from email_validator import EmailNotValidError, validate_email

from rsvp.fields import _domain, valid_address


def email_validators(text: str) -> str | None:
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


ADDRESSES = [
    "ana@example.org", "Ana.Silva+side-event@Example.ORG", "o'brien@example.co.uk",
    "x@example.org", "a.b.c@sub.example.org", "first_last@example.org", "user-1@example.org",
    "!#$%&'*+-/=?^_`{|}~@example.org", "POSTMASTER@example.org", "Abuse@Example.org",
    "hostmaster@example.org", "webmaster@example.org", "noc@example.org",
    ".ana@example.org", "ana.@example.org", "an..a@example.org", "ana@", "@example.org",
    "ana", "ana@@example.org", "ana@exa mple.org", " ana@example.org", "ana@example.org ",
    "ana@example.org\n", "ana@localhost", "ana@example", "ana@example.local", "ana@test.test",
    "ana@example.invalid", "ana@127.0.0.1", "ana@[127.0.0.1]", "ana@-example.org",
    "ana@example-.org", "ana@exa_mple.org", "ana@example..org", "ana@.example.org",
    "ana@example.org.", "ana@EXAMPLE.ORG", "ana@xn--bcher-kva.de", "ana@bücher.de",
    "ana@BÜCHER.de", "añа@example.org", "josé@example.org", "用户@例子.广告", "ана@пример.рф",
    '"quoted"@example.org', '"quoted local"@example.org', "Ana <ana@example.org>",
    "a" * 64 + "@example.org", "a" * 65 + "@example.org",
    "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".org",
    "a@" + ".".join(["b" * 63] * 3) + ".orgs",
    "a" * 60 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + ".org",
    "ana@example.123", "ana@123.example", "ana@e.x", "ana@example.museum", "ana@xn--ls8h.la",
    "ana@sub.-x.org", "ana@" + "b" * 64 + ".org", "ana\u200b@example.org", "ana@exam\u200bple.org",
    "ana@ex\u00e0mple.org", "ana@e\u0301xample.org", "a\u0301na@example.org",
]


@pytest.mark.parametrize("text", ADDRESSES)
def test_the_same_answer_as_email_validator(text: str) -> None:
    assert valid_address(text) == email_validators(text)
    assert valid_address(text) == email_validators(text)  # and again, its domain now kept


def test_many_made_up_addresses_get_the_same_answer() -> None:
    """Random addresses from the characters that matter, under domains seen before and not."""
    pick = random.Random(19)
    local_chars = "aZ9._+-'!#~\"@ (),:;<>[\\]éß\u00a0"
    domains = ["example.org", "Example.ORG", "sub.example.co.uk", "bücher.de", "localhost",
               "exa_mple.org", "example..org", "e.x", "xn--bcher-kva.de", "[192.0.2.1]"]
    for _ in range(3000):
        local = "".join(pick.choice(local_chars) for _ in range(pick.randint(0, 12)))
        text = f"{local}@{pick.choice(domains)}" if pick.random() < 0.9 else local
        assert valid_address(text) == email_validators(text), text


def test_a_domain_is_judged_once() -> None:
    _domain.cache_clear()
    for n in range(5):
        assert valid_address(f"person{n}@once.example.org") == f"person{n}@once.example.org"
    assert _domain.cache_info().misses == 1
