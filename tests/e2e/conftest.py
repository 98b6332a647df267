"""Browser tests: the production build (`reflex run --env prod`) driven by Chromium through Playwright.

The app runs twice: on the embedded defaults (SQLite, in-memory cache, in-process jobs) and, when the
test services are configured, on PostgreSQL + Redis with Reflex state in Redis, as in production.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

from tests.conftest import IN_CI, PG_URL, REDIS_URL, skip_or_fail
from tests.servers import free_port

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = PROJECT / "tests" / ".artifacts"
SCREENSHOTS = PROJECT / "docs" / "screenshots"
START_TIMEOUT = 420
# How long an action (click, fill, navigation) may wait: a busy CI machine can be slow to first paint.
TIMEOUT = 30_000
# Assertions wait as long as actions do: the first load of a page can be slow on a busy CI machine.
expect.set_options(timeout=30_000)


@dataclass(frozen=True)
class RunningApp:
    name: str
    base_url: str
    log_path: Path

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    @property
    def uses_demo_catalogue(self) -> bool:
        return self.name == "embedded"


def _wait_until_ready(app: RunningApp, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app exited early; log:\n{app.log_path.read_text()[-4000:]}")
        try:
            ready = httpx.get(app.url("/api/v1/health/ready"), timeout=2)
            page = httpx.get(app.url("/login"), timeout=2, follow_redirects=True)
            if ready.status_code == 200 and page.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"app not ready in {START_TIMEOUT}s; log:\n{app.log_path.read_text()[-4000:]}")


def _empty_database(url: str) -> None:
    from seen.db import build_engine
    from seen.migrate import upgrade

    upgrade(url)
    engine = build_engine(url)
    from sqlmodel import SQLModel

    import seen.models  # noqa: F401

    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture(scope="session", params=["embedded", "postgres-redis"])
def running_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """Embedded: SQLite, in-memory cache, in-process jobs, no provider keys (the demo catalogue).
    postgres-redis: production-like, with TMDB and IGDB keys pointing at the local fake (recorded responses)."""
    if not Path(CHROMIUM).exists():
        skip_or_fail("chromium is not installed (make test installs it)")
    data_dir = tmp_path_factory.mktemp(f"e2e-{request.param}")
    port = free_port()
    base_url = f"http://localhost:{port}"
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{PROJECT / '.tools' / 'node_modules' / '.bin'}:{bin_dir}:{os.environ.get('PATH', '')}",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "SEEN_DATA_DIR": str(data_dir),
        "SEEN_PUBLIC_BASE_URL": base_url,
        "SEEN_BCRYPT_ROUNDS": "4",
        "SEEN_LOGIN_MAX_FAILURES_PER_ACCOUNT": "3",
        "SEEN_LOG_FORMAT": "json",
        # Downloads: the tests' file servers listen on loopback; the app's own aria2c on free ports.
        "SEEN_DOWNLOAD_ALLOWED_HOSTS": '["127.0.0.1"]',
        "SEEN_ARIA2_RPC_PORT": str(free_port()),
        "SEEN_ARIA2_LISTEN_PORT": str(free_port()),
        "SEEN_DOWNLOAD_POLL_INTERVAL_SECONDS": "1",
    }
    if request.param == "embedded":
        env["SEEN_DATABASE_URL"] = f"sqlite:///{data_dir / 'seen.db'}"
        env["SEEN_REDIS_URL"] = ""
        env.pop("REFLEX_REDIS_URL", None)
    else:
        if not PG_URL or not REDIS_URL:
            skip_or_fail("SEEN_TEST_DATABASE_URL and SEEN_TEST_REDIS_URL are not set")
        redis.Redis.from_url(REDIS_URL).flushdb()
        env.update(SEEN_DATABASE_URL=PG_URL, SEEN_REDIS_URL=REDIS_URL, REFLEX_REDIS_URL=REDIS_URL)
        fake, urls = request.getfixturevalue("provider_server")
        env.update(urls.settings_env(fake))
    _empty_database(env["SEEN_DATABASE_URL"])
    log_path = ARTIFACTS / f"e2e-{request.param}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    app = RunningApp(request.param, base_url, log_path)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                str(bin_dir / "reflex"),
                "run",
                "--env",
                "prod",
                "--frontend-port",
                str(port),
                "--backend-port",
                str(port),
            ],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    processes = [process]
    if request.param != "embedded":
        # Production topology: a separate job worker and scheduler on the Redis broker.
        for name, command in (
            ("worker", [str(bin_dir / "dramatiq"), "workers.tasks", "--processes", "1", "--threads", "4"]),
            ("scheduler", [sys.executable, "-m", "workers.scheduler"]),
        ):
            with (ARTIFACTS / f"e2e-{request.param}-{name}.log").open("w") as side_log:
                processes.append(
                    subprocess.Popen(
                        command, cwd=PROJECT, env=env, stdout=side_log, stderr=subprocess.STDOUT, start_new_session=True
                    )
                )
    try:
        _wait_until_ready(app, process)
        _current_run[0] = request.param
        yield app
    finally:
        for running in processes:
            os.killpg(running.pid, signal.SIGTERM)
        for running in processes:
            try:
                running.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(running.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    """A fresh desktop browser context per test; a module may set VIEWPORT_HEIGHT for a taller window."""
    height = getattr(request.module, "VIEWPORT_HEIGHT", 900)
    created = browser.new_context(viewport={"width": 1440, "height": height})
    created.set_default_timeout(TIMEOUT)
    yield created
    created.close()


PHONE_WIDTH = 390


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser context for a touch screen the size of a phone (390 by 844 pixels)."""
    created = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, is_mobile=True, has_touch=True)
    created.set_default_timeout(TIMEOUT)
    yield created
    created.close()


def page_width(page: Page) -> int:
    """How wide the page's content is: more than the viewport means sideways scrolling."""
    return int(page.evaluate("document.documentElement.scrollWidth"))


class PageErrors:
    """Console errors and uncaught exceptions seen by a page (favicon and aborted requests aside)."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        page.on("pageerror", lambda error: self.messages.append(f"pageerror: {error}"))
        page.on(
            "console",
            lambda message: self.messages.append(f"console: {message.text}") if message.type == "error" else None,
        )

    def take(self) -> list[str]:
        found, self.messages = self.messages, []
        return found


# The run the tests are on now; the README's screenshots come from the embedded one (what `make run` shows).
_current_run = ["embedded"]


def save_screenshot(page: Page, name: str) -> None:
    """Every run keeps its screenshots under tests/.artifacts/<run>; SEEN_UPDATE_SCREENSHOTS=1 refreshes the
    README's from the embedded run."""
    target = ARTIFACTS / "screenshots" / _current_run[0] / name
    target.parent.mkdir(parents=True, exist_ok=True)
    # Let transitions (switch thumbs, fades) finish so the picture shows the settled page.
    page.wait_for_timeout(500)
    page.screenshot(path=str(target), full_page=False)
    if os.environ.get("SEEN_UPDATE_SCREENSHOTS") == "1" and _current_run[0] == "embedded":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(target, SCREENSHOTS / name)


def sign_in(page: Page, app: RunningApp, name: str, email: str, password: str) -> None:
    """Log in through the login page, creating the account first (through the API) if it is new."""
    httpx.post(
        app.url("/api/v1/auth/register"),
        json={"email": email, "password": password, "display_name": name},
        timeout=15,
    )
    page.goto(app.url("/login"))
    page.fill("#field-email", email)
    page.fill("#field-password", password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/app/"))


def expect_titles(rows: Locator, titles: list[str]) -> None:
    """The list rows show exactly these titles in this order (retried: a list may re-render after a reload)."""
    expect(rows.locator(".seen-list-title")).to_have_text(titles)


__all__ = ["IN_CI", "PageErrors", "RunningApp", "expect_titles", "save_screenshot", "sign_in"]
