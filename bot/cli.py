"""``classroom-bot``: run the bot, migrate the database, import the catalogue, purge data past its retention."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

from aiohttp import web
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.app import create_app, freeze_startup_objects
from bot.assembly import build_services
from bot.demo_people import DEMO_PEOPLE
from bot.event_loop import new_event_loop
from bot.outbox_cli import add_outbox_commands
from bot.settings import Settings
from classroom.catalogue.file_format import CatalogueFileError
from classroom.catalogue.importer import import_catalogue
from classroom.catalogue.service import CatalogueService
from classroom.clock import SystemClock
from classroom.demo.catalogue import demo_catalogue
from classroom.enrolment.organisations import assign_organisation_by_name
from classroom.people import assign_roles
from classroom.reflection.sealing import new_key
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade

T = TypeVar("T")

EXIT_OK, EXIT_FAILURE, EXIT_INVALID_INPUT = 0, 1, 2
PLAYGROUND = "npx -y -p @microsoft/m365agentsplayground@0.2.28 agentsplayground"
PLAYGROUND_DEFAULT_ENDPOINT = "http://127.0.0.1:3978/api/messages"  # where the Playground looks without -e
DEMO_HOST = "127.0.0.1"


class DatabaseUnavailable(Exception):
    pass


def _manifest_build(settings: Settings, args: argparse.Namespace) -> int:
    from bot.manifest_package import cmd_manifest_build  # its schema validator is not for the serving process

    return cmd_manifest_build(settings, args)


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL we cannot even parse is shown as "the configured URL"
        return "the configured DATABASE_URL"


async def _with_database(settings: Settings, work: Callable[..., Awaitable[T]]) -> T:
    """Migrate, then run ``work(session_factory)``; any connection failure becomes DatabaseUnavailable."""
    engine = create_engine(settings.database_url)
    try:
        try:
            await upgrade(engine)
        except (OSError, OperationalError, InterfaceError, DBAPIError) as error:
            raise DatabaseUnavailable(str(error).splitlines()[0]) from error
        return await work(create_session_factory(engine))
    finally:
        await engine.dispose()


async def _seed_demo(session_factory) -> str:  # type: ignore[no-untyped-def]
    async with session_factory.begin() as session:
        report = await import_catalogue(session, demo_catalogue(date.today()))
        for person in DEMO_PEOPLE:
            await assign_roles(session, person.aad_object_id, person.roles, person.name, person.email)
            if person.organisation:
                await assign_organisation_by_name(session, person.aad_object_id, person.organisation)
    return report.summary()


def _demo_banner(settings: Settings, catalogue_summary: str) -> str:
    people = "\n".join(f"    {p.name:<16} {', '.join(r.value for r in p.roles)}" for p in DEMO_PEOPLE)
    endpoint = f"http://{settings.host}:{settings.port}/api/messages"
    playground = PLAYGROUND if endpoint == PLAYGROUND_DEFAULT_ENDPOINT else f"{PLAYGROUND} -e {endpoint}"
    return f"""
Classroom bot demo
  Bot endpoint : {endpoint}  (authentication off: no app id set)
  Health       : http://{settings.host}:{settings.port}/healthz
  Database     : {_safe_url(settings.database_url)}
  Catalogue    : {catalogue_summary.strip().replace(chr(10), chr(10) + " " * 17)}

Talk to it in the Microsoft 365 Agents Playground (Teams emulator; needs Node.js), in another terminal:
    {playground}
It opens a browser chat as Alex Wilber (a participant). Try: help, courses, course PERM4, find, enrol PERM4, enquire.
To try the trainer or coordinator view, start it as another demo user:
    M365_AGENTS_PLAYGROUND_CONFIG_PATH=playground/trainer.yml {playground}
    M365_AGENTS_PLAYGROUND_CONFIG_PATH=playground/coordinator.yml {playground}
Megan Bowen (trainer) trains every demo run: a clash Alex reports on "enrol PERM4" comes to her as a card.
Patti Fernandez (admin) can try: roles, grant @person ROLE, link trainer @person CODE, roles history.

Demo people (the Playground's built-in users):
{people}

Press Ctrl+C to stop.
"""


def _serve(settings: Settings, banner: str | None = None, sock: socket.socket | None = None) -> int:
    """Serve on ``sock`` if given (already bound to settings.host and settings.port), else on HOST:PORT."""
    app = create_app(settings)
    app.on_startup.append(freeze_startup_objects)  # after the runtime is up (cleanup contexts start first)
    web.run_app(
        app,
        host=None if sock else settings.host,
        port=None if sock else settings.port,
        sock=sock,
        shutdown_timeout=10,
        print=(lambda _line: print(banner, flush=True)) if banner else print,
        access_log=None,
        loop=new_event_loop(),
    )
    return EXIT_OK


def _listen(host: str, port: int) -> socket.socket:
    """A TCP socket listening on ``host:port`` (port 0: one the system picks), so the port is ours from now on;
    connections wait in its backlog until the app serves them."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if os.name == "posix":  # as aiohttp binds: a restart need not wait for old connections' TIME_WAIT
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        raise OSError(error.errno, f"cannot listen on {host}:{port}: {error.strerror}") from error
    return sock


DEMO_KEY_FILE = "reflection.key"


def _demo_reflection_keys(settings: Settings) -> str:
    """REFLECTION_KEYS if set, else the demo's own key in its working folder (made on the first run, owner-only)."""
    if settings.reflection_keys:
        return settings.reflection_keys
    path = Path.cwd() / DEMO_KEY_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(new_key() + "\n")
    return path.read_text().strip()


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Bind first, so the settings (banner, calendar links) carry the real port even when it was 0."""
    sock = _listen(DEMO_HOST, settings.port if args.demo_port is None else args.demo_port)
    try:
        settings = settings.model_copy(
            update={
                "host": DEMO_HOST,
                "port": sock.getsockname()[1],
                "reflection_keys": _demo_reflection_keys(settings),
            }
        )
        summary = asyncio.run(_with_database(settings, _seed_demo))
        return _serve(settings, _demo_banner(settings, summary), sock)
    finally:
        sock.close()  # already closed by the server when it stops; closing twice is harmless


def cmd_serve(settings: Settings, _args: argparse.Namespace) -> int:
    asyncio.run(_with_database(settings, _noop))
    return _serve(settings)


async def _noop(_session_factory) -> None:  # type: ignore[no-untyped-def]
    return None


def cmd_db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    asyncio.run(_with_database(settings, _noop))
    print(f"Database {_safe_url(settings.database_url)} is at the newest schema.")
    return EXIT_OK


def cmd_catalogue_import(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        report = asyncio.run(_with_database(settings, lambda sf: CatalogueService(sf, SystemClock()).import_file(path)))
    except CatalogueFileError as error:
        print(
            f"{path}: not imported, nothing was changed ({len(error.problems)} problem"
            f"{'s' if len(error.problems) != 1 else ''}):",
            file=sys.stderr,
        )
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_INVALID_INPUT
    print(report.summary())
    return EXIT_OK


def cmd_privacy_purge(settings: Settings, _args: argparse.Namespace) -> int:
    """What the daily purge does, now: remove every kind of data past its retention period (``RETENTION_*``)."""

    async def purge(session_factory) -> dict[str, int]:  # type: ignore[no-untyped-def]
        return await build_services(settings, session_factory, SystemClock()).privacy.purge()

    removed = asyncio.run(_with_database(settings, purge))
    for kind, count in sorted(removed.items()):
        print(f"{kind}: {count} removed")
    return EXIT_OK


def _port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="classroom-bot",
        description="Microsoft Teams bot for online social-work training courses. Settings come from the "
        "environment or a .env file (see README).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="serve on 127.0.0.1 (port: --port, else PORT, else 3978) with the demo catalogue and demo roles"
    )
    demo.add_argument(
        "--port",
        dest="demo_port",
        metavar="PORT",
        type=_port_number,
        help="port to listen on (default: PORT or 3978; 0: any free port, shown when it starts)",
    )
    demo.set_defaults(handler=cmd_demo)

    serve = commands.add_parser("serve", help="serve the bot (production); migrates the database first")
    serve.add_argument("--host", help="interface to listen on (default: HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT or 3978)")
    serve.set_defaults(handler=cmd_serve)

    db = commands.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    db.add_parser("upgrade", help="migrate the database to the newest schema").set_defaults(handler=cmd_db_upgrade)

    catalogue = commands.add_parser("catalogue", help="the course catalogue").add_subparsers(
        dest="catalogue_command", required=True, metavar="ACTION"
    )
    importer = catalogue.add_parser(
        "import",
        help="validate a catalogue file, then add or update its courses by code (nothing changes if it has any error)",
    )
    importer.add_argument("file", type=Path, help="catalogue file (YAML)")
    importer.set_defaults(handler=cmd_catalogue_import)

    manifest = commands.add_parser("manifest", help="the Teams app package").add_subparsers(
        dest="manifest_command", required=True, metavar="ACTION"
    )
    package = manifest.add_parser(
        "build", help="fill the app manifest from settings, validate it offline and write the Teams app package"
    )
    package.add_argument("--out", type=Path, required=True, help="the .zip file to write")
    package.add_argument("--template-dir", type=Path, help="manifest template folder (default: manifest/)")
    package.set_defaults(handler=_manifest_build)

    privacy = commands.add_parser("privacy", help="data protection").add_subparsers(
        dest="privacy_command", required=True, metavar="ACTION"
    )
    privacy.add_parser(
        "purge", help="remove every kind of data past its retention period now (the bot also does it daily)"
    ).set_defaults(handler=cmd_privacy_purge)

    add_outbox_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides = {
        k: v for k, v in (("host", getattr(args, "host", None)), ("port", getattr(args, "port", None))) if v is not None
    }
    try:
        settings = Settings(**overrides)
    except ValueError as error:
        print(f"classroom-bot: invalid settings: {error}", file=sys.stderr)
        return EXIT_INVALID_INPUT
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration step is noise at start
    try:
        return int(args.handler(settings, args))
    except DatabaseUnavailable as error:
        print(f"classroom-bot: cannot reach the database {_safe_url(settings.database_url)}: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as error:  # e.g. the port is taken
        print(f"classroom-bot: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
