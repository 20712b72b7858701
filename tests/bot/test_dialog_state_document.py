"""A turn's dialog state is told changed by its stored document: walked once at the end of a turn, not four times."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from jsonpickle.pickler import Pickler
from sqlalchemy import select

from classroom.enrolment.organisations import assign_organisation_by_name
from classroom.people import ensure_person
from storage import state_documents, state_storage
from storage.models.bot_state import BotStateRecord
from storage.state_storage import document_of, restored
from tests.bot.test_enrol_turns import CONFIRM_PLACE, PARTICIPANT, RUN
from tests.bot.test_turn_preload import sqlite_only
from tests.support.catalogue import load_demo_catalogue


@contextmanager
def _walks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """The non-empty values walked to write them while inside: by jsonpickle (``Pickler.flatten``) or by the plain path
    (``storage/state_documents.py``)."""
    walked: list[object] = []
    flatten, plainly = Pickler.flatten, state_documents.flatten

    def counting(self: Pickler, obj: object, *args: Any, **kwargs: Any) -> Any:
        if obj:
            walked.append(obj)
        return flatten(self, obj, *args, **kwargs)

    def counting_plainly(obj: object) -> Any:
        if obj:
            walked.append(obj)
        return plainly(obj)

    with monkeypatch.context() as patch:
        patch.setattr(Pickler, "flatten", counting)
        patch.setattr(state_documents, "flatten", counting_plainly)
        yield walked


async def _documents(session_factory) -> list[tuple[str, str]]:
    async with session_factory() as session:
        return [tuple(row) for row in await session.execute(select(BotStateRecord.document, BotStateRecord.e_tag))]


@sqlite_only
async def test_a_dialog_in_progress_is_walked_once_a_turn_and_its_document_is_its_fingerprint(
    quiet_client, activity: Callable[..., dict[str, Any]], connector, session_factory, clock, monkeypatch
) -> None:
    await load_demo_catalogue(session_factory, clock)
    async with session_factory.begin() as session:
        await ensure_person(session, PARTICIPANT, "Alex Wilber")
        await assign_organisation_by_name(session, PARTICIPANT, "Brighton & Hove City Council")

    with _walks(monkeypatch) as walked:  # the terms dialog starts: the state changes and is written
        await quiet_client.post("/api/messages", json=activity("personal-message", text=f"enrol {RUN}"))
    assert "Confirm my place" in str(connector.bodies()[-1])
    assert len(walked) == 1, walked  # botbuilder walked it three times: to see it changed, to write it, and after

    # The document read back is the state's fingerprint: restoring and writing it again gives the same document,
    # so a turn that leaves a dialog as it was writes nothing.
    [(document, e_tag)] = await _documents(session_factory)
    assert document_of(restored(document, e_tag)) == document

    with _walks(monkeypatch) as walked:  # the answer ends the dialog (the state read by the invoke, then written)
        await quiet_client.post("/api/messages", json=activity("card-action-execute-invoke", value=CONFIRM_PLACE))
    assert "calendar" in str(connector.bodies()[-1]).lower()
    # Once: the state read is fingerprinted by the document read (``SqlAlchemyStorage.read_documented``), not walked.
    assert len(walked) == 1, walked
    [(after, _)] = await _documents(session_factory)
    assert after != document


def test_an_empty_state_is_known_without_jsonpickle(monkeypatch: pytest.MonkeyPatch) -> None:
    assert document_of({}) == state_storage._serialise({})  # what jsonpickle writes for it

    def pickler(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("jsonpickle set up for an empty state")

    monkeypatch.setattr(state_storage, "Pickler", pickler)
    assert document_of({}) == "{}"
    with pytest.raises(AssertionError):
        document_of({"DialogState": (None,)})  # anything else is jsonpickle's (a tuple, here)
