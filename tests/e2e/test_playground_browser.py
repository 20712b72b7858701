"""A person in the Playground's web page, in headless Debian Chromium: the welcome card, typing ``courses``,
clicking a card button and reading the course details, as the Playground renders them.

Screenshots go to ``build/screenshots/playground/`` (CI keeps ``build/``).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from tests.e2e.playground import Chats, RunningDemo, RunningPlayground, start_playground
from tests.support.browser import chromium_page, screenshot_path
from tests.support.node_tools import require_chromium

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

UI_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser_playground(demo_bot: RunningDemo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlayground]:
    require_chromium()  # before starting anything
    chats = Chats(  # a chat of its own, so the page shows only this test's conversation
        personal="a:e2e-browser-alex",
        group="19:e2e-browser-group@thread.v2",
        team="19:e2e-browser-team@thread.tacv2",
        channel="19:e2e-browser-coordinators@thread.tacv2",
    )
    running = start_playground(tmp_path_factory.mktemp("playground-browser"), "Alex Wilber", chats, demo_bot.endpoint)
    try:
        yield running
    finally:
        running.process.stop(signal.SIGTERM)


async def test_welcome_then_courses_then_the_details_button_in_the_playground_page(
    browser_playground: RunningPlayground,
) -> None:
    from playwright.async_api import expect

    shots = {
        name: screenshot_path("playground", f"{name}.png") for name in ("01-welcome", "02-courses", "03-course-details")
    }
    async with chromium_page(viewport=(1400, 1000)) as (page, guard):
        page.set_default_timeout(UI_TIMEOUT_MS)
        await page.goto(browser_playground.base_url)

        # Opening the page opens the personal chat, which installs the app: the bot's welcome card appears.
        welcome = page.locator(".ac-adaptiveCard", has_text="Welcome, Alex!")
        await expect(welcome).to_be_visible()
        for title in ("Browse courses", "Find a course", "Help"):
            await expect(welcome.get_by_role("button", name=title)).to_be_visible()
        await page.screenshot(path=str(shots["01-welcome"]))

        compose = page.locator('[contenteditable="true"][role="textbox"]')
        await compose.click()
        await page.keyboard.type("courses")
        await page.keyboard.press("Enter")
        listing = page.locator(".ac-adaptiveCard", has_text="Our courses")
        await expect(listing).to_be_visible()
        await expect(listing).to_contain_text("PERMPLAN")
        await page.screenshot(path=str(shots["02-courses"]))

        await listing.get_by_role("button", name="Details of PERM4").click()
        details = page.locator(".ac-adaptiveCard", has_text="Session 4")
        await expect(details).to_be_visible()
        await expect(details).to_contain_text("Permanence – What does it Mean for Children and Young People")
        await expect(details).to_contain_text("Zoe Rosenfield / Rebecca Watts")
        await expect(details).to_contain_text("Tier 5")
        await expect(details.get_by_role("button", name="Enrol on PERM4")).to_be_visible()
        # The details card is taller than a laptop screen: a tall window shows all of it in the chat pane.
        await page.set_viewport_size({"width": 1400, "height": 1900})
        await details.scroll_into_view_if_needed()
        box = await details.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 1900, "details card not fully in view"
        await page.screenshot(path=str(shots["03-course-details"]))

        # Only loopback was reached; what the page wanted from the internet (fonts, CDN scripts) was refused.
        assert all("127.0.0.1" not in url for url in guard.refused)
    for path in shots.values():
        assert path.stat().st_size > 10_000, f"{path} looks empty"
