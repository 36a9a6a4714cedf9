"""The Dockerfile, compose.yaml and .dockerignore, checked without a container engine: their
syntax parsed, and what matters asserted (stages, a non-root user, the locked environment, health
checks, the database URL, commands the CLI really has)."""

from __future__ import annotations

import fnmatch
import re
import shlex
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from persona_insight.cli import app as cli
from tests.conftest import ROOT

DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
DOCKERIGNORE = ROOT / ".dockerignore"
_KEYWORDS = """
    FROM RUN CMD LABEL EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER WORKDIR ARG ONBUILD STOPSIGNAL
    HEALTHCHECK SHELL
"""
INSTRUCTIONS = frozenset(_KEYWORDS.split())


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with their continuation lines joined; comments and the parser directive
    dropped. Fails on an unknown keyword, as `docker build` does."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        assert keyword.upper() in INSTRUCTIONS, f"unknown Dockerfile instruction {keyword!r}"
        assert keyword == keyword.upper(), f"{keyword} should be upper case"
        instructions.append(Instruction(keyword, args.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def stages(instructions: list[Instruction]) -> dict[str, list[Instruction]]:
    found: dict[str, list[Instruction]] = {}
    current: list[Instruction] | None = None
    for ins in instructions:
        if ins.keyword == "FROM":
            match = re.fullmatch(r"(\S+)\s+AS\s+(\S+)", ins.args, re.I)
            assert match, f"every stage is named: FROM {ins.args}"
            current = found.setdefault(match.group(2), [])
        assert current is not None, "the first instruction is FROM"
        current.append(ins)
    return found


def _cli_accepts(command: list[str]) -> None:
    """The command line names a real subcommand with real options (`--help` appended: exit 0
    without running it)."""
    assert command[0] == "persona-insight", command
    result = CliRunner().invoke(cli, [*command[1:], "--help"])
    assert result.exit_code == 0, (command, result.output)


@pytest.fixture(scope="module")
def dockerfile() -> dict[str, list[Instruction]]:
    return stages(parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_dockerfile_is_multi_stage_and_syncs_the_lock(
    dockerfile: dict[str, list[Instruction]],
) -> None:
    assert len(dockerfile) >= 2
    build, runtime = next(iter(dockerfile.values())), list(dockerfile.values())[-1]
    syncs = [i.args for i in build if i.keyword == "RUN" and "uv sync" in i.args]
    assert syncs, "the build stage installs with uv sync"
    for command in syncs:
        assert "--frozen" in command.split(), "exactly the locked versions"
        assert "--no-dev" in command.split(), "no test tools in the image"
    build_name = next(iter(dockerfile))
    assert any(i.keyword == "COPY" and f"--from={build_name}" in i.args for i in runtime), (
        "the runtime stage takes the environment from the build stage"
    )
    assert not any("uv" in i.args.split() for i in runtime if i.keyword == "RUN")


def test_dockerfile_runs_as_an_unprivileged_user(
    dockerfile: dict[str, list[Instruction]],
) -> None:
    runtime = list(dockerfile.values())[-1]
    users = [i.args for i in runtime if i.keyword == "USER"]
    assert users, "the runtime stage sets USER"
    assert users[-1].split(":")[0] not in {"root", "0"}
    last_user = max(n for n, i in enumerate(runtime) if i.keyword == "USER")
    assert all(i.keyword != "RUN" for i in runtime[last_user:]), "nothing runs as root after"
    created = " ".join(i.args for i in runtime if i.keyword == "RUN")
    assert "useradd" in created
    assert users[-1].split(":")[0] in created


def test_dockerfile_health_check_and_command(dockerfile: dict[str, list[Instruction]]) -> None:
    runtime = list(dockerfile.values())[-1]
    (health,) = [i.args for i in runtime if i.keyword == "HEALTHCHECK"]
    assert "/readyz" in health
    (cmd,) = [i.args for i in runtime if i.keyword == "CMD"]
    _cli_accepts(yaml.safe_load(cmd))  # the JSON (exec) form is valid YAML
    env = " ".join(i.args for i in runtime if i.keyword == "ENV")
    assert "PERSONA_INSIGHT_DATA_DIR=" in env


def test_dockerignore_keeps_what_the_build_copies(
    dockerfile: dict[str, list[Instruction]],
) -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    copied = [
        source
        for ins in next(iter(dockerfile.values()))
        if ins.keyword == "COPY" and "--from" not in ins.args
        for source in shlex.split(ins.args)[:-1]
    ]
    assert {"pyproject.toml", "uv.lock", "src"} <= set(copied)
    for source in copied:
        assert not any(fnmatch.fnmatch(source, pattern) for pattern in patterns), source
    assert ".git" in patterns
    assert "data" in patterns, "a local data directory (keys, database) never enters the image"


def test_compose_runs_app_and_postgres_with_pgvector(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"db", "migrate", "web", "worker"} <= set(services)
    db = services["db"]
    assert db["image"].startswith("pgvector/pgvector:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    for name in ("migrate", "web", "worker"):
        service = services[name]
        url = service["environment"]["DATABASE_URL"]
        assert re.fullmatch(
            r"postgresql://persona:\$\{POSTGRES_PASSWORD[^}]*\}@db:5432/persona", url
        )
        assert service["environment"]["PERSONA_INSIGHT_SECRET_KEY"].startswith(
            "${PERSONA_INSIGHT_SECRET_KEY:?"
        ), "every process seals keys with the same secret, and compose refuses to start without"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert "app-data:/var/lib/persona-insight" in service["volumes"]
        _cli_accepts(service["command"])
    for name in ("web", "worker"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", "migrated before serving"
    assert services["migrate"]["command"] == ["persona-insight", "db", "upgrade"]
    assert "--no-worker" in services["web"]["command"]
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert set(compose["volumes"]) == {"db-data", "app-data"}


def test_compose_publishes_only_on_loopback(compose: dict[str, Any]) -> None:
    for service in compose["services"].values():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), "a proxy in front is the public side"


def _blocks(language: str) -> list[str]:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    return [str(block) for block in re.findall(rf"```{language}\n(.*?)```", text, re.S)]


def test_operations_nginx_snippet_proxies_streams_unbuffered() -> None:
    from tests.deploy.test_deployment import nginx_snippet, render_nginx

    snippet = nginx_snippet()
    upstream = re.search(r"upstream persona_insight \{(.*?)\}", snippet, re.S)
    assert upstream is not None
    assert len(re.findall(r"^\s*server 127\.0\.0\.1:\d+", upstream.group(1), re.M)) == 2
    sse = re.search(r"location /api/sse/ \{(.*?)\}", snippet, re.S)
    assert sse is not None
    assert "proxy_buffering off;" in sse.group(1)
    timeout = re.search(r"proxy_read_timeout (\d+)([smh]);", sse.group(1))
    assert timeout is not None
    seconds = int(timeout.group(1)) * {"s": 1, "m": 60, "h": 3600}[timeout.group(2)]
    assert seconds > 30, "longer than the 30 s between keep-alive comments"
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "Host"):
        assert f"proxy_set_header {header} " in snippet
    assert 'proxy_set_header Connection "";' in snippet, "keep-alive to the upstream"
    rendered = render_nginx(snippet, listen=8080, upstreams=[9001, 9002])
    assert "server 127.0.0.1:9001" in rendered
    assert "server 127.0.0.1:9002" in rendered
    assert "listen 127.0.0.1:8080;" in rendered


def test_operations_systemd_units_run_real_commands_unprivileged() -> None:
    import configparser

    units = _blocks("ini")
    assert len(units) == 2, "a web unit template and a worker unit"
    for text in units:
        unit = configparser.ConfigParser(interpolation=None, strict=True)
        unit.optionxform = str  # type: ignore[assignment,method-assign]
        unit.read_string(text)
        service = unit["Service"]
        assert service["User"] not in {"root", "0"}
        assert service["KillSignal"] == "SIGTERM"
        assert service["EnvironmentFile"].startswith("/etc/persona-insight/")
        command = shlex.split(service["ExecStart"].replace("%i", "8001"))
        assert command[0].endswith("/persona-insight")
        _cli_accepts(["persona-insight", *command[1:]])
        assert unit["Install"]["WantedBy"] == "multi-user.target"
