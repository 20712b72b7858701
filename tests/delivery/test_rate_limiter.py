"""The rate limiter on virtual time: every Teams window and the app ceiling hold, and waits are no longer
than the windows require."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest

from bot.delivery.rate_limiter import CATCH_UP, TEAMS_CONVERSATION_WINDOWS, RateLimiter, RateLimits, Window
from tests.delivery.virtual_time import VirtualTimer

EPSILON = 1e-9


def assert_windows_hold(times: list[float], windows: tuple[Window, ...]) -> None:
    times = sorted(times)
    for window in windows:
        for i in range(window.limit, len(times)):
            # The send `limit` places back must be a full window earlier.
            assert times[i] - times[i - window.limit] >= window.seconds - EPSILON, (window, i, times[i])


def greedy_schedule(count: int, windows: tuple[Window, ...]) -> list[float]:
    """Earliest send times the windows allow (greedy is optimal for sliding windows)."""
    times: list[float] = []
    for i in range(count):
        t = 0.0
        for w in windows:
            if i >= w.limit:
                t = max(t, times[i - w.limit] + w.seconds)
        times.append(t)
    return times


async def acquire_all(limiter: RateLimiter, timer: VirtualTimer, keys: list[str]) -> dict[str, list[float]]:
    sent: dict[str, list[float]] = defaultdict(list)

    async def one(key: str) -> None:
        await limiter.acquire(key)
        sent[key].append(timer.monotonic())

    await timer.run([one(key) for key in keys])
    return sent


async def acquire_in_turn(limiter: RateLimiter, timer: VirtualTimer, key: str, count: int) -> list[float]:
    """One sender after another, as the dispatcher's lane for a conversation does."""
    sent: list[float] = []

    async def lane() -> None:
        for _ in range(count):
            await limiter.acquire(key)
            sent.append(timer.monotonic())

    await timer.run([lane()])
    return sent


async def test_one_conversation_respects_every_teams_window_and_is_as_fast_as_they_allow() -> None:
    timer = VirtualTimer()
    limits = RateLimits(conversation_margin=0.0)
    limiter = RateLimiter(limits, timer)
    sent = await acquire_all(limiter, timer, ["chat"] * 130)
    assert_windows_hold(sent["chat"], TEAMS_CONVERSATION_WINDOWS)
    # As fast as the windows allow: each send at most the app's even spacing after its earliest moment.
    expected = greedy_schedule(130, TEAMS_CONVERSATION_WINDOWS)
    assert expected[60] == pytest.approx(30.0)  # the 61st message waits for the 30-second window
    for actual, earliest in zip(sorted(sent["chat"]), expected, strict=True):
        assert earliest - EPSILON <= actual <= earliest + 7 * limits.app_spacing


async def test_the_hourly_window_holds() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(RateLimits(conversation_margin=0.0), timer)
    times = await acquire_in_turn(limiter, timer, "chat", 1801)
    assert_windows_hold(times, TEAMS_CONVERSATION_WINDOWS)
    assert times[1800] - times[0] >= 3600.0 - EPSILON


async def test_margin_is_added_to_each_conversation_window() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(RateLimits(conversation_margin=0.05), timer)
    sent = await acquire_all(limiter, timer, ["chat"] * 9)
    times = sorted(sent["chat"])
    assert times[7] == pytest.approx(1.05)
    assert times[8] == pytest.approx(2.05)


async def test_app_ceiling_holds_across_many_conversations_and_sends_are_spread() -> None:
    timer = VirtualTimer()
    limits = RateLimits(app_per_second=49)
    limiter = RateLimiter(limits, timer)
    keys = [f"chat-{i}" for i in range(500)]
    sent = await acquire_all(limiter, timer, keys)
    everything = sorted(t for times in sent.values() for t in times)
    assert len(everything) == 500
    assert_windows_hold(everything, limits.app)
    assert_windows_hold(everything, (Window(50, 1.0),))  # Teams' own per-app limit, with room to spare
    gaps = [b - a for a, b in itertools.pairwise(everything)]
    assert min(gaps) >= limits.app_spacing * (1 - CATCH_UP) - EPSILON  # spread out, never a burst
    # Not slower than the ceiling: 500 sends at 49 a second.
    assert everything[-1] <= 499 / 49 + EPSILON


async def test_a_late_wake_up_does_not_slow_the_app_down() -> None:
    timer = VirtualTimer()
    limits = RateLimits(app_per_second=49)
    limiter = RateLimiter(limits, timer)
    await acquire_all(limiter, timer, ["a"])
    timer.now += limits.app_spacing * 1.4  # the next sender was busy and came late
    sent = await acquire_all(limiter, timer, ["b", "c"])
    # "c" may follow the late "b" a little early, catching up instead of falling a whole gap behind.
    assert sent["c"][0] - sent["b"][0] == pytest.approx(limits.app_spacing * (1 - CATCH_UP))


async def test_replicas_sharing_the_app_limit_stay_under_it_together() -> None:
    timer = VirtualTimer()
    limits = RateLimits(app_per_second=49 // 2)
    replicas = [RateLimiter(limits, timer), RateLimiter(limits, timer)]
    sent: list[float] = []

    async def one(limiter: RateLimiter, key: str) -> None:
        await limiter.acquire(key)
        sent.append(timer.monotonic())

    await timer.run([one(replicas[i % 2], f"chat-{i}") for i in range(400)])
    assert_windows_hold(sent, (Window(50, 1.0),))


async def test_busy_conversation_does_not_hold_up_others() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(RateLimits(conversation_margin=0.0), timer)
    sent = await acquire_all(limiter, timer, ["busy"] * 20 + [f"quiet-{i}" for i in range(10)])
    assert max(max(v) for k, v in sent.items() if k.startswith("quiet")) < 1.0
    assert_windows_hold(sent["busy"], TEAMS_CONVERSATION_WINDOWS)


async def test_mixed_load_respects_both_levels() -> None:
    timer = VirtualTimer()
    limits = RateLimits(app_per_second=20, conversation_margin=0.0)
    limiter = RateLimiter(limits, timer)
    keys = [f"chat-{i % 7}" for i in range(300)]
    sent = await acquire_all(limiter, timer, keys)
    for times in sent.values():
        assert_windows_hold(times, TEAMS_CONVERSATION_WINDOWS)
    assert_windows_hold([t for times in sent.values() for t in times], limits.app)


async def test_block_holds_a_throttled_conversation_back() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(RateLimits(conversation_margin=0.0), timer)
    limiter.block("chat", 3.0)
    sent = await acquire_all(limiter, timer, ["chat", "other"])
    assert sent["chat"] == [pytest.approx(3.0)]
    assert sent["other"] == [pytest.approx(0.0)]


async def test_idle_conversations_are_forgotten() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(RateLimits(), timer)
    limiter.SWEEP_EVERY = 10
    await acquire_all(limiter, timer, [f"chat-{i}" for i in range(10)])
    timer.now += 4000
    await acquire_all(limiter, timer, [f"new-{i}" for i in range(10)])
    assert limiter.tracked_conversations == 10


def test_windows_reject_nonsense() -> None:
    with pytest.raises(ValueError):
        Window(0, 1.0)
    with pytest.raises(ValueError):
        RateLimits(app_per_second=0)


async def test_replacements_of_one_message_are_a_second_apart_others_only_keep_the_windows() -> None:
    """A live card whose last update went out late is not updated again within the second: its next update waits
    for the gap, while other messages of the same chat keep only Teams' windows."""
    timer = VirtualTimer()
    limiter = RateLimiter(timer=timer)
    sent: dict[str, list[float]] = defaultdict(list)

    async def replace(message: str) -> None:
        await limiter.acquire("chat", replacing=message)
        sent[message].append(timer.monotonic())

    async def late_then_on_time() -> None:
        await timer.sleep(0.9)  # the first update went out 0.9 s after it fell due ...
        await replace("card-1")
        await timer.sleep(0.05)  # ... and the next fell due on schedule, 0.05 s later
        await replace("card-1")

    async def other_messages() -> None:
        await timer.sleep(0.9)
        for _ in range(3):
            await replace("card-2")
            await limiter.acquire("chat")
            sent["new"].append(timer.monotonic())

    await timer.run([late_then_on_time(), other_messages()])
    first, second = sent["card-1"]
    assert second - first >= 1.0 - EPSILON
    assert [b - a >= 1.0 - EPSILON for a, b in itertools.pairwise(sent["card-2"])] == [True, True]
    assert sent["new"][0] - 0.9 < 0.1  # a new message is not held back by the cards' gap
    assert_windows_hold([*sent["card-1"], *sent["card-2"], *sent["new"]], TEAMS_CONVERSATION_WINDOWS)


async def test_a_replacement_answered_late_holds_the_next_a_gap_after_its_answer() -> None:
    """A loaded process may put an admitted request on the wire late; Teams counts arrivals, so the next
    replacement of the message waits a gap from when the last was answered."""
    timer = VirtualTimer()
    limiter = RateLimiter(timer=timer)
    sent: list[float] = []

    async def updates() -> None:
        await limiter.acquire("chat", replacing="card-1")
        await timer.sleep(0.4)  # admitted at 0, on the wire and answered only at 0.4
        limiter.replaced("card-1")
        await limiter.acquire("chat", replacing="card-1")
        sent.append(timer.monotonic())

    await timer.run([updates()])
    assert sent[0] >= 1.4 - EPSILON
