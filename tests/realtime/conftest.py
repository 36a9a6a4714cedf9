"""A real uvicorn server on 127.0.0.1 (in a thread with its own event loop) for stream tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class LiveServer:
    url: str
    app: Any
    server: Any
    thread: threading.Thread

    def stop(self, graceful: bool = True) -> None:
        import signal

        if graceful:
            self.server.handle_exit(signal.SIGTERM, None)
        else:
            self.server.should_exit = True
        self.thread.join(timeout=30)


def start_live(settings: Any, port: int = 0) -> tuple[LiveServer, Any]:
    """Start a server; `port` 0 picks a free one (pass the old port to restart "in place")."""
    from persona_insight.app import create_app
    from persona_insight.server import GracefulServer, _config, bind

    app = create_app(settings)
    sock = bind("127.0.0.1", port)
    port = sock.getsockname()[1]
    server = GracefulServer(_config(settings, app))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    return LiveServer(url=f"http://127.0.0.1:{port}", app=app, server=server, thread=thread), sock


@pytest.fixture
def live_server(settings: Any) -> Iterator[LiveServer]:
    live, sock = start_live(settings)
    yield live
    if live.thread.is_alive():
        live.stop()
    sock.close()


@pytest.fixture
def worker_settings(settings: Any) -> Any:
    return settings.model_copy(update={"run_worker_in_process": True, "worker_concurrency": 2})


@pytest.fixture
def live_worker_server(worker_settings: Any) -> Iterator[LiveServer]:
    """A live server that also runs the analysis jobs."""
    live, sock = start_live(worker_settings)
    yield live
    if live.thread.is_alive():
        live.stop()
    sock.close()
