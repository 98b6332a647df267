"""What a provider call can fail with. Callers catch `ProviderError` and pick the subclasses they treat apart."""

from __future__ import annotations


class ProviderError(Exception):
    """A provider answered something we cannot use (a 4xx other than 401/404, or a malformed body)."""

    def __init__(self, message: str, *, provider: str, status: int | None = None) -> None:
        super().__init__(message)
        self.provider = provider
        self.status = status


class ProviderAuthError(ProviderError):
    """401: the key or token was refused. Callers holding a renewable token may renew it and retry once."""


class ProviderNotFound(ProviderError):
    """404: the item does not exist at the provider (or no longer does)."""


class ProviderUnavailable(ProviderError):
    """The provider stayed down, overloaded or unreachable after every retry; serve cached data and back off.

    `status` is the last HTTP status seen (None after a transport error); `retry_after` is the provider's
    own hint in seconds when it gave one.
    """

    def __init__(
        self, message: str, *, provider: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, provider=provider, status=status)
        self.retry_after = retry_after
