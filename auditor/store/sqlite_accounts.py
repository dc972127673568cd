"""The SQLite store's accounts: users, login attempts and lockout, server-side sessions, API keys.

Passwords arrive already hashed (argon2id, by the console, which holds the optional
dependency); session tokens and API keys are stored only as SHA-256 of the random value,
so a copy of the store does not let anyone sign in. Every change is an audit event.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.errors import InputError
from auditor.store.failures import rollback_quietly, store_errors
from auditor.store.review import ROLES
from auditor.store.team import (
    API_KEY_PREFIX,
    LOCKOUT_FAILURES,
    LOCKOUT_MINUTES,
    ApiKey,
    Session,
    User,
    token_hash,
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class AccountTables:
    """Mixed into SQLiteStore; `_audit` comes from WorkTables."""

    path: Path
    _conn: sqlite3.Connection

    if TYPE_CHECKING:

        def _audit(
            self, c: sqlite3.Connection, actor: str, action: str, obj: str, **kw: Any
        ) -> None: ...

    @contextmanager
    def _write(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One transaction, taken at once (BEGIN IMMEDIATE) so a read-then-write cannot race."""
        with store_errors(self.path, doing):
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                yield c
                c.execute("COMMIT")
            except BaseException:
                rollback_quietly(c)
                raise

    # ---- users ----------------------------------------------------------------------------
    def has_accounts(self) -> bool:
        with store_errors(self.path, "read the case store's accounts", reading=True):
            return self._conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    @staticmethod
    def _user(row: sqlite3.Row) -> User:
        return User(
            username=row["username"],
            role=row["role"],
            password_hash=row["password_hash"],
            disabled=bool(row["disabled"]),
            failed_logins=row["failed_logins"],
            locked_until=_dt(row["locked_until"]),
            created_at=datetime.fromisoformat(row["created_at"]),
        )

    def user(self, username: str) -> User | None:
        with store_errors(self.path, "read the case store's accounts", reading=True):
            row = self._conn.execute(
                "SELECT * FROM users WHERE username = ?", (username,)
            ).fetchone()
        return self._user(row) if row else None

    def users(self) -> list[User]:
        with store_errors(self.path, "read the case store's accounts", reading=True):
            return [
                self._user(r) for r in self._conn.execute("SELECT * FROM users ORDER BY username")
            ]

    def add_user(self, username: str, role: str, password_hash: str | None, by: str) -> User:
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
        if (
            not username
            or len(username) > 64
            or not username.isprintable()
            or username != username.strip()
        ):
            raise InputError(
                f"user name {username!r}: 1 to 64 printable characters, no surrounding spaces"
            )
        now = _now().isoformat()
        with self._write(f"add user {username}") as c:
            if c.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise InputError(
                    f"user {username!r} exists already; `auditor console user reset` changes it"
                )
            c.execute(
                "INSERT INTO users (username, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                (username, role, password_hash, now, now),
            )
            self._audit(c, by, "add-user", f"user:{username}", detail={"role": role})
        user = self.user(username)
        assert user is not None
        return user

    def update_user(
        self,
        username: str,
        by: str,
        *,
        role: str | None = None,
        password_hash: str | None = None,
        disabled: bool | None = None,
    ) -> User:
        """Role, password or disabled flag; a password reset also clears the lockout. Disabling ends the user's sessions."""
        if role is not None and role not in ROLES:
            raise InputError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
        now = _now().isoformat()
        with self._write(f"change user {username}") as c:
            if not c.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise InputError(
                    f"no user {username!r} in this store (`auditor console user add` makes one)"
                )
            changes: dict[str, Any] = {}
            if role is not None:
                c.execute("UPDATE users SET role = ? WHERE username = ?", (role, username))
                changes["role"] = role
            if password_hash is not None:
                c.execute(
                    "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE username = ?",
                    (password_hash, username),
                )
                changes["password"] = "reset"
            if disabled is not None:
                c.execute(
                    "UPDATE users SET disabled = ? WHERE username = ?", (int(disabled), username)
                )
                changes["disabled"] = disabled
                if disabled:
                    c.execute(
                        "UPDATE sessions SET ended_at = ? WHERE username = ? AND ended_at IS NULL",
                        (now, username),
                    )
            c.execute("UPDATE users SET updated_at = ? WHERE username = ?", (now, username))
            self._audit(c, by, "change-user", f"user:{username}", detail=changes)
        user = self.user(username)
        assert user is not None
        return user

    # ---- logins ---------------------------------------------------------------------------
    def record_login(
        self,
        username: str,
        ok: bool,
        method: str,
        source: str | None,
        detail: str,
        request_id: str | None = None,
    ) -> None:
        """Every attempt is kept; failures count towards a lockout, a success clears the count."""
        now = _now()
        with self._write("record a login attempt") as c:
            c.execute(
                "INSERT INTO login_attempts (username, at, ok, method, source, detail) VALUES (?, ?, ?, ?, ?, ?)",
                (username[:200], now.isoformat(), int(ok), method, source, detail),
            )
            if ok:
                c.execute(
                    "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = ?",
                    (username,),
                )
            else:
                c.execute(
                    "UPDATE users SET failed_logins = failed_logins + 1 WHERE username = ?",
                    (username,),
                )
                row = c.execute(
                    "SELECT failed_logins FROM users WHERE username = ?", (username,)
                ).fetchone()
                if row and row[0] >= LOCKOUT_FAILURES:
                    c.execute(
                        "UPDATE users SET locked_until = ? WHERE username = ?",
                        ((now + timedelta(minutes=LOCKOUT_MINUTES)).isoformat(), username),
                    )
            self._audit(
                c,
                username[:200],
                "login" if ok else "login-failed",
                f"user:{username[:200]}",
                request_id=request_id,
                detail={"method": method, "source": source, "why": detail},
            )

    def login_attempts(self, username: str | None = None) -> list[dict[str, Any]]:
        with store_errors(self.path, "read the case store's login attempts", reading=True):
            where, params = ("WHERE username = ?", (username,)) if username else ("", ())
            rows = self._conn.execute(
                f"SELECT * FROM login_attempts {where} ORDER BY attempt_id", params
            )
            return [dict(r) for r in rows]

    # ---- sessions -------------------------------------------------------------------------
    def start_session(self, username: str, lifetime: timedelta) -> tuple[str, Session]:
        """A new session; returns the token (for the cookie, never stored) and the session."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = _now()
        with self._write("start a session") as c:
            c.execute(
                "INSERT INTO sessions (token_hash, username, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                (token_hash(token), username, csrf, now.isoformat(), (now + lifetime).isoformat()),
            )
            role = c.execute("SELECT role FROM users WHERE username = ?", (username,)).fetchone()[0]
        return token, Session(username, role, csrf, now, now + lifetime)

    def session(self, token: str) -> Session | None:
        """The live session a cookie names: not ended, not expired, its user not disabled."""
        if not token:
            return None
        with store_errors(self.path, "read the case store's sessions", reading=True):
            row = self._conn.execute(
                """SELECT s.*, u.role FROM sessions s JOIN users u ON u.username = s.username
                   WHERE s.token_hash = ? AND s.ended_at IS NULL AND u.disabled = 0""",
                (token_hash(token),),
            ).fetchone()
        if row is None or datetime.fromisoformat(row["expires_at"]) <= _now():
            return None
        return Session(
            username=row["username"],
            role=row["role"],
            csrf_token=row["csrf_token"],
            created_at=datetime.fromisoformat(row["created_at"]),
            expires_at=datetime.fromisoformat(row["expires_at"]),
        )

    def end_session(self, token: str, request_id: str | None = None) -> None:
        with self._write("end a session") as c:
            row = c.execute(
                "SELECT username FROM sessions WHERE token_hash = ? AND ended_at IS NULL",
                (token_hash(token),),
            ).fetchone()
            if row is None:
                return
            c.execute(
                "UPDATE sessions SET ended_at = ? WHERE token_hash = ?",
                (_now().isoformat(), token_hash(token)),
            )
            self._audit(c, row[0], "logout", f"user:{row[0]}", request_id=request_id)

    # ---- API keys -------------------------------------------------------------------------
    def create_api_key(
        self, username: str, label: str, lifetime: timedelta, by: str
    ) -> tuple[str, ApiKey]:
        """A new key, returned once in full; the store keeps its prefix and hash only."""
        secret = secrets.token_urlsafe(32)
        prefix = secrets.token_hex(4)
        key = f"{API_KEY_PREFIX}{prefix}_{secret}"
        now = _now()
        with self._write(f"create an API key for {username}") as c:
            if not c.execute(
                "SELECT 1 FROM users WHERE username = ? AND disabled = 0", (username,)
            ).fetchone():
                raise InputError(f"no active user {username!r} to own the key")
            cursor = c.execute(
                "INSERT INTO api_keys (prefix, key_hash, username, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    prefix,
                    token_hash(key),
                    username,
                    label,
                    now.isoformat(),
                    (now + lifetime).isoformat(),
                ),
            )
            self._audit(
                c,
                by,
                "create-api-key",
                f"api_key:{cursor.lastrowid}",
                detail={"prefix": prefix, "owner": username},
            )
        return key, self.api_keys(prefix=prefix)[0]

    def api_keys(self, prefix: str | None = None) -> list[ApiKey]:
        with store_errors(self.path, "read the case store's API keys", reading=True):
            where, params = ("WHERE prefix = ?", (prefix,)) if prefix else ("", ())
            rows = self._conn.execute(
                f"SELECT * FROM api_keys {where} ORDER BY key_id", params
            ).fetchall()
        return [
            ApiKey(
                key_id=r["key_id"],
                prefix=r["prefix"],
                username=r["username"],
                label=r["label"],
                created_at=datetime.fromisoformat(r["created_at"]),
                expires_at=datetime.fromisoformat(r["expires_at"]),
                revoked_at=_dt(r["revoked_at"]),
            )
            for r in rows
        ]

    def api_key_owner(self, key: str) -> tuple[str, str] | None:
        """(user, current role) a live key acts as: not revoked, not expired, its owner not disabled."""
        if not key.startswith(API_KEY_PREFIX):
            return None
        prefix = key[len(API_KEY_PREFIX) :].split("_", 1)[0]
        with store_errors(self.path, "read the case store's API keys", reading=True):
            row = self._conn.execute(
                """SELECT k.key_hash, k.expires_at, k.revoked_at, u.username, u.role, u.disabled
                   FROM api_keys k JOIN users u ON u.username = k.username WHERE k.prefix = ?""",
                (prefix,),
            ).fetchone()
        if row is None or row["revoked_at"] or row["disabled"]:
            return None
        if not secrets.compare_digest(row["key_hash"], token_hash(key)):
            return None
        if datetime.fromisoformat(row["expires_at"]) <= _now():
            return None
        return row["username"], row["role"]

    def revoke_api_key(self, prefix: str, by: str) -> None:
        with self._write(f"revoke API key {prefix}") as c:
            row = c.execute(
                "SELECT key_id, revoked_at FROM api_keys WHERE prefix = ?", (prefix,)
            ).fetchone()
            if row is None:
                raise InputError(
                    f"no API key with prefix {prefix!r} (`auditor console key list` shows them)"
                )
            if row["revoked_at"]:
                return
            c.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE prefix = ?", (_now().isoformat(), prefix)
            )
            self._audit(
                c, by, "revoke-api-key", f"api_key:{row['key_id']}", detail={"prefix": prefix}
            )
