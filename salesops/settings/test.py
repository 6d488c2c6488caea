"""Settings for `make test`. PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (CI), SQLite otherwise.
Under pytest-xdist (`make test` runs one process per core) each worker `gwN` has its own test database (pytest-django
names it test_<name>_gwN), its own media folder and its own Redis database (REDIS_URL's number + N, modulo 16), so no
worker clears or reads another's cache or files; a Celery worker a test starts inherits PYTEST_XDIST_WORKER and the
original REDIS_URL, so it derives the same database."""

import os
from urllib.parse import urlsplit, urlunsplit

from .base import *
from .base import BASE_DIR, REDIS_URL, STATIC_ROOT

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request of a test when it is missing
AXES_ENABLED = True
LANGUAGE_CODE = "zh-hans"
CELERY_RESULT_BACKEND = "cache+memory://"

_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"… or "" when not run by pytest-xdist
if _XDIST_WORKER:
    MEDIA_ROOT = MEDIA_ROOT / _XDIST_WORKER
    if REDIS_URL:
        _url = urlsplit(REDIS_URL)
        _db = (int(_url.path.strip("/") or 0) + int(_XDIST_WORKER.removeprefix("gw"))) % 16
        REDIS_URL = urlunsplit(_url._replace(path=f"/{_db}"))
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
        CELERY_BROKER_URL = REDIS_URL
