"""Polls of every kind in a group chat through the production pipeline: the quick form's words for kinds and
settings, answers sent with the card's inputs (Send my answer, and its Submit fallback), each answered with the
voter's own view, refusals in words, hidden results, and the launcher's copy in their 1:1 chat."""

from __future__ import annotations

import pytest

from classroom.polls.notices import RESULTS
from dialogs.polls.parts import ANSWER, PICKS_INPUT, TEXT_INPUT, rating_input
from tests.dialogs.test_polls import RENDERERS, Chat, say, shared_card
from tests.support.bot_harness import button_titles, card_text, texts
from tests.support.enrolment import TRAINER_AAD, outbox
from tests.support.polls import as_sent, load_poll_world


@pytest.fixture
async def chat(session_factory, clock) -> Chat:
    await load_poll_world(session_factory)
    return Chat(session_factory, clock)


@pytest.fixture
async def zoe(chat):  # type: ignore[no-untyped-def]
    trainer = chat(TRAINER_AAD, "Zoe Rosenfield")
    await say(trainer, "link PERMX-A")
    return trainer


async def test_multiple_choice_by_ticks_shows_the_voter_their_picks_and_refuses_too_many(
    chat, zoe, session_factory
) -> None:
    await say(zoe, "poll [multiple:2] Which did you use? | Capacity | Support | Best interests")
    card, poll = await shared_card(session_factory)
    assert "Pick up to 2 answers." in card_text(card)
    assert button_titles(card) == ["Send my answer", "Close poll"]
    a, b, c = (str(o["id"]) for o in poll["options"])
    alex = chat("aad-alex", "Alex Wilber")
    answer, _ = await alex.tap(card, "Send my answer", inputs={PICKS_INPUT: f"{a},{b},{c}"})
    assert "pick at most 2 answers; you picked 3" in answer.body.value["fallbackText"]
    [ticks] = [e for e in answer.body.value["body"] if e.get("id") == PICKS_INPUT]
    assert ticks["value"] == f"{a},{b},{c}"  # their ticks stay, to untick one
    answer, _ = await alex.tap(card, "Send my answer", inputs={PICKS_INPUT: f"{a},{c}"})
    mine = answer.body.value["fallbackText"]
    assert "You chose: Capacity; Best interests" in mine and "change it above and send again" in mine
    _, sent = await chat("aad-isaiah", "Isaiah").tap(card, "Send my answer", inputs={PICKS_INPUT: b}, fallback=True)
    assert sent == []  # counted quietly: nothing in the chat says what Isaiah chose
    shown = card_text((await shared_card(session_factory))[0])
    assert "2 people answered." in shown and "1 vote · 50%" in shown
    refused, _ = await alex.execute(ANSWER, {"poll": poll["id"], PICKS_INPUT: "12,x"})
    assert refused.body.value == "Sorry, I couldn't read an answer from that card. Nothing was recorded."


async def test_rating_buttons_and_the_average(chat, zoe, session_factory) -> None:
    await say(zoe, "poll [rating] How useful was it? | Not useful | Very useful")
    card, _ = await shared_card(session_factory)
    assert button_titles(card) == ["1 · Not useful", "2", "3", "4", "5 · Very useful", "Close poll"]
    answer, _ = await chat("aad-alex", "Alex").tap(card, "4")
    assert "You chose: 4 of 5" in answer.body.value["fallbackText"]
    await chat("aad-isaiah", "Isaiah").tap(card, "5 · Very useful")
    assert "Average: 4.5 out of 5." in card_text((await shared_card(session_factory))[0])


async def test_open_text_shows_words_to_the_room_and_every_answer_to_the_launcher_only(
    chat, zoe, session_factory
) -> None:
    await say(zoe, "poll [anonymous text] What will you do differently?")
    card, poll = await shared_card(session_factory)
    alex = chat("aad-alex", "Alex Wilber")
    too_long, _ = await alex.tap(card, "Send my answer", inputs={TEXT_INPUT: "x" * 281})
    assert "at most 280 characters; yours has 281" in too_long.body.value["fallbackText"]
    [box] = [e for e in too_long.body.value["body"] if e.get("id") == TEXT_INPUT]
    assert box["value"] == "x" * 281  # nothing lost: they shorten it and send again
    answer, _ = await alex.tap(card, "Send my answer", inputs={TEXT_INPUT: "Listen to the **child** first"})
    assert "You chose: Listen to the **child** first" in answer.body.value["fallbackText"]
    await chat("aad-isaiah", "Isaiah").tap(card, "Send my answer", inputs={TEXT_INPUT: "Ask the child"})
    shown = card_text((await shared_card(session_factory))[0])
    assert "child (2)" in shown and "Ask the child" not in shown
    [row] = await outbox(session_factory, RESULTS, status=None)
    launchers = RENDERERS.render(row.kind, await as_sent(session_factory, row))["attachments"][0]["content"]
    assert "Ask the child" in launchers["fallbackText"] and "only you see it" in launchers["fallbackText"]
    assert "Send my answer" not in launchers["fallbackText"]  # the launcher's copy only closes


async def test_confidence_rates_each_outcome_and_refuses_a_missing_one(chat, zoe, session_factory) -> None:
    await say(zoe, "poll [confidence]")
    card, poll = await shared_card(session_factory)
    assert "How confident are you in each learning outcome of the course?" in card_text(card)
    [outcome] = poll["options"]
    alex = chat("aad-alex", "Alex Wilber")
    refused, _ = await alex.execute(ANSWER, {"poll": poll["id"], rating_input(outcome["id"]): "9"})
    assert "from 1 to 5" in refused.body.value["fallbackText"]
    answer, _ = await alex.tap(card, "Send my answer", inputs={rating_input(outcome["id"]): "4"})
    assert f"You chose: {outcome['text']}: 4" in answer.body.value["fallbackText"]
    assert "average 4.0 of 5 · 1 rated" in card_text((await shared_card(session_factory))[0])


async def test_a_quiz_reveals_its_right_answer_at_close(chat, zoe, session_factory) -> None:
    await say(zoe, "poll [quiz] Who decides? | *The decision maker | A judge")
    card, _ = await shared_card(session_factory)
    await chat("aad-alex", "Alex").tap(card, "2. A judge")
    assert "right answer" not in card_text((await shared_card(session_factory))[0]).lower()
    await zoe.tap(card, "Close poll")
    final = card_text((await shared_card(session_factory))[0])
    assert "Right answer: The decision maker · 0 people (0%) got it right." in final


async def test_hidden_results_say_when_they_come_and_the_closer_sees_them(chat, zoe, session_factory) -> None:
    await say(zoe, "poll [hidden, final, 10min] Which? | One | Two")
    card, _ = await shared_card(session_factory)
    rules = card_text(card)
    assert "Results are shown when the poll closes." in rules and "your first answer is final" in rules
    assert "It closes by itself at" in rules
    alex = chat("aad-alex", "Alex")
    answer, _ = await alex.tap(card, "1. One")
    assert "You chose: One" in answer.body.value["fallbackText"] and "1 vote" not in answer.body.value["fallbackText"]
    locked, _ = await alex.tap(card, "2. Two")
    assert "Answers to this poll can't be changed" in locked.body.value["fallbackText"]
    assert "1 vote" not in card_text((await shared_card(session_factory))[0])
    closed, _ = await zoe.tap(card, "Close poll")
    assert "1 vote · 100%" in closed.body.value["fallbackText"]
    assert "1 vote · 100%" in card_text((await shared_card(session_factory))[0])


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("poll [quiz] Who? | a | b", "mark the quiz's one right answer with *"),
        ("poll [rating] How? | only one", "a rating takes two labels"),
        ("poll [text] Why? | a | b", "an open question has no options"),
        ("poll [multiple:5] Which? | a | b", "between 1 and 2"),
        ("poll [0min] Which? | a | b", "1 to 1440 minutes"),
        ("poll [quizz] Which? | a | b", "I don't know the word 'quizz' between [ and ]"),
        ("poll [quiz Which? | a | b", "close the words before the question with ]"),
    ],
)
async def test_bad_quick_forms_of_the_new_kinds_say_what_is_wrong(chat, zoe, session_factory, typed, says) -> None:
    assert says in texts(await say(zoe, typed))


async def test_per_user_views_list_the_latest_voters_and_give_each_their_own_answer(chat, zoe, session_factory) -> None:
    from dialogs.polls.parts import REFRESH

    await say(zoe, "poll Which? | One | Two")
    card, poll = await shared_card(session_factory)
    alex, isaiah, lynne = chat("aad-alex", "Alex"), chat("aad-isaiah", "Isaiah"), chat("aad-lynne", "Lynne")
    for person in (alex, isaiah, lynne):
        person.user.id = f"29:{person.user.aad_object_id}"  # Teams' user id of each, as Teams sends it
    await alex.tap(card, "1. One")
    await isaiah.tap(card, "2. Two")
    refresh = (await shared_card(session_factory))[0].attachments[0].content["refresh"]
    assert refresh["action"] == {"type": "Action.Execute", "verb": REFRESH, "data": {"poll": poll["id"]}}
    assert refresh["userIds"] == ["29:aad-isaiah", "29:aad-alex"]  # the latest first
    mine, _ = await alex.execute(REFRESH, {"poll": poll["id"]})
    assert "You chose: One" in mine.body.value["fallbackText"] and mine.body.value["refresh"] == refresh
    theirs, _ = await lynne.execute(REFRESH, {"poll": poll["id"]})
    assert "You chose" not in theirs.body.value["fallbackText"]  # everyone else: the shared card


async def test_an_anonymous_poll_keeps_no_teams_ids_for_its_per_user_views(chat, zoe, session_factory) -> None:
    from dialogs.polls.parts import REFRESH

    await say(zoe, "poll anonymous Which? | One | Two")
    card, poll = await shared_card(session_factory)
    alex = chat("aad-alex", "Alex")
    alex.user.id = "29:alex-teams-id"
    await alex.tap(card, "2. Two")
    content = (await shared_card(session_factory))[0].attachments[0].content
    assert "userIds" not in content["refresh"] and alex.user.id not in str(content)
    mine, _ = await alex.execute(REFRESH, {"poll": poll["id"]})
    assert "You chose: Two" in mine.body.value["fallbackText"]  # found by the poll's keyed hash while open
    await zoe.tap(card, "Close poll")
    closed = (await shared_card(session_factory))[0].attachments[0].content
    assert "refresh" not in closed  # its key is gone: nobody's answer can be told any more
    after, _ = await alex.execute(REFRESH, {"poll": poll["id"]})
    assert "You chose" not in after.body.value["fallbackText"]


async def test_poll_alone_opens_the_compose_card_preview_then_post(chat, zoe, session_factory) -> None:
    from dialogs.polls import compose
    from dialogs.polls.parts import COMPOSE_POST, COMPOSE_PREVIEW

    [shown] = await say(zoe, "poll")
    form = shown.attachments[0].content
    assert button_titles(shown) == ["Preview"]
    assert {e["id"] for e in form["body"] if e.get("id")} == set(compose.FIELDS)
    typed = {
        compose.QUESTION: "Which did you use?",
        compose.KIND: "multiple_choice",
        compose.OPTIONS: "Capacity\nSupport\n\nBest interests",
        compose.MAX_PICKS: "2",
        compose.RESULTS: "after_close",
        compose.CHANGEABLE: "false",
        compose.MINUTES: "10",
    }
    preview, _ = await zoe.execute(COMPOSE_PREVIEW, typed)
    previewed = preview.body.value
    assert "Preview: this is the poll you will post" in previewed["fallbackText"]
    assert "results: after i close the poll · answers cannot be changed" in previewed["fallbackText"]
    assert [a["title"] for a in previewed["body"][-1]["actions"]] == ["Preview", "Post"]
    assert await outbox(session_factory, "polls.card", status=None) == []  # nothing posted by a preview
    posted, _ = await zoe.execute(COMPOSE_POST, typed)
    assert "Posted: its card is in the chat." in posted.body.value["fallbackText"]
    _, poll = await shared_card(session_factory)
    assert (poll["kind"], poll["max_picks"], poll["results"], poll["changeable"]) == (
        "multiple_choice",
        2,
        "after_close",
        False,
    )
    assert [o["text"] for o in poll["options"]] == ["Capacity", "Support", "Best interests"]
    assert poll["closes_at"] is not None


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ({"compose_question": "", "compose_options": "a\nb"}, "the question is empty"),
        ({"compose_question": "Q?", "compose_options": "only one"}, "2 to 10 options; this one has 1"),
        ({"compose_question": "Q?", "compose_options": "a\nb", "compose_minutes": "soon"}, "must be a whole number"),
        ({"compose_question": "Q?", "compose_options": "a\nb", "compose_kind": "poker"}, "choose a kind"),
        ({"compose_question": "Q?", "compose_options": "a\nb", "compose_kind": "quiz"}, "right answer with *"),
        ({"compose_question": "Q" * 241, "compose_options": "a\nb"}, "longer than 240"),
    ],
)
async def test_a_bad_compose_card_says_why_and_keeps_every_field(chat, zoe, session_factory, typed, says) -> None:
    from dialogs.polls.parts import COMPOSE_POST

    answer, _ = await zoe.execute(COMPOSE_POST, typed)
    card = answer.body.value
    assert says in card["fallbackText"] and "Nothing was posted" in card["fallbackText"]
    kept = {e["id"]: e.get("value") for e in card["body"] if e.get("type") == "Input.Text"}
    assert kept["compose_question"] == typed["compose_question"]  # nothing lost to the mistake
    assert kept["compose_options"] == typed["compose_options"]
    assert await outbox(session_factory, "polls.card", status=None) == []


async def test_only_the_runs_trainers_post_from_the_compose_card_and_the_fallback_works(
    chat, zoe, session_factory
) -> None:
    from dialogs.polls.parts import COMPOSE_POST

    typed = {"compose_question": "Which?", "compose_options": "a\nb"}
    refused, _ = await chat("aad-alex", "Alex").execute(COMPOSE_POST, typed)
    assert "only the trainers of PERMX-A and coordinators" in refused.body.value["fallbackText"]
    assert await outbox(session_factory, "polls.card", status=None) == []
    sent = await zoe.submit({"verb": "poll", "args": "compose post", **typed})
    [reply] = sent
    assert "Posted: its card is in the chat." in card_text(reply)
    assert len(await outbox(session_factory, "polls.card", status=None)) == 1


async def test_a_trainer_prepares_a_poll_in_their_chat_and_launches_it_in_the_runs_chat(
    chat, zoe, session_factory, clock
) -> None:
    from dialogs.polls import compose
    from dialogs.polls.parts import COMPOSE_PREVIEW, COMPOSE_SAVE, LAUNCH_PREPARED
    from tests.support.bot_harness import Conversation

    one_to_one = Conversation(session_factory, clock, aad_object_id=TRAINER_AAD, name="Zoe Rosenfield")
    [form] = await one_to_one.say("poll")
    assert "compose_run" in {e.get("id") for e in form.attachments[0].content["body"]}
    typed = {
        compose.RUN: "permx-a",
        compose.QUESTION: "Who decides?",
        compose.KIND: "quiz",
        compose.OPTIONS: "*The decision maker\nA judge",
    }
    preview, _ = await one_to_one.execute(COMPOSE_PREVIEW, {"prepare": True, **typed})
    assert [a["title"] for a in preview.body.value["body"][-1]["actions"]] == ["Preview", "Save for the run"]
    unknown, _ = await one_to_one.execute(COMPOSE_SAVE, {**typed, compose.RUN: "NOPE-1"})
    assert "I can't find a run NOPE-1" in unknown.body.value["fallbackText"]
    saved, _ = await one_to_one.execute(COMPOSE_SAVE, typed)
    assert "Saved for PERMX-A" in saved.body.value["fallbackText"]
    assert await outbox(session_factory, "polls.card", status=None) == []  # nothing posted yet

    alex = chat("aad-alex", "Alex Wilber")
    assert "only for" in texts(await say(alex, "prepared"))
    [listing] = await say(zoe, "prepared")
    assert button_titles(listing) == ["Launch 1"] and "Who decides?" in card_text(listing)
    ready, results = await say(zoe, "polls")  # in the session's chat: the prepared ones first, then the results
    assert button_titles(ready) == ["Launch 1"] and card_text(results).startswith("Polls of PERMX-A")
    [refused] = await say(alex, "polls")  # nothing prepared shown to a participant
    assert "only for" in texts([refused]) and not refused.attachments
    launched, _ = await zoe.tap(listing, "Launch 1")
    assert launched.body.value == "Launched: its card is in the chat."
    _, poll = await shared_card(session_factory)
    assert (poll["kind"], poll["question"]) == ("quiz", "Who decides?")
    again, _ = await zoe.tap(listing, "Launch 1")  # a double click posts nothing more
    assert "already open in this chat" in again.body.value
    assert len(await outbox(session_factory, "polls.card", status=None)) == 1
    refused, _ = await alex.execute(LAUNCH_PREPARED, {"prepared": 1})
    assert "only the trainers of PERMX-A and coordinators" in refused.body.value


async def test_a_question_beginning_with_a_word_of_the_quick_form_is_just_a_question(
    chat, zoe, session_factory
) -> None:
    await say(zoe, "poll Final thoughts: text or call? | Text | Call")
    _, poll = await shared_card(session_factory)
    assert (poll["question"], poll["kind"], poll["changeable"]) == (
        "Final thoughts: text or call?",
        "single_choice",
        True,
    )
