"""Accord settings: configuration comes from environment variables only.

With nothing set, Accord runs on an embedded SQLite database in ``./var`` with a development
secret key (DEBUG on). In production (``ACCORD_ENV=production`` or DEBUG=false) it refuses to
start with the development secret key.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from accord.lib.env import ConfigError, env, envbool, envfloat, envint, envlist

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env("ACCORD_DATA_DIR", str(Path.cwd() / "var")))

DEV_SECRET_KEY = "accord-development-key-do-not-use-in-production"
SECRET_KEY = env("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = envbool("DEBUG", env("ACCORD_ENV", "development") != "production")
PRODUCTION = not DEBUG
if PRODUCTION and SECRET_KEY == DEV_SECRET_KEY:
    raise ConfigError(
        "SECRET_KEY is the development key; set SECRET_KEY to a long random value in production"
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "accord.accounts",
    "accord.catalogue",
    "accord.agreements",
    "accord.measurement",
    "accord.connectors",
    "accord.escalation",
    "accord.experience",
    "accord.reporting",
    "accord.reviews",
    "accord.planning",
    "accord.web",
    # django-ninja's own static files: the API docs page serves Swagger UI from Accord, not a CDN
    # (after accord.web, whose templates/ninja/swagger.html adds a language and landmarks).
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accord.web.middleware.ViewerTimeZoneMiddleware",  # dates in the viewer's zone (issue 15)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: answers a locked-out sign-in
]

ROOT_URLCONF = "accord.urls"
WSGI_APPLICATION = "accord.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accord.web.context_processors.navigation",
                "accord.web.context_processors.viewer_time_zone",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'accord.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # One writer at a time: wait instead of failing, and take the write lock up front.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif not envbool("ACCORD_PG_JIT", False):
    # PostgreSQL's JIT compiles a report's aggregation for longer than it then saves: 1.5 s
    # of JIT in a 2.4 s monthly report over 175,000 clocks (1.5 s without).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
EMBEDDED = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "UTC")
LANGUAGE_CODE = "en"
USE_I18N = False

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Email: Django's own settings, from the environment.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "accord@localhost")

SESSION_COOKIE_SECURE = PRODUCTION and envbool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Error reports (the development 500 page, e-mails to ADMINS) without the request's data.
DEFAULT_EXCEPTION_REPORTER = "accord.lib.reporting.BodylessExceptionReporter"

# API lists: bounded pages (accord.lib.pagination), so a huge limit or offset is a 422.
NINJA_PAGINATION_CLASS = "accord.lib.pagination.Pagination"
NINJA_PAGINATION_MAX_LIMIT = 1000

# Accord's own knobs.
ACCORD_WORKER_INTERVAL = envint("ACCORD_WORKER_INTERVAL", 5)
# Seconds the dashboard keeps its compliance figures and trend (0: computed on every view).
ACCORD_DASHBOARD_CACHE = envint("ACCORD_DASHBOARD_CACHE", 60)
# The what-if replay shares the tickets among processes from this many tickets on
# (PostgreSQL only).
ACCORD_REPLAY_WORKERS = envint("ACCORD_REPLAY_WORKERS", min(os.cpu_count() or 1, 4), minimum=1)
ACCORD_REPLAY_PARALLEL_FROM = envint("ACCORD_REPLAY_PARALLEL_FROM", 20_000, minimum=0)
ACCORD_EMBEDDED_WORKER = envbool("ACCORD_EMBEDDED_WORKER", EMBEDDED)
# Events stamped up to this many seconds ahead of the server's clock are accepted (their
# clocks are recomputed when that instant comes); further ahead they are refused.
ACCORD_EVENT_MAX_SKEW = envint("ACCORD_EVENT_MAX_SKEW", 300)
# Notification delivery: attempts before a dead letter, exponential backoff base and cap
# (seconds), how long a worker's claim lasts (must exceed the longest channel timeout), batch.
ACCORD_DELIVERY_MAX_ATTEMPTS = envint("ACCORD_DELIVERY_MAX_ATTEMPTS", 10)
ACCORD_DELIVERY_BACKOFF = envint("ACCORD_DELIVERY_BACKOFF", 30)
ACCORD_DELIVERY_BACKOFF_CAP = envint("ACCORD_DELIVERY_BACKOFF_CAP", 3600)
ACCORD_DELIVERY_LEASE = envint("ACCORD_DELIVERY_LEASE", 300)
ACCORD_DELIVERY_BATCH = envint("ACCORD_DELIVERY_BATCH", 20)
# Escalation firing: clocks one worker claims per unit; breach prediction: the probability that
# makes a running clock "at risk", the fewest similar finished clocks to predict from, and how many
# recent finished clocks are read per target.
ACCORD_FIRING_BATCH = envint("ACCORD_FIRING_BATCH", 50)
ACCORD_AT_RISK_PROBABILITY = envfloat("ACCORD_AT_RISK_PROBABILITY", 0.6)
ACCORD_AT_RISK_MIN_SAMPLE = envint("ACCORD_AT_RISK_MIN_SAMPLE", 20)
ACCORD_AT_RISK_HISTORY = envint("ACCORD_AT_RISK_HISTORY", 5000)
# Intake bounds: an event's payload once encoded as JSON (bytes), and any one text in it.
ACCORD_MAX_PAYLOAD_BYTES = envint("ACCORD_MAX_PAYLOAD_BYTES", 64 * 1024, minimum=256)
ACCORD_MAX_TEXT_LENGTH = envint("ACCORD_MAX_TEXT_LENGTH", 16 * 1024, minimum=64)

# /metrics: client addresses (CIDRs, comma-separated) allowed without a token.
ACCORD_METRICS_ALLOW = envlist("ACCORD_METRICS_ALLOW", [])

# Survey links on resolution go through this email channel (name); empty: the first enabled.
ACCORD_SURVEY_CHANNEL = env("ACCORD_SURVEY_CHANNEL", "")

# Sign-in throttling (django-axes): after ACCORD_LOGIN_FAILURE_LIMIT failed web sign-ins an
# account, and separately an address, is locked for ACCORD_LOGIN_COOLOFF_MINUTES; a success
# resets the count. Administrators see and clear lockouts in the admin. API tokens never go
# through a sign-in, so their holders are never locked out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("ACCORD_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envfloat("ACCORD_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False

if EMBEDDED:
    os.makedirs(DATA_DIR, exist_ok=True)
