"""A run's fingerprint: one hash of everything its cases are a function of.

A run over file inputs is deterministic: the same input bytes, settings, rule pack, lists and
code give the same features, hits and cases. So a fingerprint over all of them says whether
the last stored run's answer can stand for this one (`auditor.reuse`). What counts:

- every file or folder a setting names (inputs, ownership, lists, aliases, rules, ...),
  by its bytes, not its path, so a URL input staged to a fresh local copy still matches;
- every other setting, except the few that only decide where and how the answer is shown
  or delivered (`NOT_IN_ANSWER`: the output folder, the store, the alert priority...);
- the code: every file of the installed `auditor` package, and the versions of the
  libraries it depends on (a Polars upgrade may change a float's last digit).

Each part is hashed separately too, so a run that cannot reuse says which part changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import auditor
from auditor.storage.inputs import FILE_SETTINGS, FOLDER_SETTINGS, LIST_SETTINGS

# Settings that change how the answer is shown, kept or delivered, never what it is. The
# allowlist is here because it is applied to the cases each run, after scoring (allowlist.apply).
NOT_IN_ANSWER = frozenset(
    {
        "out",
        "store",
        "report_cases",
        "alert_priority",
        "notify",
        "console",
        "storage",
        "allowlist",
        "allowlist_max_days",
        "reuse",
        "reuse_cache",
    }
)
PATH_SETTINGS = tuple(
    s for s in (*FILE_SETTINGS, *FOLDER_SETTINGS, *LIST_SETTINGS) if s not in NOT_IN_ANSWER
)


@dataclass(frozen=True)
class Fingerprint:
    digest: str  # sha256 over the parts, in name order
    parts: dict[str, str]  # part name ("code", "settings", "usage", "lists[0]"...) -> its sha256
    file_digests: dict[str, str] = field(
        default_factory=dict, compare=False
    )  # local path -> sha256, for run.json's input checksums

    def changed_parts(self, earlier: dict[str, str]) -> list[str]:
        """The parts whose hash differs from `earlier`'s (or that only one of the two has)."""
        names = sorted(set(self.parts) | set(earlier))
        return [n for n in names if self.parts.get(n) != earlier.get(n)]


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tree_digest(root: Path, skip: Callable[[Path], bool] = lambda p: False) -> str:
    """sha256 over every file under a folder, at any depth: relative names and bytes, in name order."""
    digest = hashlib.sha256()
    root = Path(root)
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        if skip(file):
            continue
        digest.update(file.relative_to(root).as_posix().encode("utf-8") + b"\0")
        with open(file, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def _bytecode(path: Path) -> bool:
    return "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo")


@cache
def code_digest(package_root: Path | None = None) -> str:
    """The auditor package's own files (not its byte code), and the versions of its dependencies."""
    root = package_root or Path(auditor.__file__).parent
    versions = {}
    for requirement in metadata.requires("auditor") or []:
        if "extra ==" in requirement:
            continue
        name = requirement.split(";")[0].split("[")[0]
        for cut in "<>=!~ ":
            name = name.split(cut)[0]
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - an incomplete install
            versions[name] = "absent"
    return _sha256_text(tree_digest(root, _bytecode) + "\n" + json.dumps(versions, sort_keys=True))


def _local(value: Any) -> Path | None:
    if value is None or (isinstance(value, str) and "://" in value):
        return None
    path = Path(value)
    return path if path.exists() else None


def run_fingerprint(config: Any, file_digest: Callable[[Path], str]) -> Fingerprint | None:
    """The fingerprint of a run of `config`, or None when its inputs are not all local files.

    `file_digest` hashes an input file, or a folder of Parquet parts (run.sha256_file, so that
    run.json's input checksums come from the same pass); the folder settings (a snapshot, a
    rules folder) are hashed whole, every file at any depth. A setting naming a path that does
    not exist, or a URL, has no fingerprint: the run reads it and fails, or reads something
    else each time.
    """
    settings = config.model_dump(mode="json", exclude=set(NOT_IN_ANSWER) | set(PATH_SETTINGS))
    parts = {"code": code_digest(), "settings": _sha256_text(json.dumps(settings, sort_keys=True))}
    digests: dict[str, str] = {}
    for name in PATH_SETTINGS:
        value = getattr(config, name, None)
        values = value if isinstance(value, list) else [value]
        for i, item in enumerate(values):
            if item is None:
                continue
            path = _local(item)
            if path is None:
                return None
            key = str(path)
            if key not in digests:
                folder = name in FOLDER_SETTINGS and path.is_dir()
                digests[key] = tree_digest(path) if folder else file_digest(path)
            parts[f"{name}[{i}]" if isinstance(value, list) else name] = digests[key]
    whole = _sha256_text(json.dumps(parts, sort_keys=True))
    return Fingerprint(whole, parts, digests)
