"""The `seen` command for operators: accounts, migrations, configuration, file name parsing.

Every command imports what it needs inside its handler, so `seen parse` starts without settings or a database."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Iterable, Sequence

SECRET_FIELDS = {"secret_key", "tmdb_api_key", "tmdb_read_token", "igdb_client_secret", "aria2_rpc_secret"}


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise SystemExit("No terminal to ask for a password: pass --password-stdin and pipe it in.")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise SystemExit("The passwords do not match.")
    return first


def _create_user(args: argparse.Namespace) -> int:
    from seen.db import session_scope
    from seen.models.users import Role
    from seen.services import auth

    password = _read_password(args)
    with session_scope() as session:
        user = auth.create_user(
            session=session,
            email=args.email,
            password=password,
            display_name=args.name or "",
            role=Role.ADMIN if args.admin else Role.USER,
        )
        print(f"created {user.role} {user.email} ({user.id})")
    return 0


def _reset_password(args: argparse.Namespace) -> int:
    from seen.db import session_scope
    from seen.services import auth
    from seen.services.errors import NotFound

    password = _read_password(args)
    with session_scope() as session:
        user = auth.find_user_by_email(session=session, email=args.email)
        if user is None:
            raise NotFound(f"No account with the email {args.email}.")
        auth.set_password(session=session, user=user, new_password=password)
        print(f"password reset for {user.email}; all of its sessions were signed out")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from seen.config import get_settings
    from seen.migrate import upgrade

    upgrade(revision=args.revision)
    print(f"database at {args.revision}: {_masked_url(get_settings().resolved_database_url)}")
    return 0


def _masked_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _show_config(_: argparse.Namespace) -> int:
    from seen.config import get_settings

    settings = get_settings()
    shown = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if name in SECRET_FIELDS:
            value = "(set)" if value else "(unset)"
        shown[f"SEEN_{name.upper()}"] = str(value) if not isinstance(value, (bool, int, list)) else value
    shown["SEEN_DATABASE_URL"] = _masked_url(settings.resolved_database_url)
    if settings.redis_url:
        shown["SEEN_REDIS_URL"] = _masked_url(settings.redis_url)
    shown["(embedded worker)"] = settings.runs_embedded_worker
    print(json.dumps(shown, indent=2))
    return 0


def _parse_names(args: argparse.Namespace) -> int:
    from seen.naming import parse_name

    # Names are bytes from a file system: undecodable ones go through unchanged (surrogateescape) rather than fail.
    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="surrogateescape")
    names: Iterable[str] = args.names or (line.rstrip("\r\n") for line in sys.stdin)
    write = sys.stdout.write
    for name in names:
        if not name.strip():
            continue
        write(json.dumps(parse_name(name).to_json(), ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seen", description="Operate a /seen/ server.")
    commands = parser.add_subparsers(dest="command", required=True)

    create = commands.add_parser("create-user", help="create an account (use --admin for an admin)")
    create.add_argument("email")
    create.add_argument("--name", help="display name")
    create.add_argument("--admin", action="store_true", help="make the account an admin")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.set_defaults(handler=_create_user)

    reset = commands.add_parser("reset-password", help="set a new password and sign out every session")
    reset.add_argument("email")
    reset.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    reset.set_defaults(handler=_reset_password)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--revision", default="head")
    migrate.set_defaults(handler=_migrate)

    config = commands.add_parser("config", help="show the configuration in force (secrets masked)")
    config.set_defaults(handler=_show_config)

    parse = commands.add_parser(
        "parse", help="what media file names say (title, year, season/episode...), one JSON object per line"
    )
    parse.add_argument("names", nargs="*", metavar="PATH", help="file names or paths; none: one per line on stdin")
    parse.set_defaults(handler=_parse_names)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from seen.services.errors import ServiceError

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ServiceError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
