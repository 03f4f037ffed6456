"""The web application's catalogue of product versions (the one the app config holds)."""

from __future__ import annotations

from typing import cast

from django.apps import apps

from mamori.web.productdb.catalog import DatabaseCatalog
from mamori.web.productdb.models import ProductVersionRecord


def catalog() -> DatabaseCatalog:
    return cast(DatabaseCatalog, apps.get_app_config("productdb").catalog)


def record_for(content_hash: str) -> ProductVersionRecord:
    return ProductVersionRecord.objects.get(content_hash=content_hash)


def current_record(product_id: str, version: str) -> ProductVersionRecord:
    return ProductVersionRecord.objects.get(product_id=product_id, version=version, current=True)


def record_id_for(content_hash: str) -> int:
    """The primary key of a version record (remembered by the catalogue: records are never edited)."""
    return catalog().record_id(content_hash)
