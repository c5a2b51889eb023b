"""A small, real OpenID Connect provider for the single sign-on tests and the demo (README, "Single sign-on").

django-oauth-toolkit with its OIDC support, its own SQLite file and its own RS256 key, made when it
first starts, both in OIDC_PROVIDER_DIR (tests use a temporary folder: tests/oidc_provider/server.py).
Never for production.
Its cookies have their own names: on 127.0.0.1 cookies are shared across ports, so the portal's would clash.
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Its own folder for the SQLite file and the signing key (the demo keeps them in var/, which git ignores).
STATE = Path(os.environ.get("OIDC_PROVIDER_DIR", HERE.parent.parent / "var" / "oidc-provider"))


def _rsa_key() -> str:
    if os.environ.get("OIDC_RSA_PRIVATE_KEY"):
        return os.environ["OIDC_RSA_PRIVATE_KEY"]
    path = STATE / "key.pem"
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        STATE.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    return path.read_text()


SECRET_KEY = "test-oidc-provider-only-" + "x" * 32
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.oidc_provider.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oauth2_provider",
    "tests.oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(STATE / "provider.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test users only
LOGIN_URL = "/accounts/login/"
SESSION_COOKIE_NAME = "idp_sessionid"
CSRF_COOKIE_NAME = "idp_csrftoken"
USE_TZ = True
TIME_ZONE = "UTC"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _rsa_key(),
    "PKCE_REQUIRED": False,
    "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.validator.Validator",
    "SCOPES": {"openid": "OpenID Connect", "email": "Email address", "profile": "Name"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
