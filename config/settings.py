"""giamngheo settings: one module, read from the environment (see .env.example)."""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_int, env_list, env_rate, env_secret, env_secret_key, env_str
from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# With DEBUG off: refused when missing, under 50 characters or an example value (config.env.env_secret_key).
SECRET_KEY = env_secret_key(DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",  # expiring API tokens (the sign-in block below)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    # The second factor (TOTP and backup codes); before `households`, whose admin hides their device pages.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "households.apps.AxesConfig",  # django-axes, the sign-in lockout (the sign-in block below), named in Vietnamese
    "households",
    "programs",
    "support",
]

MIDDLEWARE = [
    "config.logs.RequestLogMiddleware",  # first: one log line per request, with its id (X-Request-ID), timed whole
    "config.middleware.NulFreeUserAgentMiddleware",  # then: django-axes (and any log) stores the header
    "django.middleware.security.SecurityMiddleware",
    # Static files from gunicorn itself (STORAGES below), before the session and the rest: no query for a stylesheet.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the session gave its second factor
    "households.admin.second_factor.SecondFactorMiddleware",  # asks for it before any page (SECOND_FACTOR_*)
    "config.idempotency.IdempotencyMiddleware",  # after the sign-in and its second factor: Idempotency-Key
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.SpokenIconsMiddleware",  # the admin's yes/no icons said in Vietnamese (alt="Có", not "True")
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a locked-out sign-in into its answer
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://...) in production and tests; SQLite file otherwise.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    # Statements prepared by the server on their first run (psycopg's prepare_threshold 0), for the cursors that
    # bind on the server: only the household list's page uses one (households/api_rows.py), whose plan costs more
    # than its run; Django's own cursors bind on the client and never prepare. Off (DB_PREPARED_STATEMENTS=0)
    # behind a pooler in transaction mode that does not keep prepared statements (PgBouncer before 1.21).
    if env_bool("DB_PREPARED_STATEMENTS", True):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "households.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "vi")
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
# The admin's own stylesheet (config/static/giamngheo/admin.css, loaded by config/templates/admin/base_site.html).
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
# Static files are served by gunicorn through WhiteNoise (no separate web server needed), compressed (gzip). With
# STATIC_VERSIONED=1 `collectstatic` also gives each file a name with its content's hash and WhiteNoise lets browsers
# keep them for a year; every page then needs the manifest `collectstatic` writes, which is why it is a setting for
# production (the README's steps run collectstatic) and not the default of the tests, the benches and `make run`.
STATIC_VERSIONED = env_bool("STATIC_VERSIONED", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_VERSIONED
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}

LOGIN_URL = "admin:login"

# Celery: no broker configured -> tasks run eagerly in-process (embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Named queues (reminders, reports, imports, default): which task goes where is config/celery.py's task_routes.
CELERY_TASK_DEFAULT_QUEUE = "default"
# The worker logs through Django's LOGGING (one format, JSON in production), not through its own handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Mail (the review's reminders): through the SMTP server EMAIL_HOST when it is set, to the console otherwise.
# EMAIL_HOST_PASSWORD may come from a file (EMAIL_HOST_PASSWORD_FILE, for secrets). EMAIL_USE_TLS is STARTTLS
# (port 587), EMAIL_USE_SSL is TLS from the first byte (port 465): a server speaks one or the other.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on: EMAIL_USE_TLS=1 is STARTTLS (usually port 587), "
        "EMAIL_USE_SSL=1 is TLS from the start (usually port 465); set the one your mail server speaks."
    )
# Seconds to wait for the mail server: a server that does not answer fails the reminders' task, which Celery
# retries, instead of holding a worker for ever (Django's default is no timeout).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "giamngheo@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # `Authorization: Token <key>`, expiring (REST_KNOX below): knox's check, remembered in the shared cache
        "config.token_cache.CachedTokenAuthentication",
        "config.second_factor.SessionAuthentication",  # refuses a session whose second factor is pending
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "config.filters.FilterBackend",  # django-filter's, refusing a typed parameter sent empty
        "config.filters.StableOrderingFilter",
    ],
    # JSON bodies only (bounded: nesting, non-finite numbers, size; config/parsers.py): a form-encoded body is a 415.
    # The Excel upload (programs/imports/api.py) names its own multipart parser.
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",  # the tests' APIClient sends what the API reads (DRF's default: multipart)
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.errors.exception_handler",
    "DATE_INPUT_FORMATS": ["iso-8601"],
}
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 500)
# Deepest nesting of arrays and objects a JSON body may have (a deeper one is a 400, checked before parsing).
API_JSON_MAX_DEPTH = env_int("API_JSON_MAX_DEPTH", 64)
if API_JSON_MAX_DEPTH < 1:
    raise ImproperlyConfigured(f"API_JSON_MAX_DEPTH must be at least 1, got {API_JSON_MAX_DEPTH}")
# The schema (/api/schema/) and its documentation (/api/docs/) are for signed-in users unless this opens them.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", False)

SPECTACULAR_SETTINGS = {
    "TITLE": "giamngheo API",
    "DESCRIPTION": """Hệ thống quản lý hộ nghèo, hộ cận nghèo — Chương trình MTQG giảm nghèo bền vững.

**Xác thực.** Gửi tên đăng nhập và mật khẩu tới `POST /api/v1/auth/login/` để nhận một token có thời hạn, rồi gửi
kèm mỗi yêu cầu header `Authorization: Token <token>`. Mỗi người chỉ thấy dữ liệu trong địa bàn của mình: bản ghi
ngoài địa bàn trả lời như không có (404).

**Lỗi.** Mọi lỗi (4xx, 5xx) có cùng một dạng JSON, component `Error`:
`{"code": "...", "message": "...", "fields": {"<tên>": ["<thông báo>"]}}`. `code` là mã ổn định để chương trình
phân nhánh (`invalid`, `not_authenticated`, `authentication_failed`, `permission_denied`, `not_found`,
`stale_version`, `parse_error`, `unsupported_media_type`, `throttled`, mã của lỗi nghiệp vụ...); `message` là câu
tiếng Việt cho người đọc; `fields` nêu từng trường của nội dung hoặc tham số sai (`{}` khi không do trường nào;
trường lồng nhau viết theo đường dẫn, ví dụ `members[0].national_id`). 429 kèm header `Retry-After`.

**Nội dung.** Yêu cầu gửi JSON (`Content-Type: application/json`), trừ tải lên tệp Excel (`multipart/form-data`).
Số tiền là số nguyên đồng (VND), ngày theo ISO 8601.

**Chia trang.** Danh sách trả về `count`, `page`, `page_size`, `next`, `previous`, `results`; tham số `page` (từ 1)
và `page_size` (từ 1 đến giới hạn ghi trong từng thao tác). `page_size` sai là 400; trang quá trang cuối là 404.
Thứ tự luôn ổn định (kết thúc bằng `id`); `ordering` chỉ nhận các trường được liệt kê.

**Cập nhật đồng thời.** Bản ghi có `version`: gửi lại `version` đã đọc khi cập nhật hoặc chuyển bước; nếu bản ghi
vừa được người khác cập nhật, trả lời 409 `stale_version`: hãy tải lại.

**Gửi lại an toàn.** Mọi POST dưới `/api/v1/` (trừ `/api/v1/auth/`) nhận header `Idempotency-Key`: gửi lại cùng
khóa với cùng nội dung nhận lại kết quả lần đầu (header `Idempotent-Replayed: true`), không ghi lần hai; cùng khóa
với nội dung khác là 409 `idempotency_key_reused`; khi yêu cầu đầu còn đang chạy là 409 `idempotency_in_progress`.
Khóa giữ 24 giờ, riêng cho từng tài khoản.

**Phiên bản.** Mọi địa chỉ nằm dưới `/api/v1/`. Trong `v1` chỉ có thay đổi tương thích: thêm thao tác, thêm trường
vào câu trả lời, thêm tham số không bắt buộc, thêm mã lỗi (`code`) mới. Không bỏ hay đổi tên trường, không đổi
kiểu, không thêm trường bắt buộc vào yêu cầu, không thêm giá trị vào một danh mục (enum) của câu trả lời (client sinh
tự động từ schema sẽ từ chối giá trị lạ): những thay đổi đó chỉ có ở `v2`, và `v1` còn chạy song song ít nhất 12
tháng sau khi có `v2`.""",
    # 1.1.0 (7 December 2026): the error envelope, nulls for blank choices, strict parameters; 1.2.0: the household
    # list's `count_exact` (its count may be an estimate beyond one commune)
    "VERSION": "1.2.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files from the installed drf-spectacular-sidecar (collectstatic), not a CDN: the CSP below
    # allows scripts and styles from this site only. No validator badge (an image from validator.swagger.io).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # One tag per resource (config.schema): the first segment of the address after /api/v1/.
    "TAGS": [
        {"name": "auth", "description": "Đăng nhập API, token có thời hạn, đăng xuất."},
        {"name": "areas", "description": "Địa bàn hành chính: tỉnh, huyện, xã, thôn."},
        {"name": "households", "description": "Hộ gia đình, thành viên, tình trạng và lịch sử tình trạng."},
        {"name": "standards", "description": "Chuẩn nghèo và các chỉ số thiếu hụt."},
        {"name": "assessments", "description": "Phiếu khảo sát (rà soát) hộ gia đình."},
        {"name": "classify", "description": "Phân loại một hộ theo chuẩn nghèo, không ghi gì."},
        {"name": "status-changes", "description": "Quyết định công nhận: thay đổi tình trạng của hộ."},
        {"name": "review-campaigns", "description": "Kỳ rà soát của từng xã: lịch và tiến độ."},
        {"name": "review-cases", "description": "Hồ sơ rà soát của từng hộ và các bước của nó."},
        {"name": "imports", "description": "Nhập hộ và phiếu khảo sát từ tệp Excel."},
        {"name": "stats", "description": "Số liệu tổng hợp: chỉ tiêu, xếp hạng xã, chuỗi theo năm, giả định."},
        {"name": "targets", "description": "Chỉ tiêu giảm nghèo theo năm và địa bàn."},
        {"name": "reports", "description": "Biểu báo cáo chính thức (tệp Excel), lập theo yêu cầu."},
        {"name": "intervention-types", "description": "Danh mục loại hỗ trợ."},
        {"name": "support-records", "description": "Hỗ trợ hộ đã nhận: ghi nhận, duyệt, bàn giao."},
        {"name": "support-follow-ups", "description": "Theo dõi sau hỗ trợ."},
        {"name": "loans", "description": "Khoản vay Ngân hàng Chính sách xã hội và trả nợ."},
        {"name": "budgets", "description": "Kinh phí phân bổ so với đã thực hiện."},
        {"name": "support-targeting", "description": "Hộ còn thiếu hụt chưa được hỗ trợ."},
        {"name": "support-outcomes", "description": "Kết quả sau hỗ trợ: hộ thoát nghèo hay không."},
        {"name": "access-log", "description": "Nhật ký truy cập dữ liệu cá nhân."},
    ],
    # spectacular's enum naming, then the parameters' enums named too and no `title` (config.schema), then the
    # Idempotency-Key header on POSTs (config.idempotency)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.name_parameter_enums",
        "config.idempotency.add_idempotency_header",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AreaTypeEnum": "households.models.AreaType.choices",
        "HouseholdStatusEnum": "households.models.HouseholdStatus.choices",
        "ReviewKindEnum": "programs.models.ReviewKind.choices",
        "CategoryEnum": "programs.models.Category.choices",
        "RequestChannelEnum": "programs.models.RequestChannel.choices",
        "TargetKindEnum": "programs.models.TargetKind.choices",
        "SupportKindEnum": "support.models.Kind.choices",
        "AreaLevelEnum": "households.models.AreaLevel.choices",
        "AccessDoorEnum": "households.models.AccessDoor.choices",
        "AccessActionEnum": "households.models.AccessAction.choices",
        "SupportLimitEnum": "support.models.LimitChoices.choices",
        "FollowUpResultEnum": "support.models.FollowUpResult.choices",
        "CaseStateEnum": "programs.models.CaseStateChoices.choices",
        "CaseOriginEnum": "programs.models.CaseOrigin.choices",
        "CaseStepEnum": "programs.review.api_serializers.CASE_STEP_CHOICES",
        "CaseMoveEnum": "programs.review.api_serializers.CASE_MOVE_CHOICES",
        "ComplaintOutcomeEnum": "programs.models.ComplaintOutcome.choices",
        "RequestKindEnum": "programs.models.RequestKind.choices",
        "StatusEventEnum": "programs.models.StatusEvent.choices",
        "PovertyCauseEnum": "programs.standards.api_records.POVERTY_CAUSE_CHOICES",
        "TargetMeasureEnum": "programs.models.TargetMeasure.choices",
        "TargetGroupEnum": "programs.reporting.api.TARGET_GROUP_CHOICES",
        "ListMovementEnum": "programs.reporting.api.MOVEMENT_CHOICES",
        "ListEnum": "programs.reporting.api.LIST_CHOICES",
        "ReportKindEnum": "programs.models.ReportKind.choices",
        "ReportJobStatusEnum": "programs.models.JobStatus.choices",
        "ImportStatusEnum": "programs.models.ImportStatus.choices",
    },
}

# Behind a TLS-terminating proxy (nginx, a load balancer) that sets X-Forwarded-Proto: trust it, redirect HTTP to
# HTTPS, send HSTS (a year unless SECURE_HSTS_SECONDS says otherwise) and mark the cookies Secure. Each can still
# be set on its own. `manage.py check --deploy` is clean with BEHIND_TLS_PROXY=1 (tests/test_config_security.py).
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", BEHIND_TLS_PROXY)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if BEHIND_TLS_PROXY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", BEHIND_TLS_PROXY)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", BEHIND_TLS_PROXY)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", BEHIND_TLS_PROXY or not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", BEHIND_TLS_PROXY or not DEBUG)
# In any case: the session cookie out of reach of scripts, both cookies not sent on cross-site requests. The CSRF
# cookie stays readable by script: the API docs (Swagger UI) send it back in the X-CSRFToken header.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from this site only; no inline script
# and no eval anywhere (the admin, the dashboard, the review documents and the API docs load their scripts from
# files). Inline styles are allowed: the admin's and the pages' style attributes and the <style> that pygal puts
# in each server-drawn SVG chart (styles cannot run code). `data:` images: the icons in Swagger UI's stylesheet.
# tests/test_config_csp.py checks every page's scripts, styles and links against this policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# The second factor (django-otp: a TOTP app such as Google Authenticator, and one-time backup codes). With
# SECOND_FACTOR_REQUIRED on, the roles of SECOND_FACTOR_ROLES (and superusers) give a code after their password
# before any page of the admin and any API call made with the session; they enrol on first sign-in. Anyone may
# enrol of her own accord, and is then asked too. An API token is issued after the code, so token calls are not
# asked again. `check --deploy` warns while it is off (households/system_checks.py). Wrong codes are throttled by
# django-otp: after n wrong codes in a row the next is refused for 2^(n-1) x OTP_TOTP_THROTTLE_FACTOR seconds.
SECOND_FACTOR_REQUIRED = env_bool("SECOND_FACTOR_REQUIRED", False)
SECOND_FACTOR_ROLES = env_list("SECOND_FACTOR_ROLES", ["program_admin", "province_staff"])
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "giamngheo")  # the name the authenticator app shows for the account
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # django-otp's own device pages are not registered; if they were, no secrets
# --- Sign-in protection and API tokens (issue 12) -------------------------------------------------------------
# The cache: throttle counts and Idempotency-Key records (config/idempotency.py), shared by every worker. Redis
# (Django's own backend) when CACHE_URL, else REDIS_URL, is set; otherwise each process keeps its own (the embedded
# default, one process).
CACHE_URL = env_str("CACHE_URL") or env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "config.cache.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "giamngheo"}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Proxies in front that append the client's address to X-Forwarded-For: 1 behind the TLS proxy, else 0 (the header
# is then ignored, as anyone can send it). The sign-in lockout and the throttles count per address with it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0, minimum=0)
# Django's sign-in, through django-axes first: LOGIN_FAILURE_LIMIT wrong passwords for one account (from anywhere),
# or LOGIN_IP_FAILURE_LIMIT from one address (over any accounts: an office shares one address, hence the higher
# limit), within LOGIN_LOCKOUT_MINUTES lock that account or address for LOGIN_LOCKOUT_MINUTES after the last
# failure; the admin's login and the API's (/api/v1/auth/login/) count alike. A success clears the account's count.
# Locking and unlocking are audited; a program admin unlocks from the account's page (households.sign_in).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 20, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_ENABLED = True
AXES_HANDLER = "households.sign_in.SignInHandler"  # axes' database handler, with the address's own limit
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lock ends when it said it would
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "households.sign_in.lockout_response"  # Vietnamese: the login form's error, or JSON
AXES_ENABLE_ADMIN = False  # its pages are households.admin.sign_in's: read-only, program admins only
AXES_VERBOSE = False
# The API's throttles (config/throttles.py): per address for callers without an account, per account otherwise,
# and the API's sign-in per address. Rates as "N/s|min|hour|day".
REST_FRAMEWORK |= {
    "DEFAULT_THROTTLE_CLASSES": ["config.throttles.AnonRateThrottle", "config.throttles.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_ANON", "30/min"),
        "user": env_rate("API_THROTTLE_USER", "5000/hour"),
        "login": env_rate("API_THROTTLE_LOGIN", "10/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# API tokens (django-rest-knox): stored as hashes, each with an expiry, revocable. A token from the API's sign-in
# lives API_TOKEN_TTL_HOURS (a working day: a person, or a script that signs in at each run); one issued to a
# machine account by `manage.py issue_api_token` lives API_MACHINE_TOKEN_TTL_HOURS unless --hours says otherwise
# (30 days: an operator renews it monthly; a leaked one is good for a month at most, and is revoked at once from
# the admin). At most API_TOKEN_LIMIT_PER_USER live tokens per account. No silent renewal on use.
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 24, minimum=1)
API_MACHINE_TOKEN_TTL_HOURS = env_int("API_MACHINE_TOKEN_TTL_HOURS", 30 * 24, minimum=1)
API_TOKEN_LIMIT_PER_USER = env_int("API_TOKEN_LIMIT_PER_USER", 10, minimum=1)
# A token checked against the database is remembered (with its account and scope) in the shared cache for this many
# seconds, forgotten at once by every worker when a token, an account or an area changes (config/token_cache.py);
# 0: every request is checked against the database. Without a shared cache (CACHE_URL/REDIS_URL) nothing is kept.
API_TOKEN_CACHE_SECONDS = env_int("API_TOKEN_CACHE_SECONDS", 60, minimum=0)
# A POST under /api/v1/ sent again with the same Idempotency-Key gets the first answer again within this many hours
# (config/idempotency.py: kept in the cache above, per account).
IDEMPOTENCY_TTL_HOURS = env_int("IDEMPOTENCY_TTL_HOURS", 24, minimum=1)
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": API_TOKEN_LIMIT_PER_USER,
    "AUTH_HEADER_PREFIX": "Token",
}

# Logs (config/logs.py): one line per request, per Celery task and per service event, to standard error; JSON lines
# in production (DEBUG off), readable text in development. LOG_FORMAT says which whatever DEBUG is.
LOG_FORMAT = env_choice("LOG_FORMAT", "text" if DEBUG else "json", ("json", "text"))
LOGGING = logging_config(json=LOG_FORMAT == "json", level=env_str("LOG_LEVEL", "INFO") or "INFO")

# The access log of personal data (households.AccessRecord): who read, searched or exported which households.
# ACCESS_LOG_ENABLED exists only to measure the log's cost (bench/access_log.py); `check --deploy` warns when it is
# off with DEBUG off. Retention: Decree 13/2023/NĐ-CP asks the controller to keep a log of the processing of
# personal data but sets no period, so the period follows the log's purpose: answering an inspection or a complaint
# about who saw a household. Five years covers one phase of the national target program (2021-2025, 2026-2030),
# the span over which its inspections and the households' complaints look back, without keeping officers' reading
# habits forever. `manage.py prune_access_log` (Celery beat, nightly) deletes what is older.
ACCESS_LOG_ENABLED = env_bool("ACCESS_LOG_ENABLED", True)
# At least 365 days: the table's trigger refuses to delete a younger record (migration 0008), whatever asks.
ACCESS_LOG_RETENTION_DAYS = env_int("ACCESS_LOG_RETENTION_DAYS", 5 * 365, minimum=365)
