"""Settings: sensible defaults, and production refuses to start on unsafe ones."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import Settings

STRONG = "k3J9-qX2p_Lm8Vt4zR7wYb1nC6sD0fGhA5eU"


def build(**values):
    return Settings(_env_file=None, **values)


def test_defaults_are_embedded_sqlite_in_process_broker_and_localhost():
    settings = build()
    assert settings.database_url.startswith("sqlite+aiosqlite:///") and "/var/" in settings.database_url
    assert settings.redis_url is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_settings_come_from_roundtable_environment_variables(monkeypatch):
    monkeypatch.setenv("ROUNDTABLE_PORT", "9001")
    monkeypatch.setenv("ROUNDTABLE_ALLOWED_ORIGINS", "https://a.example, https://b.example/")
    monkeypatch.setenv("ROUNDTABLE_REDIS_URL", "")
    settings = build()
    assert settings.port == 9001
    assert settings.allowed_origins == ["https://a.example", "https://b.example"]
    assert settings.redis_url is None


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("", "is not set"),
        ("changeme", "placeholder"),
        ("a" * 64, "placeholder"),
        ("Sh0rt-but-random", "too short"),
    ],
)
def test_production_refuses_a_missing_or_weak_secret(secret, reason):
    with pytest.raises(ValidationError) as caught:
        build(env="production", secret_key=secret)
    assert reason in str(caught.value)
    assert "ROUNDTABLE_SECRET_KEY" in str(caught.value)


def test_production_needs_the_public_origin():
    with pytest.raises(ValidationError, match="ROUNDTABLE_ALLOWED_ORIGINS"):
        build(env="production", secret_key=STRONG)


def test_production_starts_with_a_strong_secret():
    settings = build(env="production", secret_key=STRONG, allowed_origins="https://dialogue.example")
    assert settings.json_logs


def test_the_secret_is_not_shown_in_repr():
    assert STRONG not in repr(build(secret_key=STRONG))


def test_several_workers_need_redis():
    with pytest.raises(ValidationError, match="ROUNDTABLE_REDIS_URL"):
        build(workers=2)
    assert build(workers=2, redis_url="redis://127.0.0.1:6379/0").workers == 2
