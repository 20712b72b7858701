"""Finding the tools the end-to-end, card and manifest cross-checks need: Node.js, the pinned npm packages
(``npm ci`` at the repository root) and Debian's Chromium.

Without them those tests skip and say what to install. CI sets ``E2E_REQUIRED=1`` so that a missing tool fails
the run instead of quietly skipping the tests that prove the bot works in Teams' emulator.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"
NODE_SCRIPTS = Path(__file__).resolve().parent / "node"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
E2E_REQUIRED = os.environ.get("E2E_REQUIRED", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Skip (or, with E2E_REQUIRED=1, fail) because a tool is missing."""
    if E2E_REQUIRED:
        pytest.fail(f"E2E_REQUIRED is set but {reason}", pytrace=False)
    pytest.skip(reason)


def locked_version(package: str) -> str:
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text(encoding="utf-8"))
    return str(lock["packages"][f"node_modules/{package}"]["version"])


def require_node_package(package: str) -> Path:
    """The installed package folder, at the version package-lock.json pins; skips when it is not there."""
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js is not installed (node not on PATH); install Node.js 20+, then run `npm ci`")
    folder = NODE_MODULES / package
    manifest = folder / "package.json"
    if not manifest.is_file():
        unavailable(f"npm package {package} is not installed: run `npm ci` in {REPO_ROOT}")
    installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    pinned = locked_version(package)
    if installed != pinned:
        unavailable(f"npm package {package} is {installed} but package-lock.json pins {pinned}: run `npm ci`")
    return folder


def run_node(script: str, *args: str, stdin: Any) -> Any:
    """Run one of ``tests/support/node/*.cjs`` with JSON in and JSON out."""
    node = shutil.which("node")
    assert node is not None
    completed = subprocess.run(
        [node, str(NODE_SCRIPTS / script), *args],
        input=json.dumps(stdin),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, f"{script} failed ({completed.returncode}):\n{completed.stderr}"
    return json.loads(completed.stdout)


def require_chromium() -> str:
    """Debian's Chromium and the Playwright Python package (which must never download a browser)."""
    if not CHROMIUM.exists():
        unavailable(f"Chromium is not installed at {CHROMIUM}: `apt-get install -y chromium`")
    try:
        import playwright  # noqa: F401
    except ImportError:
        unavailable('the Playwright Python package is missing: pip install -e ".[test]"')
    return str(CHROMIUM)
