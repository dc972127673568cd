"""Config files named by URL (`--config s3://bucket/audit.yaml`): fetched whole, parsed as a local one.

A config read from a bucket is parsed by the same hardened YAML reader, so its errors name
the URL with line and column (`s3://cfg/audit.yaml:4:10: tenants: ...`). A relative path
inside it resolves under the config's own prefix, as a local config's resolve beside the
file: `tenants: in/tenants.csv` in `s3://cfg/prod/audit.yaml` reads
`s3://cfg/prod/in/tenants.csv`. An absolute path (`/var/lib/auditor/cases.db`) stays a
local path.

The config is fetched before its `storage:` section can be read, so it is reached through
each cloud's default credential chain and the SDKs' own environment switches
(`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, `STORAGE_EMULATOR_HOST`,
`AZURE_STORAGE_CONNECTION_STRING`, `AWS_PROFILE`); the `storage:` section then applies to
every path the config names.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from auditor.errors import InputError, SourceLocation
from auditor.storage.location import ObjectURL, parse_url
from auditor.storage.settings import StorageConfig
from auditor.yamlsource import MAX_YAML_BYTES, YamlDocument, parse_yaml


def config_url(path: str | Path) -> ObjectURL | None:
    """The object URL a `--config` value names, None for a local file (a bad URL raises LocationError)."""
    return parse_url(path) if isinstance(path, str) else None


def read_text(url: ObjectURL, what: str = "config") -> str:
    """The object's bytes as UTF-8 text, refused (located) when too large or not text."""
    from auditor.storage.io import get_bytes

    data = get_bytes(url, StorageConfig())
    if len(data) > MAX_YAML_BYTES:
        raise InputError(
            f"{what} is {len(data):,} bytes; the limit is {MAX_YAML_BYTES:,} for a config file",
            location=SourceLocation(str(url)),
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text: {exc.reason} at byte {exc.start}", location=SourceLocation(str(url))
        ) from None


def read_yaml(url: ObjectURL, *, allow_empty: bool = False) -> YamlDocument:
    """The YAML document at `url`, its locations naming the URL."""
    return parse_yaml(read_text(url), str(url), allow_empty=allow_empty)


def under(prefix: ObjectURL, relative: Path | str) -> str | None:
    """`relative` resolved under the folder `prefix` (a config URL's parent), None when it climbs out of the bucket."""
    joined = posixpath.normpath(posixpath.join(prefix.key or ".", Path(relative).as_posix()))
    if joined == "." or joined.startswith("../") or joined == "..":
        return None
    return str(
        ObjectURL(prefix.cloud, prefix.scheme, prefix.bucket, joined.strip("/"), prefix.account)
    )


def parent(url: ObjectURL) -> ObjectURL:
    """The prefix a config object sits in: its relative paths resolve under it."""
    key = url.key.rsplit("/", 1)[0] if "/" in url.key else ""
    return ObjectURL(url.cloud, url.scheme, url.bucket, key, url.account)
