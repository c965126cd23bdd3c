"""gunicorn settings for the web processes: ``gunicorn -c gunicorn.conf.py center.wsgi``.

Read from the environment, like the rest of the configuration. Behind nginx (docs/deploy.md).
"""
import multiprocessing
import os

# Where gunicorn listens: loopback unless told otherwise, so that only a proxy on this host reaches
# it (a client reaching gunicorn directly is counted by its own address anyway: core/client_address.py).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the work is database-bound and short; 2 × cores + 1 is gunicorn's own advice.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Uploads of up to 50 MB over a slow line come through nginx, which buffers them; 60 s is plenty
# for a request once it reaches gunicorn (the exports of 10,000 rows take about 2 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM a worker finishes the requests it has for up to this long, then stops.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# gunicorn limits only the request line and the headers; it has no limit on the body. The body is
# limited by nginx (client_max_body_size) and by the application itself, on its Content-Length,
# before anything reads it (CENTER_UPLOAD_MAX_BODY_BYTES, core.upload_limits). These match nginx's
# large_client_header_buffers 4 8k (deploy/nginx/center.conf): a line or a header of up to 8 KB
# less its CRLF; tests/test_upload_limits.py compares the two.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
limit_request_fields = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELDS", "100"))
limit_request_field_size = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", "8190"))
# Workers are replaced now and then, so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The heartbeat file on a RAM disk, so that a slow disk does not make the arbiter kill workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Trust X-Forwarded-Proto only from these addresses or networks (the nginx hosts): by default the
# same proxies as the application's CENTER_TRUSTED_PROXIES.
forwarded_allow_ips = (os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS") or os.environ.get("CENTER_TRUSTED_PROXIES")
                       or "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "center-web"

# LOG_FORMAT=json: gunicorn's own lines (start, workers, access) as JSON objects too, like Django's.
if os.environ.get("LOG_FORMAT") == "json":
    _json = {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    }
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": _json},
        # gunicorn's defaults name these two handlers; both write JSON to stdout here.
        "handlers": {
            name: {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}
            for name in ("console", "error_console")
        },
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"handlers": ["error_console"], "level": loglevel.upper(), "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
