"""Production: every secret comes from RSVP_* environment variables.

The app refuses to start without RSVP_SECRET_KEY (see rsvp.create_app).
"""

SECRET_KEY = None
#: The site's own address (RSVP_PUBLIC_BASE_URL): the links in every email and the Message-IDs'
#: domain. Production refuses to start without it, rather than email links to 127.0.0.1.
PUBLIC_BASE_URL = None
PREFERRED_URL_SCHEME = "https"
SESSION_COOKIE_SECURE = True
