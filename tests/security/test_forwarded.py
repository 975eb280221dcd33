"""X-Forwarded-For is believed only from the proxies named in ROUNDTABLE_FORWARDED_ALLOW_IPS.

Against real `roundtable serve` processes, so that uvicorn's own proxy-headers middleware
(or its absence) is what is tested: by default no peer is a proxy, so a client that makes up
a new address for every login attempt is still counted as the one client it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.servers import Server, server_env

LIMIT = "3/15 minutes"


@pytest.fixture
def start_server(database_url, redis_available, tmp_path) -> Iterator:
    servers: list[Server] = []

    def start(**extra: str) -> Server:
        env = server_env(
            database_url,
            redis_available,
            ROUNDTABLE_LOGIN_LIMIT_PER_CLIENT=LIMIT,
            # Wrong logins still hash a password; the cheapest hash keeps the test quick.
            ROUNDTABLE_PASSWORD_MEMORY_KIB="8192",
            ROUNDTABLE_PASSWORD_TIME_COST="1",
            **extra,
        )
        server = Server(env=env, workdir=tmp_path).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def failed_login(server: Server, forwarded_for: str | None) -> int:
    """One wrong login under a fresh username (so the per-account limit never decides)."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = httpx.post(
        f"{server.base_url}/api/auth/login",
        json={"username": f"nobody-{uuid.uuid4().hex[:10]}", "password": "wrong password here"},
        headers=headers,
        timeout=10,
    )
    assert response.status_code in (401, 429), response.text
    return response.status_code


def test_by_default_a_made_up_forwarded_address_changes_nothing(start_server) -> None:
    server = start_server()  # ROUNDTABLE_FORWARDED_ALLOW_IPS unset: its default, trust no peer
    answers = [failed_login(server, f"198.51.100.{n}") for n in range(1, 7)]
    assert answers == [401, 401, 401, 429, 429, 429]


def test_uvicorns_own_environment_variable_does_not_make_a_peer_trusted(start_server) -> None:
    """uvicorn reads FORWARDED_ALLOW_IPS when it is given no list; roundtable always gives one."""
    server = start_server(FORWARDED_ALLOW_IPS="*")
    answers = [failed_login(server, f"198.51.100.{n}") for n in range(1, 5)]
    assert answers == [401, 401, 401, 429]


def test_behind_a_named_proxy_the_forwarded_address_is_the_client(start_server) -> None:
    server = start_server(ROUNDTABLE_FORWARDED_ALLOW_IPS="127.0.0.1")  # the test is the proxy
    # Each forwarded address has its own budget ...
    assert [failed_login(server, f"198.51.100.{n}") for n in range(1, 7)] == [401] * 6
    # ... and one address spends its own: the fourth attempt from it is refused,
    assert [failed_login(server, "203.0.113.9") for _ in range(4)] == [401, 401, 401, 429]
    # while another client behind the same proxy is not affected,
    assert failed_login(server, "203.0.113.10") == 401
    # and a chain is read from the right: the first address the named proxy did not add.
    assert failed_login(server, "203.0.113.9, 127.0.0.1") == 429
