"""The test suite: fixed secret, no cookie Secure flag (tests run over http)."""

TESTING = True
SECRET_KEY = "testing-secret"  # noqa: S105 - test only
DATA_KEYS = "dGVzdGluZyBrZXk6IG5ldmVyIHVzZWQgYW55d2hlcmU="  # 32 bytes; test only
SESSION_COOKIE_SECURE = False
RATELIMIT_ENABLED = False
RATELIMIT_STORAGE_URI = "memory://"  # the tests that turn the limits on count in the test process
PUBLIC_BASE_URL = "http://localhost"
# Cheap password hashing: the tests log in often (every other environment keeps default.py's).
AUTH_ARGON2_TIME_COST = 1
AUTH_ARGON2_MEMORY_KIB = 1024
AUTH_ARGON2_PARALLELISM = 1
PUBLIC_PAGE_CACHE_SECONDS = 0  # tests see every change at once; tests/events test the cache itself
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the test receivers listen on 127.0.0.1
