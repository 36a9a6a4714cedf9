# syntax=docker/dockerfile:1
# Persona Insight: a build stage that resolves the locked environment with uv, and a slim runtime
# stage that runs it as an unprivileged user. See docs/operations.md ("Containers").

FROM python:3.11-slim-bookworm AS build
RUN pip install --no-cache-dir 'uv>=0.13,<0.14'
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Dependencies first, from the lock file alone, so this layer is reused until uv.lock changes.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY src ./src
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim-bookworm AS runtime
RUN groupadd --system --gid 10001 persona \
    && useradd --system --uid 10001 --gid persona --home-dir /app --shell /usr/sbin/nologin persona \
    && mkdir -p /var/lib/persona-insight \
    && chown persona:persona /var/lib/persona-insight
WORKDIR /app
COPY --from=build --chown=persona:persona /app /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PERSONA_INSIGHT_DATA_DIR=/var/lib/persona-insight \
    PERSONA_INSIGHT_HOST=0.0.0.0 \
    PERSONA_INSIGHT_PORT=8000
USER persona
VOLUME ["/var/lib/persona-insight"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status != 200)"]
STOPSIGNAL SIGTERM
CMD ["persona-insight", "serve", "--no-worker"]
