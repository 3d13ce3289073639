"""Composition root: every setting comes from a ``CITIZENCLOUD_*`` variable, read once here.

Every variable is documented in docs/operations.md. Embedded defaults run on one machine with no
other server; ``CITIZENCLOUD_ENV=production`` refuses the unsafe ones (see ``kernel.config``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from citizencloud.identity import oidc_keys
from citizencloud.kernel import config

env = config.Env(os.environ)

BASE_DIR = Path(__file__).resolve().parent
ENVIRONMENT = env.choice("ENV", ["development", "test", "production"], "development")
DATA_DIR = Path(env.text("DATA_DIR", "var")).resolve()
KEYS_DIR = DATA_DIR / "keys"
config.ensure_directory(DATA_DIR)

# Off by default even in development: people should see the real, localized error pages.
DEBUG = env.flag("DEBUG", False)
SECRET_KEY = env.text("SECRET_KEY", "") or config.development_secret(KEYS_DIR, ENVIRONMENT)
ALLOWED_HOSTS = env.names("ALLOWED_HOSTS", [] if ENVIRONMENT == "production" else ["*"])
CSRF_TRUSTED_ORIGINS = env.names("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "oauth2_provider",
    "citizencloud.kernel",
    "citizencloud.identity",
    "citizencloud.privacy",
    "citizencloud.notifications",
    "citizencloud.org",
    "citizencloud.catalog",
    "citizencloud.applications",
    "citizencloud.payments",
]

MIDDLEWARE = [
    "citizencloud.kernel.middleware.RequestContextMiddleware",
    "citizencloud.kernel.middleware.MetricsMiddleware",
    "citizencloud.kernel.middleware.BodyLimitMiddleware",
    # Outside the other middleware, so their error responses get the problem+json shape too.
    "citizencloud.kernel.middleware.ProblemJsonMiddleware",
    "citizencloud.kernel.middleware.SqliteReadTransactionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "citizencloud.identity.middleware.SessionGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "citizencloud.urls"
WSGI_APPLICATION = "citizencloud.wsgi.application"

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
                "csp.context_processors.nonce",
                "citizencloud.kernel.context_processors.platform",
            ],
        },
    },
]

# --- data -------------------------------------------------------------------------------------
DATABASE_URL = env.text("DATABASE_URL", "") or f"sqlite:///{DATA_DIR / 'citizencloud.sqlite3'}"
_db: dict[str, Any] = dict(dj_database_url.parse(DATABASE_URL, conn_max_age=0))
if _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.number("DB_POOL", 8),
        # Seconds to wait for a connection; readiness answers 503 rather than hang.
        "timeout": env.number("DB_POOL_TIMEOUT", 5),
    }
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # Writers take the lock at BEGIN, so two writers queue instead of deadlocking.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
            # Deleted rows are overwritten, not left in free pages (erasure, docs/privacy.md).
            " PRAGMA secure_delete=ON;"
        ),
    }
    _db["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    # Keep a thread's connection between requests (opening SQLite and running the PRAGMAs on
    # every request costs more than the query).
    _db["CONN_MAX_AGE"] = env.number("SQLITE_CONN_MAX_AGE", 300)
# One transaction per request: DESIGN.md §4 rule 3 (docs/decisions/0002-unit-of-work.md).
_db["ATOMIC_REQUESTS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "identity.User"

REDIS_URL = env.text("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.text("CACHE_PREFIX", "cc"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
WORKER_STALE_AFTER = env.number("WORKER_STALE_AFTER", 30)

# --- identity and sessions -------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_AGE = env.number("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.flag("SECURE_COOKIES", ENVIRONMENT == "production")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "citizencloud.kernel.views.csrf_failure"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

# --- security headers ----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env.number("HSTS_SECONDS", 31536000 if ENVIRONMENT == "production" else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = ENVIRONMENT == "production"
SECURE_SSL_REDIRECT = env.flag("SSL_REDIRECT", False)
if env.flag("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
MAX_BODY_BYTES = env.number("MAX_BODY_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES

# --- i18n ----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

# --- static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
config.ensure_directory(STATIC_ROOT)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- logs and metrics -----------------------------------------------------------------------
LOG_LEVEL = env.text("LOG_LEVEL", "INFO")
LOGGING_CONFIG = None
config.configure_logging(LOG_LEVEL, json=env.flag("LOG_JSON", True))

# --- trust kernel (docs/security.md) --------------------------------------------------------
# Keys come from the environment in production; in development they are generated on first use
# under KEYS_DIR (mode 0600). ``kernel.config`` refuses generated keys in production.
MASTER_KEY = env.text("MASTER_KEY", "")
MASTER_KEYS_PREVIOUS = env.names("MASTER_KEYS_PREVIOUS", [])
BLIND_INDEX_KEY = env.text("BLIND_INDEX_KEY", "")
SIGNING_KEY = env.text("SIGNING_KEY", "")
SIGNING_PUBLIC_KEYS_PREVIOUS = env.names("SIGNING_PUBLIC_KEYS_PREVIOUS", [])
CRYPTO_PROFILE = env.choice("CRYPTO_PROFILE", ["aes-256-gcm", "sm4-gcm"], "aes-256-gcm")
AUDIT_RETENTION_DAYS = env.number("AUDIT_RETENTION_DAYS", 180)
AUDIT_CHECKPOINT_ENTRIES = env.number("AUDIT_CHECKPOINT_ENTRIES", 1000)
AUDIT_CHECKPOINT_SECONDS = env.number("AUDIT_CHECKPOINT_SECONDS", 300)
AUDIT_CHAIN_SECONDS = env.number("AUDIT_CHAIN_SECONDS", 2)
AUDIT_ORIGIN = env.text("AUDIT_ORIGIN", "citizencloud")
IDEMPOTENCY_TTL_SECONDS = env.number("IDEMPOTENCY_TTL_SECONDS", 24 * 3600)
RATELIMIT_ENABLED = env.flag("RATELIMIT_ENABLED", True)

# --- identity (docs/identity.md) ------------------------------------------------------------
SMS_BACKEND = env.text("SMS_BACKEND", "development")
REALNAME_BACKEND = env.text("REALNAME_BACKEND", "development")
IDENTITY_IDLE_SECONDS = env.number("IDLE_SECONDS", 30 * 60)
IDENTITY_CODE_SECONDS = env.number("PHONE_CODE_SECONDS", 10 * 60)
IDENTITY_CODE_RATE = env.text("PHONE_CODE_RATE", "5/h")
IDENTITY_LOCK_AFTER = env.number("LOGIN_FREE_FAILURES", 5)
IDENTITY_LOCK_BASE_SECONDS = env.number("LOGIN_LOCK_BASE_SECONDS", 30)
IDENTITY_HARD_LOCK_AFTER = min(env.number("LOGIN_HARD_LOCK_FAILURES", 100), 100)
IDENTITY_IP_FAILURES = env.number("LOGIN_IP_FAILURES", 100)
IDENTITY_IP_WINDOW_SECONDS = env.number("LOGIN_IP_WINDOW_SECONDS", 15 * 60)
LOGIN_URL = "identity:login"
OIDC_PRIVATE_KEY = oidc_keys.private_key(env.text("OIDC_PRIVATE_KEY", ""), KEYS_DIR, ENVIRONMENT)
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 (a model name)
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105 (a model name)
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105 (a model name)
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": OIDC_PRIVATE_KEY,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": oidc_keys.previous_keys(
        env.names("OIDC_PRIVATE_KEYS_PREVIOUS", [])
    ),
    "OIDC_ISS_ENDPOINT": env.text("OIDC_ISSUER", ""),
    "OIDC_SUBJECT_TYPES_SUPPORTED": ["pairwise"],
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
    ],
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_VALIDATOR_CLASS": "citizencloud.identity.oidc.Validator",
    "SCOPES": {
        "openid": _("Know that it is you (an ID only this app sees)"),
        "profile": _("Your real name and assurance level"),
        "phone": _("Your mobile phone number"),
        "id_number": _("Your ID number"),
    },
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": True,
    "REQUEST_APPROVAL_PROMPT": "force",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.number("OIDC_ACCESS_TOKEN_SECONDS", 600),
    "ID_TOKEN_EXPIRE_SECONDS": env.number("OIDC_ACCESS_TOKEN_SECONDS", 600),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": (
        ["https"] if ENVIRONMENT == "production" else ["https", "http"]
    ),
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

# --- notifications (docs/notifications.md, docs/operations.md "Notifications") ---------------
NOTIFY_SMS_BACKEND = env.text("SMS_BACKEND", "development")  # see notifications/gateways.py
NOTIFY_EMAIL_BACKEND = env.choice("EMAIL_BACKEND", ["development", "http"], "development")
NOTIFY_SMS_URL = env.text("SMS_URL", "http://127.0.0.1:8025")
NOTIFY_EMAIL_URL = env.text("EMAIL_URL", "http://127.0.0.1:8026")
NOTIFY_GATEWAY_KEY = env.text("NOTIFY_GATEWAY_KEY", "dev-gateway-key")
NOTIFY_GATEWAY_TIMEOUT = float(env.text("NOTIFY_GATEWAY_TIMEOUT", "10"))
NOTIFY_CALLBACK_SECRET = env.text("NOTIFY_CALLBACK_SECRET", "dev-callback-secret")
NOTIFY_CALLBACK_BASE_URL = env.text("NOTIFY_CALLBACK_BASE_URL", "http://127.0.0.1:8000")
NOTIFY_MAX_ATTEMPTS = env.number("NOTIFY_MAX_ATTEMPTS", 5)
NOTIFY_RETRY_BASE_SECONDS = float(env.text("NOTIFY_RETRY_BASE_SECONDS", "2"))
NOTIFY_SENDER_PER_MINUTE = env.text("NOTIFY_SENDER_PER_MINUTE", "6000/m")
NOTIFY_SENDER_PER_DAY = env.text("NOTIFY_SENDER_PER_DAY", "1000000/d")
NOTIFY_STREAM_POLL_SECONDS = float(env.text("NOTIFY_STREAM_POLL_SECONDS", "0.25"))

PLATFORM_NAME = env.text("PLATFORM_NAME", "")
# Catalog: seconds a search result page stays cached (0: no cache); any catalog edit expires it.
CATALOG_SEARCH_CACHE_SECONDS = env.number("CATALOG_SEARCH_CACHE_SECONDS", 120)
REPORT_PROBLEM_PHONE = env.text("REPORT_PROBLEM_PHONE", "12345")

config.refuse_unsafe_production(
    environment=ENVIRONMENT,
    debug=DEBUG,
    secret_from_env=bool(env.text("SECRET_KEY", "")),
    allowed_hosts=ALLOWED_HOSTS,
    secure_cookies=SESSION_COOKIE_SECURE,
    keys_dir=KEYS_DIR,
    trust_keys_from_env={
        "MASTER_KEY": bool(MASTER_KEY),
        "BLIND_INDEX_KEY": bool(BLIND_INDEX_KEY),
        "SIGNING_KEY": bool(SIGNING_KEY),
    },
    audit_retention_days=AUDIT_RETENTION_DAYS,
)

SERVE_HOST = env.text("HOST", "127.0.0.1")
SERVE_PORT = env.number("PORT", 8000)
SERVE_WORKERS = env.number("WORKERS", 1)

# --- campaigns (docs/operations.md "Campaigns") -------------------------------------------------
INSTALLED_APPS += ["citizencloud.campaigns"]
CAMPAIGN_PASS_SECONDS = env.number("CAMPAIGN_PASS_SECONDS", 15 * 60)
CAMPAIGN_PASS_LEAD_SECONDS = env.number("CAMPAIGN_PASS_LEAD_SECONDS", 24 * 3600)
CAMPAIGN_EDGE_CONCURRENCY = env.number("CAMPAIGN_EDGE_CONCURRENCY", 2048)
CAMPAIGN_EDGE_RATE = env.number("CAMPAIGN_EDGE_RATE", 40000)
CAMPAIGN_EDGE_BURST = env.number("CAMPAIGN_EDGE_BURST", 0)
CAMPAIGN_BATCH_MS = float(env.text("CAMPAIGN_BATCH_MS", "1"))
CAMPAIGN_BATCH_MAX = env.number("CAMPAIGN_BATCH_MAX", 1024)
CAMPAIGN_CLOSE_GRACE_SECONDS = env.number("CAMPAIGN_CLOSE_GRACE_SECONDS", 10)
# With PostgreSQL and Redis, the entry hot path reserves in Redis (Lua) before the batch COMMIT.
CAMPAIGN_REDIS = env.flag("CAMPAIGN_REDIS", True)
# Entries/s admitted by all edge processes together (a Redis token bucket); 0: per process only.
CAMPAIGN_EDGE_GLOBAL_RATE = env.number("CAMPAIGN_EDGE_GLOBAL_RATE", 0)

# The OIDC signing key is never generated in production (docs/identity.md).
if ENVIRONMENT == "production" and not OIDC_PRIVATE_KEY:
    raise ImproperlyConfigured(
        "CITIZENCLOUD_ENV=production refuses to start: CITIZENCLOUD_OIDC_PRIVATE_KEY is not set"
    )
_NOTIFY_HTTP = NOTIFY_EMAIL_BACKEND == "http" or NOTIFY_SMS_BACKEND.endswith("SettingsHttpSms")
if (ENVIRONMENT == "production" and _NOTIFY_HTTP) and (
    NOTIFY_CALLBACK_SECRET.startswith("dev-") or NOTIFY_GATEWAY_KEY.startswith("dev-")
):
    raise ImproperlyConfigured("Set CITIZENCLOUD_NOTIFY_CALLBACK_SECRET and NOTIFY_GATEWAY_KEY")

# Payments (docs/payments.md, docs/operations.md "Payments").
PAYMENTS_PROVIDER = env.text("PAYMENTS_PROVIDER", "sim")
PAYMENTS_PROVIDER_URL = env.text("PAYMENTS_PROVIDER_URL", "http://127.0.0.1:8030")
PAYMENTS_MERCHANT_ID = env.text("PAYMENTS_MERCHANT_ID", "citizencloud")
PAYMENTS_PROVIDER_SECRET = env.text("PAYMENTS_PROVIDER_SECRET", "dev-pay-secret")
PAYMENTS_PROVIDER_TIMEOUT = env.number("PAYMENTS_PROVIDER_TIMEOUT", 10)
PAYMENTS_PUBLIC_BASE_URL = env.text("PAYMENTS_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
PAYMENTS_ORDER_TTL_SECONDS = env.number("PAYMENTS_ORDER_TTL_SECONDS", 900)
PAYMENTS_QUERY_AFTER_SECONDS = env.number("PAYMENTS_QUERY_AFTER_SECONDS", 120)
PAYMENTS_REFUND_APPROVAL_FEN = env.number("PAYMENTS_REFUND_APPROVAL_FEN", 50000)
PAYMENTS_BILLER_CLOCK_SKEW_SECONDS = env.number("PAYMENTS_BILLER_CLOCK_SKEW_SECONDS", 300)
if ENVIRONMENT == "production" and PAYMENTS_PROVIDER_SECRET.startswith("dev-"):
    raise ImproperlyConfigured("Set CITIZENCLOUD_PAYMENTS_PROVIDER_SECRET")

# Booking (docs/booking.md).
INSTALLED_APPS += ["citizencloud.booking"]
BOOKING_CHECKIN_EARLY_MINUTES = env.number("BOOKING_CHECKIN_EARLY_MINUTES", 60)
BOOKING_CHECKIN_LATE_MINUTES = env.number("BOOKING_CHECKIN_LATE_MINUTES", 15)
BOOKING_REMIND_DAY_HOURS = env.number("BOOKING_REMIND_DAY_HOURS", 24)
BOOKING_REMIND_HOUR_MINUTES = env.number("BOOKING_REMIND_HOUR_MINUTES", 60)
BOOKING_SWEEP_SECONDS = env.number("BOOKING_SWEEP_SECONDS", 60)

# Privacy centre (docs/privacy.md): revocation notices to third parties, the demo bank.
PRIVACY_PUBLIC_BASE_URL = env.text("PRIVACY_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
PRIVACY_NOTICE_RETRY_BASE_SECONDS = float(env.text("PRIVACY_NOTICE_RETRY_BASE_SECONDS", "5"))
PRIVACY_NOTICE_RETRY_CAP_SECONDS = float(env.text("PRIVACY_NOTICE_RETRY_CAP_SECONDS", "3600"))
PRIVACY_NOTICE_TIMEOUT = env.number("PRIVACY_NOTICE_TIMEOUT", 10)
PRIVACY_DEMO_BANK_URL = env.text("PRIVACY_DEMO_BANK_URL", "http://127.0.0.1:8031")
PRIVACY_DEMO_BANK_PUBLIC_KEY = env.text("PRIVACY_DEMO_BANK_PUBLIC_KEY", "")
PRIVACY_CONTROLLER_NAME = env.text("PRIVACY_CONTROLLER_NAME", "天府市民云 (citizencloud demo)")
PRIVACY_CONTROLLER_CONTACT = env.text("PRIVACY_CONTROLLER_CONTACT", "Data protection officer")
PRIVACY_CONTROLLER_ADDRESS = env.text("PRIVACY_CONTROLLER_ADDRESS", "Chengdu, Sichuan, China")
PRIVACY_CONTROLLER_EMAIL = env.text("PRIVACY_CONTROLLER_EMAIL", "privacy@example.org")
PRIVACY_CONTROLLER_PHONE = env.text("PRIVACY_CONTROLLER_PHONE", "12345")

# Exchange with department systems and 查 query (docs/exchange.md, docs/operations.md "Exchange").
INSTALLED_APPS += [
    "citizencloud.exchange",
    "citizencloud.query",
    "citizencloud.wiring.WiringConfig",
]
EXCHANGE_SELF_ID = env.text("EXCHANGE_SELF_ID", "citizencloud")
EXCHANGE_TIMEOUT_SECONDS = float(env.text("EXCHANGE_TIMEOUT_SECONDS", "2.0"))
EXCHANGE_RETRIES = env.number("EXCHANGE_RETRIES", 1)
EXCHANGE_CLOCK_SKEW_SECONDS = env.number("EXCHANGE_CLOCK_SKEW_SECONDS", 300)
EXCHANGE_MAX_RESPONSE_BYTES = env.number("EXCHANGE_MAX_RESPONSE_BYTES", 256 * 1024)
EXCHANGE_BREAKER_FAILURES = env.number("EXCHANGE_BREAKER_FAILURES", 3)
EXCHANGE_BREAKER_OPEN_SECONDS = env.number("EXCHANGE_BREAKER_OPEN_SECONDS", 30)
# Where the demo's department simulator listens and the secret its keys derive from.
EXCHANGE_DEPT_URL = env.text("EXCHANGE_DEPT_URL", "http://127.0.0.1:8040")
EXCHANGE_DEMO_PEER_SECRET = env.text("EXCHANGE_DEMO_PEER_SECRET", "dev-dept-secret")
QUERY_CACHE_SECONDS = env.number("QUERY_CACHE_SECONDS", 60)
# How long 我的 waits for the departments (all retries included) before showing stale copies.
QUERY_FETCH_SECONDS = float(env.text("QUERY_FETCH_SECONDS", "1.5"))
if EXCHANGE_TIMEOUT_SECONDS > 2.0 or EXCHANGE_TIMEOUT_SECONDS <= 0:
    raise ImproperlyConfigured("CITIZENCLOUD_EXCHANGE_TIMEOUT_SECONDS must be in (0, 2]")
