"""Pausing Python's cyclic garbage collector around a burst of allocation.

Scoring recommendations and building a calendar month make many thousands of small objects and no reference
cycles; the collector's full passes over the whole process heap, set off by them, made one build in ten three
to five times slower (measured in `bench/calendar_reads.py` and `bench/recommendations_refresh.py`).
Reference counting still frees everything at once; only cycle detection waits.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_holders = 0


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector waits while any thread is inside; the last one out turns it back on, unless something
    else had it off before (then it is left alone)."""
    global _holders
    with _lock:
        owner = _holders > 0 or gc.isenabled()
        if owner:
            _holders += 1
            gc.disable()
    try:
        yield
    finally:
        if owner:
            with _lock:
                _holders -= 1
                if _holders == 0:
                    gc.enable()
