"""Privacy tests: the real SMTP server for the emails an erasure sends, an app on its own SQLite
file, and an empty database for the migrations."""

from tests.mail.conftest import smtp  # noqa: F401 - fixture used here
from tests.privacy.test_erased_bytes import file_app  # noqa: F401 - fixture used here
from tests.speakers.test_migration import empty_app  # noqa: F401 - fixture used here
