"""Settings shared by every environment. Values that differ come from the environment (django-environ).

No secret has a default here: ``local`` and ``test`` supply development values, ``production`` demands them.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY")
# Personal data at rest (portal.security.crypto): Fernet keys for ID numbers and bank accounts, comma-separated, the newest
# first (it encrypts; the others only decrypt, until manage.py rotate_field_keys has re-encrypted every row), and
# the key of the keyed hash that de-duplicates and finds them. From the environment, never the database.
PORTAL_FIELD_KEYS = env.list("PORTAL_FIELD_KEYS")
PORTAL_HMAC_KEY = env("PORTAL_HMAC_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "portal.app_configs.LockoutConfig",  # axes
    "auditlog",
    "django_otp",
    "portal.app_configs.SecondFactorConfig",  # django_otp.plugins.otp_totp
    "django_htmx",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    # the portal
    "portal",
    "positions",
    "referrals",
    "subsidies",
    "bases",
    # above the domain apps: what reads across them
    "rollups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, which also moves sessions signed in under a backend's former path to its present one.
    "portal.web.middleware.AuthenticationMiddleware",
    # Which device verified this session (request.user.otp_device); SecondFactorMiddleware below enforces it.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.web.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Staff who review or pay give a TOTP code before any page, API call or admin page (portal.two_factor.services).
    "portal.web.middleware.SecondFactorMiddleware",
    # Then a person whose password an admin set changes it before anything else (portal.security.passwords).
    "portal.web.middleware.InitialPasswordMiddleware",
    # django-auditlog's, on an actor context that nests (see portal.audit.recording).
    "portal.audit.recording.AuditlogMiddleware",
    "portal.web.middleware.PortalErrorMiddleware",
    # A lost database connection answers 503 「数据库暂时不可用」, not a 500 (handler500 covers the rest).
    "portal.web.middleware.DatabaseUnavailableMiddleware",
    # AxesMiddleware last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
# Django's form renderer, with <select> built in Python (the same HTML; see the class for why).
FORM_RENDERER = "portal.web.widgets.PortalFormRenderer"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "csp.context_processors.nonce",
                "portal.web.context_processors.navigation",
                "portal.web.context_processors.inbox",
            ],
        },
    },
]

#: How the portal uses a database server (PostgreSQL; production's and CI's).
SERVER_DATABASE_OPTIONS = {
    "CONN_MAX_AGE": env.int("DATABASE_CONN_MAX_AGE", default=60),
    "CONN_HEALTH_CHECKS": True,
    # A form's choice field reads its options with .iterator(), on PostgreSQL a server-side cursor: DECLARE ... WITH
    # HOLD, FETCH and CLOSE, three round trips for a few dozen rows (the Annex 3 form has two). The portal streams
    # nothing larger than it holds in memory anyway (exports build their workbook whole).
    "DISABLE_SERVER_SIDE_CURSORS": True,
}
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web process read while the worker writes; a busy timeout instead of "database is locked".
    # Transactions begin IMMEDIATE (take the write lock at BEGIN): a deferred one that reads and then writes cannot
    # wait for the lock (SQLite answers "database is locked" at once, whatever the timeout), which is how two
    # beat tasks starting in the same second on the threaded worker failed.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].update(SERVER_DATABASE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Rate limits (objections) and throttles count per cache: use a shared one (redis://) with several web workers.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "portal.cache.RedisCache"  # the same, one client per pool (see there)
# What the public reads most (publicity and post lists, policy guide) is shared for this many seconds between
# anonymous readers, never past a notice's close (portal.web.public_cache); 0 turns it off.
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=10)

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Refuses an address that failed for many user names, before any password is checked (portal.security.lockout).
    "portal.security.lockout.AddressGuardBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, loading the signed-in user with their district (sessions opened under ModelBackend's
    # own path are moved to it: portal.web.middleware.AuthenticationMiddleware).
    "portal.security.backends.PasswordBackend",
    "portal.security.backends.CreditCodeBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:workspace"
LOGOUT_REDIRECT_URL = "portal:home"

# Sessions: 30 minutes idle, 12 hours in all (portal.web.middleware.SessionLifetimeMiddleware). Stored server-side so
# logout really ends them. A signed-in session's expiry is pushed on when SESSION_REFRESH_SECONDS have passed since
# it was last pushed, not on every request (one write a minute, not one per page): it ends between
# SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after the last request, never later.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Login lockout (django-axes): keyed by user name and address together, so one office behind one
# address does not lock out together and one user is not locked out by a stranger elsewhere.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The user name as typed, cut to the 255 characters axes' tables hold (a longer one is a failed sign-in, not an error).
AXES_USERNAME_CALLABLE = "portal.security.lockout.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# No "AXES: BEGIN version …" line at the start of every process and management command; sign-ins, failures and
# lockouts are still logged.
AXES_VERBOSE = False

# Second factor (django-otp TOTP) for talent centre officers, bureau reviewers and admins (portal.two_factor.services).
# Each wrong code doubles the wait before the next try: FACTOR seconds after the first, 2×, 4×, … (reset on success).
OTP_TOTP_ISSUER = "卓越工程师人才服务平台"
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)
# The admin lists and resets devices but never shows a secret or its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Files WhiteNoise serves at the site's root: /favicon.ico, which browsers ask for whatever a page links.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
# Uploaded attachments live outside the web root and are served only through permission-checked views.
MEDIA_ROOT = env.path("PORTAL_MEDIA_ROOT", default=str(VAR_DIR / "private"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Content Security Policy without 'unsafe-inline': every script and style is a vendored file under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Audit trail (django-auditlog): every create, update and delete of the portal's own models.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "portal.User", "exclude_fields": ["password", "last_login"]},
    "portal.District",
    "portal.Employer",
    # Secrets in the trail: the last four characters only (portal.security.crypto.audit_mask), never the keyed digest.
    {
        "model": "portal.ThirdParty",
        "mask_fields": ["id_number", "bank_account"],
        "mask_callable": "portal.security.crypto.audit_mask",
        "exclude_fields": ["id_number_digest"],
    },
    "portal.SubsidyCap",
    "portal.AnnualTarget",
    "portal.PolicyCategory",
    "portal.Policy",
    "portal.CalendarYear",
    "portal.WorkingDayOverride",
    "bases",
    "positions",
    {
        "model": "referrals.Hire",
        "mask_fields": ["id_number"],
        "mask_callable": "portal.security.crypto.audit_mask",
        "exclude_fields": ["id_number_digest"],
    },
    {
        "model": "referrals.DeclaredPerson",
        "mask_fields": ["id_number"],
        "mask_callable": "portal.security.crypto.audit_mask",
        "exclude_fields": ["id_number_digest"],
    },
    "referrals.Declaration",
    {"model": "referrals.Objection", "mask_fields": ["phone"], "mask_callable": "portal.security.crypto.audit_mask"},
    "referrals.PublicityNotice",
    "referrals.HireReport",
    "referrals.GraduateWindow",
    "referrals.PublicityExemptionRule",
    {
        "model": "subsidies.Claim",
        "mask_fields": ["bank_account", "payee_phone", "employer_phone"],
        "mask_callable": "portal.security.crypto.audit_mask",
    },
    {"model": "subsidies.ClaimItem", "exclude_fields": ["person_digest"]},
    {
        "model": "subsidies.PersonException",
        "mask_fields": ["id_number"],
        "mask_callable": "portal.security.crypto.audit_mask",
        "exclude_fields": ["id_number_digest"],
    },
    "subsidies.ClaimAttachment",
)
AUDITLOG_DISABLE_REMOTE_ADDR = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON only: DRF's browsable pages are a second, English, inaccessible interface beside the portal's own pages;
    # people read the API at /api/docs/ (Swagger UI, offline) and machines get JSON whatever they ask for.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.web.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # "claims": third parties' writes on /api/v1/claims/ per account (subsidies.apis.ClaimWriteThrottle).
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min", "claims": "60/hour"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "卓越工程师人才服务平台 API",
    "DESCRIPTION": "岗位、引进人才、公示与引才补助申报接口。\n\n"
    "**认证**：浏览器内调用使用登录会话（写操作须带 CSRF 令牌）；机器客户端（如荐才机构的业务系统）使用令牌："
    "由系统管理员在管理后台“认证令牌 › 令牌”中为该机构（个人）的账号创建令牌，请求时加请求头 "
    "`Authorization: Token <令牌>`。令牌与账号的权限相同，账号停用后令牌随之失效；令牌泄露时请管理员删除并重新创建。\n\n"
    "**限流**：每个账号每分钟最多600次请求；荐才机构（个人）对引才补助申报的写操作每个账号每小时最多60次，"
    "超出返回429。\n\n"
    "**幂等**：引才补助申报的写操作可带请求头 `Idempotency-Key`，用同一个键重发相同的请求不会重复办理（详见各接口说明）。\n\n"
    '**金额**：以元为单位、保留两位小数的字符串（如 "30000.00"），不使用浮点数。',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: with them each operation's path is a link inside the button that opens the operation, two
    # controls in one that keyboards and screen readers cannot tell apart (axe-core's nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # Several models have a ``status``: one stable enum name per workflow instead of hash-suffixed guesses.
    "ENUM_NAME_OVERRIDES": {
        "PositionStatusEnum": "positions.constants.PositionStatus",
        "HireStatusEnum": "referrals.constants.HireStatus",
        "ObjectionStatusEnum": "referrals.constants.ObjectionStatus",
        "DeclarationStatusEnum": "referrals.constants.DeclarationStatus",
        "ClaimStatusEnum": "subsidies.constants.ClaimStatus",
    },
}

# Celery. The embedded default needs no server: kombu's filesystem transport under var/ (its host named, or kombu
# warns of a missing one at every start).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://localhost//")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # The exchange table, by default ./control of whatever directory the worker started in.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": 5,
        "socket_connect_timeout": 5,
        "visibility_timeout": 3600,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "confirm-closed-publicity": {
        # Publicity closes at midnight; every quarter of an hour also catches up after an outage.
        "task": "referrals.tasks.confirm_closed_publicity",
        "schedule": crontab(minute="*/15"),
    },
    "calendar-check-next-year": {
        # Warn admins in time when next year's holiday arrangement is not yet known.
        "task": "portal.tasks.check_calendar_coverage",
        "schedule": crontab(minute=5, hour=7),
    },
    "send-outbox": {
        # E-mails are kicked after each commit; this sends them anyway when that kick could not reach the broker.
        # A run still queued after a minute is dropped: the next one does the same work.
        "task": "portal.tasks.send_outbox",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    "import-jobs-sweep": {
        # Background imports are kicked after each commit; this runs the ones whose kick never reached a worker
        # and takes over those whose worker was lost (portal.imports.jobs).
        "task": "portal.tasks.sweep_import_jobs",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    "stored-documents-sweep": {
        # Claims' papers and notices are stored by a task kicked after each event's commit; these store the ones
        # whose kick never reached a worker (portal.documents). A download stores a copy still missing after that.
        "task": "subsidies.tasks.sweep_claim_papers",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 540},
    },
    "stored-notices-sweep": {
        "task": "referrals.tasks.sweep_notice_papers",
        "schedule": crontab(minute="3-59/10"),
        "options": {"expires": 540},
    },
    "rollup-closed-periods": {
        # Shortly after each 旬 closes (the 1st, 11th and 21st, Asia/Shanghai); catches up every 旬 it missed.
        "task": "rollups.tasks.rollup_closed_periods",
        "schedule": crontab(minute=10, hour=0, day_of_month="1,11,21"),
    },
    "purge-pending-uploads": {
        # Import previews nobody confirmed hold people's data: gone after a day.
        "task": "portal.tasks.purge_pending_uploads",
        "schedule": crontab(minute=30, hour=3),
    },
    "purge-idempotency-keys": {
        # Stored API replies past their 24 hours (a retried request finds its own expired key without this).
        "task": "portal.tasks.purge_idempotency_keys",
        "schedule": crontab(minute=40, hour=3),
    },
    "anonymise-expired": {
        # Personal data past the retention period an admin sets (portal.retention); a missed day is caught up next.
        "task": "portal.tasks.anonymise_expired",
        "schedule": crontab(minute=45, hour=3),
    },
    "staff-digests": {
        # The staff's daily digest of their waiting work, as the office opens (CELERY_TIMEZONE). The later runs
        # catch up a morning the broker or beat was down; DigestLog keeps it to one digest per person and day.
        "task": "portal.tasks.send_staff_digests",
        "schedule": crontab(minute=0, hour="8-11"),
    },
}

# E-mail: EMAIL_URL (e.g. smtp+tls://user:password@mail.example.gov.cn:587) or DJANGO_EMAIL_BACKEND; by default
# the console. Sent only by the Celery worker (portal.notifications.services), never inside a request.
_email = environ.Env.email_url_config(env.str("EMAIL_URL", default="") or "consolemail://")
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default=_email["EMAIL_BACKEND"])
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="卓越工程师人才服务平台 <noreply@localhost>")
# Links in e-mails are this plus a path, e.g. https://talent.example.gov.cn (no trailing slash).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://localhost:8000")

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"()": "portal.log.RedactingFormatter", "format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "INFO"},
        # runserver's request lines carry query strings (a search for an ID number): through the same formatter.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # WeasyPrint logs each layout step at INFO: a dozen lines per PDF.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
