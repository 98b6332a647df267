"""The `seen` command for operators: accounts, migrations, configuration, file name parsing, library scans.

Every command imports what it needs inside its handler, so `seen parse` starts without settings or a database."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from seen.models.library import LibraryScan

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


# --- seen scan --------------------------------------------------------------------------------------------

# Files handled between two progress commits of a scan run here: small, so the bar moves on small libraries.
CLI_SCAN_BATCH = 10
MAX_SHOWN_ERRORS = 5
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _ScanProgress:
    """The progress of one scan on stderr: a bar redrawn in place on a terminal, else a line every few seconds."""

    def __init__(self, label: str, *, stream: TextIO, every: float) -> None:
        self.label = label
        self.stream = stream
        self.every = every
        self.tty = stream.isatty()
        self.last_shown: float | None = None
        self.drawn = False

    def start(self) -> None:
        if self.tty:
            self._draw(f"{self.label}: looking for video files...")
        else:
            self._line(f"scanning {self.label}: looking for video files")

    def update(self, scan: LibraryScan) -> None:
        now = time.monotonic()
        wait = 0.1 if self.tty else self.every
        if self.last_shown is not None and now - self.last_shown < wait:
            return
        self.last_shown = now
        self._show(scan)

    def finish(self, scan: LibraryScan | None) -> None:
        if scan is not None and scan.status == "completed":
            self._show(scan)
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False

    def close(self) -> None:
        self.finish(None)

    def _show(self, scan: LibraryScan) -> None:
        done, total = scan.files_done, scan.files_total
        percent = 100 if total == 0 else min(100, done * 100 // total)
        counts = f"{scan.files_per_second:.1f} files/s, {scan.matched} matched, {scan.unmatched} unmatched"
        if not self.tty:
            self._line(f"scanning {self.label}: {done}/{total} files ({percent}%), {counts}")
            return
        width = shutil.get_terminal_size((80, 20)).columns
        tail = f" {done}/{total} {percent:3d}% {counts}"
        bar_width = max(10, min(30, width // 4))
        filled = bar_width * percent // 100
        self._draw(f"[{'#' * filled}{'-' * (bar_width - filled)}]{tail}"[: width - 1])

    def _draw(self, text: str) -> None:
        self.stream.write(f"\r\x1b[K{text}")
        self.stream.flush()
        self.drawn = True

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


class _ScanUsage(Exception):
    """A PATH that cannot be scanned: one line on stderr, exit 2."""


def _scan_targets(args: argparse.Namespace) -> list[tuple[str, str, uuid.UUID | None]]:
    """(label, scope, root id) of each scan to run: the roots holding the paths (added first with --add)."""
    from seen.db import session_scope
    from seen.services import library_scan
    from seen.services.errors import InvalidInput

    if args.all:
        with session_scope() as session:
            library_scan.sync_configured_roots(session=session)
        return [("every library folder", "all", None)]
    targets: dict[uuid.UUID, tuple[str, str, uuid.UUID | None]] = {}
    with session_scope() as session:
        roots = library_scan.list_roots(session=session)
        for given in args.paths:
            path = Path(os.path.abspath(os.path.expanduser(given)))
            resolved = path.resolve()
            root = next((root for root in roots if resolved.is_relative_to(root.path)), None)
            if root is None:
                if not args.add:
                    if not resolved.exists():
                        raise _ScanUsage(f"{given} does not exist.")
                    raise _ScanUsage(f"{given} is not in a library folder: pass --add to add it as one.")
                try:
                    root = library_scan.add_root(session=session, path=str(path))
                except InvalidInput as error:
                    raise _ScanUsage(error.message) from error
                roots.append(root)
                print(f"added library folder {root.path}")
            elif resolved != Path(root.path):
                # Scans cover whole library folders: the one holding the path is scanned.
                print(f"{given} is inside the library folder {root.path}: scanning all of it", file=sys.stderr)
            if not root.enabled:
                print(f"note: {root.path} is disabled; scanning it anyway", file=sys.stderr)
            targets.setdefault(root.id, (root.path, "root", root.id))
    return list(targets.values())


def _print_scan_summary(label: str, scan: LibraryScan) -> None:
    from seen.models.base import as_utc

    elapsed = 0.0
    if scan.started_at is not None and scan.finished_at is not None:
        elapsed = max(0.0, (as_utc(scan.finished_at) - as_utc(scan.started_at)).total_seconds())
    print(
        f"{label}: {scan.status}, {scan.files_total} video files in {elapsed:.1f} s ({scan.files_per_second} files/s)"
    )
    print(
        f"  files: {scan.files_new} new, {scan.files_changed} changed, {scan.files_unchanged} unchanged, "
        f"{scan.files_moved} moved, {scan.files_missing} missing, {scan.files_skipped} skipped"
    )
    print(f"  matches: {scan.matched} matched, {scan.unmatched} unmatched, {scan.ignored} ignored")
    print(f"  errors: {scan.errors}")
    for sample in scan.error_samples[:MAX_SHOWN_ERRORS]:
        print(f"    {sample.get('path', '')}: {sample.get('error', '')}")
    if scan.errors > MAX_SHOWN_ERRORS:
        print(f"    ... and {scan.errors - MAX_SHOWN_ERRORS} more")


def _run_one_scan(label: str, scope: str, root_id: uuid.UUID | None, args: argparse.Namespace) -> int:
    from seen.db import session_scope
    from seen.services import library_scan

    with session_scope() as session:
        scan_id = library_scan.request_scan(session, user=None, scope=scope, root_id=root_id, send_job=False).id
    progress = _ScanProgress(label, stream=sys.stderr, every=args.progress_every)
    progress.start()
    try:
        finished = library_scan.run_scan(scan_id=scan_id, batch_size=CLI_SCAN_BATCH, progress=progress.update)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop the bookkeeping
        progress.close()
        with session_scope() as session:
            library_scan.abandon_scan(session, scan_id=scan_id, reason="interrupted")
        print(f"interrupted: the scan of {label} was stopped (scan {scan_id} marked failed)", file=sys.stderr)
        return EXIT_INTERRUPTED
    progress.finish(finished)
    if finished is None:
        print(f"error: the scan of {label} is already running elsewhere (scan {scan_id})", file=sys.stderr)
        return 1
    _print_scan_summary(label, finished)
    if finished.status != "completed":
        print(f"error: the scan of {label} failed: {finished.message}", file=sys.stderr)
        return 1
    return 0


def _scan(args: argparse.Namespace) -> int:
    if bool(args.paths) == args.all:
        args.parser.error("give the library folders to scan (PATH ...) or --all, not both")
    if args.all and args.add:
        args.parser.error("--add needs a PATH")
    from seen.migrate import is_at_head

    try:
        if not is_at_head():
            print("error: the database is not migrated: run `seen migrate` first", file=sys.stderr)
            return EXIT_USAGE
        try:
            targets = _scan_targets(args)
        except _ScanUsage as problem:
            print(f"error: {problem}", file=sys.stderr)
            return EXIT_USAGE
        worst = 0
        for label, scope, root_id in targets:
            worst = max(worst, _run_one_scan(label, scope, root_id, args))
            if worst == EXIT_INTERRUPTED:
                break
        return worst
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


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

    scan = commands.add_parser(
        "scan", help="scan library folders now, in this process, with a progress bar (stderr) and a summary"
    )
    scan.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="a library folder or a folder in one (that library folder is scanned)",
    )
    scan.add_argument("--all", action="store_true", help="scan every enabled library folder")
    scan.add_argument("--add", action="store_true", help="add PATH as a library folder first when it is not in one")
    scan.add_argument(
        "--progress-every",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="when stderr is not a terminal, a progress line at most this often (default: 5)",
    )
    scan.set_defaults(handler=_scan, parser=scan)
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
