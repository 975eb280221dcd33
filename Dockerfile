# Roundtable production image.
#
#   docker build -t roundtable .
#
# The container migrates the database, then serves on port 8000. It expects its
# configuration as ROUNDTABLE_* environment variables (see .env.example and
# docker-compose.yml); no .env file is baked into the image.

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# An unprivileged user to run as; the files stay owned by root, so the running
# app cannot change its own code.
RUN groupadd --system roundtable \
    && useradd --system --gid roundtable --home-dir /app --no-create-home roundtable

WORKDIR /app

# Editable install on purpose: the app finds alembic/, alembic.ini and frontend/
# next to its package (PROJECT_ROOT in app/config.py), so the code is run from
# /app rather than copied into site-packages.
COPY pyproject.toml README.md ./
COPY alembic.ini ./
COPY alembic/ ./alembic/
COPY frontend/ ./frontend/
COPY app/ ./app/
RUN pip install --no-cache-dir -e . \
    && mkdir -p /app/var \
    && chown roundtable:roundtable /app/var

USER roundtable

# Production mode makes Roundtable refuse weak settings (a missing or short
# ROUNDTABLE_SECRET_KEY, for one) instead of starting with them.
ENV ROUNDTABLE_ENV=production \
    ROUNDTABLE_HOST=0.0.0.0 \
    ROUNDTABLE_PORT=8000

EXPOSE 8000

# Liveness: the process answers HTTP. There is no curl in the slim image, so
# Python's urllib does the request; any error or non-2xx status exits non-zero.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('ROUNDTABLE_PORT', '8000'), timeout=4)"]

# Migrate, then serve. Several replicas starting at once is safe: on PostgreSQL
# migrations take an advisory lock, so they run one after another and the later
# ones find nothing left to do. `exec` makes the server PID 1, so it receives
# SIGTERM from `docker stop` and shuts down gracefully.
CMD ["sh", "-c", "roundtable migrate && exec roundtable serve"]
