"""The deployment of docs/operations.md, for real: a standalone PostgreSQL from Debian's packages,
`db upgrade`, two `serve --no-worker` processes and a `worker`, behind nginx configured with the
snippet from that document. Through nginx: an upload, event streams, a worker killed mid-analysis
and replaced, a web process restarted, and no event lost or repeated on any stream."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import ROOT
from tests.interviews.samples import ENGLISH

pytestmark = pytest.mark.slow

OPERATIONS = ROOT / "docs" / "operations.md"
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
PASSWORD = "deploy-test-secret"
STREAMS = 4


def _missing_tools() -> str | None:
    if not PG_BIN:
        return "Debian's PostgreSQL server (apt-get install postgresql) is not installed"
    if NGINX is None:
        return "nginx (apt-get install nginx-light) is not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a 'postgres' user to run the server as"
    return None


_MISSING = _missing_tools()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nginx_snippet() -> str:
    """The ```nginx block of docs/operations.md."""
    blocks = re.findall(r"```nginx\n(.*?)```", OPERATIONS.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "docs/operations.md should hold exactly one nginx snippet"
    return str(blocks[0])


def render_nginx(snippet: str, *, listen: int, upstreams: list[int]) -> str:
    """The snippet with this test's ports: every `server 127.0.0.1:N` of the upstream in turn,
    and the listen address."""
    ports = iter(upstreams)
    rendered = re.sub(
        r"server 127\.0\.0\.1:\d+", lambda _: f"server 127.0.0.1:{next(ports)}", snippet
    )
    assert next(ports, None) is None, "the snippet's upstream should list both web processes"
    return rendered.replace("listen 80;", f"listen 127.0.0.1:{listen};")


# --- PostgreSQL ------------------------------------------------------------------------------


class Postgres:
    """A cluster made with initdb in a temporary directory, run as a non-root user."""

    def __init__(self, root: Path) -> None:
        self.bin = Path(PG_BIN[-1]).parent
        self.dir = root / "pg"
        self.port = _free_port()
        self.dir.mkdir(mode=0o700)
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            root.chmod(0o755)
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        self.superuser = "postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> None:
        pwfile = self.dir / "pwfile"
        pwfile.write_text(PASSWORD + "\n")
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(pwfile, user.pw_uid, user.pw_gid)
        data = str(self.dir / "data")
        done = self._run(
            "initdb", "-D", data, "-U", self.superuser, "--pwfile", str(pwfile),
            "--auth-host=scram-sha-256", "--auth-local=peer", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off"
        done = self._run(
            "pg_ctl", "-D", data, "-l", str(self.dir / "log"), "-o", options, "-w", "start"
        )
        assert done.returncode == 0, done.stderr + self.log()

    def stop(self) -> None:
        done = self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        assert done.returncode == 0, done.stderr

    def log(self) -> str:
        path = self.dir / "log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def url(self, user: str, password: str, database: str) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"


def _prepare_database(pg: Postgres) -> str | None:
    """docs/operations.md's SQL: the application's role and database, and pgvector when this
    system packages it (returns why not otherwise)."""
    with psycopg.connect(pg.url("postgres", PASSWORD, "postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE persona LOGIN PASSWORD '{PASSWORD}' CREATEROLE")
        conn.execute("CREATE DATABASE persona OWNER persona")
    with psycopg.connect(pg.url("postgres", PASSWORD, "persona"), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone()
        if row is None:
            return "pgvector is not packaged for this system's PostgreSQL"
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    return None


# --- the application's processes --------------------------------------------------------------


@dataclass
class Processes:
    env: dict[str, str]
    log: Any
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "persona_insight", *args],
            env=self.env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "persona_insight", *args],
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        self.procs[name] = proc
        return proc

    def serve(self, name: str, port: int) -> None:
        self.start(name, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port))
        _wait_ready(f"http://127.0.0.1:{port}/readyz", self.procs[name])

    def stop(self, name: str, timeout: float = 40) -> int:
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGTERM)
        return proc.wait(timeout=timeout)

    def kill_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        self.procs.clear()


def _wait_ready(
    url: str, proc: subprocess.Popen[bytes] | None = None, timeout: float = 300
) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while True:
        try:
            r = httpx.get(url, timeout=5)
            if r.status_code == 200:
                return
            last = f"{r.status_code} {r.text[:200]}"
        except httpx.TransportError as exc:
            last = repr(exc)
        assert proc is None or proc.poll() is None, f"the process behind {url} exited"
        assert time.monotonic() < deadline, f"{url} did not become ready: {last}"
        time.sleep(0.3)


class Nginx:
    def __init__(self, root: Path, snippet: str) -> None:
        self.dir = root / "nginx"
        self.dir.mkdir()
        self.dir.chmod(0o777)  # its worker processes (nobody, when started as root) write here
        for sub in ("body", "proxy"):
            (self.dir / sub).mkdir()
            (self.dir / sub).chmod(0o777)
        self.conf = self.dir / "nginx.conf"
        user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
        self.conf.write_text(
            f"{user}worker_processes 1;\npid {self.dir}/nginx.pid;\n"
            f"error_log {self.dir}/error.log warn;\ndaemon off;\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            "  log_format upstream '$request_method $uri $status $upstream_addr';\n"
            f"  access_log {self.dir}/access.log upstream;\n"
            f"  client_body_temp_path {self.dir}/body;\n  proxy_temp_path {self.dir}/proxy;\n"
            f"  include {self.dir}/persona-insight.conf;\n}}\n"
        )
        (self.dir / "persona-insight.conf").write_text(snippet)
        self.proc: subprocess.Popen[bytes] | None = None

    def check(self) -> None:
        done = subprocess.run(
            [str(NGINX), "-t", "-p", str(self.dir), "-c", str(self.conf)],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(NGINX), "-p", str(self.dir), "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGQUIT)  # graceful: finish the requests in flight
        return self.proc.wait(timeout=30)

    def kill(self) -> None:
        # SIGTERM is nginx's fast shutdown, which takes its workers along; SIGKILL would orphan
        # them.
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


# --- a well-behaved stream client ---------------------------------------------------------------


class StreamClient(threading.Thread):
    """Reads a project's stream through nginx and, whenever it ends or fails, reconnects with
    its last event id after a short pause, as docs/events.md asks of every client."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.token = token
        self.seqs: list[int] = []
        self.types: list[str] = []
        self.connects = 0
        self.statuses: list[int] = []
        self.last_id: str | None = None
        self.stopping = threading.Event()

    def run(self) -> None:
        deadline = time.monotonic() + 600
        while not self.stopping.is_set() and time.monotonic() < deadline:
            headers = {"Authorization": f"Bearer {self.token}"}
            if self.last_id is not None:
                headers["Last-Event-ID"] = self.last_id
            try:
                with (
                    httpx.Client(timeout=httpx.Timeout(10, read=45)) as client,
                    client.stream("GET", self.url, headers=headers) as response,
                ):
                    self.statuses.append(response.status_code)
                    if response.status_code == 200:
                        self.connects += 1
                        self._read(response.iter_lines())
            except httpx.HTTPError:
                pass
            self.stopping.wait(0.3)

    def _read(self, lines: Iterator[str]) -> None:
        event_id: str | None = None
        data: list[str] = []
        for line in lines:
            if self.stopping.is_set():
                return
            if line.startswith("id:"):
                event_id = line[3:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif line == "" and data:
                message = json.loads("\n".join(data))
                if message.get("seq") is not None and message.get("type") != "sync:reset":
                    self.seqs.append(int(message["seq"]))
                    self.types.append(str(message["type"]))
                if event_id is not None:
                    self.last_id = event_id
                event_id, data = None, []


# --- the test ----------------------------------------------------------------------------------


def _long_transcript(turns: int) -> str:
    lines = []
    for i in range(turns):
        for line in ENGLISH[1:-1]:
            lines.append(line.replace("slots", f"slots #{i}").replace("app", f"app v{i % 17}"))
    return "\n".join(lines)


def _status(http: httpx.Client, interview_id: str) -> str:
    r = http.get(f"/api/interviews/{interview_id}")
    assert r.status_code == 200, r.text
    return str(r.json()["status"])


def _wait_status(http: httpx.Client, interview_id: str, wanted: set[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(httpx.TransportError):
            status = _status(http, interview_id)
            if status in wanted:
                return status
        assert time.monotonic() < deadline, f"the interview never reached {wanted}"
        time.sleep(0.2)


@pytest.mark.skipif(_MISSING is not None, reason=f"deployment tools missing: {_MISSING}")
@pytest.mark.timeout(1500)  # five processes start and two analyses run on a shared machine
def test_documented_deployment_end_to_end() -> None:
    # Not pytest's tmp_path: its parent is private to the test's user, and PostgreSQL runs as
    # another one when the test runs as root.
    root = Path(tempfile.mkdtemp(prefix="pi-deploy-"))
    pg = Postgres(root)
    pg.start()
    log = (root / "app.log").open("ab")
    web_ports = [_free_port(), _free_port()]
    nginx_port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PERSONA_INSIGHT_")},
        "DATABASE_URL": pg.url("persona", PASSWORD, "persona"),
        "PERSONA_INSIGHT_DATA_DIR": str(root / "data"),
        "PERSONA_INSIGHT_SECRET_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        "PERSONA_INSIGHT_FORWARDED_ALLOW_IPS": "127.0.0.1",
        "PERSONA_INSIGHT_LOG_LEVEL": "INFO",
        "PERSONA_INSIGHT_WORKER_HEARTBEAT_S": "0.5",
        "PERSONA_INSIGHT_WORKER_STALLED_AFTER_S": "3",
        "PERSONA_INSIGHT_RECONCILE_INTERVAL_S": "0.5",
        "PERSONA_INSIGHT_SSE_SHUTDOWN_S": "2",
    }
    apps = Processes(env=env, log=log)
    nginx = Nginx(root, render_nginx(nginx_snippet(), listen=nginx_port, upstreams=web_ports))
    streams: list[StreamClient] = []
    clients: list[httpx.Client] = []
    try:
        vector_note = _prepare_database(pg)
        if vector_note is not None:
            print(f"note: {vector_note}; the application does not need it yet")
        assert "revision" in apps.cli("db", "upgrade")
        apps.cli(
            "user", "create", "--email", "kim@acme.test", "--password", "correct horse 9",
            "--name", "Kim", "--company", "Acme", "--role", "company_admin",
        )  # fmt: skip
        token = apps.cli("token", "create", "--email", "kim@acme.test")
        apps.serve("web-a", web_ports[0])
        apps.serve("web-b", web_ports[1])
        apps.start("worker-1", "worker", "--concurrency", "1")
        nginx.check()
        nginx.start()
        base = f"http://127.0.0.1:{nginx_port}"
        _wait_ready(f"{base}/readyz")

        http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        clients.append(http)
        r = http.post("/api/projects", json={"name": "Deployment check"})
        assert r.status_code == 201, r.text
        project_id = r.json()["id"]

        # Several streams, so nginx's round robin puts some on each web process.
        for _ in range(STREAMS):
            stream = StreamClient(f"{base}/api/sse/projects/{project_id}", token)
            stream.start()
            streams.append(stream)
        deadline = time.monotonic() + 30
        while any(s.connects == 0 for s in streams):
            assert time.monotonic() < deadline, "the streams did not open through nginx"
            time.sleep(0.1)

        # A file upload (multipart through nginx), and a long pasted transcript for the worker to
        # be killed on.
        r = http.post(
            "/api/workflow/async",
            data={"project_id": project_id},
            files={"file": ("인터뷰.txt", "\n".join(ENGLISH).encode(), "text/plain")},
        )
        assert r.status_code == 202, r.text
        small_id = r.json()["interview_id"]
        r = http.post(
            "/api/workflow/async", json={"project_id": project_id, "text": _long_transcript(250)}
        )
        assert r.status_code == 202, r.text
        interview_id = r.json()["interview_id"]

        # The worker dies mid-analysis; another one finishes the job.
        _wait_status(http, interview_id, {"analyzing", "completed"}, timeout=120)
        time.sleep(0.3)
        apps.procs["worker-1"].send_signal(signal.SIGKILL)
        apps.procs.pop("worker-1").wait(timeout=10)
        assert _status(http, interview_id) == "analyzing", "the worker should die mid-analysis"
        apps.start("worker-2", "worker", "--concurrency", "1")

        # One web process restarts while the job runs: its streams resume through nginx.
        assert apps.stop("web-a") == 0
        apps.serve("web-a", web_ports[0])

        for done in (interview_id, small_id):
            assert _wait_status(http, done, {"completed", "failed"}, timeout=300) == "completed"
        # Jobs the analyses deferred (search index, placement, insights) append events for a
        # few seconds after the last completion: take the position once it stands still.
        last_seq = -1
        for _ in range(20):
            r = http.get(f"/api/projects/{project_id}/interviews")
            assert r.status_code == 200, r.text
            if int(r.json()["last_seq"]) == last_seq:
                break
            last_seq = int(r.json()["last_seq"])
            time.sleep(3.0)
        deadline = time.monotonic() + 30
        while any((s.seqs[-1] if s.seqs else 0) < last_seq for s in streams):
            assert time.monotonic() < deadline, "a stream never caught up"
            time.sleep(0.1)
        for stream in streams:
            stream.stopping.set()

        # Every stream saw every event exactly once and in order, across the restart.
        first = min(s.seqs[0] for s in streams)
        for stream in streams:
            assert stream.seqs == list(range(first, last_seq + 1)), stream.seqs
            assert "interview:completed" in stream.types
        assert sum(s.connects for s in streams) > STREAMS, "no stream was cut by the restart"

        # Stop everything cleanly: SIGTERM for the application, a graceful quit for nginx.
        assert apps.stop("worker-2") == 0
        assert apps.stop("web-a") == 0
        assert apps.stop("web-b") == 0
        assert nginx.stop() == 0
        for stream in streams:
            stream.join(timeout=15)
        pg.stop()

        # nginx logs a request when it ends: the streams went through it, to both processes.
        streamed = [
            line.split()[-1]
            for line in (nginx.dir / "access.log").read_text().splitlines()
            if line.startswith("GET /api/sse/projects/")
        ]
        for port in web_ports:
            assert any(addr.endswith(f":{port}") for addr in streamed), streamed
    except BaseException:
        print(pg.log())
        print((root / "app.log").read_text(errors="replace")[-20000:])
        raise
    finally:
        for stream in streams:
            stream.stopping.set()
        for http_client in clients:
            http_client.close()
        nginx.kill()
        apps.kill_all()
        log.close()
        with contextlib.suppress(Exception):
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)
