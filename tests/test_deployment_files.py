"""The deployment files agree with the code: compose, Dockerfile, Caddyfile, .env.example.

There is no Docker engine where the tests run, so docker-compose.yml is checked
by reading it: the services and their health checks, and above all that every
ROUNDTABLE_* variable it sets is a real setting and that the production values
it sets pass Roundtable's own production checks.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from app.config import PROJECT_ROOT, Environment, Settings

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
CADDYFILE = PROJECT_ROOT / "deploy" / "Caddyfile"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"

PREFIX = "ROUNDTABLE_"
SETTING_NAMES = {PREFIX + name.upper() for name in Settings.model_fields}
NAME_PATTERN = re.compile(r"ROUNDTABLE_[A-Z0-9_]+")
# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}
INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _app_environment() -> dict[str, str]:
    environment = _compose()["services"]["app"]["environment"]
    if isinstance(environment, list):  # the `- KEY=value` form
        environment = dict(item.split("=", 1) for item in environment)
    return {str(key): str(value) for key, value in environment.items()}


def _interpolate(value: str, variables: dict[str, str]) -> str:
    """What docker compose does with ${...} references, given the variables in .env."""

    def replace(match: re.Match[str]) -> str:
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        present = variables.get(name)
        if op and op.startswith(":") and present == "":
            present = None
        if present is not None:
            return present
        if op and op.endswith("-"):
            return arg or ""
        if op and op.endswith("?"):
            raise AssertionError(f"compose would refuse to start: {name} is required ({arg})")
        return ""

    return INTERPOLATION.sub(replace, value)


@pytest.fixture
def no_roundtable_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings built here see only what the test gives them."""
    for name in list(os.environ):
        if name.startswith(PREFIX):
            monkeypatch.delenv(name)


# --- docker-compose.yml -----------------------------------------------------------


def test_compose_has_the_production_services() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "app", "proxy"} <= set(services)
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert str(services["proxy"]["image"]).startswith("caddy:2")


def test_compose_app_sets_everything_production_needs() -> None:
    environment = _app_environment()
    assert environment["ROUNDTABLE_ENV"] == "production"

    database_url = _interpolate(environment["ROUNDTABLE_DATABASE_URL"], {"POSTGRES_PASSWORD": "pw"})
    database = make_url(database_url)
    assert database.drivername == "postgresql+asyncpg"
    assert database.host == "postgres"
    assert database.password == "pw"

    redis_url = environment["ROUNDTABLE_REDIS_URL"]
    assert redis_url.startswith("redis://redis:")

    assert "ROUNDTABLE_SECRET_KEY" in environment["ROUNDTABLE_SECRET_KEY"], (
        "the secret must come from .env, never be written into the compose file"
    )
    assert environment["ROUNDTABLE_ALLOWED_ORIGINS"].strip()
    assert environment["ROUNDTABLE_HOST"] == "0.0.0.0"
    assert environment["ROUNDTABLE_FORWARDED_ALLOW_IPS"]


def test_compose_app_believes_forwarded_headers_from_the_proxy_only() -> None:
    """Not "*": the app trusts the one fixed address Caddy has on a network only the two share."""
    compose = _compose()
    services = compose["services"]
    trusted = _app_environment()["ROUNDTABLE_FORWARDED_ALLOW_IPS"].split(",")
    assert "*" not in trusted and "127.0.0.1" not in trusted
    proxy_address = ipaddress.ip_address(services["proxy"]["networks"]["front"]["ipv4_address"])
    assert [ipaddress.ip_address(t.strip()) for t in trusted] == [proxy_address]

    (pool,) = compose["networks"]["front"]["ipam"]["config"]
    subnet, dynamic = ipaddress.ip_network(pool["subnet"]), ipaddress.ip_network(pool["ip_range"])
    assert proxy_address in subnet
    assert proxy_address not in dynamic, "a replica started first could be given the proxy's address"
    assert proxy_address != ipaddress.ip_address(pool["gateway"])

    def networks(name: str) -> set[str]:
        value = services[name].get("networks", [])
        return set(value if isinstance(value, list) else value.keys())

    assert networks("proxy") == {"front"}
    assert networks("app") == {"front", "back"}
    assert networks("postgres") == {"back"} and networks("redis") == {"back"}
    assert "ports" not in services["app"], "a published app port would let anyone past the proxy"


def test_compose_gives_the_app_time_to_finish_requests_on_stop() -> None:
    app = _compose()["services"]["app"]
    grace = int(str(app["stop_grace_period"]).removesuffix("s"))
    assert grace > Settings(_env_file=None).server_timeout_graceful_shutdown_seconds


def test_compose_sets_no_unknown_roundtable_variable() -> None:
    unknown = {key for key in _app_environment() if key.startswith(PREFIX)} - SETTING_NAMES
    assert not unknown, f"not settings of Roundtable (a typo?): {sorted(unknown)}"


def test_compose_requires_the_secrets_instead_of_defaulting_them() -> None:
    environment = _app_environment()
    with pytest.raises(AssertionError, match="ROUNDTABLE_SECRET_KEY"):
        _interpolate(environment["ROUNDTABLE_SECRET_KEY"], {})
    with pytest.raises(AssertionError, match="POSTGRES_PASSWORD"):
        _interpolate(environment["ROUNDTABLE_DATABASE_URL"], {})
    postgres = _compose()["services"]["postgres"]["environment"]
    with pytest.raises(AssertionError, match="POSTGRES_PASSWORD"):
        _interpolate(str(postgres["POSTGRES_PASSWORD"]), {})


def test_compose_app_runs_several_replicas_behind_the_proxy_only() -> None:
    services = _compose()["services"]
    app = services["app"]
    assert app["deploy"]["replicas"] >= 2
    assert "ports" not in app, "replicas cannot share a published host port"
    assert "container_name" not in app, "a fixed container name prevents scaling"
    assert services["proxy"]["ports"], "the proxy is the way in"


def test_compose_app_waits_for_healthy_postgres_and_redis() -> None:
    depends_on = _compose()["services"]["app"]["depends_on"]
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_compose_services_have_health_checks() -> None:
    services = _compose()["services"]
    for name in ("postgres", "redis", "app"):
        test = services[name]["healthcheck"]["test"]
        assert test, f"{name} has an empty health check"
    assert "pg_isready" in str(services["postgres"]["healthcheck"]["test"])
    assert "ping" in str(services["redis"]["healthcheck"]["test"])
    assert "/readyz" in str(services["app"]["healthcheck"]["test"])


def test_compose_production_values_pass_the_production_checks(
    no_roundtable_environment: None,
) -> None:
    dotenv = {
        "ROUNDTABLE_SECRET_KEY": secrets.token_urlsafe(36),  # 48 characters
        "POSTGRES_PASSWORD": secrets.token_hex(24),
    }
    assert len(dotenv["ROUNDTABLE_SECRET_KEY"]) == 48
    values: dict[str, Any] = {
        key.removeprefix(PREFIX).lower(): _interpolate(value, dotenv)
        for key, value in _app_environment().items()
        if key.startswith(PREFIX)
    }
    settings = Settings(_env_file=None, **values)

    assert settings.env is Environment.production
    assert settings.secret_key == dotenv["ROUNDTABLE_SECRET_KEY"]
    assert make_url(settings.database_url).password == dotenv["POSTGRES_PASSWORD"]
    assert settings.redis_url == "redis://redis:6379/0"
    assert settings.allowed_origins == ["http://localhost:8080"]
    assert settings.json_logs
    assert not settings.is_sqlite


def test_the_same_shape_with_a_weak_secret_is_refused(no_roundtable_environment: None) -> None:
    values: dict[str, Any] = {
        key.removeprefix(PREFIX).lower(): _interpolate(
            value, {"ROUNDTABLE_SECRET_KEY": "changeme", "POSTGRES_PASSWORD": "pw"}
        )
        for key, value in _app_environment().items()
        if key.startswith(PREFIX)
    }
    with pytest.raises(ValueError, match="ROUNDTABLE_SECRET_KEY"):
        Settings(_env_file=None, **values)


def test_compose_public_origin_defaults_to_the_published_proxy_port() -> None:
    services = _compose()["services"]
    origin = _interpolate(_app_environment()["ROUNDTABLE_ALLOWED_ORIGINS"], {})
    published = [str(port).split(":")[0] for port in services["proxy"]["ports"]]
    assert origin == f"http://localhost:{published[0]}"


# --- deploy/Caddyfile -------------------------------------------------------------


def test_caddyfile_spreads_requests_over_every_app_replica() -> None:
    proxy = _compose()["services"]["proxy"]
    assert any(str(volume).startswith("./deploy/Caddyfile:") for volume in proxy["volumes"])

    caddyfile = CADDYFILE.read_text(encoding="utf-8")
    lines = [line.split("#", 1)[0].strip() for line in caddyfile.splitlines()]
    config = "\n".join(line for line in lines if line)
    assert "reverse_proxy" in config
    assert re.search(r"dynamic a \{[^}]*\bname app\b", config), "upstreams must come from DNS"
    port = re.search(r"dynamic a \{[^}]*\bport (\d+)", config)
    assert port and port.group(1) == _app_environment()["ROUNDTABLE_PORT"]
    assert "lb_policy round_robin" in config
    assert "fail_duration" in config, "a replica that fails must be skipped"
    assert "lb_try_duration" in config, "a request to a stopping replica must be retried"


def _caddy_config() -> str:
    lines = [line.split("#", 1)[0].strip() for line in CADDYFILE.read_text(encoding="utf-8").splitlines()]
    return "\n".join(line for line in lines if line)


def _caddy_size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([KMG]i?B)?", value).groups()  # type: ignore[union-attr]
    scale = {None: 1, "KB": 1000, "KiB": 1024, "MB": 1000**2, "MiB": 1024**2, "GB": 1000**3, "GiB": 1024**3}
    return int(number) * scale[unit]


def _caddy_seconds(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(ms|s|m|h)", value).groups()  # type: ignore[union-attr]
    return int(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def test_caddyfile_ends_slow_and_half_open_clients_but_not_room_websockets() -> None:
    config = _caddy_config()
    timeouts = re.search(r"servers \{.*?timeouts \{([^}]*)\}", config, flags=re.DOTALL)
    assert timeouts, "the global servers block must set timeouts"
    values = dict(line.split(None, 1) for line in timeouts.group(1).splitlines() if line.strip())
    # uvicorn has no timeout for an unfinished request head: this is what ends slowloris.
    assert 1 <= _caddy_seconds(values["read_header"]) <= 30
    assert 1 <= _caddy_seconds(values["read_body"]) <= 120
    assert _caddy_seconds(values["idle"]) >= 30
    # A write timeout would end every WebSocket that long after it opened.
    assert "write" not in values
    assert "stream_timeout" not in config


def test_caddyfile_limits_headers_and_bodies_no_looser_than_the_app() -> None:
    config = _caddy_config()
    defaults = Settings(_env_file=None)
    header = re.search(r"max_header_size (\S+)", config)
    assert header and _caddy_size(header.group(1)) <= defaults.server_max_header_bytes
    body = re.search(r"request_body \{[^}]*max_size (\S+)", config)
    assert body and _caddy_size(body.group(1)) <= defaults.max_body_bytes


# --- Dockerfile -------------------------------------------------------------------


def _dockerfile_instructions(dockerfile: str) -> list[str]:
    """One string per instruction, continuation lines joined, comments dropped."""
    instructions: list[str] = []
    pending = ""
    for raw in dockerfile.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        instructions.append(pending + line)
        pending = ""
    if pending:
        instructions.append(pending.strip())
    return instructions


def test_dockerfile_migrates_then_serves_with_a_health_check() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    instructions = _dockerfile_instructions(dockerfile)
    cmd = [line for line in instructions if line.startswith("CMD ")]
    assert len(cmd) == 1
    assert "roundtable migrate" in cmd[0] and "roundtable serve" in cmd[0]
    assert cmd[0].index("roundtable migrate") < cmd[0].index("roundtable serve")
    assert "exec roundtable serve" in cmd[0], "the server must be PID 1 to get SIGTERM"
    assert any(line.startswith("HEALTHCHECK ") for line in instructions)
    assert "/healthz" in dockerfile
    assert instructions[0] == "FROM python:3.11-slim"
    users = [line for line in instructions if line.startswith("USER ")]
    assert users and users[-1] not in ("USER root", "USER 0")


def test_dockerfile_sets_only_real_settings() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    code = "\n".join(line for line in dockerfile.splitlines() if not line.lstrip().startswith("#"))
    unknown = set(NAME_PATTERN.findall(code)) - SETTING_NAMES
    assert not unknown, sorted(unknown)
    assert "ROUNDTABLE_ENV=production" in code


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image() -> None:
    ignored = {
        line.strip()
        for line in (PROJECT_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".venv", "var", ".git", "tests"} <= ignored


# --- .env.example -----------------------------------------------------------------


def test_env_example_documents_every_setting() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    assigned = re.findall(r"^#?\s*(ROUNDTABLE_[A-Z0-9_]+)=", text, flags=re.MULTILINE)
    missing = SETTING_NAMES - set(assigned)
    assert not missing, f"settings missing from .env.example: {sorted(missing)}"
    duplicated = {name for name in assigned if assigned.count(name) > 1}
    assert not duplicated, sorted(duplicated)


def test_env_example_mentions_no_unknown_setting() -> None:
    unknown = set(NAME_PATTERN.findall(ENV_EXAMPLE.read_text(encoding="utf-8"))) - SETTING_NAMES
    assert not unknown, f"not settings of Roundtable: {sorted(unknown)}"


def test_env_example_copied_to_dotenv_gives_the_development_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_roundtable_environment: None
) -> None:
    (tmp_path / ".env").write_text(ENV_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    from_example = Settings()

    assert from_example.model_dump() == Settings(_env_file=None).model_dump()
    assert from_example.env is Environment.development
    assert from_example.is_sqlite
    assert from_example.redis_url is None
