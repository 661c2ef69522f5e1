"""Settings shared by every environment. Environment-specific files override them."""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("SOUTIEN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.forms",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_email",
    "soutien.core",
    "soutien.accounts",
    "soutien.directory",
    "soutien.audit",
    "soutien.security",
    "soutien.cases",
    "soutien.meetings",
    "soutien.documents",
    "soutien.evaluation",
    "soutien.content",
    "soutien.selfcheck",
    "soutien.followup",
    "soutien.demo",
    "web",
]

MIDDLEWARE = [
    "soutien.security.middleware.SecurityHeadersMiddleware",  # first: sees every response
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "soutien.audit.middleware.AuditDeniedMiddleware",
    "soutien.core.db_guard.QueryCancelledMiddleware",  # statement_timeout → 503 « réessayez »
    "soutien.security.middleware.SessionPolicyMiddleware",
    "soutien.security.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project templates first: they override Django's form widgets (Bootstrap markup).
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "web.context_processors.site",
                "soutien.evaluation.context_processors.evaluation_access",
            ],
            # French wording filters (date_long, lower_first, avec_article) in every template.
            "builtins": ["web.templatetags.french"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'soutien.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while a request writes; IMMEDIATE avoids
    # "database is locked" upgrades inside select_for_update-style services. A page cache
    # of 64 MiB per connection instead of 2 (docs/performance-sqlite.md: a partner's list
    # at 100,000 cases reads SQLite in half the time).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out attempts
    # ModelBackend whose get_user also reads the memberships (one query per request).
    "soutien.security.backends.ModelBackendWithMemberships",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:my_space"
LOGOUT_REDIRECT_URL = "public:home"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files are private: they are never served under a public URL.
MEDIA_ROOT = VAR_DIR / "private"
MEDIA_URL = "/prive/"  # never routed: private files go through a checked view

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True

# Security (issue 6; see SECURITY.md). Sessions: idle timeout and absolute lifetime.
SOUTIEN_SESSION_IDLE_SECONDS = int(os.environ.get("SOUTIEN_SESSION_IDLE_SECONDS", "1800"))
SOUTIEN_SESSION_MAX_SECONDS = SESSION_COOKIE_AGE
# Reverse proxies we run in front of Django (0: ignore X-Forwarded-For, a client can forge it).
SOUTIEN_TRUSTED_PROXY_COUNT = int(os.environ.get("SOUTIEN_TRUSTED_PROXY_COUNT", "0"))
# Retention (RGPD): audit entries one year (CNIL), closed cases five years.
SOUTIEN_AUDIT_RETENTION_DAYS = int(os.environ.get("SOUTIEN_AUDIT_RETENTION_DAYS", "365"))
SOUTIEN_CASE_RETENTION_DAYS = int(os.environ.get("SOUTIEN_CASE_RETENTION_DAYS", str(5 * 365)))
# Emails the platform sent: kept 30 days (to check they went out), then deleted.
SOUTIEN_OUTBOX_RETENTION_DAYS = int(os.environ.get("SOUTIEN_OUTBOX_RETENTION_DAYS", "30"))

# Who hosts the platform and who the data protection officer is: stated on the legal
# notice and the personal-data page. The defaults are demonstration values; production
# must set them (a deployment check warns otherwise).
SOUTIEN_HOST = {
    "name": os.environ.get("SOUTIEN_HOST_NAME", "Hébergeur de démonstration"),
    "address": os.environ.get("SOUTIEN_HOST_ADDRESS", "1 rue de l'Exemple, 13000 Marseille"),
    "phone": os.environ.get("SOUTIEN_HOST_PHONE", "04 00 00 00 00"),
}
SOUTIEN_DPO = {
    "name": os.environ.get(
        "SOUTIEN_DPO_NAME", "Délégué à la protection des données de la Caf des Bouches-du-Rhône"
    ),
    "email": os.environ.get("SOUTIEN_DPO_EMAIL", "dpo@caf13.demo"),
    "address": os.environ.get(
        "SOUTIEN_DPO_ADDRESS",
        "Caf des Bouches-du-Rhône, délégué à la protection des données, 13000 Marseille",
    ),
}
# Account requests (public form, sends emails): at most 5 per client address per hour.
SOUTIEN_ACCOUNT_REQUEST_RATE = (
    int(os.environ.get("SOUTIEN_ACCOUNT_REQUEST_LIMIT", "5")),
    60 * 60,
)
# Password reset requests (they send an email too): at most 5 per client address per hour.
SOUTIEN_PASSWORD_RESET_RATE = (5, 60 * 60)
# Evaluation exports (CSV, XLSX, PDF, pseudonymised cases): at most 30 per account per hour.
SOUTIEN_EVALUATION_EXPORT_RATE = (
    int(os.environ.get("SOUTIEN_EVALUATION_EXPORT_LIMIT", "30")),
    60 * 60,
)
# Case list exports (CSV, spreadsheet): at most 20 per account per hour.
SOUTIEN_CASE_EXPORT_RATE = (20, 60 * 60)
# Backups (docs/sauvegardes.md): encrypted and authenticated with this key, kept outside
# the archive; former keys (after a rotation) only to read older backups.
SOUTIEN_BACKUP_KEY = os.environ.get("SOUTIEN_BACKUP_KEY", "")
SOUTIEN_BACKUP_OLD_KEYS = env_list("SOUTIEN_BACKUP_OLD_KEYS")
# Login throttling (ASVS 5.0 level 2), counted in the database (shared by every server
# process): 5 failures on one account, from any address, or 20 from one address, on any
# accounts (password spraying), lock for 15 minutes. See soutien/security/axes.py.
AXES_HANDLER = "soutien.security.axes.SoutienAxesHandler"
AXES_FAILURE_LIMIT = 5
SOUTIEN_LOGIN_ADDRESS_FAILURE_LIMIT = 20
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "security/lockout.html"
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (holding the email)
AXES_USERNAME_CALLABLE = "soutien.security.axes.username_from_request"
AXES_CLIENT_IP_CALLABLE = "soutien.core.network.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successful logins go to the audit log
AXES_VERBOSE = False
# Two-factor authentication: TOTP app or a code by email, plus recovery codes. An
# emailed code is valid 10 minutes, once; at most one a minute and 5 per hour per account.
OTP_TOTP_ISSUER = "Soutien"
OTP_EMAIL_TOKEN_VALIDITY = 10 * 60
OTP_EMAIL_COOLDOWN_DURATION = 60
SOUTIEN_TWO_FACTOR_EMAIL_RATE = (5, 60 * 60)
# One cache for every server process: the database (no extra service). Its table is
# created by a migration (soutien/security/migrations/0002_cache_table.py). Rate-limit
# counters do not rely on it: they are rows of security.ThrottleCounter.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "soutien_cache",
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features the site never uses, switched off (Permissions-Policy header).
# Fullscreen stays allowed for the site itself (the browser's PDF viewer presents in it).
SOUTIEN_PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": ["self"],
    "gamepad": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS"),
            # Seconds before a silent mail server is given up on (the outbox retries): far
            # below the 5 minutes an outbox email stays claimed while it is being sent.
            "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Soutien — MSTR <ne-pas-repondre@soutien.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Demo data (fictitious) may only be loaded with DEBUG on; the banner says so.
SOUTIEN_DEMO_PASSWORD = "soutien-demo"  # noqa: S105 - public, documented demo password
# Hour (site time zone) of the daily reminders and digests sent by the task worker.
SOUTIEN_DAILY_RUN_HOUR = int(os.environ.get("SOUTIEN_DAILY_RUN_HOUR", "7"))
# Other daily jobs the task worker runs with the reminders (dotted paths, each `f(now=)`).
SOUTIEN_DAILY_JOBS = [
    "soutien.selfcheck.reminders.send_yearly_reminders",
    # Follow-up questionnaires 6 and 12 months after closure, and their reminders.
    "soutien.followup.jobs.send_followups",
    # Decision letters whose generation failed after the decision (WeasyPrint error).
    "soutien.followup.letters.generate_missing_decision_letters",
]
# What higher packages do at the end of a workflow step (soutien.cases.hooks): plan the
# follow-up questionnaires at closure; generate the decision letter once the decision
# is committed.
SOUTIEN_CASE_HOOKS = {
    "close": ["soutien.followup.services.followups_plan"],
    "decide": ["soutien.followup.letters.decision_letter_schedule"],
}
# Days an account invitation link stays valid (single use).
SOUTIEN_INVITATION_DAYS = int(os.environ.get("SOUTIEN_INVITATION_DAYS", "7"))
# Attachments (issue 4): largest accepted file, checked by content (see soutien/documents).
SOUTIEN_MAX_UPLOAD_BYTES = int(os.environ.get("SOUTIEN_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
# Private files on S3-compatible storage when a bucket is named (local var/private otherwise).
if os.environ.get("SOUTIEN_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["SOUTIEN_S3_BUCKET"],
            "endpoint_url": os.environ.get("SOUTIEN_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("SOUTIEN_S3_REGION") or None,
            "access_key": os.environ.get("SOUTIEN_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("SOUTIEN_S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "location": os.environ.get("SOUTIEN_S3_PREFIX", "prive"),
        },
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
FORM_RENDERER = "web.forms.SoutienFormRenderer"
CSRF_FAILURE_VIEW = "web.views.csrf_failure"
