"""Names of a package loaded on first use (PEP 562): a program that needs one light part of a package
does not pay for the heavy modules its other names live in (numpy through the rating engine, the claims
and portfolio machinery through the use cases)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["attributes"]


def attributes(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package``: each name of ``homes`` imported from its module (a name
    relative to the package) when first asked for, then kept in the package like a plain import."""
    namespace = importlib.import_module(package).__dict__

    def load(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        namespace[name] = value
        return value

    return load
