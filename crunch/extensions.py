"""Flask extensions, created unbound here and bound to the app in create_app."""

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints so that Alembic batch migrations on SQLite can find them again.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
# Text answers compressed (settings COMPRESS_* in crunch/config.py).
compress = Compress()
login_manager = LoginManager()
# Only the login form is limited (see crunch/accounts/views.py, crunch/accounts/login_delay.py). The
# store comes from the config's RATELIMIT_STORAGE_URI (an argument here would win
# over it): memory:// by default, per process; several workers share redis://.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
