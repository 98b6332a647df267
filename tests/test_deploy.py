"""The production deployment files, checked by reading them (no Docker daemon on the test machines)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from seen.config import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"

EXPECTED_SERVICES = {"migrate", "app", "worker", "scheduler", "postgres", "dragonfly", "reflex-state", "aria2", "nginx"}
APP_SERVICES = ("migrate", "app", "worker", "scheduler")
RESERVED_SEEN_VARIABLES = {
    # Read by compose itself (nginx's host port), never by the app.
    "SEEN_HTTP_PORT",
}
# What an operator sets at minimum; everything else falls back to the defaults written in compose.yaml.
OPERATOR_ENV = {"SEEN_SECRET_KEY": "test-secret", "SEEN_ARIA2_RPC_SECRET": "test-aria2-secret"}

_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Resolve compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `${VAR:?error}` against `env`."""

    def replace(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        present = name in env and (env[name] != "" or not (op or "").startswith(":"))
        if present:
            return env[name]
        if op in (":-", "-"):
            return arg
        if op in (":?", "?"):
            raise LookupError(f"{name}: {arg}")
        return ""

    return _VARIABLE.sub(replace, value)


@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE_FILE.read_text()


@pytest.fixture(scope="module")
def compose(compose_text: str) -> dict[str, Any]:
    return yaml.safe_load(compose_text)


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a dict, whichever of compose's two spellings it uses."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {key: "" if value is None else str(value) for key, value in raw.items()}


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    """Dependency name -> condition; the short list form means `service_started`."""
    raw = service.get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in raw.items()}


def command_text(service: dict[str, Any]) -> str:
    command = service.get("command") or ""
    return command if isinstance(command, str) else " ".join(str(part) for part in command)


def resolved_env(service: dict[str, Any]) -> dict[str, str]:
    return {key: interpolate(value, OPERATOR_ENV) for key, value in environment(service).items()}


def test_services_are_exactly_the_production_topology(services: dict[str, Any]) -> None:
    """Given compose.yaml, when its services are listed, then they are the topology of ARCHITECTURE.md."""
    assert set(services) == EXPECTED_SERVICES


@pytest.mark.parametrize("name", ["postgres", "dragonfly", "aria2", "app", "nginx"])
def test_long_running_dependencies_have_a_healthcheck(services: dict[str, Any], name: str) -> None:
    """Given a service others wait on, when compose reads it, then it declares a healthcheck test."""
    healthcheck = services[name].get("healthcheck") or {}
    assert healthcheck.get("test"), f"{name} has no healthcheck test"
    assert not healthcheck.get("disable", False)


def test_app_waits_for_migrations_and_a_healthy_database(services: dict[str, Any]) -> None:
    """Given the app service, when it starts, then migrations have finished and PostgreSQL is healthy."""
    deps = depends_on(services["app"])
    assert deps.get("migrate") == "service_completed_successfully"
    assert deps.get("postgres") == "service_healthy"


@pytest.mark.parametrize("name", ["worker", "scheduler"])
def test_background_processes_wait_for_migrations(services: dict[str, Any], name: str) -> None:
    """Given a worker or the scheduler, when it starts, then the schema is already migrated."""
    assert depends_on(services[name]).get("migrate") == "service_completed_successfully"


def test_only_the_migrate_service_runs_migrations(services: dict[str, Any]) -> None:
    """Given every service, when their commands are read, then one process migrates and no other does."""
    assert command_text(services["migrate"]) == "seen migrate"
    assert str(services["migrate"].get("restart")) == "no"
    others = {name: command_text(svc) for name, svc in services.items() if name != "migrate"}
    assert not {name for name, command in others.items() if "migrate" in command}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_processes_reach_postgres_and_dragonfly(services: dict[str, Any], name: str) -> None:
    """Given a process running our code, when its environment resolves, then it uses the compose services."""
    env = resolved_env(services[name])
    assert urlsplit(env.get("SEEN_DATABASE_URL", "")).hostname == "postgres"
    assert urlsplit(env.get("SEEN_REDIS_URL", "")).hostname == "dragonfly"
    assert env.get("SEEN_SECRET_KEY") == OPERATOR_ENV["SEEN_SECRET_KEY"]


def test_worker_downloads_through_the_aria2_service_into_the_shared_volume(services: dict[str, Any]) -> None:
    """Given the worker (it runs the download jobs), when compose resolves it, then it drives the aria2 service
    with the operator's secret, and both see the downloads volume at the same path, so the paths aria2 reports
    are paths the app can read."""
    worker_env = resolved_env(services["worker"])
    assert urlsplit(worker_env["SEEN_ARIA2_RPC_URL"]).hostname == "aria2"
    aria2_env = {key: interpolate(value, OPERATOR_ENV) for key, value in environment(services["aria2"]).items()}
    assert worker_env["SEEN_ARIA2_RPC_SECRET"] == aria2_env["RPC_SECRET"] == OPERATOR_ENV["SEEN_ARIA2_RPC_SECRET"]
    mount = f"downloads:{worker_env['SEEN_DOWNLOADS_DIR']}"
    assert mount in services["worker"]["volumes"] and mount in services["aria2"]["volumes"]
    assert depends_on(services["worker"]).get("aria2") == "service_healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_reflex_state_lives_in_its_own_redis(services: dict[str, Any], name: str) -> None:
    """Given Dragonfly for jobs and cache, when the URLs resolve, then Reflex state uses the plain Redis service
    (Reflex's lock hand-over needs key-deletion notifications, which Dragonfly does not send)."""
    env = resolved_env(services[name])
    assert urlsplit(env.get("REFLEX_REDIS_URL", "")).hostname == "reflex-state"
    assert "healthcheck" in services["reflex-state"]
    assert services["app"]["depends_on"]["reflex-state"]["condition"] == "service_healthy"


def test_secret_key_is_required_from_the_operator(services: dict[str, Any]) -> None:
    """Given no SEEN_SECRET_KEY in the operator's environment, when compose interpolates, then it refuses."""
    raw = environment(services["app"])["SEEN_SECRET_KEY"]
    with pytest.raises(LookupError):
        interpolate(raw, {})


def test_browser_reaches_the_websocket_through_nginx(services: dict[str, Any]) -> None:
    """Given the public address, when Reflex builds the frontend, then the websocket URL is that address."""
    env = resolved_env(services["app"])
    assert env.get("REFLEX_API_URL") == env.get("SEEN_PUBLIC_BASE_URL")
    assert urlsplit(env["REFLEX_API_URL"]).port != 3000


def test_every_seen_variable_is_a_setting(compose_text: str) -> None:
    """Given every SEEN_* name in compose.yaml, when matched to Settings, then none is a typo or a ghost."""
    settings_names = {f"SEEN_{field.upper()}" for field in Settings.model_fields}
    named = set(re.findall(r"\bSEEN_[A-Z0-9_]+\b", compose_text))
    assert named, "compose.yaml names no SEEN_* variable"
    assert named - settings_names - RESERVED_SEEN_VARIABLES == set()


def test_nginx_mounts_a_proxy_config_with_websocket_upgrade(services: dict[str, Any]) -> None:
    """Given the nginx service, when its mounted config is read, then it proxies, upgrades /_event, caps bodies."""
    mounts = [str(volume) for volume in services["nginx"].get("volumes", [])]
    source = next((m.split(":")[0] for m in mounts if m.split(":")[1:2] == ["/etc/nginx/conf.d/default.conf"]), None)
    assert source == "./deploy/nginx.conf"
    config = (ROOT / source).read_text()
    assert "proxy_pass" in config
    assert "client_max_body_size" in config
    event_block = re.search(r"location\s+/_event\s*\{(?P<body>[^}]*)\}", config)
    assert event_block is not None, "no location for Reflex's /_event websocket"
    assert re.search(r"proxy_set_header\s+Upgrade\s+\$http_upgrade", event_block["body"])
    assert re.search(r'proxy_set_header\s+Connection\s+"?upgrade"?', event_block["body"], re.IGNORECASE)


def test_nginx_is_the_only_published_port(services: dict[str, Any]) -> None:
    """Given every service, when their ports are listed, then only nginx publishes one on the host."""
    published = {name for name, svc in services.items() if svc.get("ports")}
    assert published == {"nginx"}


@pytest.mark.parametrize("volume", ["data", "media", "downloads", "pgdata"])
def test_named_volumes_are_declared(compose: dict[str, Any], volume: str) -> None:
    """Given the state that must outlive containers, when top-level volumes are read, then each is declared."""
    assert volume in (compose.get("volumes") or {})


def test_no_service_pins_a_container_name(services: dict[str, Any]) -> None:
    """Given `docker compose up --scale`, when services are read, then none fixes its container name."""
    assert {name for name, svc in services.items() if "container_name" in svc} == set()


def test_dockerfile_installs_requirements_bun_and_runs_reflex_in_prod() -> None:
    """Given the Dockerfile, when its instructions are read, then it pins deps and bun and starts Reflex prod."""
    text = DOCKERFILE.read_text()
    # Join continuation lines so each instruction is one string.
    instructions = [line.strip() for line in re.sub(r"\\\n", " ", text).splitlines()]
    runs = [line for line in instructions if line.startswith("RUN ")]
    assert any(re.search(r"pip install\b.*-r requirements\.txt", run) for run in runs)
    assert any("bun@1.4.4" in run for run in runs)
    cmds = [line.removeprefix("CMD").strip() for line in instructions if line.startswith("CMD")]
    assert cmds, "no CMD"
    final = cmds[-1]
    command = " ".join(json.loads(final)) if final.startswith("[") else final
    assert "reflex run --env prod" in command
