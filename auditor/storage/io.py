"""Reading, listing, uploading and deleting objects, with every failure a located, plain error.

A missing bucket, a missing object, a denied permission, a bad endpoint: each becomes an
InputError (reading) or OutputError (writing), exit 2, naming the URL and what was wrong —
never a traceback, and never the request's query string or headers, which can carry a
SAS token or a signature.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from auditor.errors import AuditorError, InputError, OutputError, SourceLocation
from auditor.storage.location import ObjectURL
from auditor.storage.settings import StorageConfig
from auditor.storage.stores import build_store

log = logging.getLogger("auditor.storage")
_stores: dict[tuple[str, str, str | None, str], Any] = {}

_NO_BUCKET = {"NoSuchBucket", "ContainerNotFound", "ResourceNotFound"}
_DENIED = {
    "AccessDenied",
    "AuthorizationFailure",
    "AuthorizationPermissionMismatch",
    "AuthenticationFailed",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "Forbidden",
}


def store_for(url: ObjectURL, storage: StorageConfig) -> Any:
    """One client per bucket and settings, reused across a run's files."""
    # The connection string is part of the key (hashed): a changed environment gets a new client.
    conn = os.environ.get(storage.azure.connection_string_env, "") if url.cloud == "azure" else ""
    key = (
        url.cloud,
        url.bucket,
        url.account,
        storage.model_dump_json() + hashlib.sha256(conn.encode()).hexdigest(),
    )
    if key not in _stores:
        _stores[key] = build_store(url, storage)
    return _stores[key]


def _reason(exc: BaseException, url: ObjectURL) -> str:
    """What went wrong, from the error code the service sent; never the request's URL or headers."""
    text = str(exc)
    code_match = re.search(r"<Code>([A-Za-z]+)</Code>", text) or re.search(
        r'"reason"\s*:\s*"([A-Za-z]+)"', text
    )
    code = code_match.group(1) if code_match else None
    status_match = re.search(r"status code: (\d{3})", text)
    status = int(status_match.group(1)) if status_match else None
    noun = "container" if url.cloud == "azure" else "bucket"
    if code in _NO_BUCKET or (code is None and status == 404 and "bucket" in text.lower()):
        return f"the {noun} '{url.bucket}' does not exist (or these credentials cannot see it)"
    if (
        code in _DENIED
        or status in (401, 403)
        or type(exc).__name__
        in (
            "PermissionDeniedError",
            "UnauthenticatedError",
        )
    ):
        return f"permission denied ({code or status or 'refused'}): the credentials may not do this to {noun} '{url.bucket}'"
    if isinstance(exc, FileNotFoundError) or type(exc).__name__ == "NotFoundError" or status == 404:
        return "no such object"
    if "error sending request" in text or "connect" in text.lower() and status is None:
        return "cannot reach the storage endpoint (check storage.*.endpoint.url and the network)"
    if "token" in text.lower() and status is None:
        return "cannot get credentials to sign the request (check the cloud's credential chain)"
    first = text.splitlines()[0] if text else type(exc).__name__
    first = re.sub(r"https?://\S+", "<endpoint>", first)  # a URL may carry a signature or SAS
    return f"{code or status or type(exc).__name__}: {first[:200]}"


@contextmanager
def storage_errors(url: ObjectURL, doing: str, *, output: bool) -> Iterator[None]:
    """obstore's exceptions as InputError (reads) or OutputError (writes) naming `url`."""
    try:
        yield
    except AuditorError:
        raise
    except Exception as exc:
        if not _is_storage_error(exc):
            raise
        error = OutputError if output else InputError
        log.info("event=storage_error url=%s doing=%s error=%s", url, doing, type(exc).__name__)
        raise error(
            f"cannot {doing}: {_reason(exc, url)}", location=SourceLocation(str(url))
        ) from None


def _is_storage_error(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    return module.startswith("obstore") or isinstance(exc, (OSError, TimeoutError))


def get_bytes(url: ObjectURL, storage: StorageConfig) -> bytes:
    import obstore

    with storage_errors(url, "read", output=False):
        return bytes(obstore.get(store_for(url, storage), url.key).bytes())


def download(url: ObjectURL, dest: Path, storage: StorageConfig) -> None:
    """One object into a private local file, streamed in chunks (a large usage table never sits whole in memory)."""
    import obstore

    with storage_errors(url, "read", output=False):
        result = obstore.get(store_for(url, storage), url.key)
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            for chunk in result.stream(min_chunk_size=8 << 20):
                handle.write(chunk)


def exists(url: ObjectURL, storage: StorageConfig) -> bool:
    """Whether one object is there (a missing bucket or a denied read is still an error)."""
    import obstore

    with storage_errors(url, "read", output=False):
        try:
            obstore.head(store_for(url, storage), url.key)
        except Exception as exc:  # obstore's NotFoundError (FileNotFoundError in some versions)
            if isinstance(exc, FileNotFoundError) or type(exc).__name__ == "NotFoundError":
                return False
            raise
    return True


def list_keys(prefix: ObjectURL, storage: StorageConfig) -> list[str]:
    """Keys under a prefix (a folder), relative to it, in name order."""
    import obstore

    with storage_errors(prefix, "list", output=False):
        start = f"{prefix.key}/" if prefix.key else None
        found = []
        for batch in obstore.list(store_for(prefix, storage), prefix=start):
            for meta in batch:
                path = str(meta["path"])
                found.append(path[len(start) :] if start else path)
    return sorted(found)


def upload(local: Path, url: ObjectURL, storage: StorageConfig) -> None:
    """One file as one object: a single PUT, or a multipart upload completed in one request."""
    import obstore

    with storage_errors(url, "write", output=True):
        obstore.put(store_for(url, storage), url.key, Path(local))


def put_bytes(url: ObjectURL, data: bytes, storage: StorageConfig) -> None:
    import obstore

    with storage_errors(url, "write", output=True):
        obstore.put(store_for(url, storage), url.key, data)


def delete(url: ObjectURL, storage: StorageConfig) -> None:
    import obstore

    with storage_errors(url, "delete", output=True):
        obstore.delete(store_for(url, storage), url.key)


def private_tempdir(prefix: str) -> Path:
    """A 0700 folder for staged copies: they hold KYC data."""
    return Path(tempfile.mkdtemp(prefix=prefix))
