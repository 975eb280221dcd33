"""Real `roundtable serve` processes for tests that need sockets, signals or two instances."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, redis_url: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROUNDTABLE_")}
    env.update(
        {
            "ROUNDTABLE_DATABASE_URL": database_url,
            "ROUNDTABLE_LOG_LEVEL": "INFO",
            "ROUNDTABLE_PRESENCE_TIMEOUT_SECONDS": "3",
            "ROUNDTABLE_STATEMENT_RATE": "50/second",
            **extra,
        }
    )
    if redis_url:
        env["ROUNDTABLE_REDIS_URL"] = redis_url
        # Each test's database starts its ids at 1 again: keep its Redis keys apart too.
        env.setdefault("ROUNDTABLE_REDIS_PREFIX", f"rt-test-{uuid.uuid4().hex[:8]}:")
    return env


@dataclass
class Server:
    """One app instance on its own port."""

    env: dict[str, str]
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log: Path | None = None
    _log_file: TextIO | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60, attempts: int = 3) -> Server:
        """Start and wait until ready; a port taken meanwhile by another process is retried."""
        for attempt in range(attempts):
            try:
                return self._start(timeout)
            except RuntimeError as exc:
                if "address already in use" not in str(exc).lower() or attempt == attempts - 1:
                    raise
                self.port = free_port()
        raise AssertionError("unreachable")

    def _start(self, timeout: float) -> Server:
        env = {
            **self.env,
            "ROUNDTABLE_PORT": str(self.port),
            "ROUNDTABLE_ALLOWED_ORIGINS": f"http://127.0.0.1:{self.port}",
        }
        self.log = self.workdir / f"server-{self.port}.log"
        self._log_file = self.log.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--migrate"],
            env=env,
            cwd=self.workdir,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                lines = [line for line in self.log.read_text().splitlines() if "plugin" not in line]
                raise RuntimeError("server did not start:\n" + "\n".join(lines[-30:]))
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        code = self.process.returncode
        self.process = None
        return code

    def kill(self) -> None:
        self.stop(signal.SIGKILL)
