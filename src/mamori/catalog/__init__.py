"""The product catalogue: versions of a product as validated, frozen aggregates, passed to every use case.

``catalog.FolderCatalog()`` reads the packaged product folders; the web application supplies its own
catalogue. Nothing in the core chooses a version by itself.
"""

from mamori.catalog.coverage import CoverageTerms
from mamori.catalog.loader import content_hash, load_version
from mamori.catalog.model import ProductVersion, RatingTables
from mamori.catalog.reader import ProductDataError
from mamori.catalog.repository import (
    DEFAULT_PRODUCT,
    PACKAGED_PRODUCTS,
    Catalog,
    FolderCatalog,
    InMemoryCatalog,
    NoProductInForce,
    UnknownVersion,
    read_folder,
)
from mamori.catalog.support import RegulatoryTerms, SupportTerms

__all__ = [
    "DEFAULT_PRODUCT",
    "PACKAGED_PRODUCTS",
    "Catalog",
    "CoverageTerms",
    "FolderCatalog",
    "InMemoryCatalog",
    "NoProductInForce",
    "ProductDataError",
    "ProductVersion",
    "RatingTables",
    "RegulatoryTerms",
    "SupportTerms",
    "UnknownVersion",
    "content_hash",
    "load_version",
    "read_folder",
]
