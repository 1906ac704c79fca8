"""Safe defaults shared by every environment; environment modules override them."""

from pathlib import Path

SECRET_KEY = None  # set RSVP_SECRET_KEY; production refuses to start without it
#: RSVP_DATA_KEYS: the keys that seal personal data at rest (rsvp.sealing), base64, comma-separated,
#: the sealing key first. Production refuses to start without; development makes
#: instance/data-keys. Keep them apart from the database and its backups.
DATA_KEYS = None
SQLALCHEMY_DATABASE_URI = "sqlite:///rsvp.db"  # relative to the instance folder
#: hide_parameters: database errors in logs never show the values (addresses, names) of a query.
SQLALCHEMY_ENGINE_OPTIONS: dict = {"hide_parameters": True}

# Site identity shown in pages and emails.
SITE_NAME = "RSVP"
SITE_ORGANISATION = "International Service for Human Rights"
SITE_ORGANISATION_ADDRESS = ""
SITE_ORGANISATION_URL = ""
#: The header, buttons and links; a site admin may change it on /manage/site (checked for contrast).
SITE_COLOUR = "#0b4f8a"
PUBLIC_BASE_URL = "http://127.0.0.1:5000"

# Serving.
#: How many reverse proxies stand in front of the app (nginx: 1). The app trusts exactly that many
#: X-Forwarded-For / X-Forwarded-Proto hops and no more: with 0 (serving directly) a client's own
#: X-Forwarded-For is ignored, so it cannot pose as another address to the rate limits.
PROXIES = 0
#: nginx's nchan publisher for this machine only (RSVP_LIVE_PUBLISH_URL, e.g. http://127.0.0.1:8091
#: or unix:/run/nginx-rsvp/push.sock; deploy/nginx/rsvp.conf): the live speakers lists then push
#: each change to their viewers, who poll only every 30 s as a safety net. Empty: no push; the
#: live pages poll every second (rsvp.livepush).
LIVE_PUBLISH_URL = ""

# Sessions and cookies.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = True
PERMANENT_SESSION_LIFETIME = 60 * 60 * 8

# Forms.
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = 60 * 60 * 4
MAX_CONTENT_LENGTH = 10 * 1024 * 1024

# Email.
MAIL_SERVER = "127.0.0.1"
MAIL_PORT = 8025
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_DEFAULT_SENDER = "RSVP <no-reply@localhost>"

# Logs: "text" lines, or "json" (one object per line) for log collectors.
LOG_FORMAT = "text"
#: /healthz reports email as delayed when the oldest due message has waited longer than this.
HEALTHZ_EMAIL_DELAY_SECONDS = 600

# Languages offered by the interface.
BABEL_DEFAULT_LOCALE = "en"
BABEL_DEFAULT_TIMEZONE = "UTC"
LANGUAGES = ["en", "fr", "es", "pt", "ru", "zh", "ar"]
#: Right-to-left languages: their pages get dir="rtl".
RTL_LANGUAGES = ["ar"]
#: The message catalogues (pybabel compiles translations/*/LC_MESSAGES/messages.po to .mo).
BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent.parent / "translations")

# Rate limits: "instance" counts in a small SQLite file in the instance folder that every process of
# the machine shares (rsvp.ratelimits); a redis:// URI when several web servers run.
RATELIMIT_STORAGE_URI = "instance"
RATELIMIT_HEADERS_ENABLED = True

# Events.
#: Public event pages are kept in each web process's memory this long for visitors without a
#: session; an edit shows after at most this many seconds. 0 turns it off.
PUBLIC_PAGE_CACHE_SECONDS = 10
#: Browsers and proxies may keep the feeds (/events.ics, /api/v1/...) this long before asking again;
#: they ask with the ETag they hold, and get a 304 while nothing changed.
FEED_MAX_AGE_SECONDS = 60
DEFAULT_RETENTION_DAYS = 30
EVENTS_PER_PAGE = 20

# The email worker.
MAIL_BATCH_SIZE = 50
MAIL_LEASE_SECONDS = 300
MAIL_TIMEOUT_SECONDS = 30
MAIL_RETRY_BASE_SECONDS = 30
MAIL_RETRY_MAX_SECONDS = 3600
MAIL_MAX_ATTEMPTS = 12
MAIL_WORKER_POLL_SECONDS = 2
#: How much lower the worker's CPU priority is than the web server's (added to its niceness, 0-19):
#: on a machine that also serves pages, a reminder to 20,000 on PostgreSQL (2 cores) left
#: registrations meanwhile at p99 130 ms and 46 of 600 over 100 ms at 0, p99 76 ms and one at 10
#: (bench/RESULTS.md). 0 leaves the priority as it is.
MAIL_WORKER_NICE = 10
MAIL_SUPPRESS_SEND = False

# Registrations
#: Double opt-in: hours a registration waits for its email to be confirmed before it expires.
REGISTRATION_CONFIRM_HOURS = 48
#: Requests per IP for public forms that send email; generous, since a venue's wifi is one IP.
RATELIMIT_PUBLIC_FORMS = "30 per minute"

# Organiser accounts.
AUTH_LOGIN_RATE_LIMIT = "10 per minute"  # per IP address, on the login and password-reset forms
AUTH_MAX_FAILED_LOGINS = 5  # wrong passwords in a row before the address is locked, account or not
AUTH_LOCKOUT_MINUTES = 15  # how long a lock lasts, and how long a count is kept after its last failure
AUTH_RESET_EMAIL_MINUTES = 10  # at most one password-reset email per account in each such period
# Argon2id cost (argon2-cffi's RFC 9106 low-memory profile); stored hashes follow at the next login.
AUTH_ARGON2_TIME_COST = 3
AUTH_ARGON2_MEMORY_KIB = 65536
AUTH_ARGON2_PARALLELISM = 4

# Speakers lists: statements for the interpreters, kept outside the web root.
# Below MAX_CONTENT_LENGTH, so a file too large gets the form's own message.
SPEAKER_STATEMENT_MAX_BYTES = 8 * 1024 * 1024
SPEAKER_STATEMENTS_DIR = ""  # empty: <instance>/speaker-statements
#: Largest video statement accepted. The inscription and the speaker's own page take bodies this
#: large (and 1 MB for the other fields), above MAX_CONTENT_LENGTH; they are copied to disk in chunks.
SPEAKER_VIDEO_MAX_BYTES = 200 * 1024 * 1024

# Exports.
#: Above this many rows an Excel export is built by the worker and offered for download when
#: ready, instead of within the request (a web worker is stopped after 30 s; XLSX takes about
#: 0.3 ms a row). CSV is streamed as it is read and always comes at once.
EXPORT_INLINE_MAX_ROWS = 5000
#: Files built by the worker are deleted this many hours after they are written.
EXPORT_KEEP_HOURS = 24

# Uploads: event images and documents, kept outside the web root and served by the app.
#: Folder for uploaded files; None means "uploads" in the instance folder.
UPLOAD_FOLDER = None
#: Largest document (PDF, DOCX, ODT) an organiser may upload; below MAX_CONTENT_LENGTH.
DOCUMENT_MAX_BYTES = 8 * 1024 * 1024
#: Largest event image (PNG, JPEG, WebP) accepted, before it is re-encoded.
IMAGE_MAX_BYTES = 5 * 1024 * 1024
#: Images wider or taller than this many pixels are scaled down when uploaded.
IMAGE_MAX_SIDE = 1600

# The organisers' API (/api/v1/manage, personal access tokens).
#: Requests each token may make (Flask-Limiter's notation); over it, 429 with Retry-After.
API_RATE_LIMIT = "600 per minute"

# Webhooks (rsvp.webhooks): delivered by the worker, signed the Standard Webhooks way.
#: Seconds the worker waits for a receiver's answer.
WEBHOOK_TIMEOUT_SECONDS = 10
#: Retries wait BASE, 2×BASE, 4×BASE… seconds, at most MAX; a delivery is given up after this many tries.
WEBHOOK_RETRY_BASE_SECONDS = 30
WEBHOOK_RETRY_MAX_SECONDS = 3600
WEBHOOK_MAX_ATTEMPTS = 12
WEBHOOK_BATCH_SIZE = 50
#: Finished deliveries (their bodies may name people) are deleted this many days after the change.
WEBHOOK_KEEP_DAYS = 7
#: Whether the worker may call addresses on this machine or private networks (a tool inside the
#: organisation's own network); off, only public addresses are called.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

# The framed forms (/events/<slug>/embed, /events/<slug>/speakers/embed).
#: The origins (https://www.example.org) whose pages may frame them, a list or a text separated by
#: commas or spaces (RSVP_EMBED_ORIGINS). Empty: no site may; every other page is never framable.
EMBED_ORIGINS: list[str] = []
