"""Local development: `make run`. SQLite and the filesystem Celery broker unless DATABASE_URL / REDIS_URL are set."""

from .base import *
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
