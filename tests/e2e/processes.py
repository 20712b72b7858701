"""Child processes for the end-to-end tests: started in their own process group, their output read as it comes
(so a pipe never fills up, and a failure can show it), waited on by the lines they print, and always stopped."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest


class ManagedProcess:
    def __init__(self, name: str, argv: Sequence[str], *, cwd: Path, env: dict[str, str]) -> None:
        self.name = name
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._seen: list[str] = []
        self.process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: stopping it stops its children too
        )
        self._reader = threading.Thread(target=self._read, name=f"{name}-output", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def output(self) -> str:
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self._seen.append(line)
        return "\n".join(self._seen[-80:])

    def wait_for_line(self, pattern: str, timeout: float) -> re.Match[str]:
        """Block until the process prints a line matching ``pattern``; fail with its output if it exits first."""
        wanted = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"{self.name} did not print /{pattern}/ within {timeout:.0f} s:\n{self.output()}")
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self.process.wait()
                pytest.fail(f"{self.name} exited ({self.process.returncode}) before /{pattern}/:\n{self.output()}")
            self._seen.append(line)
            if match := wanted.search(line):
                return match

    def stop(self, first_signal: signal.Signals = signal.SIGINT, timeout: float = 15) -> int | None:
        """Ask politely, then insist: the whole process group is gone when this returns."""
        if self.process.poll() is None:
            for sig, wait in ((first_signal, timeout), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        with contextlib.suppress(ProcessLookupError, PermissionError):  # children that outlived their parent
            os.killpg(self.process.pid, signal.SIGKILL)
        self._reader.join(timeout=5)
        return self.process.returncode


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
