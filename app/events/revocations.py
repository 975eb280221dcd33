"""A right that ended: which open room connections relied on it, and how they are closed.

The service that ends a right (a logout, a disabled account, a password reset, a member
taken out of a programme, a seat with too many connections) records a `Revoked` in its
unit of work with `publish_after_commit`. Once the transaction has committed, the app's
hub closes the matching connections of this instance at once and sends the revocation on
the broker's control channel to every other instance, which does the same. A revocation
lost on the way (the broker is down) is caught by the periodic revalidation of every
open connection (app/live/rights.py), so no missed signal lasts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# WebSocket close codes of a right that ended (docs/protocol.md has them all).
CLOSE_LOGIN_ENDED = 4401  # the login behind the connection ended: log in again
CLOSE_RIGHT_ENDED = 4403  # the seat, or the place in the programme, is gone
CLOSE_REPLACED = 4429  # too many connections for the seat or the account: the oldest closes


@dataclass(frozen=True)
class Revoked:
    """Close every connection that matches any of the fields.

    `logins`: connections made with these login sessions. `user` (and `except_login`):
    every connection of this staff account (but the one login that goes on). `member`:
    (user id, programme id), the account's connections to that programme's rooms.
    `seats`: connections of these seats. `connections`: these connections by id."""

    code: int
    reason: str
    logins: tuple[int, ...] = ()
    user: int | None = None
    except_login: int | None = None
    member: tuple[int, int] | None = None
    seats: tuple[int, ...] = ()
    connections: tuple[str, ...] = field(default=())

    @property
    def stored(self) -> bool:
        return True  # a revocation is published once its transaction committed; nothing to undo

    def encode(self) -> bytes:
        return json.dumps({"revoked": self.as_dict()}, separators=(",", ":")).encode()

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "reason": self.reason,
            "logins": list(self.logins),
            "user": self.user,
            "except_login": self.except_login,
            "member": list(self.member) if self.member else None,
            "seats": list(self.seats),
            "connections": list(self.connections),
        }

    @classmethod
    def decode(cls, data: bytes | str) -> Revoked | None:
        """The revocation in a control message, or None when it is not one (or unreadable)."""
        try:
            body = json.loads(data)["revoked"]
            member = body.get("member")
            return cls(
                code=int(body["code"]),
                reason=str(body["reason"])[:120],
                logins=tuple(int(x) for x in body.get("logins") or ()),
                user=int(body["user"]) if body.get("user") is not None else None,
                except_login=int(body["except_login"]) if body.get("except_login") is not None else None,
                member=(int(member[0]), int(member[1])) if member else None,
                seats=tuple(int(x) for x in body.get("seats") or ()),
                connections=tuple(str(x) for x in body.get("connections") or ()),
            )
        except (ValueError, KeyError, TypeError, IndexError):
            return None
