"""`persona-insight`: serve, run workers, migrate, manage users and tokens, import, demo, analyse.

Commands that touch the database work while a server runs: they join the same embedded
PostgreSQL of the data directory (or use DATABASE_URL).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar
from uuid import UUID

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from persona_insight.config import Settings, get_settings

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Persona Insight: customer-interview analysis, live.",
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
user_app = typer.Typer(no_args_is_help=True, help="Users.")
token_app = typer.Typer(no_args_is_help=True, help="API tokens.")
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")

err = Console(stderr=True)
T = TypeVar("T")


def _settings(**overrides: Any) -> Settings:
    """Settings with CLI overrides, also exported to the environment for child processes."""
    env_names = {name: f"PERSONA_INSIGHT_{name.upper()}" for name in overrides}
    for name, value in overrides.items():
        if value is not None:
            os.environ[env_names[name]] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
    get_settings.cache_clear()
    return get_settings()


def _run(factory: Callable[[Any], Awaitable[T]], *, app_role: bool = False) -> T:
    """Open the database for one command, run it, close the database.

    Operator commands act as the database's owner; the job worker passes `app_role=True` to
    work, like the server, under row-level security.
    """
    from persona_insight.db import Database, data_dir_ready
    from persona_insight.migrate import upgrade

    settings = get_settings()

    async def main() -> T:
        data_dir_ready(settings)
        db = Database.from_settings(settings, app_role=app_role)
        if settings.database_url is None:
            await asyncio.to_thread(upgrade, db.owner_url)
        try:
            return await factory(db)
        finally:
            await db.dispose()

    return asyncio.run(main())


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Do not run jobs in the server.")
    ] = False,
    demo: Annotated[bool, typer.Option("--demo", help="Seed the demo data first.")] = False,
) -> None:
    """Serve the web app and API (with a job worker in each process unless --no-worker)."""
    from persona_insight.db import data_dir_ready, libpq_url
    from persona_insight.migrate import upgrade
    from persona_insight.server import serve as run_server

    settings = _settings(host=host, port=port, run_worker_in_process=False if no_worker else None)
    data_dir_ready(settings)
    url = libpq_url(settings)
    if settings.database_url is None:
        upgrade(url)
    if demo:
        login = _seed_demo()
        err.print(
            f"Demo data ready: sign in as [bold]{login.email}[/bold] / "
            f"[bold]{login.password}[/bold]"
        )
    err.print(f"Persona Insight on [bold]{settings.public_url()}[/bold]")
    run_server(settings, workers=workers)


def _seed_demo() -> Any:
    from persona_insight.demo.seed import seed

    return _run(lambda db: seed(db, get_settings()))


@app.command()
def demo() -> None:
    """Seed the demo company, users and project (idempotent)."""
    login = _seed_demo()
    typer.echo(
        json.dumps(
            {
                "email": login.email,
                "password": login.password,
                "project_id": login.project_id,
                "interviews_added": login.added,
            }
        )
    )


@app.command()
def worker(
    concurrency: Annotated[int | None, typer.Option(min=1, help="Jobs at once.")] = None,
) -> None:
    """Run a standalone job worker (scale-out); stops gracefully on SIGINT/SIGTERM."""
    import signal

    from persona_insight.jobs.queue import opened
    from persona_insight.jobs.worker import run_worker
    from persona_insight.observability import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)

    async def main(db: Any) -> None:
        conc = concurrency or settings.worker_concurrency
        async with opened(db.owner_url, concurrency=conc) as jobs:
            task = asyncio.create_task(run_worker(jobs, db, settings, concurrency=conc))
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, task.cancel)
            with contextlib.suppress(asyncio.CancelledError):
                await task

    err.print(f"worker running (concurrency {concurrency or settings.worker_concurrency})")
    _run(main, app_role=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the latest schema."""
    from persona_insight.db import data_dir_ready, libpq_url
    from persona_insight.migrate import current_revision, upgrade

    settings = get_settings()
    data_dir_ready(settings)
    url = libpq_url(settings)
    upgrade(url)
    typer.echo(f"database at revision {current_revision(url)}")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="Sign-in e-mail.")],
    password: Annotated[str, typer.Option(help="At least 8 characters.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    company_id: Annotated[
        str | None, typer.Option(help="The company's id (see `GET /api/admin/companies`).")
    ] = None,
    company_domain: Annotated[
        str | None, typer.Option(help="The one company that claims this e-mail domain.")
    ] = None,
    company: Annotated[
        str | None,
        typer.Option(help="Name of a NEW company to create (refused when any company has it)."),
    ] = None,
    role: Annotated[
        str, typer.Option(help="super_admin | company_admin | company_user")
    ] = "company_user",
) -> None:
    """Create a user in the company given by id or domain, or in a new company.

    Names are chosen by tenants and can change, so an existing company is never picked by its name:
    a tenant renamed to look like another would receive its new admin.
    """
    from persona_insight.accounts import service
    from persona_insight.db import Actor
    from persona_insight.errors import AppError

    async def main(db: Any) -> str:
        async with db.unit_of_work(Actor.system()) as session:
            comp = await service.operator_company(
                session,
                company_id=company_id,
                domain=company_domain,
                new_name=company,
                new_domain=email.rsplit("@", 1)[-1].lower(),
            )
            user = await service.create_user(
                session, email=email, password=password, name=name, company=comp, role=role
            )
            return str(user.id)

    try:
        typer.echo(_run(main))
    except AppError as exc:
        _fail(exc.message)


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="A label for the token.")] = "cli",
) -> None:
    """Create an API token and print only the token (it is not shown again)."""
    from persona_insight.accounts import repository, service
    from persona_insight.db import Actor

    async def main(db: Any) -> str | None:
        async with db.unit_of_work(Actor.system()) as session:
            user = await repository.user_by_email(session, email)
            if user is None:
                return None
            _, secret = await service.create_token(session, user, name)
            return secret

    secret = _run(main)
    if secret is None:
        _fail(f"no user with e-mail {email}")
    typer.echo(secret)


@app.command("import")
def import_files(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Files or folders.")],
    project: Annotated[UUID, typer.Option("--project", help="Project id.")],
    email: Annotated[str | None, typer.Option(help="Act as this member (default: owner).")] = None,
) -> None:
    """Upload many transcripts into a project; each is analysed in the background."""
    from persona_insight import ingest
    from persona_insight.cli_import import import_paths

    files = [
        p
        for path in paths
        for p in ([path] if path.is_file() else sorted(path.rglob("*")))
        if p.is_file() and p.suffix.lower() in ingest.SUPPORTED_EXTENSIONS
    ]
    if not files:
        _fail("no supported files found")
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    ) as progress:
        bar = progress.add_task("importing", total=len(files))

        def step(path: Path, error: str | None) -> None:
            if error:
                progress.console.print(f"[yellow]skipped[/yellow] {path}: {error}")
            progress.advance(bar)

        result = _run(lambda db: import_paths(db, get_settings(), project, files, email, step))
    typer.echo(json.dumps(result))
    if result["failed"]:
        raise typer.Exit(1)


@app.command()
def reindex(
    project: Annotated[
        list[UUID] | None, typer.Option("--project", help="Only these projects (repeatable).")
    ] = None,
) -> None:
    """Rebuild the search index (keywords and line vectors) of every analysed interview."""
    from persona_insight.search.tasks import reindex as rebuild

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    ) as progress:
        bar = progress.add_task("indexing", total=None)

        def step(done: int, total: int) -> None:
            progress.update(bar, completed=done, total=total)

        result = _run(lambda db: rebuild(db, project or None, step))
    typer.echo(json.dumps(result))


@app.command()
def transcribe(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A recording.")],
    engine: Annotated[str | None, typer.Option(help="local | api (default: settings)")] = None,
    language: Annotated[
        str | None, typer.Option(help="ISO 639-1 code to force, e.g. ko (default: detect)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the segments as JSON.")] = False,
) -> None:
    """Transcribe one recording without the database; print it with times and speakers."""
    from persona_insight.errors import AppError
    from persona_insight.media.pipeline import to_text
    from persona_insight.media.run import transcribe_file

    if engine not in (None, "local", "api"):
        _fail("--engine must be local or api", 2)
    with Progress(TextColumn("{task.description}"), BarColumn(), console=err) as progress:
        model = progress.add_task("speech model (first use)", total=None, visible=False)
        spoken = progress.add_task("transcribing", total=100)

        def on_model(done: int, total: int) -> None:
            progress.update(model, completed=done, total=total, visible=True)

        def on_progress(percent: int) -> None:
            progress.update(spoken, completed=percent)

        try:
            result = asyncio.run(
                transcribe_file(
                    path,
                    get_settings(),
                    engine=engine,
                    language=language,
                    on_model=on_model,
                    on_progress=on_progress,
                )
            )
        except AppError as exc:
            _fail(f"{exc.code}: {exc.message}")
        progress.update(spoken, completed=100)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "engine": result.engine,
                    "language": result.language,
                    "duration_ms": result.duration_ms,
                    "speakers": result.speakers,
                    "speaker_confidence": result.speaker_confidence,
                    "segments": [
                        {
                            "start_ms": s.start_ms,
                            "end_ms": s.end_ms,
                            "speaker": s.speaker,
                            "text": s.text,
                        }
                        for s in result.segments
                    ],
                },
                ensure_ascii=False,
            )
        )
    else:
        typer.echo(to_text(result))


@app.command()
def analyze(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A transcript file.")],
    engine: Annotated[
        str | None, typer.Option(help="offline | llm | miso (default: settings)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the analysis as JSON.")] = False,
) -> None:
    """Analyse one file with an engine, without the database; print the analysis."""
    from persona_insight.analysis.report import render
    from persona_insight.analysis.run import analyse_file
    from persona_insight.errors import AppError

    settings = get_settings()
    try:
        result = asyncio.run(analyse_file(path, engine or settings.analysis_engine, settings))
    except AppError as exc:
        _fail(f"{exc.code}: {exc.message}")
    except Exception as exc:
        from persona_insight.analysis.engine import EngineError

        if isinstance(exc, EngineError):
            _fail(f"{exc.code}: {exc.message}")
        raise
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "engine": result.engine,
                    "model": result.model,
                    "usage": result.usage,
                    "repairs": result.repairs,
                    "analysis": result.analysis.model_dump(mode="json"),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        Console().print(render(result))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
