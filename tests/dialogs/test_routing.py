"""The command router: names, aliases and phrases, in that order; arguments exactly as typed; no word names two
commands."""

from __future__ import annotations

import pytest

from dialogs.routing import EVERYONE, CommandRequest, Router


async def _nothing(request: CommandRequest) -> None:
    return None


@pytest.fixture
def router() -> Router:
    router = Router()
    router.command("courses", roles=EVERYONE, description="d", aliases=("catalogue",))(_nothing)
    router.command("course", roles=EVERYONE, usage="course CODE", description="d")(_nothing)
    router.command(
        "my courses",
        roles=EVERYONE,
        description="d",
        aliases=("my course",),
        phrases=(r"what time is my course", r"what's on for me"),
    )(_nothing)
    router.command(
        "withdraw",
        roles=EVERYONE,
        usage="withdraw CODE",
        description="d",
        phrases=(r"cancel my place on (?P<args>\w+)",),
    )(_nothing)
    router.command("answer", roles=EVERYONE, usage="answer REF message", description="d")(_nothing)
    return router


def test_a_whole_message_naming_a_command_ignores_case_spaces_and_closing_punctuation(router: Router) -> None:
    for said in ("courses", "Courses?", "  CATALOGUE! ", "my  course", "My Courses."):
        found = router.recognise(said)
        assert found is not None and found.args == "" and found.whole_message, said
    found = router.recognise("my course")
    assert found is not None and found.command.name == "my courses"


def test_a_phrase_gives_its_arguments(router: Router) -> None:
    found = router.recognise("Cancel my place on PERM4?")
    assert found is not None and (found.command.name, found.args, found.whole_message) == ("withdraw", "PERM4", True)
    for said in ("What time is my course?", "What\u2019s on for me?"):  # a curly apostrophe is an apostrophe
        found = router.recognise(said)
        assert found is not None and (found.command.name, found.args) == ("my courses", ""), said


def test_the_longest_name_at_the_start_wins_and_the_rest_are_its_words_as_typed(router: Router) -> None:
    found = router.recognise("my courses please")
    assert found is not None and (found.command.name, found.args, found.exact) == ("my courses", "please", False)
    found = router.recognise("course perm4")
    assert found is not None and (found.command.name, found.args, found.exact) == ("course", "perm4", True)
    found = router.recognise("answer ENQ-2026-0001 Thank you.\n\nSee you  on Monday")
    assert found is not None and found.args == "ENQ-2026-0001 Thank you.\n\nSee you  on Monday"
    assert not found.whole_message
    found = router.recognise("courses for my team")
    assert found is not None and found.command.name == "courses" and not found.exact
    assert router.recognise("xyzzy courses") is None


def test_no_word_names_two_commands(router: Router) -> None:
    with pytest.raises(ValueError, match="'catalogue' names both 'courses' and 'list'"):
        router.command("list", roles=EVERYONE, description="d", aliases=("catalogue",))(_nothing)
    with pytest.raises(ValueError, match="'course' names both 'course' and 'details'"):
        router.command("details", roles=EVERYONE, description="d", aliases=("course",))(_nothing)
    with pytest.raises(ValueError, match="lower case, single-spaced"):
        router.command("book", roles=EVERYONE, description="d", aliases=("Book  now",))(_nothing)


def test_unlisted_commands_are_routed_but_not_shown(router: Router) -> None:
    router.command("hi", roles=EVERYONE, description="d", listed=False)(_nothing)
    assert router.recognise("hi") is not None
    assert "hi" not in [command.name for command in router.visible_to(set(), "personal")]


def test_a_message_read_again_is_not_read_again_until_a_command_is_added(router: Router) -> None:
    """Readings are kept (``Router.recognise``): the same text is the same invocation, until the router changes."""
    first = router.recognise("course PERM4")
    assert first is not None and first.command.name == "course" and first.args == "PERM4"
    assert router.recognise("course PERM4") is first  # kept, not read again
    assert router.recognise("course perm4") is not first  # another text, another reading (arguments as typed)
    assert router.recognise("enquiries") is None
    router.command("enquiries", roles=EVERYONE, description="d")(_nothing)
    found = router.recognise("enquiries")  # what was read before the command came is forgotten
    assert found is not None and found.command.name == "enquiries"
    assert router.recognise("course PERM4") is not first and router.recognise("course PERM4") == first


def test_only_a_bounded_number_of_commands_with_a_code_at_most_are_kept(router: Router) -> None:
    """A person's own words (an answer, a reason, an address) are never kept: only a command alone or with one
    code-like word is, and at most RECOGNISED_KEPT of them."""
    from dialogs import routing

    for n in range(routing.RECOGNISED_KEPT + 50):
        router.recognise(f"course C{n}")
    assert len(router._recognised) == routing.RECOGNISED_KEPT
    router._recognised.clear()
    for own_words in ("Alex Wilber, social worker", "course PERM4 because my court date moved", "course a@b.org"):
        router.recognise(own_words)
    assert not router._recognised
    found = router.recognise("course " + "x" * 300)
    assert found is not None and found.args == "x" * 300 and not router._recognised
