"""Settings for Qinshang, read from environment variables.

Nothing needs to be set for a first run: SQLite in the working directory, DEBUG on. Production sets
DATABASE_URL (PostgreSQL), SECRET_KEY, ALLOWED_HOSTS and DEBUG=0; a missing SECRET_KEY with DEBUG
off fails at start rather than running with a known key.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def envlist(name: str, default: str) -> list[str]:
    return [x.strip() for x in os.environ.get(name, default).split(",") if x.strip()]


def envsecret(name: str, default: str = "") -> str:
    # Secrets may come from a file (Docker/systemd credentials) so they stay out of the environment.
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


DEBUG = envbool("DEBUG", "1")
SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("生产环境必须设置 SECRET_KEY（或 SECRET_KEY_FILE）")
    SECRET_KEY = "dev-only-insecure-key-qinshang"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "scheduling",
    "orgs",
    "idempotency",
    "entities",
    "workcal",
    "demands",
    "routing",
    "demo",
    "web",
    "notifications",
    "reports",
    "exchange",
    "liaisons",
    "visits",
    "escalation",
    "supervision",
    "parkadmin",
    "meetings",
    "ops",
    "projects",
    "experts",
    "profiles",
    "knowledge",
    "policies",
    "matchmaking",
    "accounts",
    "finance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qinshang.limits.InputLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "orgs.middleware.CurrentParkMiddleware",
    "finance.gate.BankGateMiddleware",
    "web.middleware.ServiceErrorPageMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qinshang.urls"
WSGI_APPLICATION = "qinshang.wsgi.application"

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
                "orgs.context_processors.park",
                "web.context_processors.nav",
                "notifications.context_processors.unread",
            ],
            # Dates read the same on every page (year only when not the current one).
            "builtins": ["workcal.templatetags.dates"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a task worker writes; IMMEDIATE avoids
    # "database is locked" on write transactions that start as reads.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        # A memory map lets every connection read pages the OS already holds, instead of each
        # warming its own small page cache: ledger lists read thousands of index entries.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=1073741824;"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
    "DB_PREPARED_STATEMENTS", "1"
):
    # Parameters bound by the server and statements prepared after their fifth use on a
    # connection: the server stops re-parsing and re-planning the same few queries (the token
    # lookup, intake's inserts), about 0.5 ms per intake. Django leaves this off because a
    # transaction-mode pooler (PgBouncer before 1.21) cannot keep prepared statements: set
    # DB_PREPARED_STATEMENTS=0 behind one. Restart web and task processes after a migration that
    # changes or drops a column: a statement prepared before it fails until its connection ends.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )

# PostgreSQL's JIT compiles a query whose estimated cost is high (the 清零 panel's correlated
# subqueries): 6.9 s of compiling for a 0.15 s query at 100,000 demands (bench/city.py,
# docs/benchmarks.md). Short interactive queries never gain from it: off unless DB_JIT=1.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not envbool("DB_JIT", "0"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# Several web processes and task workers on several machines share the one PostgreSQL; behind a
# transaction-mode pooler (PgBouncer) set DB_PREPARED_STATEMENTS=0 and DB_SERVER_SIDE_CURSORS=0
# (a named cursor cannot outlive the transaction the pooler gives it). See README, deploy/.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not envbool(
    "DB_SERVER_SIDE_CURSORS", "1"
):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# A read replica for dashboards and exports (qinshang.replicas): the alias "replica", the same
# options as the primary; tests mirror it onto the test database.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            os.environ["DATABASE_REPLICA_URL"], conn_max_age=envint("DB_CONN_MAX_AGE", 60)
        ),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"].get(
            "DISABLE_SERVER_SIDE_CURSORS", False
        ),
        "TEST": {"MIRROR": "default"},
    }
# Whether marked reads go to the replica: set with the alias, and on its own by the replica
# tests (the alias itself has to exist before the test database is made).
READ_REPLICA = "replica" in DATABASES
DATABASE_ROUTERS = ["qinshang.replicas.ReplicaRouter"]

AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: a locked-out account or address is refused before its password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Locked per account after AXES_FAILURE_LIMIT wrong passwords, and per address after
# AXES_IP_FAILURE_LIMIT (higher: a government office goes out through one address), for
# AXES_COOLOFF_MINUTES; an administrator unlocks earlier from 系统管理 → 登录安全.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_IP_FAILURE_LIMIT = envint("AXES_IP_FAILURE_LIMIT", 20)
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 30))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Behind the TLS proxy every request comes from the proxy: the client is the entry the proxy
# appended to X-Forwarded-For (the right-most of TRUSTED_PROXY_COUNT proxies). Without a proxy
# (0, the default with DEBUG) REMOTE_ADDR is used, so nobody can choose an address by a header.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0 if DEBUG else 1)
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"

# The second factor (TOTP, with static backup codes) is required for these roles and optional
# for every other; OTP_REQUIRED_ROLES="" switches the requirement off (the demo does).
OTP_REQUIRED_ROLES = envlist("OTP_REQUIRED_ROLES", "admin,dispatcher")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "亲商")

# API tokens expire after this many days unless issued with another lifetime.
API_TOKEN_DAYS = envint("API_TOKEN_DAYS", 90)

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Each app vendors its own static files (app/static/app/...); nothing is fetched at run time.
STATICFILES_DIRS: list[Path] = []
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Notices beyond the bell (notifications/channels.py; README "消息发送渠道"). A channel is on
# when its backend is set: "http" / "smtp" / "mp" | "miniapp" for the real thing, "outbox" for
# a JSON-lines file under NOTIFY_OUTBOX_DIR (the demo), empty for off.
NOTIFY_SMS_URL = os.environ.get("NOTIFY_SMS_URL", "")
NOTIFY_SMS_KEY = envsecret("NOTIFY_SMS_KEY")
NOTIFY_SMS_SIGN = os.environ.get("NOTIFY_SMS_SIGN", "亲商")
# A development or demo machine (DEBUG) with nothing configured writes SMS and e-mail to the
# outbox files, so `make demo` shows them without any network.
NOTIFY_SMS_BACKEND = os.environ.get(
    "NOTIFY_SMS_BACKEND", "http" if NOTIFY_SMS_URL else ("outbox" if DEBUG else "")
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "0")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qinshang@localhost")
NOTIFY_EMAIL_BACKEND = os.environ.get(
    "NOTIFY_EMAIL_BACKEND", "smtp" if "EMAIL_HOST" in os.environ else ("outbox" if DEBUG else "")
)
NOTIFY_WECHAT_BACKEND = os.environ.get("NOTIFY_WECHAT_BACKEND", "")
NOTIFY_WECHAT_KIND = os.environ.get("NOTIFY_WECHAT_KIND", "mp")  # mp: 公众号; miniapp: 小程序
NOTIFY_WECHAT_BASE_URL = os.environ.get("NOTIFY_WECHAT_BASE_URL", "https://api.weixin.qq.com")
NOTIFY_WECHAT_APPID = os.environ.get("NOTIFY_WECHAT_APPID", "")
NOTIFY_WECHAT_SECRET = envsecret("NOTIFY_WECHAT_SECRET")
NOTIFY_WECHAT_TEMPLATE_ID = os.environ.get("NOTIFY_WECHAT_TEMPLATE_ID", "")
NOTIFY_WECHAT_PAGE = os.environ.get("NOTIFY_WECHAT_PAGE", "pages/index/index")
NOTIFY_OUTBOX_DIR = Path(os.environ.get("NOTIFY_OUTBOX_DIR", BASE_DIR / "build" / "outbox"))
NOTIFY_HTTP_TIMEOUT = float(os.environ.get("NOTIFY_HTTP_TIMEOUT", "5"))
NOTIFY_MAX_ATTEMPTS = envint("NOTIFY_MAX_ATTEMPTS", 4)
NOTIFY_RETRY_SECONDS = envint("NOTIFY_RETRY_SECONDS", 60)  # doubled after each failed attempt
# Links in e-mail and WeChat messages: the address people open the product at.
SITE_URL = os.environ.get("SITE_URL", "")

# Attachments: what an enterprise or department may upload.
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# A JSON body of the API: a demand with a 20,000-character description is under 100 KB.
API_MAX_BODY_BYTES = envint("API_MAX_BODY_BYTES", 1024 * 1024)
# How long the API keeps the first answer to a POST sent with an Idempotency-Key.
IDEMPOTENCY_KEY_TTL_HOURS = envint("IDEMPOTENCY_KEY_TTL_HOURS", 24)

# Uploaded spreadsheets (ledger, entity and staff imports): qinshang.sheets checks the zip against
# these before openpyxl parses anything, so a small file that inflates to gigabytes is refused
# at once. The ratio follows Apache POI's ZipSecureFile (100:1 for entries over 1 MB).
SHEET_MAX_UNCOMPRESSED_BYTES = envint("SHEET_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
SHEET_MAX_RATIO = envint("SHEET_MAX_RATIO", 100)
SHEET_MAX_ENTRIES = envint("SHEET_MAX_ENTRIES", 1000)
SHEET_MAX_ROWS = envint("SHEET_MAX_ROWS", 100_000)
SHEET_MAX_COLUMNS = envint("SHEET_MAX_COLUMNS", 1000)
SHEET_MAX_CELLS = envint("SHEET_MAX_CELLS", 5_000_000)
# The ledger export answers at once up to this many rows; above it runs as a background job
# (demands.exports) with its progress and a download link.
LEDGER_EXPORT_SYNC_MAX_ROWS = envint("LEDGER_EXPORT_SYNC_MAX_ROWS", 20_000)

# HTTPS: on by default without DEBUG, each switch overridable from the environment. The TLS proxy
# in front says the original scheme in X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER="" when none).
_https = "0" if DEBUG else "1"
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", _https)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", _https)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", _https)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", _https)
_proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "" if DEBUG else "X-Forwarded-Proto")
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
# The health check is asked over plain HTTP by the load balancer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy: scripts and style sheets only from our own files (all vendored), no
# inline script. Style attributes stay allowed (bar widths in the templates are data); a <style>
# element is not. form-action and frame-ancestors keep forms and framing to this site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# A job RUNNING for longer than this was taken by a worker that died: it is queued again
# (scheduling/recovery.py). Longer than the longest job (a park's retraining).
TASK_STALE_MINUTES = envint("TASK_STALE_MINUTES", 60)

# The one scheduler (`manage.py scheduler`) enqueues these; `manage.py db_worker` runs them.
PERIODIC_JOBS = [
    {"name": "scan_deadlines", "task": "notifications.tasks.scan_deadlines", "every_minutes": 60},
    {
        "name": "retry_deliveries",
        "task": "notifications.tasks.retry_deliveries",
        "every_minutes": 10,
    },
    {"name": "scan_escalation", "task": "escalation.tasks.scan_all", "every_minutes": 60},
    {"name": "retrain_routing", "task": "routing.tasks.retrain_all", "weekly": "sun 02:00"},
    {"name": "schedule_meetings", "task": "meetings.tasks.schedule_meetings", "daily_at": "06:30"},
    {"name": "scan_project_slips", "task": "projects.tasks.scan_slips", "every_minutes": 60},
    {"name": "urge_financing", "task": "finance.tasks.urge_overdue", "every_minutes": 60},
    {
        "name": "remind_calendar",
        "task": "parkadmin.tasks.remind_missing_schedule",
        "daily_at": "08:00",
    },
    {
        "name": "requeue_stranded_tasks",
        "task": "scheduling.recovery.requeue_stranded_tasks",
        "every_minutes": 5,
    },
    {
        "name": "scan_unclaimed_policies",
        "task": "policies.tasks.scan_unclaimed",
        "daily_at": "07:30",
    },
    {
        "name": "purge_idempotency_keys",
        "task": "idempotency.tasks.purge_expired",
        "every_minutes": 60,
    },
    {
        "name": "purge_tracking_attempts",
        "task": "demands.tasks.purge_tracking_attempts",
        "daily_at": "03:30",
    },
    {"name": "scan_knowledge", "task": "knowledge.tasks.scan", "every_minutes": 60},
]
# Working hours per park code (workcal.hours): limits in working hours (三方连线, 签收 within N).
WORKCAL_HOURS = {"default": os.environ.get("WORKCAL_HOURS", "9:00-12:00,13:30-17:30")}

# Run by the scheduler itself on every tick (not queued): they watch the workers that drain the queue.
SCHEDULER_WATCHES = ["ops.watch.check_backlog"]
# /healthz answers 503 beyond these (0 switches a check off). The scheduler ticks every 30 s.
HEALTH_MAX_QUEUED = envint("HEALTH_MAX_QUEUED", 500)
HEALTH_MAX_QUEUED_AGE_MINUTES = envint("HEALTH_MAX_QUEUED_AGE_MINUTES", 10)
HEALTH_MAX_TICK_AGE_MINUTES = envint("HEALTH_MAX_TICK_AGE_MINUTES", 5)
# The administrators of every park are told (once per incident) when the oldest queued job has
# waited this long, and again when the queue has recovered.
BACKLOG_ALERT_MINUTES = envint("BACKLOG_ALERT_MINUTES", 15)
