"""The fault suite: real server processes on real PostgreSQL and Redis, with parts of the
deployment stopped under them (Redis for 30 s, a PostgreSQL restart, one of two instances
SIGKILLed), and clients that count every acknowledgement and every sequence number.

It runs in .ci/run's second pass (ROUNDTABLE_TEST_DATABASE_URL and ROUNDTABLE_TEST_REDIS_URL
set) and is not collected at all in the first (SQLite, in-process broker): several instances
sharing one room need a shared database and a shared broker. The scenarios start their own
Redis and PostgreSQL where they stop one; a binary that is missing then fails the test.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import pytest
import redis

from tests.servers import Server, free_port, server_env

# Not a skip: without both backends the files are not collected (pass 1 lists nothing from here).
if not (os.environ.get("ROUNDTABLE_TEST_DATABASE_URL") and os.environ.get("ROUNDTABLE_TEST_REDIS_URL")):
    collect_ignore_glob = ["test_*.py"]

# Generous login limits: the HTTP probe logs in every couple of seconds for a minute.
PROBE_ENV = {
    "ROUNDTABLE_LOGIN_LIMIT_PER_ACCOUNT": "10000/minute",
    "ROUNDTABLE_LOGIN_LIMIT_PER_CLIENT": "10000/minute",
}


def need(binary: str, path: str | None = None) -> str:
    found = path if path and os.access(path, os.X_OK) else shutil.which(binary)
    if not found:
        pytest.fail(f"the fault suite needs `{binary}` (not found on PATH); install it to run pass 2", pytrace=False)
    return found


class RedisProcess:
    """A redis-server of the test's own, on its own port, that can be stopped and started."""

    def __init__(self, workdir: Path) -> None:
        self.binary = need("redis-server")
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        log = (self.workdir / f"redis-{self.port}.log").open("a")
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.5).ping():
                    return
            except redis.RedisError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb into a temporary directory, its own
    port, trust authentication), run as the `postgres` user: PostgreSQL refuses root."""

    def __init__(self) -> None:
        bins = sorted(glob("/usr/lib/postgresql/*/bin"))
        bindir = bins[-1] if bins else ""
        self.initdb = need("initdb", f"{bindir}/initdb")
        self.pg_ctl = need("pg_ctl", f"{bindir}/pg_ctl")
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="rt-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            runuser = need("runuser")
            self.as_postgres = [runuser, "-u", "postgres", "--"]
            shutil.chown(self.root, user="postgres")
        self._run(self.initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.as_postgres, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/roundtable"

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off -c max_connections=200"
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def create_database(self) -> None:
        self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-c", "CREATE DATABASE roundtable")

    def destroy(self) -> None:
        try:
            self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except RuntimeError:
            pass  # not running
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_postgres() -> Iterator[PostgresCluster]:
    need("psql")
    cluster = PostgresCluster()
    try:
        cluster.start()
        cluster.create_database()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def instances(tmp_path: Path):
    """Make app instances that share one room (same database, same Redis prefix)."""
    servers: list[Server] = []
    prefix = f"rt-faults-{uuid.uuid4().hex[:8]}:"

    def make(database_url: str, redis_url: str | None, **extra: str) -> Server:
        env = server_env(database_url, redis_url, ROUNDTABLE_REDIS_PREFIX=prefix, **PROBE_ENV, **extra)
        server = Server(env=env, workdir=tmp_path)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
