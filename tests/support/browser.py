"""Headless Debian Chromium through Playwright, kept on loopback, for the tests that look at what people see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tests.support.node_tools import CHROMIUM_FLAGS, REPO_ROOT, require_chromium

if TYPE_CHECKING:
    from playwright.async_api import Page

SCREENSHOTS = REPO_ROOT / "build" / "screenshots"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


@dataclass
class LoopbackGuard:
    """Requests the page tried to make off this machine (fonts and scripts from CDNs); all were refused."""

    refused: list[str] = field(default_factory=list)


@asynccontextmanager
async def chromium_page(viewport: tuple[int, int] = (1400, 1000)) -> AsyncIterator[tuple[Page, LoopbackGuard]]:
    """A page in a fresh headless Chromium whose every request off loopback is aborted (never downloads
    a browser: Playwright drives Debian's /usr/bin/chromium)."""
    executable = require_chromium()
    from playwright.async_api import Route, async_playwright

    guard = LoopbackGuard()

    async def only_loopback(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname in LOOPBACK_HOSTS:
            await route.continue_()
        else:
            guard.refused.append(url)
            await route.abort("blockedbyclient")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        try:
            context = await browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]}, locale="en-GB", timezone_id="Europe/London"
            )
            await context.route("**/*", only_loopback)
            page = await context.new_page()
            yield page, guard
        finally:
            await browser.close()


def screenshot_path(*parts: str) -> Path:
    path = SCREENSHOTS.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
