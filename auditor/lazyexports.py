"""A package's names imported from its submodules when first asked for (PEP 562 `__getattr__`).

For packages whose `__init__` would otherwise import every part at once: `auditor.config`
needs only the connectors' settings model, and run.json only the screening algorithms' names.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_attributes(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: `where` maps each name to the submodule defining it."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{where[name]}"), name)

    return __getattr__
