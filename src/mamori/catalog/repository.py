"""Where product versions come from: a :class:`Catalog` passed to every use case, never looked up.

:class:`FolderCatalog` reads version folders (``<root>/<product>/<version>/``, the packaged
``mamori/products`` by default); :class:`InMemoryCatalog` holds versions built elsewhere (tests, or
the web application's database-backed catalogue, which registers each version with its content hash).
A catalogue loads and validates a product's versions once, on first use, and is safe to share between
threads.
"""

from __future__ import annotations

import abc
import datetime as dt
import itertools
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

from mamori.catalog.loader import load_version
from mamori.catalog.model import ProductVersion
from mamori.catalog.reader import ProductDataError

__all__ = [
    "DEFAULT_PRODUCT",
    "PACKAGED_PRODUCTS",
    "Catalog",
    "FolderCatalog",
    "InMemoryCatalog",
    "NoProductInForce",
    "UnknownVersion",
    "read_folder",
]

PACKAGED_PRODUCTS: Final = Path(__file__).resolve().parent.parent / "products"
DEFAULT_PRODUCT: Final = "sme-cyber"


class NoProductInForce(LookupError):
    """No version of the product is in force for the start date."""

    def __init__(self, product_id: str, start: dt.date, earliest: dt.date | None) -> None:
        self.product_id = product_id
        self.start = start
        self.earliest = earliest
        super().__init__(f"no version of {product_id} is in force on {start.isoformat()}")


class UnknownVersion(LookupError):
    """The catalogue holds no such version (or not with that content hash)."""

    def __init__(self, product_id: str, version: str, known: Iterable[str]) -> None:
        self.product_id = product_id
        self.version = version
        self.known = tuple(known)
        super().__init__(f"{product_id} has no version {version!r} (known: {', '.join(self.known) or 'none'})")


class Catalog(abc.ABC):
    """The product versions a caller may use. Subclasses supply :meth:`_load`; lookups are shared."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: dict[str, tuple[ProductVersion, ...]] = {}

    @abc.abstractmethod
    def _load(self, product_id: str) -> Iterable[ProductVersion]:
        """Every version of ``product_id``, validated (any order)."""

    def versions(self, product_id: str = DEFAULT_PRODUCT) -> tuple[ProductVersion, ...]:
        """Every version of a product, oldest first."""
        found = self._versions.get(product_id)
        if found is None:
            with self._lock:
                found = self._versions.get(product_id)
                if found is None:
                    found = self._versions[product_id] = _ordered(product_id, self._load(product_id))
        return found

    def get(
        self, version: str, product_id: str = DEFAULT_PRODUCT, *, content_hash: str | None = None
    ) -> ProductVersion:
        """The named version (a policy keeps its own); with ``content_hash``, only that exact data."""
        for pv in self.versions(product_id):
            if pv.version == version and (content_hash is None or pv.content_hash == content_hash):
                return pv
        raise UnknownVersion(product_id, version, (pv.version for pv in self.versions(product_id)))

    def in_force(self, start: dt.date, product_id: str = DEFAULT_PRODUCT) -> ProductVersion:
        """The version in force for a policy starting on ``start``: the latest effective on or before it."""
        versions = self.versions(product_id)
        in_force = [pv for pv in versions if pv.effective_from <= start]
        if not in_force:
            raise NoProductInForce(product_id, start, versions[0].effective_from)
        return in_force[-1]

    def latest(self, product_id: str = DEFAULT_PRODUCT) -> ProductVersion:
        return self.versions(product_id)[-1]

    def earliest_start(self, product_id: str = DEFAULT_PRODUCT) -> dt.date:
        return self.versions(product_id)[0].effective_from


def _ordered(product_id: str, loaded: Iterable[ProductVersion]) -> tuple[ProductVersion, ...]:
    versions = sorted(loaded, key=lambda pv: pv.effective_from)
    if not versions:
        raise ProductDataError(product_id, "(versions)", "P_NO_VERSIONS")
    for pv in versions:
        if pv.id != product_id:
            raise ProductDataError(pv.origin, "product.id", "P_FOLDER_MISMATCH", {"value": pv.id, "folder": product_id})
    for earlier, later in itertools.pairwise(versions):
        if earlier.effective_from == later.effective_from:
            raise ProductDataError(later.origin, "product.effective_from", "P_SAME_START", {"version": earlier.version})
        if earlier.version == later.version:
            raise ProductDataError(later.origin, "product.version", "P_VERSION_TWICE", {"value": later.version})
    return tuple(versions)


def read_folder(folder: Path) -> dict[str, bytes]:
    """Every file of a version folder (name → bytes), caches excluded."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


class FolderCatalog(Catalog):
    """Versions read from ``<root>/<product>/<version>/`` folders (the packaged products by default)."""

    def __init__(self, root: Path | str = PACKAGED_PRODUCTS) -> None:
        super().__init__()
        self.root = Path(root)

    def _load(self, product_id: str) -> Iterable[ProductVersion]:
        base = self.root / product_id
        if not base.is_dir():
            raise ProductDataError(str(base), "(folder)", "P_NO_PRODUCT", {"value": product_id})
        versions = []
        for folder in sorted(base.iterdir()):
            if not (folder / "product.toml").is_file():
                continue
            pv = load_version(read_folder(folder), origin=str(folder))
            if pv.version != folder.name:
                raise ProductDataError(
                    str(folder / "product.toml"),
                    "product.version",
                    "P_FOLDER_MISMATCH",
                    {"value": pv.version, "folder": folder.name},
                )
            versions.append(pv)
        return versions

    def __repr__(self) -> str:
        return f"FolderCatalog({str(self.root)!r})"


class InMemoryCatalog(Catalog):
    """Versions given by the caller: already loaded, or as files (name → bytes) to load."""

    def __init__(self, versions: Iterable[ProductVersion] = (), *, files: Iterable[Mapping[str, bytes]] = ()) -> None:
        super().__init__()
        loaded = list(versions)
        loaded += [load_version(f, origin="memory") for f in files]
        self._given: dict[str, list[ProductVersion]] = {}
        for pv in loaded:
            self._given.setdefault(pv.id, []).append(pv)

    def _load(self, product_id: str) -> Iterable[ProductVersion]:
        return self._given.get(product_id, [])
