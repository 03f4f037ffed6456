"""A catalogue of the product versions registered in the database (the core's Catalog interface)."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from mamori import catalog as catalog_mod
from mamori.web.productdb.models import ProductVersionRecord


def _version_of(record: ProductVersionRecord) -> catalog_mod.ProductVersion:
    files = {name: text.encode("utf-8") for name, text in record.files.items()}
    return catalog_mod.load_version(files, origin=f"database:{record.content_hash[:12]}")


class DatabaseCatalog(catalog_mod.Catalog):
    """Current records answer ``versions``/``in_force``; any record (a policy's own) answers ``get`` by hash."""

    def __init__(self) -> None:
        super().__init__()
        self._by_hash: dict[str, catalog_mod.ProductVersion] = {}
        self._record_ids: dict[str, int] = {}
        self._hash_lock = threading.Lock()

    def _load(self, product_id: str) -> Iterable[catalog_mod.ProductVersion]:
        records = ProductVersionRecord.objects.filter(product_id=product_id, current=True)
        return [self.by_hash(r.content_hash, record=r) for r in records]

    def by_hash(self, content_hash: str, *, record: ProductVersionRecord | None = None) -> catalog_mod.ProductVersion:
        found = self._by_hash.get(content_hash)
        if found is None:
            with self._hash_lock:
                found = self._by_hash.get(content_hash)
                if found is None:
                    record = record or ProductVersionRecord.objects.get(content_hash=content_hash)
                    found = self._by_hash[content_hash] = _version_of(record)
        return found

    def get(
        self, version: str, product_id: str = catalog_mod.DEFAULT_PRODUCT, *, content_hash: str | None = None
    ) -> catalog_mod.ProductVersion:
        if content_hash is not None:
            try:
                return self.by_hash(content_hash)
            except ProductVersionRecord.DoesNotExist:
                raise catalog_mod.UnknownVersion(
                    product_id, version, (v.version for v in self.versions(product_id))
                ) from None
        return super().get(version, product_id)

    def record_id(self, content_hash: str) -> int:
        found = self._record_ids.get(content_hash)
        if found is None:
            found = ProductVersionRecord.objects.values_list("pk", flat=True).get(content_hash=content_hash)
            self._record_ids[content_hash] = found
        return found

    def forget(self) -> None:
        """Drop what was loaded (after versions were registered, or a test database was reset)."""
        with self._lock:
            self._versions.clear()
            self._record_ids.clear()
            self._by_hash.clear()
