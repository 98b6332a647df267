"""Login throttling: failed attempts counted per account and per client address in fixed windows.

Counters live in the cache (Redis when configured, so every app replica shares them).
"""

from __future__ import annotations

from seen import cache
from seen.config import get_settings
from seen.services.errors import Throttled


def _account_key(email: str) -> str:
    return cache.key("login-failures", "account", email)


def _ip_key(client_ip: str) -> str:
    return cache.key("login-failures", "ip", client_ip or "unknown")


def _message(retry_after: int) -> str:
    minutes = max(1, round(retry_after / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed logins. Try again in {minutes} {unit}."


def check_login_allowed(*, email: str, client_ip: str) -> None:
    settings = get_settings()
    store = cache.get_cache()
    limits = (
        (_account_key(email), settings.login_max_failures_per_account),
        (_ip_key(client_ip), settings.login_max_failures_per_ip),
    )
    for name, limit in limits:
        failures, retry_after = store.peek_window(name)
        if failures >= limit:
            raise Throttled(_message(retry_after), retry_after=retry_after)


def record_login_failure(*, email: str, client_ip: str) -> None:
    window = get_settings().login_window_seconds
    store = cache.get_cache()
    if email:
        store.incr_window(_account_key(email), window)
    store.incr_window(_ip_key(client_ip), window)


def clear_account_failures(*, email: str) -> None:
    cache.get_cache().delete(_account_key(email))
