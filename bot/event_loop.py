"""The event loop the bot serves on: uvloop's where it is installed (Linux and macOS), else asyncio's own.

A turn is mostly small socket reads and writes and callbacks: the request from Teams, the reply to the Bot
Connector, the database. uvloop (libuv, in C) does that part in about half the CPU of asyncio's pure-Python loop:
about a fifth less CPU per turn for ``help`` in ``benchmarks/turns.py``. Nothing in the bot depends on which loop
runs it, and the tests run on asyncio's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def new_event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # not built for this platform (Windows): asyncio's loop serves as well, a little slower
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)`` on :func:`new_event_loop`."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(main)


def loop_name() -> str:
    """Which loop runs the caller ("uvloop" or "asyncio"), for the start-up log."""
    return type(asyncio.get_running_loop()).__module__.split(".")[0]
