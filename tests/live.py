"""A real uvicorn server on 127.0.0.1 (in a thread with its own event loop) for tests that need
real sockets: event streams, browsers, several processes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any


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
