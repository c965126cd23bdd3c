# The work-order center's image: one image for every role (web, Celery workers, beat, the release
# step); docker-compose.yml chooses the command. docs/deploy.md.
#   docker build -t center:latest .
FROM python:3.11-slim-bookworm

# Runtime Debian packages (scripts/ensure_system_packages runtime): pango for WeasyPrint's approval
# PDFs and a font with Chinese glyphs (WenQuanYi Micro Hei, the PDFs' first choice; fonts-noto-cjk
# works too but is 90 MB).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

RUN python -m venv /opt/venv
COPY requirements.txt /srv/center/requirements.txt
RUN pip install -r /srv/center/requirements.txt

# A non-root user; uid/gid fixed so that files on shared volumes keep one owner across rebuilds.
RUN groupadd --system --gid 10001 center \
    && useradd --system --uid 10001 --gid center --home-dir /srv/center --no-create-home \
       --shell /usr/sbin/nologin center

WORKDIR /srv/center
# The application only (no .venv/, var/ or tests' artefacts from the build context). The code
# belongs to root and is read-only for the center user.
COPY manage.py gunicorn.conf.py ./
COPY api ./api
COPY center ./center
COPY departments ./departments
COPY notifications ./notifications
COPY projects ./projects
COPY workdays ./workdays
COPY workorders ./workorders
COPY templates ./templates
COPY static ./static
COPY locale ./locale

# Where the volumes of docker-compose.yml are mounted; created here owned by center, so that new
# named volumes start with that owner (stamp keys: readable by center only).
ENV CENTER_VAR_DIR=/srv/center/var \
    CENTER_MEDIA_ROOT=/srv/center/media \
    CENTER_STAMP_KEY_DIR=/srv/center/stamp-keys \
    XDG_CACHE_HOME=/srv/center/var/cache
RUN mkdir -p /srv/center/var /srv/center/media /srv/center/stamp-keys \
    && chown center:center /srv/center/var /srv/center/media /srv/center/stamp-keys \
    && chmod 0700 /srv/center/stamp-keys

USER center

# Static files collected into the image ($CENTER_VAR_DIR/staticfiles) with the production storage
# (hashed names, compressed). The secret and host below exist only for this command; the release
# step collects again into the var volume, so the files always match the running code.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

# Inside a container the proxy connects from outside it, so all interfaces; publish the port on
# 127.0.0.1 only (docker-compose.yml) and list the proxy's addresses in CENTER_TRUSTED_PROXIES.
ENV GUNICORN_BIND=0.0.0.0:8000
EXPOSE 8000
# SIGTERM (docker stop): gunicorn finishes its requests, a Celery worker its tasks (warm shutdown).
STOPSIGNAL SIGTERM
CMD ["gunicorn", "-c", "gunicorn.conf.py", "center.wsgi"]
