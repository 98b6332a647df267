"""The "Your data" sections of /app/settings: imports, exports, scrobbling webhooks and the watched threshold.

An import is two steps because a file reaches the backend over HTTP (`rx.upload`), outside the websocket
whose handshake carries the session cookie: the upload handler only keeps the bytes, in a state of their
own (so the once-a-second progress polling never re-serialises a large upload), and the job is started by
a websocket event that validates the session first. The bytes stay there after a dry run, so "Import for
real" needs no second upload; they are dropped once a real import has started.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict
from typing import Any

import reflex as rx
from sqlmodel import Session

from seen.components.empty import data_table
from seen.components.progress import labelled_progress
from seen.config import get_settings
from seen.db import session_scope
from seen.pages.personal import PersonalPage, viewing_time
from seen.services import imports as imports_service
from seen.services import progress, webhooks
from seen.services.errors import ServiceError
from seen.services.imports.upload import MAX_UPLOAD_BYTES

UPLOAD_ID = "import-file"
SOURCES = (
    ("letterboxd", "Letterboxd", "The export zip from Settings → Data → Export your data."),
    (
        "trakt",
        "Trakt",
        "The JSON files of a Trakt data export (history, watched, ratings, watchlist), or a zip of them.",
    ),
    ("imdb", "IMDb", "Your ratings or watchlist CSV, as IMDb exports it."),
    ("seen", "/seen/", "A JSON export (or CSV zip) from this or another /seen/ server."),
)
SOURCE_NAMES = {name for name, _label, _hint in SOURCES}
OUTCOME_FILTERS = (
    ("all", "All rows"),
    ("added", "Added"),
    ("updated", "Updated"),
    ("already_there", "Already there"),
    ("not_imported", "Not imported"),
)
OUTCOME_LABELS = {
    "added": "Added",
    "updated": "Updated",
    "already_there": "Already there",
    "not_imported": "Not imported",
}
REPORT_ROWS_SHOWN = 200
POLL_SECONDS = 1.0
# A job that has not finished after this long is left to the list of recent imports (reload to see it).
POLL_LIMIT_SECONDS = 3 * 3600
FINISHED = ("completed", "failed")
THRESHOLD_MIN, THRESHOLD_MAX = progress.THRESHOLD_MIN, progress.THRESHOLD_MAX


def job_view(status: imports_service.ImportStatus) -> dict[str, Any]:
    """An import's status as the page shows it."""
    return asdict(status) | {
        "source_label": next((label for name, label, _hint in SOURCES if name == status.source), status.source),
        "mode": "Dry run" if status.dry_run else "Import",
        "started": viewing_time(status.created_at) if status.created_at else "",
        "finished": status.status in FINISHED,
    }


def row_view(row: imports_service.ReportRow) -> dict[str, Any]:
    return {
        "where": f"{row.file}:{row.line}" if row.line else row.file,
        "title": f"{row.title} ({row.year})" if row.year else row.title,
        "outcome": row.outcome,
        "outcome_label": OUTCOME_LABELS.get(row.outcome, row.outcome),
        "reason": row.reason,
    }


def _read_job(user_id: uuid.UUID, job_id: str) -> dict[str, Any]:
    with session_scope() as session:
        return job_view(imports_service.import_status(session=session, user_id=user_id, job_id=job_id))


class ImportUploadState(rx.State):
    """The file chosen for an import, held on the backend until a real import takes it."""

    file_name: str = ""
    _data: bytes = b""

    @rx.event
    async def receive(self, files: list[rx.UploadFile]):
        data_state = await self.get_state(DataSettingsState)
        if not files:
            data_state.starting = False
            data_state.import_error = "Choose a file to import first."
            return None
        data_state.import_error = ""
        upload = files[0]
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            data_state.starting = False
            data_state.import_error = f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
            return rx.clear_selected_files(UPLOAD_ID)
        self._data, self.file_name = data, (upload.filename or upload.name or "upload")
        return [rx.clear_selected_files(UPLOAD_ID), DataSettingsState.start_import(data_state.dry_run)]

    def forget(self) -> None:
        self._data, self.file_name = b"", ""


class DataSettingsState(PersonalPage, rx.State):
    source: str = "letterboxd"
    dry_run: bool = True
    import_error: str = ""
    starting: bool = False
    upload_percent: int = 0
    job: dict[str, Any] = {}
    recent: list[dict[str, Any]] = []
    report_outcome: str = "all"
    report_rows: list[dict[str, Any]] = []
    report_total: int = 0
    report_notes: list[str] = []
    ignored_files: list[dict[str, str]] = []
    report_loading: bool = False
    webhook_plex: str = ""
    webhook_jellyfin: str = ""
    webhook_message: str = ""
    threshold: int = 90
    threshold_message: str = ""
    threshold_error: str = ""
    _polling_job: str = ""

    @rx.var
    def source_hint(self) -> str:
        return next((hint for name, _label, hint in SOURCES if name == self.source), "")

    @rx.var
    def can_import_for_real(self) -> bool:
        return bool(self.job) and self.job.get("status") == "completed" and bool(self.job.get("dry_run"))

    @rx.var
    def job_running(self) -> bool:
        return bool(self.job) and self.job.get("status") not in FINISHED

    @rx.var
    def report_shown_note(self) -> str:
        if self.report_total > len(self.report_rows):
            return f"Showing the first {len(self.report_rows)} of {self.report_total} rows."
        return ""

    @rx.event
    async def load(self):
        self.import_error = self.webhook_message = self.threshold_message = self.threshold_error = ""
        # A poll from before a reload (or a restarted backend) may be gone: let this page start its own.
        self._polling_job = ""
        user_id = await self._viewer()
        if user_id is None:
            return None
        with session_scope() as session:
            self.threshold = progress.watched_threshold(session=session, user_id=user_id)
            self._show_webhooks(webhooks.webhook_urls(session=session, user_id=user_id, base_url=_base_url()))
            self.recent = [job_view(job) for job in imports_service.list_imports(session=session, user_id=user_id)]
        latest = self.recent[0] if self.recent else None
        if latest and (not self.job or self.job.get("id") == latest["id"]):
            self.job = latest
            if latest["finished"]:
                self._read_report(user_id)
            else:
                return DataSettingsState.poll
        return None

    def _show_webhooks(self, urls: webhooks.WebhookUrls | None) -> None:
        self.webhook_plex = urls.plex if urls else ""
        self.webhook_jellyfin = urls.jellyfin if urls else ""

    # -- imports ---------------------------------------------------------------------------------------------

    @rx.event
    def choose_source(self, value: str):
        if value in SOURCE_NAMES:
            self.source = value
        self.import_error = ""

    @rx.event
    def set_dry_run(self, value: bool):
        self.dry_run = bool(value)

    @rx.event
    def upload_missing(self):
        self.import_error = "Choose a file to import first."

    @rx.event
    def upload_progress(self, progress: dict):
        """The browser's upload progress. It comes over the websocket while the file goes over HTTP, so the
        last report may land after the job started (or was refused): only a partial upload shows."""
        try:
            fraction = float(progress.get("progress", 0))
        except (TypeError, ValueError):
            return
        if 0 <= fraction < 1:
            self.starting, self.upload_percent = True, round(fraction * 100)

    @rx.event
    async def start_import(self, dry_run: bool):
        """Start the job for the file the upload handler kept (validating the session first)."""
        upload = await self.get_state(ImportUploadState)
        if not upload._data:
            self.starting = False
            self.import_error = "The file is no longer here: choose it again."
            return None
        data, file_name, source = upload._data, upload.file_name, self.source
        try:
            ok, started, event = await self._change(
                lambda session, user_id: imports_service.start_import(
                    session=session, user_id=user_id, source=source, file_name=file_name, data=data, dry_run=dry_run
                )
            )
        finally:
            self.starting = False
        if not ok:
            self.import_error = self.error
            upload.forget()
            return event
        self.import_error = ""
        if not dry_run:
            upload.forget()  # a real import needs the bytes no more; a dry run keeps them for the real one
        self.job = job_view(started)
        self.report_rows, self.report_total, self.report_notes, self.ignored_files = [], 0, [], []
        self.report_outcome = "all"
        return DataSettingsState.poll

    @rx.event
    async def import_for_real(self):
        if not self.can_import_for_real:
            return None
        upload = await self.get_state(ImportUploadState)
        if not upload._data:
            self.import_error = "The dry run's file is no longer here: choose it again with the dry run unticked."
            return None
        if self.job.get("source") in SOURCE_NAMES:
            self.source = self.job["source"]
        return DataSettingsState.start_import(False)

    @rx.event(background=True)
    async def poll(self):
        """Follow the current job about once a second until it ends, then show its report."""
        async with self:
            job_id = str(self.job.get("id", ""))
            if not job_id or self._polling_job == job_id:
                return  # nothing to follow, or another poll already follows this job
            self._polling_job = job_id
            user_id = await self._viewer()
        if user_id is None:
            return
        waited = 0.0
        try:
            while waited < POLL_LIMIT_SECONDS:
                try:
                    current = await asyncio.to_thread(_read_job, user_id, job_id)
                except ServiceError as failure:
                    async with self:
                        self.import_error = failure.message
                    return
                async with self:
                    if self.job.get("id") != job_id:
                        return  # a newer job replaced this one
                    self.job = current
                    if current["finished"]:
                        self._read_report(user_id)
                        self._refresh_recent(user_id)
                        return
                await asyncio.sleep(POLL_SECONDS)
                waited += POLL_SECONDS
        finally:
            async with self:
                if self._polling_job == job_id:
                    self._polling_job = ""

    def _refresh_recent(self, user_id: uuid.UUID) -> None:
        with session_scope() as session:
            self.recent = [job_view(job) for job in imports_service.list_imports(session=session, user_id=user_id)]

    def _read_report(self, user_id: uuid.UUID) -> None:
        job_id = str(self.job.get("id", ""))
        if not job_id:
            return
        outcome = None if self.report_outcome == "all" else self.report_outcome
        try:
            with session_scope() as session:
                report = imports_service.import_report(
                    session=session, user_id=user_id, job_id=job_id, outcome=outcome, limit=REPORT_ROWS_SHOWN
                )
        except ServiceError as failure:
            self.import_error = failure.message
            return
        self.report_rows = [row_view(row) for row in report.rows]
        self.report_total = report.total
        self.report_notes = report.notes
        self.ignored_files = report.ignored_files

    @rx.event
    async def filter_report(self, outcome: str):
        if outcome not in dict(OUTCOME_FILTERS):
            return
        self.report_outcome = outcome
        user_id = await self._viewer()
        if user_id is not None:
            self._read_report(user_id)

    @rx.event
    async def open_job(self, job_id: str):
        """Show an earlier import (its progress, or its report)."""
        user_id = await self._viewer()
        if user_id is None:
            return None
        try:
            self.job = _read_job(user_id, job_id)
        except ServiceError as failure:
            self.import_error = failure.message
            return None
        self.report_outcome = "all"
        self.report_rows, self.report_total = [], 0
        if self.job["finished"]:
            self._read_report(user_id)
            return None
        return DataSettingsState.poll

    # -- webhooks --------------------------------------------------------------------------------------------

    @rx.event
    async def new_webhook_token(self):
        ok, urls, event = await self._change(
            lambda session, user_id: webhooks.regenerate_token(session=session, user_id=user_id, base_url=_base_url())
        )
        if not ok:
            return event
        had_urls = bool(self.webhook_plex)
        self._show_webhooks(urls)
        self.webhook_message = (
            "New URLs made: the old ones no longer work. Update them in Plex and Jellyfin."
            if had_urls
            else "Scrobbling is on. Paste the URLs into your media servers."
        )
        return None

    @rx.event
    async def turn_webhooks_off(self):
        def work(session: Session, user_id: uuid.UUID) -> None:
            webhooks.disable_webhooks(session=session, user_id=user_id)

        ok, _none, event = await self._change(work)
        if not ok:
            return event
        self._show_webhooks(None)
        self.webhook_message = "Scrobbling is off: the old URLs answer “not found”."
        return None

    # -- watched threshold -----------------------------------------------------------------------------------

    @rx.event
    async def save_threshold(self, form_data: dict):
        self.threshold_message = self.threshold_error = ""
        text = str(form_data.get("threshold", "")).strip().rstrip("%").strip()
        if not text.isdigit() or not THRESHOLD_MIN <= int(text) <= THRESHOLD_MAX:
            self.threshold_error = f"Enter a whole percentage from {THRESHOLD_MIN} to {THRESHOLD_MAX}."
            return None
        ok, saved, event = await self._change(
            lambda session, user_id: progress.set_watched_threshold(session=session, user_id=user_id, percent=int(text))
        )
        if not ok:
            self.threshold_error = self.error
            return event
        self.threshold = int(saved)
        self.threshold_message = f"Saved: playback past {saved}% counts as watched."
        return None


def _base_url() -> str:
    return get_settings().public_base_url


# -- components ------------------------------------------------------------------------------------------------


def _section(title: str, text: str, *body: rx.Component, test_id: str) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.heading(title, size="4", weight="medium"),
            rx.text(text, size="2", color="var(--seen-muted)"),
            *body,
            spacing="3",
            width="100%",
        ),
        class_name="seen-card",
        width="100%",
        data_testid=test_id,
    )


def _status(text: rx.Var[str], *, error: bool = False, test_id: str = "") -> rx.Component:
    return rx.cond(
        text != "",
        rx.text(
            text,
            size="2",
            color="var(--red-11)" if error else "var(--green-11)",
            role="alert" if error else "status",
            data_testid=test_id,
        ),
    )


def _source_picker() -> rx.Component:
    return rx.vstack(
        rx.text("Import from", size="2", color="var(--seen-muted)"),
        rx.select.root(
            rx.select.trigger(aria_label="Import from", data_testid="import-source", min_width="200px"),
            rx.select.content(*(rx.select.item(label, value=name) for name, label, _hint in SOURCES)),
            value=DataSettingsState.source,
            on_change=DataSettingsState.choose_source,
        ),
        rx.text(DataSettingsState.source_hint, size="1", color="var(--seen-muted)"),
        spacing="1",
    )


def _dropzone() -> rx.Component:
    chosen = rx.selected_files(UPLOAD_ID)
    return rx.upload.root(
        rx.vstack(
            rx.icon("file-up", size=22, color="var(--seen-accent)"),
            rx.cond(
                chosen.length() > 0,
                rx.text(chosen[0], weight="medium", data_testid="import-chosen"),
                rx.text("Drop the export here, or click to choose it", size="2"),
            ),
            rx.text(
                f"zip, CSV or JSON, up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB", size="1", color="var(--seen-muted)"
            ),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        multiple=False,
        max_files=1,
        accept={
            "application/zip": [".zip"],
            "text/csv": [".csv"],
            "application/json": [".json"],
        },
        class_name="seen-dropzone",
        data_testid="import-dropzone",
    )


def _start_button() -> rx.Component:
    return rx.button(
        rx.icon("upload", size=15),
        rx.cond(DataSettingsState.dry_run, "Start dry run", "Import"),
        on_click=rx.cond(
            rx.selected_files(UPLOAD_ID).length() > 0,
            ImportUploadState.receive(
                rx.upload_files(upload_id=UPLOAD_ID, on_upload_progress=DataSettingsState.upload_progress)
            ),
            DataSettingsState.upload_missing,
        ),
        loading=DataSettingsState.starting,
        disabled=DataSettingsState.job_running,
        data_testid="import-start",
    )


def _counter(label: str, value: rx.Var, test_id: str) -> rx.Component:
    return rx.box(
        rx.text(label, size="1", class_name="seen-stat-label"),
        rx.text(value.to_string(), class_name="seen-stat-value", data_testid=test_id),
        class_name="seen-stat-tile",
    )


def _job_panel() -> rx.Component:
    job = DataSettingsState.job
    return rx.cond(
        job.length() > 0,
        rx.vstack(
            rx.hstack(
                rx.badge(job["mode"], variant="soft", color_scheme=rx.cond(job["dry_run"], "amber", "cyan")),
                rx.text(job["source_label"], " · ", job["file_name"], size="2", weight="medium"),
                rx.spacer(),
                rx.badge(job["status"], variant="outline", data_testid="import-status"),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            labelled_progress(
                job["percent"].to(int),
                rx.cond(
                    DataSettingsState.job_running,
                    "Importing row " + job["processed_rows"].to_string() + " of " + job["total_rows"].to_string(),
                    "Finished: " + job["total_rows"].to_string() + " rows",
                ),
                test_id="import-progress",
            ),
            rx.cond(job["error"] != "", rx.box(job["error"], class_name="seen-alert seen-alert-error")),
            rx.box(
                _counter(rx.cond(job["dry_run"], "Would be added", "Added"), job["added"], "import-added"),
                _counter("Already there", job["already_there"], "import-already"),
                _counter("Not imported", job["not_imported"], "import-not-imported"),
                class_name="seen-stat-tiles",
            ),
            rx.cond(
                DataSettingsState.can_import_for_real,
                rx.hstack(
                    rx.text("The dry run changed nothing. Happy with it?", size="2"),
                    rx.button(
                        rx.icon("check", size=15),
                        "Import for real",
                        on_click=DataSettingsState.import_for_real,
                        loading=DataSettingsState.starting,
                        data_testid="import-for-real",
                    ),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
            ),
            rx.cond(job["finished"], _report()),
            spacing="3",
            width="100%",
            data_testid="import-job",
        ),
    )


def _report_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["where"], size="1", color="var(--seen-muted)")),
        rx.table.cell(rx.text(row["title"], size="2")),
        rx.table.cell(
            rx.badge(
                row["outcome_label"],
                variant="soft",
                color_scheme=rx.match(
                    row["outcome"], ("added", "green"), ("updated", "cyan"), ("not_imported", "red"), "gray"
                ),
            )
        ),
        rx.table.cell(rx.text(row["reason"], size="2")),
        data_testid="report-row",
    )


def _report() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Report", weight="medium"),
            rx.spacer(),
            rx.select.root(
                rx.select.trigger(aria_label="Show rows", data_testid="report-filter"),
                rx.select.content(*(rx.select.item(label, value=name) for name, label in OUTCOME_FILTERS)),
                value=DataSettingsState.report_outcome,
                on_change=DataSettingsState.filter_report,
            ),
            width="100%",
            align="center",
        ),
        rx.foreach(DataSettingsState.report_notes, lambda note: rx.text(note, size="2", color="var(--seen-muted)")),
        rx.foreach(
            DataSettingsState.ignored_files,
            lambda ignored: rx.text(
                "Skipped file ", rx.code(ignored["file"]), ": ", ignored["reason"], size="2", color="var(--seen-muted)"
            ),
        ),
        rx.cond(
            DataSettingsState.report_rows.length() > 0,
            data_table(["Where", "Title", "Outcome", "Reason"], DataSettingsState.report_rows, _report_row),
            rx.text("No rows with this outcome.", size="2", color="var(--seen-muted)"),
        ),
        rx.cond(
            DataSettingsState.report_shown_note != "",
            rx.text(DataSettingsState.report_shown_note, size="1", color="var(--seen-muted)"),
        ),
        spacing="2",
        width="100%",
        data_testid="import-report",
    )


def _recent_row(job: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(job["started"]),
        rx.table.cell(job["source_label"]),
        rx.table.cell(job["mode"]),
        rx.table.cell(job["status"]),
        rx.table.cell(
            job["added"].to_string()
            + " / "
            + job["already_there"].to_string()
            + " / "
            + job["not_imported"].to_string()
        ),
        rx.table.cell(rx.button("Open", size="1", variant="soft", on_click=DataSettingsState.open_job(job["id"]))),
    )


def imports_section() -> rx.Component:
    return _section(
        "Import",
        "Bring your history, ratings and lists from elsewhere. A dry run shows what would be added, what is "
        "already here and what could not be matched, and changes nothing. Importing the same file twice adds "
        "nothing the second time.",
        rx.hstack(
            _source_picker(),
            rx.checkbox(
                "Dry run first",
                checked=DataSettingsState.dry_run,
                on_change=DataSettingsState.set_dry_run,
                data_testid="import-dry-run",
            ),
            spacing="5",
            align="end",
            wrap="wrap",
        ),
        _dropzone(),
        rx.hstack(
            _start_button(),
            rx.cond(
                DataSettingsState.starting,
                rx.text(
                    "Uploading… ",
                    DataSettingsState.upload_percent.to_string(),
                    "%",
                    size="2",
                    color="var(--seen-muted)",
                ),
            ),
            spacing="3",
            align="center",
        ),
        _status(DataSettingsState.import_error, error=True, test_id="import-error"),
        _job_panel(),
        rx.cond(
            DataSettingsState.recent.length() > 1,
            rx.vstack(
                rx.text("Recent imports (added / already there / not imported)", size="2", color="var(--seen-muted)"),
                data_table(["Started", "From", "Kind", "Status", "Rows", ""], DataSettingsState.recent, _recent_row),
                width="100%",
                spacing="1",
            ),
        ),
        test_id="settings-import",
    )


def exports_section() -> rx.Component:
    def download(label: str, icon: str, file_format: str, extension: str) -> rx.Component:
        # The API answers with the file as an attachment; its dated name wins over this fallback.
        return rx.button(
            rx.icon(icon, size=15),
            label,
            variant="soft",
            on_click=rx.download(url=f"/api/v1/exports?format={file_format}", filename=f"seen-export.{extension}"),
            data_testid=f"export-{file_format}",
        )

    return _section(
        "Export",
        "Everything you keep here — history, watch later, progress, ratings, favourites, collections and the "
        "game backlog. The JSON file imports back into /seen/ without losing anything; the zip holds one CSV "
        "per table for spreadsheets.",
        rx.hstack(
            download("Download JSON", "file-json", "json", "json"),
            download("Download CSV (zip)", "file-archive", "csv", "zip"),
            spacing="3",
            wrap="wrap",
        ),
        test_id="settings-export",
    )


def _url_row(label: str, url: rx.Var[str], test_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.hstack(
            rx.input(value=url, read_only=True, width="100%", aria_label=f"{label} webhook URL", data_testid=test_id),
            rx.button(
                rx.icon("copy", size=14),
                "Copy",
                variant="soft",
                on_click=[rx.set_clipboard(url), rx.toast.success(f"{label} URL copied")],
                data_testid=f"{test_id}-copy",
            ),
            width="100%",
            spacing="2",
        ),
        spacing="1",
        width="100%",
    )


def _how_to(server: str, *steps: str) -> rx.Component:
    return rx.box(
        rx.text(f"In {server}", size="2", weight="medium"),
        rx.el.ol(*(rx.el.li(rx.text(step, size="2")) for step in steps), class_name="seen-how-to"),
    )


def webhooks_section() -> rx.Component:
    return _section(
        "Scrobbling",
        "Let Plex or Jellyfin tell /seen/ what you play: finished titles land in your history, paused ones in "
        "Continue watching. The URLs are secret — anyone holding them can scrobble for you.",
        rx.cond(
            DataSettingsState.webhook_plex != "",
            rx.vstack(
                _url_row("Plex", DataSettingsState.webhook_plex, "webhook-plex"),
                _url_row("Jellyfin", DataSettingsState.webhook_jellyfin, "webhook-jellyfin"),
                rx.hstack(
                    rx.button(
                        rx.icon("refresh-cw", size=14),
                        "Make new URLs",
                        variant="soft",
                        on_click=DataSettingsState.new_webhook_token,
                        data_testid="webhook-regenerate",
                    ),
                    rx.button(
                        "Turn off",
                        variant="outline",
                        color_scheme="red",
                        on_click=DataSettingsState.turn_webhooks_off,
                        data_testid="webhook-off",
                    ),
                    spacing="3",
                ),
                width="100%",
                spacing="3",
            ),
            rx.button(
                rx.icon("radio", size=14),
                "Turn on scrobbling",
                on_click=DataSettingsState.new_webhook_token,
                data_testid="webhook-on",
            ),
        ),
        _status(DataSettingsState.webhook_message, test_id="webhook-message"),
        rx.box(
            _how_to(
                "Plex",
                "Settings → Webhooks (needs Plex Pass) → Add Webhook.",
                "Paste the Plex URL and save. Plex sends play, pause, stop and scrobble events by itself.",
            ),
            _how_to(
                "Jellyfin",
                "Dashboard → Plugins → Catalog: install “Webhook”, restart Jellyfin.",
                "Plugins → Webhook → Add Generic Destination; paste the Jellyfin URL.",
                "Tick Playback Start, Playback Progress and Playback Stop, your user, and “Send All Properties”.",
            ),
            class_name="seen-how-to-grid",
        ),
        test_id="settings-webhooks",
    )


def threshold_section() -> rx.Component:
    return _section(
        "Watched threshold",
        f"How far playback must get before a movie or episode counts as watched ({THRESHOLD_MIN}-{THRESHOLD_MAX}%).",
        rx.form(
            rx.hstack(
                rx.input(
                    name="threshold",
                    # Checked on the server, with a message: the browser's own checks would block it silently.
                    input_mode="numeric",
                    max_length=4,
                    default_value=DataSettingsState.threshold.to_string(),
                    key=DataSettingsState.threshold.to_string(),
                    width="110px",
                    aria_label="Watched threshold in percent",
                    data_testid="threshold-input",
                ),
                rx.text("%", size="2"),
                rx.button("Save", type="submit", variant="soft", data_testid="threshold-save"),
                spacing="2",
                align="center",
            ),
            on_submit=DataSettingsState.save_threshold,
            reset_on_submit=False,
        ),
        _status(DataSettingsState.threshold_error, error=True, test_id="threshold-error"),
        _status(DataSettingsState.threshold_message, test_id="threshold-message"),
        test_id="settings-threshold",
    )


def data_sections() -> rx.Component:
    return rx.vstack(
        rx.heading("Your data", size="5", weight="bold", padding_top="12px", id="your-data"),
        imports_section(),
        exports_section(),
        webhooks_section(),
        threshold_section(),
        spacing="5",
        width="100%",
    )
