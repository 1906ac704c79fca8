"""Privacy tests: the real SMTP server for the emails an erasure sends."""

from tests.mail.conftest import smtp  # noqa: F401 - fixture used here
