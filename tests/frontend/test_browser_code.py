"""The browser code's own unit tests (frontend/tests/*.test.mjs) on Node's built-in test
runner: the protocol client (reconnection, resend, gap filling), the room state and the
translation helper. Run here so that the README's test command runs them too."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_browser_code_passes_its_node_tests():
    node = shutil.which("node")
    if node is None:
        message = "Node.js is not installed (apt-get install nodejs); the browser code's tests need it"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "frontend" / "tests").glob("*.test.mjs"))
    assert tests, "no browser tests found"
    result = subprocess.run([node, "--test", *tests], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_every_key_the_room_uses_is_in_every_language():
    catalogs = {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (ROOT / "frontend/static/i18n").glob("*.json")
    }
    assert set(catalogs) == {"en", "ru", "az", "hy"}
    english = catalogs["en"]
    for lang, messages in catalogs.items():
        assert set(messages) == set(english), (lang, sorted(set(english) ^ set(messages))[:10])
        for key, value in messages.items():
            forms = value.values() if isinstance(value, dict) else [value]
            assert all(isinstance(f, str) and f.strip() for f in forms), (lang, key)
            wanted = set(re.findall(r"\{(\w+)\}", json.dumps(english[key], ensure_ascii=False)))
            got = set(re.findall(r"\{(\w+)\}", json.dumps(value, ensure_ascii=False)))
            assert got == wanted, (lang, key, got, wanted)
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "frontend/static/js/room").rglob("*.js"))
    used = set(re.findall(r'\bt\("([a-z_]+\.[a-z_]+)"', code)) | set(re.findall(r'"(composer\.[a-z_]+)"', code))
    missing = sorted(k for k in used if k not in english)
    assert not missing, missing
