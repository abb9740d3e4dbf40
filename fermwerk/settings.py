"""Settings for fermwerk, read from environment variables (see README, "Production")."""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
TESTING = "pytest" in sys.modules
# HTTPS-only cookies, HSTS and hashed static files: everywhere but a DEBUG run and the test suite.
PRODUCTION = not DEBUG and not TESTING
# Only a DEBUG run or the tests may fall back to a throwaway key; production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "insecure-key-for-debug-and-tests" if not PRODUCTION else ""
)
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set the SECRET_KEY environment variable (or DEBUG=1 for development)."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "pgtrigger",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    "fermwerk",
    "partners",
    "provisions",
    "clients",
    "trajectories",
    "fermwerk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fermwerk.middleware.language_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before the middleware below that answers an HTMX request differently.
    "django_htmx.middleware.HtmxMiddleware",
    "fermwerk.middleware.LoginRequiredMiddleware",
    "fermwerk.middleware.no_store_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "trajectories.access.ReasonMiddleware",
    "fermwerk.middleware.session_timeout_middleware",
    "fermwerk.middleware.two_factor_middleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fermwerk.urls"
WSGI_APPLICATION = "fermwerk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL in production, CI and benchmarks; SQLite when DATABASE_URL is not set.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Another database on the same server: a bulk export's block processes get the worker's.
if os.environ.get("DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["DATABASE_NAME"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # In a file, not in memory, so that those block processes see the test database too.
    DATABASES["default"]["TEST"] = {"NAME": BASE_DIR / "test-db.sqlite3"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partners.User"
# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The NL Design System CSS comes from npm (package.json); only its dist folders are served.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("nlds/utrecht", BASE_DIR / "node_modules/@utrecht/component-library-css/dist"),
    (
        "nlds/theme",
        BASE_DIR / "node_modules/@nl-design-system-unstable/voorbeeld-design-tokens/dist",
    ),
    # The theme's typefaces, served by us: few of our users' computers have them installed.
    ("fonts/noto-sans", BASE_DIR / "node_modules/@fontsource/noto-sans"),
    ("fonts/noto-serif", BASE_DIR / "node_modules/@fontsource/noto-serif"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if not PRODUCTION
            else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        )
    },
}

# Django's built-in Content Security Policy: nothing inline without the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
# A session ends after half an hour without a request, and twelve hours after the login at the
# latest (fermwerk.middleware.session_timeout_middleware); the cookie lasts no longer.
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", str(12 * 60 * 60)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one user name from
# one address, that pair is refused for LOGIN_COOLOFF_MINUTES (counted from the last attempt).
# Per pair: someone guessing elsewhere cannot lock a user out of the computer they work at.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "fermwerk.login.lockout_response"
AXES_CLIENT_IP_CALLABLE = "fermwerk.login.client_ip_address"
# How many proxies in front of the app append to X-Forwarded-For; 0 trusts only REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Two-factor authentication (django-otp, TOTP): required for managers and administrators,
# open to everyone (fermwerk.middleware.two_factor_middleware).
OTP_TOTP_ISSUER = "fermwerk"
# After a wrong code no code is taken for 1, 2, 4, 8 ... seconds (django-otp's default, kept on).
OTP_TOTP_THROTTLE_FACTOR = 1
# The admin's device pages show no secrets: an administrator can remove a lost device, not copy it.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# The rhythm of the cycle, set per region.
# A placement is re-evaluated this many months after it starts and after each re-evaluation.
REEVALUATION_INTERVAL_MONTHS = int(os.environ.get("REEVALUATION_INTERVAL_MONTHS", "6"))
# A proposal that has not started after this many days is stalled and stands out on the caseload.
STALLED_PROPOSAL_DAYS = int(os.environ.get("STALLED_PROPOSAL_DAYS", "14"))
# A re-evaluation may still look back on a placement that ended at most this many days ago.
RECENT_PLACEMENT_DAYS = int(os.environ.get("RECENT_PLACEMENT_DAYS", "90"))
# The caseload marks a provider's answer (accepted, declined) for so many days.
PROVIDER_ANSWER_DAYS = int(os.environ.get("PROVIDER_ANSWER_DAYS", "14"))
# A closed file is kept this many years, then a manager anonymises it. Ten years is the period
# DOMAIN.md names for a social-assistance file (the municipalities' selection list); a region
# sets its own after its archivist's advice, longer where Wmo files weigh in (15 years).
RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", "10"))

# Background work (bulk exports) runs through Django's Tasks framework on the database:
# `manage.py db_worker` takes the tasks (`make run` starts it beside the server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Files the app produces for download (bulk exports), outside the web root; served only
# through views that check who asks.
PRIVATE_FILES_ROOT = Path(os.environ.get("PRIVATE_FILES_ROOT", BASE_DIR / "private"))
# A bulk export is deleted, with its file, this many days after it was built.
BULK_EXPORT_KEEP_DAYS = int(os.environ.get("BULK_EXPORT_KEEP_DAYS", "7"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint tells every step of every PDF at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
