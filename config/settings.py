"""Settings for the follow-up tracker, read from the environment.

Every variable is documented in `.env.example`. The defaults suit `make run` on a laptop: an SQLite
file in the project folder. Production and CI set `DATABASE_URL` to PostgreSQL.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "insecure-development-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin, so that its translation fields show there.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Its templates, for the sitemap (tracker/sitemaps.py).
    "django.contrib.sitemaps",
    # Django's form templates, found by the project's engine (FORM_RENDERER below).
    "django.forms",
    "csp",
    "corsheaders",
    "django_filters",
    "simple_history",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "forum",
    "tracker",
]

MIDDLEWARE = [
    # First, so that it answers the API's preflight requests before anything else answers.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise serves the static files already compressed, and returns before the rest runs.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what every later middleware and view wrote (HTML, JSON, CSV, feeds), for clients that
    # ask: Django's GZipMiddleware, leaving alone the formats compressed already (XLSX, ZIP, PDF). It
    # weakens an ETag (W/"..."), which conditional GET still matches. Against BREACH, Django pads each
    # compressed response with random bytes ("Heal the Breach").
    "tracker.middleware.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tracker.middleware.LanguageFromQueryMiddleware",
    "tracker.middleware.RejectNulCharactersMiddleware",
    # A plain visitor's GET of a kept public page is answered here, once the language is chosen: the
    # rest has nothing to do for such a visitor (tracker.caching.EarlyPages).
    "tracker.caching.EarlyPages",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Forms are rendered by the project's template engine, so that a widget can use a template of the site.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A restarted database costs only the requests made while it was down.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # An unreachable database fails fast (the health check answers 503 within 2 seconds).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # Parameters travel apart from the SQL (server-side binding), so that a statement a connection has
    # run DATABASE_PREPARE_THRESHOLD times (once by default) is prepared when it runs again: PostgreSQL
    # then parses it once per connection (kept for CONN_MAX_AGE), not at every request. A pooler that
    # shares connections between transactions cannot keep prepared statements: `off` sends every
    # statement afresh.
    from config import postgresql

    prepare_threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="1").strip().lower()
    if prepare_threshold != "off" and not prepare_threshold.isdigit():
        raise ImproperlyConfigured(
            f"DATABASE_PREPARE_THRESHOLD must be a number of runs or 'off', not {prepare_threshold!r}."
        )
    DATABASES["default"]["OPTIONS"].update(
        server_side_binding=True,
        cursor_factory=postgresql.Cursor,
        prepare_threshold=None if prepare_threshold == "off" else int(prepare_threshold),
    )
elif "sqlite" in DATABASES["default"]["ENGINE"]:
    # Several writers at once (two reviewers, the server's threads) wait their turn instead of failing
    # with "database is locked": readers never block the writer (WAL), a write transaction takes the
    # lock when it begins rather than half-way (IMMEDIATE), and a waiting writer waits up to 20 s.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same cache, without a new client object on every call (config/redis_cache.py).
    CACHES["default"]["BACKEND"] = "config.redis_cache.RedisCache"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tracker:after_login"
LOGOUT_REDIRECT_URL = "tracker:dashboard"

# Login is protected against guessing: 5 failures lock the username from that address for a while.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "tracker.lockout.axes_username"
# Behind a reverse proxy, the client's address is the last one the proxies added; without one,
# X-Forwarded-For is ignored, since a client could forge it to dodge the lockout.
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Content (the forum's texts, actor names) in each language; the official English is the fallback.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "es", "fr", "pt")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents are never served from here: `tracker.views.documents` serves them, with checks.
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# The largest evidence document accepted, in bytes.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
# Where evidence documents are kept: a local folder (MEDIA_ROOT) by default, which several machines share
# as a network mount; or, with DOCUMENTS_BUCKET set, an S3-compatible object store (django-storages),
# private, reached with the keys below. Either way the site serves them itself, after its checks.
DOCUMENTS_BUCKET = env.str("DOCUMENTS_BUCKET", default="")
if DOCUMENTS_BUCKET:
    DOCUMENT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DOCUMENTS_BUCKET,
            "endpoint_url": env.str("DOCUMENTS_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DOCUMENTS_REGION", default="") or None,
            "access_key": env.str("DOCUMENTS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("DOCUMENTS_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("DOCUMENTS_PREFIX", default=""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    DOCUMENT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DOCUMENT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="followup@localhost")
# The site's public address, for links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Reporting rounds: reminders are sent when a round opens, this many days before its due date, the day
# after it, then weekly while a report is overdue (manage.py send_reminders, run daily).
REMINDER_DAYS_BEFORE = env.list("REMINDER_DAYS_BEFORE", cast=int, default=[14, 3])
# Where vulnerabilities are reported (/.well-known/security.txt): a mailto: or https: address.
SECURITY_CONTACT = env.str("SECURITY_CONTACT", default=f"mailto:{DEFAULT_FROM_EMAIL}")

# Content Security Policy: everything from this site only, no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Production hardening: on whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Logs go to standard output: one JSON object a line in production (for a log collector), plain
# text while developing. Every error, with its traceback, goes through the "django" logger.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

# A filter left open says so, rather than "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("Any")

# How many rows a public list shows per page.
PAGE_SIZE = 25


def _rate(name, default):
    """A request rate in DRF's syntax (`120/min`), or None when the variable says `off`."""
    value = env.str(name, default=default).strip()
    return None if value.lower() == "off" else value


# How often one client may call the API, or fetch a download (anonymous clients by address, signed-in
# users by account), counted in the shared cache: 429 with Retry-After beyond (tracker/throttling.py).
API_THROTTLE_ANON = _rate("API_THROTTLE_ANON", "120/min")
API_THROTTLE_USER = _rate("API_THROTTLE_USER", "600/min")
# Downloads: enough for `frictionless validate` of the data package (about 20 fetches, its foreign
# keys read the referenced tables again), few enough that anonymous clients cannot hold every worker.
DOWNLOAD_THROTTLE_ANON = _rate("DOWNLOAD_THROTTLE_ANON", "30/min")

# Open data. The JSON API is public and read-only, JSON only; a signed-in user is recognised (by the
# session, for its own rate) but sees nothing more. Pagination and filters are set on the views.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # Anonymous clients are counted in front of the page cache (tracker.api.urls), signed-in users here.
    "DEFAULT_THROTTLE_CLASSES": ["tracker.throttling.UserApiRate"],
    # The client's address, behind as many proxies as the login lockout counts.
    "NUM_PROXIES": AXES_IPWARE_PROXY_COUNT or None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Follow-up of the Special Forum on Migration Issues: open data API",
    "DESCRIPTION": (
        "Read-only, public. The recommendations of the OAS Special Forum on Migration Issues "
        "(17 April 2008), the member states and bodies responsible for them, each one's status on the "
        "compliance scale of the Inter-American Commission on Human Rights, every assessment, and the "
        "published implementation actions. Lists are paginated (`page`, `page_size` up to 500) and take "
        "the same filters as the public pages; a filter that cannot be understood gives a 400."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/",
    # The documentation is served from this site's own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online validator badge: it would send the schema's address to a third party.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "defaultModelsExpandDepth": 0},
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "tracker.models.Status",
        "ActorKindEnum": "tracker.models.Actor.Kind",
        "RoleEnum": "tracker.models.Responsibility.Role",
    },
}

# Cross-origin reads of the open data: any site's scripts may GET the API, never with the visitor's
# cookies, and never another method. The pages, downloads and feeds keep the same-origin default.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# A script may read the version of what it fetched, and how long to wait when throttled.
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]

# Staff import statuses and actions from spreadsheets in the admin: all rows or none.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Formula-looking cells are neutralised by the resources themselves (tracker/exports.py), losslessly;
# the package's own escaping drops the "=" and would break the round trip.
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True
