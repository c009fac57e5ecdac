"""Settings for the clinic app, read from the environment.

Development works out of the box (SQLite, DEBUG on). With DEBUG off, a missing SECRET_KEY or
ALLOWED_HOSTS stops start-up. Every variable is documented in `.env.example` and the README.
"""

from __future__ import annotations

import os
import zoneinfo
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from clinic.cache_config import redis_caches

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds; got {raw!r}.") from None


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    # A fixed key is fine for a developer's machine and nowhere else: DEBUG off refuses it.
    SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    missing = [
        name
        for name, value in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS))
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            f"DEBUG is off, so {' and '.join(missing)} must be set in the environment "
            "(see .env.example). Refusing to start with development defaults."
        )
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY must be at least 50 characters long, and random, when DEBUG is off."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    # Only for its migrations' history: API tokens are knox's (hashed, expiring).
    "rest_framework.authtoken",
    "knox",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "pgtrigger",
    "pghistory",
    # Project apps, in the direction of their dependencies: evidence <- patients <- treatments.
    "evidence",
    "patients",
    "clinic",
    "treatments",
    # make bench's data (`manage.py seed_scale`); nothing imports it.
    "benchmarks",
]

#: The longest address (path and query) the app reads; longer is a 414 in the app's own shape.
URL_MAX_LENGTH = 4096

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "clinic.middleware.AddressLengthMiddleware",
    "clinic.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "clinic.middleware.ApiTrailingSlashMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The roles in TWO_FACTOR_ROLES reach nothing until they have given their second factor.
    "clinic.two_factor.TwoFactorMiddleware",
    "clinic.middleware.IdleTimeoutMiddleware",
    # Writes the access-log row of each request that showed patient data (patients.access_log).
    "patients.access_log.AccessLogMiddleware",
    "clinic.middleware.HistoryContextMiddleware",
    # Patient health information: every view needs a login unless it opts out explicitly.
    "clinic.middleware.PageLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "treatments.context_processors.clinic_limits",
                "clinic.visibility.template_context",
                "clinic.identity.template_context",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# SQLite (a git-ignored file) unless DATABASE_URL is set; production is PostgreSQL.


def database_settings(url: str | None) -> dj_database_url.DBConfig:
    config = dj_database_url.parse(
        url or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
    pool_size = env_int("DB_POOL_MAX_SIZE", 0)
    if pool_size and config["ENGINE"] == "django.db.backends.postgresql":
        # psycopg's pool, one per process: a gunicorn worker with N threads needs N connections
        # (clinic/gunicorn_conf.py sizes it and checks the total against max_connections).
        config["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not as well
        config["OPTIONS"] = {
            "pool": {
                "min_size": min(2, pool_size),
                "max_size": pool_size,
                "timeout": env_int("DB_POOL_TIMEOUT_SECONDS", 10),
            }
        }
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        # IMMEDIATE takes the write lock when a transaction starts, so two writers queue instead
        # of failing half-way with "database is locked"; WAL lets readers go on meanwhile.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASES = {"default": database_settings(os.environ.get("DATABASE_URL"))}

# --- Cache ------------------------------------------------------------------------------------
# API rate limits and each user's permission set count in the cache (login lockouts are rows in
# the database). One process may keep it in memory; several (gunicorn workers, more app
# servers) must share one, or every worker counts on its own: set REDIS_URL.
if os.environ.get("REDIS_URL"):
    CACHES = redis_caches(
        os.environ["REDIS_URL"], timeout_seconds=env_float("REDIS_TIMEOUT_SECONDS", 0.5)
    )
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "clinic.cache"
    # Sessions are read from the shared cache and written through to the database, which stays
    # the record (a cache flush or outage logs nobody out).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Time -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
CLINIC_TIME_ZONE = os.environ.get("CLINIC_TIME_ZONE", "Europe/London")
try:
    zoneinfo.ZoneInfo(CLINIC_TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f"CLINIC_TIME_ZONE {CLINIC_TIME_ZONE!r} is not an IANA time zone such as 'Europe/London'."
    ) from None
TIME_ZONE = CLINIC_TIME_ZONE
USE_I18N = True
USE_TZ = True

# --- Clinical rules ---------------------------------------------------------------------------
#: A contraindication screening stands this many days; after that the patient is screened again.
SCREENING_VALID_DAYS = env_int("SCREENING_VALID_DAYS", 30)

#: Procedure minutes by body area; the practitioner and room are held this long. The patient
#: arrives ANAESTHETIC_LEAD earlier for the anaesthetic cream (see treatments/rules/limits.py).
PROCEDURE_MINUTES = {
    "face": 45,
    "neck": 30,
    "decolletage": 30,
    "scalp": 45,
    "abdomen": 45,
    "thighs": 60,
    "arms": 45,
    "back": 60,
    "other": 45,
}
#: A consultation (a first meeting, no procedure and no anaesthetic cream) holds the
#: dermatologist and a room this long.
CONSULTATION_MINUTES = env_int("CONSULTATION_MINUTES", 30)
#: Availability is searched from this many days before a session's target date to this many after.
BOOKING_WINDOW_BEFORE_DAYS = env_int("BOOKING_WINDOW_BEFORE_DAYS", 3)
BOOKING_WINDOW_AFTER_DAYS = env_int("BOOKING_WINDOW_AFTER_DAYS", 7)
#: Where a phone number typed without a country code is read from (ISO 3166 code).
CLINIC_PHONE_REGION = os.environ.get("CLINIC_PHONE_REGION", "GB")
#: Appointments start on this grid (minutes past the hour).
SLOT_GRID_MINUTES = 15

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
# collectstatic's output (make serve); a throw-away server (.ci/fuzz) puts it elsewhere.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "clinic" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security ----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out users before a password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # With a shared cache, each user's permission set is kept there and dropped the moment it
    # could change (clinic/auth_backends.py); a per-process cache could not be told.
    "clinic.auth_backends.CachedPermissionsBackend"
    if os.environ.get("REDIS_URL")
    else "django.contrib.auth.backends.ModelBackend",
]
#: Failed logins from one address for one username before a lockout, and how long it lasts.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
# Bounded and NUL-free, so a hostile username cannot break the failure record.
AXES_USERNAME_CALLABLE = "clinic.login_protection.attempted_username"
AXES_VERBOSE = False
# 429 with Retry-After on the pages, the admin and the API (JSON in the API's error shape).
AXES_LOCKOUT_CALLABLE = "clinic.login_protection.lockout_response"
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# --- Credentials: API tokens and two-factor sign-in -------------------------------------------
# Tokens are knox's: only a digest is stored, the token is shown once and expires after a
# working day (API_TOKEN_TTL_HOURS); its prefix "mnc_" lets secret scanners recognise a leak.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_float("API_TOKEN_TTL_HOURS", 10)),
    "TOKEN_PREFIX": "mnc_",
    "AUTO_REFRESH": False,
    "USER_SERIALIZER": None,
}
#: The roles that sign in with a second factor (TOTP or a recovery code), on pages, the admin
#: and the API. Comma-separated group names; empty for none.
TWO_FACTOR_ROLES = (
    env_list("TWO_FACTOR_ROLES")
    if "TWO_FACTOR_ROLES" in os.environ
    else ["Dermatologist", "Clinic admin"]
)
OTP_TOTP_ISSUER = "Microneedling clinic"

#: Idle sessions end after this many minutes; every request renews the session.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 15)
# The idle clock is kept by clinic.middleware.IdleTimeoutMiddleware (renewed once a minute, not
# on every request); the cookie itself lasts a working day at most and ends with the browser.
SESSION_COOKIE_AGE = 10 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy: only this server's own scripts, styles, images and connections.
# Styles allow inline attributes because the Django admin sets a few; scripts never do.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (see the README).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS") or [
        f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS if host != "*"
    ]

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated request gets 401 with WWW-Authenticate.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "clinic.api.RoleModelPermissions",
    ],
    "DEFAULT_PAGINATION_CLASS": "clinic.api.Pagination",
    "EXCEPTION_HANDLER": "clinic.api_errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "clinic.api_schema.ClinicAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["clinic.parsers.SafeJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "30/min"),
        "user": os.environ.get("API_THROTTLE_USER", "1200/min"),
        "login": os.environ.get("API_THROTTLE_LOGIN", "10/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Microneedling clinic API",
    "DESCRIPTION": (
        "Patients, concerns, evidence-backed treatment plans and contraindication screening. "
        "Errors share one shape: {detail, code, fields}."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents every error status, in the one error shape, and its links.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "clinic.api_schema.error_responses",
        "clinic.api_schema.clinical_fields_optional",
        "clinic.api_schema.operation_links",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PatientStatusEnum": "patients.models.PatientStatus",
        "ConcernStatusEnum": "patients.models.ConcernStatus",
        "PlanStatusEnum": "treatments.models.PlanStatus",
        "SessionStatusEnum": "treatments.models.SessionStatus",
        "ScreeningResultEnum": "treatments.models.ScreeningResult",
        "RuleSeverityEnum": "evidence.models.RuleSeverity",
        "BodyAreaEnum": "patients.models.BodyArea",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Lockouts and failures are logged; routine resets are not worth a line each.
    "loggers": {"axes": {"level": "WARNING"}},
}
