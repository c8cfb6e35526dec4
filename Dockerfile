# syntax=docker/dockerfile:1.7
# NUZANTARA: one image for web (daphne), worker and beat (Celery) and the release step (migrate).
#
#   docker build --build-context wheels=/opt/wheels -t nuzantara:$(git rev-parse --short HEAD) .
#
# torch comes from the `wheels` build context (the CPU build, torch-2.13.0+cpu): PyPI's x86_64 torch is the CUDA
# build. Every package is installed from requirements.lock with its sha256 (README, "Deploy").

ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

# The default `wheels` context is empty; `--build-context wheels=DIR` replaces it with the folder holding torch.
FROM scratch AS wheels

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
RUN python -m venv /venv
COPY requirements.lock /tmp/requirements.lock
# The lock names --find-links /opt/wheels: the wheels context is mounted there for this one step.
RUN --mount=type=bind,from=wheels,target=/opt/wheels \
    /venv/bin/pip install --require-hashes --no-deps --only-binary=:all: -r /tmp/requirements.lock

FROM ${PYTHON_IMAGE} AS runtime
# pg_dump/pg_restore for the database backups and the restore drill: major version 15, as the PostgreSQL server.
RUN apt-get update \
    && apt-get install -y --no-install-recommends "postgresql-client-15=15.*" \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app \
    && install -d -o app -g app -m 0750 /data
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_ENV=production \
    VAR_DIR=/data \
    STATIC_ROOT=/app/staticfiles \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    PORT=8000
COPY --from=build /venv /venv
WORKDIR /app
# Code stays owned by root: the app user can read it, not change it. State goes to VAR_DIR (/data, a volume).
COPY . /app
# Static files are collected at build with throwaway settings; the real SECRET_KEY is given only at run time.
RUN SECRET_KEY=collectstatic-at-build-time-only-not-a-secret ALLOWED_HOSTS=build VAR_DIR=/tmp/build-var \
    python manage.py collectstatic --noinput -v0 \
    && rm -rf /tmp/build-var
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 CMD ["python", "/app/deploy/healthcheck.py"]
CMD ["sh", "-c", "exec daphne --bind 0.0.0.0 --port \"$PORT\" --proxy-headers nuzantara.asgi:application"]
