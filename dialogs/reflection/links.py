"""Links people open in a browser: their CPD log as Word or CSV (served by the host under ``CPD_PATH_PREFIX``)."""

from __future__ import annotations

CPD_PATH_PREFIX = "/cpd/"
KINDS = ("docx", "csv")


def cpd_download_url(public_base_url: str, token: str, kind: str) -> str:
    return f"{public_base_url.rstrip('/')}{CPD_PATH_PREFIX}{token}.{kind}"
