"""Password hashing for console accounts: argon2id (argon2-cffi), imported only where a password is set or checked.

argon2-cffi's PasswordHasher defaults to argon2id with RFC 9106's low-memory parameters,
and `check_needs_rehash` lets us raise them later without forcing a reset.
"""

from __future__ import annotations

from typing import Any

from auditor.errors import InputError

MIN_LENGTH = 12


def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ModuleNotFoundError:
        raise InputError(
            "the console needs its extra: pip install 'auditor[console]' (argon2-cffi is missing)"
        ) from None
    return PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise InputError(f"a password needs at least {MIN_LENGTH} characters")
    return str(_hasher().hash(password))


# Checked against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY: list[str] = []


def check_password(stored: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    if stored is None:
        if not _DUMMY:
            _DUMMY.append(hasher.hash("not-a-password-of-anyone"))
        stored, password = _DUMMY[0], password + "\x00"
        try:
            hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return bool(hasher.verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False
