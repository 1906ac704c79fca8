"""Flask extensions, created unbound; create_app() initialises them (no app import here)."""

from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate

from rsvp.csrf import CSRFProtect
from rsvp.db import Base, Session, SQLAlchemy
from rsvp.i18n import Babel
from rsvp.ratelimits import Limiter

db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
mail = Mail()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()  # configured with the organiser loader in rsvp.auth.access
