"""The SQLite store's case attachments: size-capped files kept once by SHA-256, listed per case, chained in the audit trail.

The same file attached to several cases is stored once; its metadata row (case, name,
checksum, who, when) is insert-only and vouched for by an audit event, and `verify`
re-hashes every stored content against its checksum.
"""

from __future__ import annotations

import hashlib
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.errors import InputError
from auditor.store.failures import store_errors
from auditor.store.review import check_may_decide

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    attachment_id: int
    case_id: str
    filename: str
    sha256: str
    size: int
    uploaded_by: str
    at: datetime


def safe_filename(name: str) -> str:
    """A name that is only a name: no folders, no control or bidi characters, at most 120 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(". ")
    return kept[:120] or "attachment"


class AttachmentTables:
    """Mixed into SQLiteStore."""

    path: Path
    _conn: sqlite3.Connection

    if TYPE_CHECKING:
        from contextlib import AbstractContextManager

        def _write(self, doing: str) -> AbstractContextManager[sqlite3.Connection]: ...

        def _audit(
            self, c: sqlite3.Connection, actor: str, action: str, obj: str, **kw: Any
        ) -> None: ...

        def _actor(self, c: sqlite3.Connection, name: str) -> Any: ...

    def add_attachment(
        self, case_id: str, filename: str, data: bytes, by: str, request_id: str | None = None
    ) -> Attachment:
        if not data:
            raise InputError("the attachment is empty")
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise InputError(f"an attachment is at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB")
        digest = hashlib.sha256(data).hexdigest()
        name = safe_filename(filename)
        with self._write(f"attach a file to case {case_id} (it was not recorded)") as c:
            check_may_decide(self._actor(c, by))
            c.execute(
                "INSERT OR IGNORE INTO attachment_blobs (sha256, size, data) VALUES (?, ?, ?)",
                (digest, len(data), data),
            )
            cursor = c.execute(
                "INSERT INTO attachments (case_id, filename, sha256, size, uploaded_by, at) VALUES (?, ?, ?, ?, ?, ?)",
                (case_id, name, digest, len(data), by, datetime.now(timezone.utc).isoformat()),
            )
            ident = int(cursor.lastrowid or 0)
            self._audit(c, by, "attach-file", "", request_id=request_id, row=("attachments", ident))
        return self.attachments(case_id, ident)[0]

    def attachments(self, case_id: str, attachment_id: int | None = None) -> list[Attachment]:
        where, params = (
            ("case_id = ?", [case_id])
            if attachment_id is None
            else ("case_id = ? AND attachment_id = ?", [case_id, attachment_id])
        )
        with store_errors(self.path, "read the case's attachments", reading=True):
            rows = self._conn.execute(
                f"SELECT * FROM attachments WHERE {where} ORDER BY attachment_id", params
            ).fetchall()
        return [
            Attachment(
                r["attachment_id"],
                r["case_id"],
                r["filename"],
                r["sha256"],
                r["size"],
                r["uploaded_by"],
                datetime.fromisoformat(r["at"]),
            )  # fmt: skip
            for r in rows
        ]

    def attachment_data(self, case_id: str, attachment_id: int) -> tuple[Attachment, bytes] | None:
        found = self.attachments(case_id, attachment_id)
        if not found:
            return None
        with store_errors(self.path, "read an attachment", reading=True):
            row = self._conn.execute(
                "SELECT data FROM attachment_blobs WHERE sha256 = ?", (found[0].sha256,)
            ).fetchone()
        return (found[0], bytes(row[0])) if row else None

    def blob_problems(self) -> list[str]:
        """Stored contents whose checksum no longer matches (for `verify`)."""
        with store_errors(self.path, "verify the attachments", reading=True):
            rows = self._conn.execute("SELECT sha256, data FROM attachment_blobs").fetchall()
        return [
            f"attachment content {r['sha256'][:12]} was changed: its checksum does not match"
            for r in rows
            if hashlib.sha256(bytes(r["data"])).hexdigest() != r["sha256"]
        ]
