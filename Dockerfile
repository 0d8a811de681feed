# The image of every service: auth, users and todos, one per build (build arguments
# SERVICE, and PORT: the port it listens on unless the environment says otherwise). Build
# from the repository root (the context needs constraints.txt and libs/common), as
# docker-compose.yml does:
#     docker build --build-arg SERVICE=auth --build-arg PORT=8001 -t todo-platform/auth:local .
# The image serves; it never migrates. Migrations are a separate one-shot run of the same
# image, `alembic -c alembic.ini upgrade head` (docker-compose.yml's *-migrate services,
# the Kubernetes migration Jobs), finished before the service starts.
#
# PYTHON_IMAGE is the official Python image by default; `make images` passes its own
# stand-in built from Debian's python3 where no registry can be reached (docs/containers.md).
# No `# syntax=` line: the Dockerfile frontend built into the engine is used, so building
# never needs to pull a frontend image.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN case "${SERVICE}" in auth | users | todos) ;; *) echo "SERVICE must be auth, users or todos" >&2; exit 1 ;; esac
COPY constraints.txt ./
COPY libs/common ./libs/common
COPY services/${SERVICE} ./services/${SERVICE}
# Only the shared library and this service, at the versions in constraints.txt; pip
# compiles the bytecode here, so the read-only runtime never needs to write any. pip
# trusts the build host's CA bundle when it is passed as the secret `host-ca` (compose
# does, see docker-compose.yml), so a TLS-intercepting proxy between here and the package
# index works; the secret is mounted for this step only and never lands in a layer.
RUN --mount=type=secret,id=host-ca,target=/run/secrets/host-ca \
    python -m venv /opt/venv \
    && if [ -s /run/secrets/host-ca ]; then export PIP_CERT=/run/secrets/host-ca; fi \
    && /opt/venv/bin/pip install --quiet -c constraints.txt ./libs/common ./services/${SERVICE} \
    && /opt/venv/bin/pip uninstall --quiet --yes pip setuptools

FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
ARG PORT
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    SERVICE=${SERVICE} \
    PORT=${PORT}
# No installers in the final image: the base's pip, setuptools and wheel go, and so do the
# bundled wheels `python -m venv` would install pip from (ensurepip; Debian keeps them in
# /usr/share/python-wheels). One unprivileged account, uid 10001, the uid the Kubernetes
# securityContext expects.
RUN if python -m pip --version >/dev/null 2>&1; then \
        python -m pip uninstall --quiet --yes pip setuptools wheel; \
    fi \
    && rm -rf /usr/local/lib/python3*/ensurepip /usr/lib/python3*/ensurepip /usr/share/python-wheels \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin app
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# Alembic's files, for the migration run of this image (alembic.ini finds migrations/
# next to itself).
COPY services/${SERVICE}/alembic.ini ./alembic.ini
COPY services/${SERVICE}/migrations ./migrations
USER 10001:10001
EXPOSE ${PORT}
# Readiness, not liveness: compose starts the gateway once a service can reach its
# database. Python's urllib, since the image has no curl; a 503 raises, so exits 1.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['PORT'] + '/readyz', timeout=2)"]
# `exec` makes uvicorn replace the shell as PID 1, so it receives SIGTERM and drains.
CMD ["/bin/sh", "-c", "exec uvicorn --factory \"${SERVICE}.main:build_app\" --host 0.0.0.0 --port \"${PORT:?set PORT}\" --no-access-log --no-server-header"]
