"""Django settings for Kuager.

Configuration comes from the environment, so one installed package serves a
laptop and a server:

- ``KUAGER_HOME``: the data directory (default ``./kuager-data``). It holds the
  SQLite database, the secret key, evidence files, keys and reports.
- ``DATABASE_URL``: a database URL (``sqlite:///path`` or
  ``postgres://user@host:port/name``); when unset, ``$KUAGER_HOME/kuager.sqlite3``.
- ``KUAGER_DEBUG``: ``1`` for Django's debug mode (never in production).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from kuager.paths import kuager_home

HOME = kuager_home()
BASE_DIR = Path(__file__).resolve().parent

_key_file = HOME / "secret_key"
if os.environ.get("KUAGER_SECRET_KEY"):
    SECRET_KEY = os.environ["KUAGER_SECRET_KEY"]
elif _key_file.exists():
    SECRET_KEY = _key_file.read_text(encoding="utf-8").strip()
else:  # before `kuager init`: a per-process key (sessions do not survive restarts)
    SECRET_KEY = secrets.token_urlsafe(50)

DEBUG = os.environ.get("KUAGER_DEBUG") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("KUAGER_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "kuager.records",
    "kuager.audit",
    "kuager.web",
    "kuager.accounts",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kuager.accounts.middleware.UploadLimitMiddleware",  # 413 before reading a body over KUAGER_MAX_UPLOAD_BYTES
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kuager.accounts.middleware.TwoFactorMiddleware",  # editors and admins: a TOTP code after the password
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kuager.web.redirects.MergedVictimRedirectMiddleware",  # merged-away victim ids: 301 to the victim holding them
]

ROOT_URLCONF = "kuager.web.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

WSGI_APPLICATION = "kuager.wsgi.application"

_default_db = f"sqlite:///{HOME / 'kuager.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_db, conn_max_age=0),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once; WAL is switched on at connect.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("kk", "Қазақша"),
    ("ru", "Русский"),
    ("zh-hans", "中文"),
    ("ug", "ئۇيغۇرچە"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
MEDIA_ROOT = HOME / "files"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# Accounts and sessions (issue 6). Logins are throttled from the audit log's failed attempts.
AUTHENTICATION_BACKENDS = ["kuager.audit.backends.ThrottledModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 8 * 3600  # a working day; then log in again
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
#: ``KUAGER_HTTPS=1`` when Kuager is served over HTTPS (always, outside a laptop): secure cookies, HSTS,
#: redirect to HTTPS. ``KUAGER_PROXY_SSL=1`` when a reverse proxy terminates TLS and sets X-Forwarded-Proto.
if os.environ.get("KUAGER_HTTPS") == "1":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    if os.environ.get("KUAGER_PROXY_SSL") == "1":
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Uploads are held in memory only, never in a temporary file in clear (kuager.accounts.uploads).
FILE_UPLOAD_HANDLERS = ["kuager.accounts.uploads.MemoryUploadHandler"]
KUAGER_MAX_UPLOAD_BYTES = int(os.environ.get("KUAGER_MAX_UPLOAD_MB", "128")) * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Web application (issue 5): login pages and where they lead.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "public_home"

# JSON API (issue 5, kuager.web.api): tokens (kuager user token USERNAME) or the session; JSON only.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kuager.accounts.api_auth.HashedTokenAuthentication",  # hashed, expiring tokens; failures throttled
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle",
                                 "rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("KUAGER_API_RATE", "2000/hour"), "anon": "60/minute"},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kuager API",
    "DESCRIPTION": "Victims, testimonies, names, review decisions and counts, with the web pages' role rules.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # descriptions come from docstrings: their Sphinx markup (:func:`...`) is dropped for the API's readers
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "kuager.web.api.clean_schema_texts"],
}
