"""A real uvicorn server on 127.0.0.1 and an ephemeral port, run in a background thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Protocol, TypeVar

import uvicorn
from starlette.types import ASGIApp

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0


class ServerThread:
    """`with ServerThread(app) as base_url:` serves `app` until the block ends."""

    def __init__(self, app: ASGIApp) -> None:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            access_log=False,
            lifespan="off",
            loop="asyncio",
            http="h11",
            ws="none",
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="fake-server", daemon=True)
        self.base_url = ""
        # Handlers that hang poll this so the server can always stop promptly.
        self.stopping = threading.Event()

    def start(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("fake server did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    def stop(self) -> None:
        self.stopping.set()
        self.server.should_exit = True
        self.thread.join(STOP_TIMEOUT_S)
        if self.thread.is_alive():
            raise RuntimeError("fake server did not stop")

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class Fake(Protocol):
    """A fake engine API (FakeOpenAI, FakeDify): an ASGI app, told its address once served."""

    base_url: str
    stopping: threading.Event

    def app(self) -> ASGIApp: ...


F = TypeVar("F", bound=Fake)


@contextmanager
def serving(fake: F) -> Iterator[F]:
    """`fake` served on 127.0.0.1 until the block ends; its `base_url` is the API root (`/v1`)
    and its hanging handlers stop when the server does."""
    server = ServerThread(fake.app())
    fake.stopping = server.stopping
    with server as base_url:
        fake.base_url = f"{base_url}/v1"
        yield fake
