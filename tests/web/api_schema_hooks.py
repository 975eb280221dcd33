"""Schemathesis hooks for tests/web/test_api_schema.py, loaded by `schemathesis run` through
SCHEMATHESIS_HOOKS (so this module runs in the schemathesis process, not in pytest's).

Who is asking: the admin for /api/admin and /api/auth, the facilitator of the seeded programme
for the rest (so sessions, agendas, invitations and transcripts are reached, not only refused);
the login flow and the join flow go without a login, as they do for real. A login that a
generated request ended (the admin clearing their own second factor) is simply logged in again;
admin routes aimed at the run's own accounts are aimed at another id.
"""

from __future__ import annotations

import os
import re
from typing import Any

import httpx
import schemathesis

BASE_URL = os.environ.get("RT_SCHEMA_BASE_URL", "")
ACCOUNTS = {
    "admin": (os.environ.get("RT_SCHEMA_ADMIN", ""), os.environ.get("RT_SCHEMA_ADMIN_PASSWORD", "")),
    "facilitator": (os.environ.get("RT_SCHEMA_FACILITATOR", ""), os.environ.get("RT_SCHEMA_FACILITATOR_PASSWORD", "")),
}
# The run's own accounts: an admin route aimed at one (a new password nobody knows, disabled)
# would lock the rest of the run out, so it is aimed at the next id instead.
OWN_IDS = {int(part) for part in os.environ.get("RT_SCHEMA_OWN_IDS", "").split(",") if part}
ANONYMOUS = r"^/(api/auth/login|api/join|healthz|readyz)"
ON_ACCOUNT = re.compile(r"^/api/admin/users/\{user_id\}/")


def _who(case: Any, _context: Any) -> str:
    return "admin" if case.operation.path.startswith(("/api/admin/", "/api/auth/")) else "facilitator"


@schemathesis.auth(cache_by_key=_who, refresh_interval=600).skip_for(path_regex=ANONYMOUS)
class LoginCookie:
    def get(self, case: Any, context: Any) -> dict[str, str]:
        username, password = ACCOUNTS[_who(case, context)]
        with httpx.Client(base_url=BASE_URL, headers={"Origin": BASE_URL}, timeout=10) as client:
            response = client.post("/api/auth/login", json={"username": username, "password": password})
            response.raise_for_status()
            cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        return {"Cookie": cookies, "X-CSRF-Token": response.json()["csrf_token"]}

    def set(self, case: Any, data: dict[str, str], _context: Any) -> None:
        case.headers = {**(case.headers or {}), **data}


@schemathesis.hook
def before_call(_context: Any, case: Any, _kwargs: dict[str, Any]) -> None:
    if ON_ACCOUNT.match(case.operation.path) and (case.path_parameters or {}).get("user_id") in OWN_IDS:
        case.path_parameters["user_id"] = max(OWN_IDS) + 1
