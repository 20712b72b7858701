"""A fake of Teams' meeting participant API, modelled on Microsoft's documented payloads and answers.

``GET {serviceUrl}/v1/meetings/{meetingId}/participants/{participantId}?tenantId={tenantId}`` (Meeting apps APIs,
learn.microsoft.com/microsoftteams/platform/apps-in-teams-meetings/meeting-apps-apis) answers 200 with::

    {"user": {"id": "29:…", "aadObjectId": "…", "name": "…", "givenName": "…", "surname": "…", "email": "…",
              "userPrincipalName": "…", "tenantId": "…", "userRole": "user"},
     "meeting": {"role": "Organizer" | "Presenter" | "Attendee", "inMeeting": true},
     "conversation": {"isGroup": true, "conversationType": "groupChat", "id": "19:meeting_…@thread.v2"}}

403 when the app may not read the meeting (most often: it is not added to it), 404 when the meeting has expired
or the participant is not found, 401 for a missing or bad token, and 5xx when the service fails. The participant id
is the person's Entra object id. Here a meeting is a dict of participants; ``fail_next`` scripts failures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

MEETING_CHAT = "19:meeting_NjM5ZjJiMmUtZjYzOC00YzQ1LWFhYTMtNDc0NjE1MjU2YTk2@thread.v2"
MEETING_ID = "MCMxOTptZWV0aW5nX05qTTVaakppTW1VdFpqWXpPQzAwWXpRMUxXRmhZVE10TkRjME5qRTFNalUyWVRrMkB0aHJlYWQudjIjMA=="
TENANT = "bc6e4f83-0b5d-4b1d-8b0c-1234567890ab"


def participant(aad_object_id: str, name: str, role: str, *, in_meeting: bool = True) -> dict[str, Any]:
    given, _, surname = name.partition(" ")
    email = f"{given.lower()}.{surname.lower()}@contoso.example"
    return {
        "user": {
            "id": f"29:1{aad_object_id}",
            "aadObjectId": aad_object_id,
            "name": name,
            "givenName": given,
            "surname": surname,
            "email": email,
            "userPrincipalName": email,
            "tenantId": TENANT,
            "userRole": "user",
        },
        "meeting": {"role": role, "inMeeting": in_meeting},
        "conversation": {"isGroup": True, "conversationType": "groupChat", "id": MEETING_CHAT},
    }


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


@dataclass
class FakeMeetings:
    """Meetings by id: each maps Entra object ids to their documented participant payload.

    ``app_added``: meeting ids the app has been added to (a meeting not in it answers 403, as Teams does).
    """

    meetings: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    tenants: dict[str, str] = field(default_factory=dict)
    app_added: set[str] = field(default_factory=set)
    asked: list[tuple[str, str, str | None]] = field(default_factory=list)  # (meeting, participant, tenantId)
    _failures: list[tuple[int, Any]] = field(default_factory=list)
    authorize: Callable[[str | None], bool] | None = None  # the Authorization header Teams accepts (None: any)
    _gate: asyncio.Event | None = None
    # ``GET /v1/meetings/{meetingId}``: each meeting's documented details answer, and who asked for which meeting.
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    details_asked: list[str] = field(default_factory=list)

    def add(self, meeting_id: str, *people: dict[str, Any], tenant: str = TENANT) -> None:
        self.meetings[meeting_id] = {p["user"]["aadObjectId"]: p for p in people}
        self.tenants[meeting_id] = tenant
        self.app_added.add(meeting_id)

    def set_role(self, meeting_id: str, aad_object_id: str, role: str) -> None:
        self.meetings[meeting_id][aad_object_id]["meeting"]["role"] = role

    def fail_next(self, status: int, body: Any = None) -> None:
        """The next question is answered ``status`` (with ``body``, or Teams' error shape)."""
        self._failures.append((status, body))

    def answer(
        self, meeting_id: str, participant_id: str, query: dict[str, str], authorization: str | None = None
    ) -> web.Response:
        tenant = query.get("tenantId")
        self.asked.append((meeting_id, participant_id, tenant))
        if self.authorize is not None and not self.authorize(authorization):
            return _error(401, "Unauthorized", "missing or invalid bearer token")
        if self._failures:
            status, body = self._failures.pop(0)
            if body is None:
                return _error(status, f"Scripted{status}", f"scripted {status} answer")
            return (
                web.json_response(body, status=status)
                if not isinstance(body, str)
                else web.Response(status=status, text=body)
            )
        if not tenant:
            return _error(400, "BadArgument", "tenantId is required")
        if meeting_id not in self.meetings:
            return _error(404, "NotFound", "meeting not found or expired")
        if meeting_id not in self.app_added or self.tenants[meeting_id] != tenant:
            return _error(403, "Forbidden", "the app is not allowed to read this meeting's participants")
        found = self.meetings[meeting_id].get(participant_id)
        if found is None:
            return _error(404, "NotFound", "participant not found")
        return web.json_response(found)

    def hold(self) -> asyncio.Event:
        """Questions wait (Teams is slow) until the returned event is set."""
        self._gate = asyncio.Event()
        return self._gate

    async def handle(self, request: web.Request) -> web.Response:
        if self._gate is not None:
            await self._gate.wait()
        return self.answer(
            request.match_info["meeting"],
            request.match_info["participant"],
            dict(request.query),
            request.headers.get("Authorization"),
        )

    def add_details(self, meeting_id: str, join_url: str, start: str, end: str, *, title: str = "Session") -> None:
        """The meeting's details as Teams documents them (Meeting apps APIs, "Get meeting details")."""
        self.details[meeting_id] = {
            "details": {
                "id": meeting_id,
                "msGraphResourceId": "MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZiMi04ZjZhNDQyZTRhZDc=",
                "scheduledStartTime": start,
                "scheduledEndTime": end,
                "joinUrl": join_url,
                "title": title,
                "type": "Scheduled",
            },
            "conversation": {"isGroup": True, "conversationType": "groupChat", "id": MEETING_CHAT},
            "organizer": {"id": "29:1organizer", "aadObjectId": "aad-organizer", "tenantId": TENANT},
        }
        self.app_added.add(meeting_id)

    async def handle_details(self, request: web.Request) -> web.Response:
        meeting_id = request.match_info["meeting"]
        self.details_asked.append(meeting_id)
        if self._failures:
            status, body = self._failures.pop(0)
            return _error(status, f"Scripted{status}", "scripted") if body is None else web.json_response(body)
        if meeting_id not in self.details:
            return _error(404, "NotFound", "meeting not found or expired")
        if meeting_id not in self.app_added:
            return _error(403, "Forbidden", "the app is not allowed to read this meeting")
        return web.json_response(self.details[meeting_id])

    def install(self, app: web.Application, prefix: str = "") -> None:
        app.router.add_get(prefix + "/v1/meetings/{meeting}/participants/{participant}", self.handle)
        app.router.add_get(prefix + "/v1/meetings/{meeting}", self.handle_details)
