"""The test suite: fixed secret, no cookie Secure flag (tests run over http)."""

TESTING = True
SECRET_KEY = "testing-secret"  # noqa: S105 - test only
SESSION_COOKIE_SECURE = False
RATELIMIT_ENABLED = False
PUBLIC_BASE_URL = "http://localhost"
