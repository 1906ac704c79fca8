"""Local development: an embedded SQLite database and the local mail catcher."""

SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - development only, never deployed
SESSION_COOKIE_SECURE = False
PUBLIC_BASE_URL = "http://127.0.0.1:5000"
PUBLIC_PAGE_CACHE_SECONDS = 0  # an organiser trying the editor locally sees each change at once
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # a receiver tried on this machine
