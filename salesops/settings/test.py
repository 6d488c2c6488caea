"""Settings for `make test`. PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (CI), SQLite otherwise."""

from .base import *
from .base import BASE_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
AXES_ENABLED = True
LANGUAGE_CODE = "zh-hans"
CELERY_RESULT_BACKEND = "cache+memory://"
