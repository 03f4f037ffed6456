"""Registering product versions (at start, from the product folder)."""

from __future__ import annotations

import logging

from django.db import transaction

from mamori import catalog as catalog_mod
from mamori.web.productdb.models import ProductVersionRecord

log = logging.getLogger(__name__)


@transaction.atomic
def product_versions_register(
    *, source: catalog_mod.FolderCatalog, product_id: str = catalog_mod.DEFAULT_PRODUCT
) -> list[ProductVersionRecord]:
    """Register every version of ``source`` with its content hash (idempotent).

    A version whose files changed since it was registered gets a new record that new quotes use; the
    old record stays for the policies rated with it (a published version should never change: logged).
    """
    registered = []
    for pv in source.versions(product_id):
        files = catalog_mod.read_folder(source.root / product_id / pv.version)
        record = ProductVersionRecord.objects.filter(content_hash=pv.content_hash).first()
        if record is None:
            older = ProductVersionRecord.objects.filter(product_id=product_id, version=pv.version, current=True)
            if older.exists():
                log.warning(
                    "product %s %s changed since it was registered; old records kept for their policies",
                    product_id,
                    pv.version,
                )
                older.update(current=False)
            record = ProductVersionRecord.objects.create(
                product_id=product_id,
                version=pv.version,
                content_hash=pv.content_hash,
                effective_from=pv.effective_from,
                files={name: data.decode("utf-8") for name, data in files.items()},
            )
        elif not record.current:
            ProductVersionRecord.objects.filter(product_id=product_id, version=pv.version).update(current=False)
            record.current = True
            record.save(update_fields=["current"])
        registered.append(record)
    return registered
