"""The bot serves on uvloop where it is installed, and falls back to asyncio's loop where it is not."""

from __future__ import annotations

import asyncio
import builtins
import sys
from typing import Any

import pytest

from bot.event_loop import loop_name, new_event_loop, run


async def _which() -> str:
    await asyncio.sleep(0)  # a real turn of the loop
    return loop_name()


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not built for Windows")
def test_the_bot_serves_on_uvloop() -> None:
    loop = new_event_loop()
    try:
        assert type(loop).__module__.startswith("uvloop")
    finally:
        loop.close()
    assert run(_which()) == "uvloop"


def test_without_uvloop_it_is_asyncios_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_uvloop(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "uvloop":
            raise ImportError("uvloop is not installed here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_uvloop)
    assert run(_which()) == "asyncio"
