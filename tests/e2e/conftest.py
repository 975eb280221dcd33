"""End-to-end fixtures: a real `roundtable serve` process and Debian's Chromium.

The browser is /usr/bin/chromium (or ROUNDTABLE_TEST_CHROMIUM). Locally a missing
browser skips these tests with a note; on CI (CI=true) it fails the run.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright

from tests.backends import PG_URL, create_scratch_postgres, drop_scratch_postgres

CHROMIUM = os.environ.get("ROUNDTABLE_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class DemoServer:
    base_url: str
    logins: dict[str, str]
    links: list[tuple[str, str]]
    session_id: int
    process: subprocess.Popen[bytes] | None  # None until start()
    log: Path
    env: dict[str, str]
    workdir: Path

    def stop(self) -> None:
        assert self.process is not None, "stop() before start()"
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def start(self) -> None:
        """(Re)start the server on the same port and database; wait until it is ready."""
        self.process = process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--migrate"],
            env=self.env,
            cwd=self.workdir,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"the server did not start:\n{self.log.read_text()}")
            time.sleep(0.2)


def _in_thread(coroutine):
    """Run a coroutine to the end on its own loop: Playwright's sync API owns this thread's."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium; scripts/test does this as root)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """A real server on a free port, with the demo programme, session and links."""
    workdir = tmp_path_factory.mktemp("e2e")
    scratch = _in_thread(create_scratch_postgres("roundtable_e2e")) if PG_URL else None
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROUNDTABLE_")}
    env.update(
        {
            "ROUNDTABLE_DATABASE_URL": scratch or f"sqlite+aiosqlite:///{workdir / 'e2e.db'}",
            "ROUNDTABLE_PORT": str(port),
            "ROUNDTABLE_LOG_LEVEL": "INFO",
            "ROUNDTABLE_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
        }
    )
    if os.environ.get("ROUNDTABLE_TEST_REDIS_URL"):
        env["ROUNDTABLE_REDIS_URL"] = os.environ["ROUNDTABLE_TEST_REDIS_URL"]
        env["ROUNDTABLE_REDIS_PREFIX"] = f"rt-e2e-{port}:"
    demo = subprocess.run(
        [sys.executable, "-m", "app.cli", "demo", "--no-serve"],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr
    logins = dict(re.findall(r"^\s+\w+\s+(demo-[a-z]+)\s+(\S+)$", demo.stdout, re.M))
    links = re.findall(r"^\s+(community-\w)\s+(http://\S+)$", demo.stdout, re.M)
    lobby = re.search(r"/sessions/(\d+)/lobby", demo.stdout)
    assert lobby, demo.stdout
    session_id = int(lobby.group(1))
    log = workdir / "server.log"
    log.write_text("")
    server = DemoServer(f"http://127.0.0.1:{port}", logins, links, session_id, None, log, env, workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        if scratch:
            _in_thread(drop_scratch_postgres(scratch))


@pytest.fixture(scope="module")
def browser(chromium_path: str):
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
