"""Settings shared by every environment. Every value comes from the environment (django-environ) with a safe local default."""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-dev-only-not-secret-salesops")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
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
    "simple_history",
    "django_htmx",
    "django_fsm",
    "salesops.core.apps.LoginGuardConfig",  # django-axes
    "crispy_forms",
    "crispy_bootstrap5",
    # salesops floors (ARCHITECTURE.md): core -> customers, catalog -> contracts -> orders -> aftersales, expenses -> reports -> plans
    # -> market (市场信息: reads customers and catalog only)
    "salesops.core",
    "customers",
    "catalog",
    "contracts",
    "orders",
    "aftersales",
    "expenses",
    "reports",
    "plans",
    "market",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "salesops.core.middleware.DomainErrorMiddleware",
    "salesops.core.middleware.PasswordChangeRequiredMiddleware",
    # axes must be last
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "salesops.urls"
WSGI_APPLICATION = "salesops.wsgi.application"

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
                "salesops.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL + a busy timeout let the web server, the worker and beat share the local SQLite file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
else:
    # Server-side cursors (QuerySet.iterator(): monthly reports, list exports) are always read to the end here, so
    # PostgreSQL should plan them for the whole result, not for the first 10 % of rows (its default for cursors).
    # No JIT compilation: the KPI aggregates and the work queues' counts (correlated subqueries) are estimated above
    # jit_above_cost and spent 20 ms to 3 s compiling for queries that run in 0.05-0.5 s (bench/test_dashboard_bench.py,
    # bench/test_lists_bench.py); nothing here runs long enough to win the compile time back.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c cursor_tuple_fraction=1.0 -c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

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
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 24 * 3600  # a 忘记密码 link works for a day, once (salesops.core.accounts)

# Login throttling (django-axes): 5 failures lock the username+IP pair for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
# Third-party CSS/JS come from npm packages installed at set-up time (package.json); nothing is fetched from a CDN.
STATICFILES_DIRS = [BASE_DIR / "static"] + [
    (prefix, NODE_MODULES / path)
    for prefix, path in [
        ("vendor/bootstrap", "bootstrap/dist"),
        ("vendor/bootstrap-icons", "bootstrap-icons/font"),
        ("vendor/htmx", "htmx.org/dist"),
        ("vendor/chartjs", "chart.js/dist"),
        ("vendor/tom-select", "tom-select/dist"),
    ]
    if (NODE_MODULES / path).exists()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="salesops@localhost")
# A mail server that hangs must not hold an outbox row (and a worker) for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Where the site is reached from outside: links in e-mails are SITE_URL + the page's path.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Outgoing messages (salesops/core/outbox.py): a failed delivery is retried after OUTBOX_RETRY_BASE_SECONDS, doubling each
# time; after OUTBOX_MAX_ATTEMPTS failures the row is dead (kept with its error, "retry now" in admin). The sweeper handles
# at most OUTBOX_SWEEP_BATCH rows a run.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_SWEEP_BATCH = env.int("OUTBOX_SWEEP_BATCH", default=200)
# A report run still queued after this many seconds is published again by the sweep (its task was lost).
REPORT_REQUEUE_SECONDS = env.int("REPORT_REQUEUE_SECONDS", default=300)
# A report run saves its progress at most this often (the run pages poll every 2 s).
REPORT_PROGRESS_SECONDS = env.float("REPORT_PROGRESS_SECONDS", default=1.0)
# 导出 Excel: a list export of more rows than this is written in the background (core.export_runs: queued, progress,
# download when done) — a request may not run longer than the web workers' timeout (gunicorn.conf.py: 30 s), and
# openpyxl writes ~100,000 cells a second. Export runs share the report runs' progress and requeue settings.
EXPORT_DIRECT_ROWS = env.int("EXPORT_DIRECT_ROWS", default=5000)
# An export run's file is deleted this many days after it was written (the run stays, saying so): exports are copies.
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)
# A group robot (salesops/core/webhooks.py) that does not answer within this many seconds counts as a failed attempt.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "salesops.core.api_filters.ListFilterBackend",  # django-filter's, no filter set built when none is asked for
        "salesops.core.api_filters.SearchFieldsFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "salesops.core.pagination.Pagination",  # page_size 1–200, ?cursor= for syncing clients
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "salesops.core.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "salesops.core.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "salesops API",
    "DESCRIPTION": "销售与售后全流程 API / Sales and after-sales procedure API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CustomerTypeEnum": "customers.models.Customer.Type",
        "CustomerGradeEnum": "customers.models.Customer.Grade",
        "CustomerStatusEnum": "customers.models.Customer.Status",
        "CustomerSourceEnum": "customers.models.Customer.Source",
        "QuotationStatusEnum": "contracts.models.Quotation.Status",
        "ContractStatusEnum": "contracts.models.Contract.Status",
        "PaymentTermsEnum": "customers.models.Customer.PaymentTerms",  # customers and the documents copying them
        "AttachmentKindEnum": "salesops.core.models.Attachment.Kind",
        "SalesOrderStatusEnum": "orders.models.SalesOrder.Status",
        "ProductionStatusEnum": "orders.models.SalesOrder.ProductionStatus",
        "ShipmentStatusEnum": "orders.models.Shipment.Status",
        "InvoiceRequestStatusEnum": "orders.models.InvoiceRequest.Status",
        "PaymentStatusEnum": "orders.models.Payment.Status",
        "PaymentKindEnum": "orders.models.Payment.Kind",
        "ReturnKindEnum": "aftersales.models.ReturnRequest.Kind",
        "CorrectiveActionKindEnum": "aftersales.models.CorrectiveAction.Kind",
        "CommunicationKindEnum": "aftersales.models.TicketCommunication.Kind",
        "CallbackStatusEnum": "aftersales.models.Callback.Status",
        "ServiceTicketStatusEnum": "aftersales.models.ServiceTicket.Status",
        "ComplaintStatusEnum": "aftersales.models.Complaint.Status",
        "CorrectiveActionStatusEnum": "aftersales.models.CorrectiveAction.Status",
        "ReturnStatusEnum": "aftersales.models.ReturnRequest.Status",
        "ServicePlanStatusEnum": "aftersales.models.ServicePlan.Status",
        "ServiceChannelEnum": "aftersales.models.Channel",
        "ReportRunKindEnum": "reports.models.ReportRun.Kind",
        "ReportRunStatusEnum": "reports.models.ReportRun.Status",
        "AppraisalRoundStatusEnum": "reports.models.AppraisalRound.Status",
        "AppraisalStatusEnum": "reports.models.Appraisal.Status",
        "AppraisalGradeEnum": "reports.models.Appraisal.Grade",
        "ExpenseClaimStatusEnum": "expenses.models.ExpenseClaim.Status",
        "SalesPlanStatusEnum": "plans.models.SalesPlan.Status",
        "SalesPlanLevelEnum": "plans.rules.Level.choices",
        "MarketInfoStatusEnum": "market.models.MarketInfo.Status",
        "MarketInfoKindEnum": "market.rules.Kind",
        "MarketInfoSourceEnum": "market.rules.Source",
    },
}

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/ (needs no server).
# A request never waits for the broker (ARCHITECTURE.md rule 7): tasks are fire-and-forget (no result is stored or
# awaited unless a task asks with ignore_result=False), connecting and publishing give up quickly, and what could not be
# published is delivered by the outbox sweeper.
CELERY_BROKER_DIR = VAR_DIR / "celery"
BROKER_CONNECT_TIMEOUT = env.float("BROKER_CONNECT_TIMEOUT", default=0.5)
BROKER_SOCKET_TIMEOUT = env.float("BROKER_SOCKET_TIMEOUT", default=2.0)  # > the workers' 1 s BRPOP
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
    "socket_timeout": BROKER_SOCKET_TIMEOUT,
    # a producer's lost connection is made again once, not retried for broker_connection_timeout seconds
    "max_retries": 0,
}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_CONNECT_TIMEOUT
    CELERY_REDIS_SOCKET_TIMEOUT = BROKER_SOCKET_TIMEOUT
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),  # else kombu writes ./control/ in the working directory
        "store_processed": False,
    }
for _sub in ("queue", "processed", "results", "control"):
    (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_CONNECT_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # a worker started before Redis waits for it
# Publishing (beat, any .delay()) retries at most twice within 0.2 s; the outbox publishes without retries.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_BROKER_DIR / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    # every minute: deliver the outgoing messages still pending (published while the broker was down, or due for a retry).
    "core-outbox-sweep": {
        "task": "salesops.core.tasks.sweep_outbox",
        "schedule": crontab(),
        "options": {"expires": 55},  # sweeps piled up while no worker ran are dropped, the next one does the work
    },
    # 08:00 every day: remind reps of intent customers whose next contact is today.
    "customers-intent-followups-due": {
        "task": "customers.tasks.remind_intent_followups_due",
        "schedule": crontab(hour=8, minute=0),
    },
    # 16:00 on Fridays: remind the field sales who have not handed in the week's report (销售周报), before Saturday's meeting.
    "reports-remind-weekly-reports": {
        "task": "reports.tasks.remind_weekly_reports",
        "schedule": crontab(hour=16, minute=0, day_of_week="fri"),
    },
    # 09:00 every day: remind whoever has not confirmed (or objected to) their appraisal within two days, once.
    "reports-remind-appraisals": {
        "task": "reports.tasks.remind_appraisals",
        "schedule": crontab(hour=9, minute=0),
    },
    # 09:10 every day: expense claims past their day to be checked (the clerks, the sales managers) or paid (finance).
    "expenses-remind-waiting-claims": {
        "task": "expenses.tasks.remind_waiting_claims",
        "schedule": crontab(hour=9, minute=10),
    },
    # 09:20 every day: from 下月销售计划提交日 on, ask once for next month's sales plans not handed in.
    "plans-remind-missing-plans": {
        "task": "plans.tasks.remind_missing_plans",
        "schedule": crontab(hour=9, minute=20),
    },
    # every hour: delete the kept uploads of 导入 Excel previews older than 24 hours (salesops.core.imports.previews_purge).
    "core-purge-import-previews": {
        "task": "salesops.core.tasks.purge_import_previews",
        "schedule": crontab(minute=35),
        "options": {"expires": 3300},
    },
    # every hour: remind approvers of steps waiting longer than the configured hours.
    "core-remind-overdue-approvals": {
        "task": "salesops.core.tasks.remind_overdue_approvals",
        "schedule": crontab(minute=5),
    },
    # 00:10 every day: expire approved/sent quotations past their validity date.
    "contracts-expire-quotations": {
        "task": "contracts.tasks.expire_quotations",
        "schedule": crontab(hour=0, minute=10),
    },
    # 07:30 every day: warn clerk and rep of promised ship dates at risk.
    "orders-warn-at-risk": {
        "task": "orders.tasks.warn_orders_at_risk",
        "schedule": crontab(hour=7, minute=30),
    },
    # 07:00 every day: schedule missing satisfaction callbacks, queue today's for their assignees, escalate overdue ones.
    "aftersales-callbacks-morning": {
        "task": "aftersales.tasks.callbacks_morning",
        "schedule": crontab(hour=7, minute=0),
    },
    # every 15 minutes: warn engineers before an SLA deadline, escalate breaches to the service lead (once each).
    "aftersales-check-ticket-sla": {
        "task": "aftersales.tasks.check_ticket_sla",
        "schedule": crontab(minute="*/15"),
    },
    # 02:00 on the 1st: the previous month's reports for the company and each team (reports.services.runs).
    "reports-schedule-monthly": {
        "task": "reports.tasks.schedule_monthly_reports",
        "schedule": crontab(hour=2, minute=0, day_of_month=1),
    },
    # every 5 minutes: publish again export runs (导出 Excel of long lists) whose task was lost, fail dead ones.
    "core-sweep-export-runs": {
        "task": "salesops.core.tasks.sweep_export_runs",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 280},
    },
    # every 5 minutes: publish again report runs whose task was lost, fail the ones whose worker died.
    "reports-sweep-runs": {
        "task": "reports.tasks.sweep_report_runs",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 280},
    },
    # every 5 minutes: the daily digest (日报) once its configured time (admin: 日报设置, default 18:00) has come.
    "reports-daily-digest": {
        "task": "reports.tasks.send_daily_digest",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 280},
    },
    # 08:10 every day: remind owners of overdue corrective/preventive actions.
    "aftersales-remind-overdue-actions": {
        "task": "aftersales.tasks.remind_overdue_actions",
        "schedule": crontab(hour=8, minute=10),
    },
}

# The company printed on formal documents.
COMPANY_NAME = env("COMPANY_NAME", default="示例制造有限公司")
COMPANY_ADDRESS = env("COMPANY_ADDRESS", default="浙江省杭州市滨江区示例路 88 号")
COMPANY_PHONE = env("COMPANY_PHONE", default="0571-88888888")
COMPANY_BANK = env("COMPANY_BANK", default="中国工商银行杭州分行 1202 0000 0000 0000 000")
AFTERSALES_CONTACT = env("AFTERSALES_CONTACT", default="售后服务热线 400-800-8888（工作日 8:30–17:30），service@example.com")
CLAIMS_RULES = env(
    "CLAIMS_RULES",
    default="请在收货时当面清点数量、检查外包装；数量短缺或外观破损请在签收单上注明并于 3 日内联系我司；"
    "质量问题请于收货后 15 日内书面提出，逾期视为验收合格。",
)
COMPANY_TAX_ID = env("COMPANY_TAX_ID", default="91330100MA2XXXXX0X")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
