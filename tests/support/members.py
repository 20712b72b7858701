"""Member lists as Teams' Bot Connector returns them, for the fake connectors and the dialog harness.

``GET /v3/conversations/{id}/pagedmembers?pageSize=&continuationToken=`` answers ``{continuationToken, members}``
where each member carries the Entra object id as ``objectId`` (Microsoft's documented payload; the Agents
Playground's mock says ``aadObjectId`` instead, see tests/fixtures/teams-activities/connector-get-paged-members.json).
The last page has no ``continuationToken``.
"""

from __future__ import annotations

from typing import Any

DEFAULT_PAGE_SIZE = 200


def teams_member(aad_object_id: str | None, name: str, user_id: str | None = None) -> dict[str, Any]:
    """One member as the documented list gives it."""
    given, _, surname = name.partition(" ")
    member = {
        "id": user_id or f"29:{aad_object_id or name}",
        "name": name,
        "givenName": given,
        "surname": surname,
        "email": f"{given.lower()}@example.org",
        "userPrincipalName": f"{given.lower()}@example.org",
        "tenantId": "00000000-0000-0000-0000-0000000000001",
        "userRole": "user",
    }
    if aad_object_id is not None:
        member["objectId"] = aad_object_id
    return member


def paged_members(members: list[dict[str, Any]], page_size: str | int | None, token: str | None) -> dict[str, Any]:
    """One page of ``members``: ``pageSize`` of them from the position ``continuationToken`` names."""
    size = int(page_size) if page_size else DEFAULT_PAGE_SIZE
    start = int(token) if token else 0
    page: dict[str, Any] = {"members": members[start : start + size]}
    if start + size < len(members):
        page["continuationToken"] = str(start + size)
    return page
