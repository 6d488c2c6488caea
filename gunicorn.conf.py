"""gunicorn settings for production (README "Production and scaling out"): `gunicorn -c gunicorn.conf.py`.

Every value can be changed from the environment without editing this file.
"""

import multiprocessing
import os

wsgi_app = "salesops.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "0")) or 2 * multiprocessing.cpu_count() + 1

# The timeout is the slowest legitimate request with room to spare. That is a PDF (WeasyPrint with the embedded CJK font):
# a quotation took 1.8–3.3 s and a two-page contract 2.4 s, the first PDF of a fresh worker 14 s (fonts loaded), measured
# with the demo data on 2 shared, busy cores. No request waits for Redis any more (outgoing messages go through the outbox,
# ARCHITECTURE.md rule 7), and a list export of more than EXPORT_DIRECT_ROWS rows is written by a worker (core.export_runs),
# so nothing else comes close; a request still running after 30 s is stuck and its worker is restarted rather than left
# holding a slot.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5  # behind nginx, which keeps its own client connections

# Recycle workers now and then: PDF rendering grows a process's memory.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = 100

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
