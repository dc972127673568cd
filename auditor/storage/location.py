"""Where a path points: a local file or folder, or an object in S3, Google Cloud Storage or Azure.

A setting that names a file (`tenants:`, `lists:`, `out:` ...) holds either a local `Path`
or an object-store URL kept as text, since `Path("s3://b/k")` would fold the `//` away.
The URL forms are those of the clouds' own tools and fsspec:

- `s3://BUCKET/KEY`
- `gs://BUCKET/KEY`
- `az://CONTAINER/KEY` (the account from `storage.azure.account` or the connection string)
- `abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/KEY` (also `blob.core.windows.net`)

Any other `scheme://` is refused by name rather than read as a strange local folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

Cloud = Literal["s3", "gcs", "azure"]
SCHEMES: dict[str, Cloud] = {"s3": "s3", "gs": "gcs", "az": "azure", "abfss": "azure"}
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", re.DOTALL)
_ABFSS_HOST = re.compile(
    r"^(?P<container>[^@/]+)@(?P<account>[a-z0-9]+)\.(?:dfs|blob)\.core\.windows\.net$"
)
# Bucket and container names as the clouds allow them (S3/GCS: 3-63 (GCS: up to 222 with dots)
# of lowercase letters, digits, dots, dashes, underscores; Azure: 3-63 of lowercase, digits, dashes).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]$")


class LocationError(ValueError):
    """A URL that names no object store we read, or names one badly."""


@dataclass(frozen=True)
class ObjectURL:
    """One object (or a prefix standing for a folder) in a bucket or container."""

    cloud: Cloud
    scheme: str
    bucket: str
    key: str  # no leading or trailing slash; "" is the bucket's root
    account: str | None = None  # Azure only: from an abfss:// host

    def __str__(self) -> str:
        if self.scheme == "abfss" and self.account:
            root = f"abfss://{self.bucket}@{self.account}.dfs.core.windows.net"
        else:
            root = f"{self.scheme}://{self.bucket}"
        return f"{root}/{self.key}" if self.key else root

    def child(self, name: str) -> ObjectURL:
        """The object `name` inside this prefix (a folder's file)."""
        key = f"{self.key}/{name}" if self.key else name
        return ObjectURL(self.cloud, self.scheme, self.bucket, key, self.account)

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1] if self.key else self.bucket


def parse_url(text: str) -> ObjectURL | None:
    """The object URL `text` names, None for a local path; LocationError for a URL we cannot read."""
    match = _URL.match(text.strip())
    if match is None:
        return None
    scheme, rest = match.group(1).lower(), match.group(2)
    if scheme not in SCHEMES:
        raise LocationError(
            f"'{scheme}://' is not a storage this auditor reads; expected a local path or "
            "an s3://, gs://, az:// or abfss:// URL"
        )
    host, _, key = rest.partition("/")
    key = key.strip("/")
    account = None
    if scheme == "abfss":
        found = _ABFSS_HOST.match(host)
        if found is None:
            raise LocationError(
                f"'{text}' is not an abfss:// URL; expected abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/PATH"
            )
        host, account = found.group("container"), found.group("account")
    if not _BUCKET.match(host):
        noun = "container" if SCHEMES[scheme] == "azure" else "bucket"
        raise LocationError(
            f"'{text}' names no valid {noun}: expected {scheme}://{noun.upper()}/PATH, "
            f"the {noun} 3-63 lowercase letters, digits, dots or dashes"
        )
    if "//" in key or any(part in (".", "..") for part in key.split("/")):
        raise LocationError(f"'{text}': an object key has no empty, '.' or '..' parts")
    return ObjectURL(SCHEMES[scheme], scheme, host, key, account)


def names_object_store(value: object) -> bool:
    """True for text starting with one of our object-store schemes (never raises: other schemes are someone else's)."""
    match = _URL.match(value.strip()) if isinstance(value, str) else None
    return match is not None and match.group(1).lower() in SCHEMES


def is_url(value: object) -> bool:
    """True for text naming an object-store URL (checked: a bad one raises LocationError)."""
    return isinstance(value, str) and parse_url(value) is not None


def as_location(value: Any) -> Any:
    """Pydantic's reading of a path setting: URL text stays text (checked), anything else a Path."""
    if isinstance(value, ObjectURL):
        return str(value)
    if isinstance(value, str):
        if parse_url(value) is not None:  # LocationError is a ValueError: pydantic locates it
            return value.strip()
        return Path(value)
    return value


# A setting that names a file or folder: a local Path, or an object-store URL as text.
Location = Annotated[Path | str, BeforeValidator(as_location)]
