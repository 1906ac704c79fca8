"""Production: every secret comes from RSVP_* environment variables.

The app refuses to start without RSVP_SECRET_KEY (see rsvp.create_app).
"""

SECRET_KEY = None
PREFERRED_URL_SCHEME = "https"
SESSION_COOKIE_SECURE = True
