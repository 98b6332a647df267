"""Pages that stay live while shown: a background poll per visit that re-reads what may change under the
user (downloads, a library scan, the bell's count).

One poll per state at a time: each page load or leave starts a new visit (`_new_visit`), and a poll of an
older visit stops at its next turn. A poll also stops when its refresh says nothing is left to follow, and
after a time limit (a tab left open overnight does not read the database forever).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import reflex as rx

POLL_SECONDS = 1.5
POLL_LIMIT_SECONDS = 2 * 3600


class LivePage(rx.State, mixin=True):
    """A state that follows something with a background poll (see `keep_live`) while its page is shown."""

    live: bool = False  # a poll is running
    _generation: int = 0  # one per visit: a poll of an earlier visit stops at its next turn
    _polling: bool = False

    def _new_visit(self) -> None:
        self._generation += 1
        self._polling, self.live = False, False

    @rx.event
    def leave(self):
        """The page is gone from the screen (its content unmounted): its poll stops."""
        self._new_visit()


async def keep_live(
    state: LivePage,
    refresh: Callable[[], Awaitable[bool]],
    *,
    every: float = POLL_SECONDS,
    limit: float = POLL_LIMIT_SECONDS,
) -> None:
    """The body of a background poll: `await refresh()` (under the state's lock) every `every` seconds until
    it answers False, the page is left or loaded again, or `limit` seconds have passed. A second poll started
    while one runs for the same visit returns at once."""
    async with state:
        if state._polling:
            return
        state._polling, state.live = True, True
        generation = state._generation
    waited = 0.0
    try:
        while waited < limit:
            await asyncio.sleep(every)
            waited += every
            async with state:
                if state._generation != generation or not await refresh():
                    return
    finally:
        async with state:
            if state._generation == generation:
                state._polling, state.live = False, False
