"""Links people open in a browser: the file of everything held about them (served by the host under
``MY_DATA_PATH_PREFIX``)."""

from __future__ import annotations

MY_DATA_PATH_PREFIX = "/my-data/"


def my_data_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url.rstrip('/')}{MY_DATA_PATH_PREFIX}{token}.json"
