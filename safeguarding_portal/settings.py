"""Settings for the safeguarding portal: one module, configured only from the environment.

Defaults are for a laptop (SQLite, tasks run in-process, email to the console). Production is switched
on with DJANGO_ENV=production, which refuses to start without a secret key and allowed hosts and turns on
every transport-security setting that `manage.py check --deploy` looks for.
"""

import os
from pathlib import Path

import environ
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
# pytest (8.2+) announces itself in PYTEST_VERSION; tests get fast hashing and no debug toolbar noise.
TESTING = env.bool("PORTAL_TESTING", default="PYTEST_VERSION" in os.environ)

DEBUG = env.bool("DEBUG", default=not PRODUCTION and not TESTING)
if PRODUCTION:
    # No default: a production deployment with a guessable key is worse than one that will not start.
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production-0123456789")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "csp",
    # Single sign-on through the school's Microsoft 365, Google Workspace or OIDC accounts (accounts/sso.py).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.microsoft",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.openid_connect",
    # The shared foundations.
    "safeguarding_portal.core",
    "safeguarding_portal.schools",
    "safeguarding_portal.accounts",
    "safeguarding_portal.audit",
    "safeguarding_portal.outbox",
    "safeguarding_portal.reports",
    "safeguarding_portal.reminders",
    "safeguarding_portal.standards",
    "safeguarding_portal.retention",
    # The domain.
    "incidents",
    "aup",
    "filtering",
    "curriculum",
    "monitoring",
    "duty",
    "sar",
    # The benchmarks (manage.py bench): an app only so its benches plug in like everything else (bench/benches.py).
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "safeguarding_portal.core.middleware.PermissionsPolicyMiddleware",
    # Before anything reads the request: a NUL byte would reach PostgreSQL (sessions, views) as a 500.
    "safeguarding_portal.core.middleware.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "safeguarding_portal.accounts.middleware.SessionKeepAliveMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "safeguarding_portal.accounts.middleware.SchoolContextMiddleware",
    "safeguarding_portal.accounts.middleware.AccessPolicyMiddleware",
    # Last, so that a lockout is answered after everything above has run.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safeguarding_portal.urls"
# Form templates come from the project's templates too (templates/<app>/...), like every other template.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "safeguarding_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "safeguarding_portal.core.context_processors.portal",
            ],
        },
    }
]

# --- Data -------------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: every query here is short, and PostgreSQL's JIT (on by default) kicks in on a plan's
    # estimated cost, not its time. The case-visibility EXISTS is costed per row, so the dashboard's counts
    # crossed jit_above_cost and spent 50-150 ms compiling a query that runs in 3 ms. POSTGRES_JIT=on restores it.
    if not env.bool("POSTGRES_JIT", default=False):
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
    # A fixed test-database name lets a Celery worker started outside pytest reach the same database.
    if env.str("TEST_DATABASE_NAME", default=""):
        DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a task writes; the timeout avoids "database is locked" under load.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env.str("REDIS_URL", default="")
if TESTING and REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    # The suite spread over several processes (pytest-xdist): each takes its own Redis database, as it takes
    # its own test database, so one process's cache.clear() never empties another's.
    _base, _, _db = REDIS_URL.rpartition("/")
    if _base.startswith("redis") and _db.isdigit():
        REDIS_URL = f"{_base}/{int(_db) + 1 + int(os.environ['PYTEST_XDIST_WORKER'][2:])}"

# Redis is a speed-up, never a dependency: a Redis that refuses or hangs costs a request one short wait, after
# which this process serves without a cache for a few seconds (core/cache.py). Everything cached can be
# recomputed from the database.
REDIS_CACHE = {
    "BACKEND": "safeguarding_portal.core.cache.ResilientRedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": "portal",
    "OPTIONS": {
        "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.25),
        "socket_timeout": env.float("REDIS_TIMEOUT", default=0.25),
        "down_seconds": env.float("REDIS_DOWN_SECONDS", default=10),
    },
}
if REDIS_URL:
    CACHES = {"default": REDIS_CACHE}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions live in the database only: one primary-key read per request (README, "Reliability"), and signing in
# or out never depends on Redis. (cached_db would also serve a session Redis kept from before an outage, such as
# one signed out while Redis was away.)
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Storage: uploads and generated PDFs never live only on one web machine --------------------------
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]

_default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if env.str("S3_BUCKET", default=""):
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "region_name": env.str("S3_REGION", default=None),
            "access_key": env.str("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Authentication -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ]
)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after inactivity: every request renews the window.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# Renewed at most once a minute by SessionKeepAliveMiddleware, not written on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "safeguarding_portal.accounts.lockout.axes_username"  # case-insensitive, like sign-in
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Reverse proxies in front of gunicorn, each appending to X-Forwarded-For: the one client IP
# (core/clientip.py) that the audit log, signature evidence, lockouts and rate limits all use.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "safeguarding_portal.core.clientip.client_ip"
RATELIMIT_IP_META_KEY = "safeguarding_portal.core.clientip.client_ip"  # rates: core/ratelimits.py
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)  # off only for load tests from one address
AXES_VERBOSE = False

# Single sign-on (accounts/sso.py): allauth's providers only, never its own accounts. Nobody signs up: a
# provider's sign-in links to an existing account whose verified email is in the school's allowed domains.
SOCIALACCOUNT_ONLY = True
ACCOUNT_ADAPTER = "safeguarding_portal.accounts.sso.PortalAccountAdapter"
SOCIALACCOUNT_ADAPTER = "safeguarding_portal.accounts.sso.PortalSocialAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # the adapter links, with the school's rules, and records it
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False  # the portal never calls the provider's APIs after sign-in
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("SSO_REQUESTS_TIMEOUT", default=5)
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}, "google": {"OAUTH_PKCE_ENABLED": True}}

OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Safeguarding Portal")

# --- Email: never carries sensitive content; sent by tasks -------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A mail server that hangs must not hold a worker for ever: the attempt fails and is retried (outbox/email.py).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Safeguarding Portal <no-reply@portal.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Bounded broker waits: a broker that is down must never hold a web request. The outbox keeps the message.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_RESULT_EXPIRES = 24 * 3600

# --- Locale -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
# Parents' pages and emails only (safeguarding_portal/schools/languages.py activates one per request; there is
# no LocaleMiddleware, so staff pages stay in English). Each language's name is written in that language.
LANGUAGES = [
    ("en-gb", "English"),
    ("cy", "Cymraeg"),
    ("pl", "Polski"),
    ("ro", "Română"),
    ("ur", "اردو"),
    ("pa", "ਪੰਜਾਬੀ"),
    ("ar", "العربية"),
    ("bn", "বাংলা"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Security -----------------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]

# Content-Security-Policy on every page: no inline script without the per-request nonce, nothing external.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOG_LEVEL = env.str("LOG_LEVEL", default="").upper()
# Libraries that narrate their own work at INFO: WeasyPrint's layout steps, fontTools' subsetting, Celery's
# line per task. Quiet unless LOG_LEVEL asks for them, so `make run` prints what a newcomer needs.
CHATTY_LOGGERS = ("weasyprint", "weasyprint.progress", "fontTools", "celery.app.trace", "celery.worker.strategy")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Signing, reset and kept-form links carry their token in the path: never written to a log (core/redact.py).
    "filters": {"redact_tokens": {"()": "safeguarding_portal.core.redact.RedactTokensFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL or "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        **{name: {"level": LOG_LEVEL or "WARNING"} for name in CHATTY_LOGGERS},
    },
}
CSRF_FAILURE_VIEW = "safeguarding_portal.core.errors.csrf_failure"
URGENT_ACK_MINUTES = env.int("URGENT_ACK_MINUTES", default=15)
# Monitoring alerts: a critical one not picked up in this many minutes is paged again (once); repeats of the
# same rule for the same pupil within the fold window are one alert with a count; a webhook's signed
# timestamp may be this many seconds away from the server's clock.
MONITORING_PICKUP_MINUTES = env.int("MONITORING_PICKUP_MINUTES", default=15)
MONITORING_FOLD_MINUTES = env.int("MONITORING_FOLD_MINUTES", default=60)
MONITORING_WEBHOOK_TOLERANCE_SECONDS = env.int("MONITORING_WEBHOOK_TOLERANCE_SECONDS", default=300)
# The domain of the per-school addresses alert emails are forwarded to (its MX points at receive_alerts).
MONITORING_MAIL_DOMAIN = env.str("MONITORING_MAIL_DOMAIN", default="alerts.localhost")
MONITORING_SMTP_HOST = env.str("MONITORING_SMTP_HOST", default="127.0.0.1")
MONITORING_SMTP_PORT = env.int("MONITORING_SMTP_PORT", default=2525)

# --- Agreements (aup) ---
# Staff and governors without a current signature are taken to their agreement first (after the access policy).
MIDDLEWARE.insert(
    MIDDLEWARE.index("safeguarding_portal.accounts.middleware.AccessPolicyMiddleware") + 1,
    "aup.middleware.AgreementGateMiddleware",
)

# --- Filtering ---

# --- Curriculum, training and the policy register ---

# --- The DSL on duty, Operation Encompass and the AI tools register (duty) ---
# Text messages for urgent items (duty/sms.py): "console" logs them; "notify" sends through GOV.UK Notify.
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_SMS_TEMPLATE_ID = env.str("NOTIFY_SMS_TEMPLATE_ID", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="")

# --- Reports and reminders ---
# A governor report "building" with no sign of life for this long was cut off (a killed worker): built again.
REPORT_BUILD_STALE_MINUTES = env.int("REPORT_BUILD_STALE_MINUTES", default=10)
