"""Shared test settings and fixtures. Test folders have no __init__.py (pytest runs with --import-mode=importlib)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from mamori import catalog as catalog_mod

# CI gets more examples than a developer's run, from a fixed seed so that a landing is never decided by
# chance; developers' runs explore new examples each time (and replay failures from .hypothesis/).
settings.register_profile(
    "ci", max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

SHIPPED = catalog_mod.PACKAGED_PRODUCTS / "sme-cyber" / "2025-04"


@pytest.fixture(scope="session")
def catalog() -> catalog_mod.Catalog:
    """The packaged product versions (loaded once for the whole run)."""
    return catalog_mod.FolderCatalog()


@pytest.fixture(scope="session")
def version(catalog: catalog_mod.Catalog) -> catalog_mod.ProductVersion:
    """sme-cyber 2025-04, the shipped version."""
    return catalog.get("2025-04")


def edit(path: Path, old: str, new: str) -> None:
    """Replace one occurrence of ``old`` in a data file (the test fails if it is not there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def products(tmp_path: Path) -> Path:
    """A copy of the packaged products folder to edit: ``<tmp>/products/sme-cyber/2025-04/…``."""
    root = tmp_path / "products"
    shutil.copytree(SHIPPED, root / "sme-cyber" / "2025-04", ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture
def edited_version(products: Path) -> Callable[..., catalog_mod.ProductVersion]:
    """Load the copied 2025-04 after ``(file, old, new)`` edits: ``edited_version(("product.toml", a, b))``."""

    def make(*edits: tuple[str, str, str]) -> catalog_mod.ProductVersion:
        folder = products / "sme-cyber" / "2025-04"
        for file, old, new in edits:
            edit(folder / file, old, new)
        return catalog_mod.FolderCatalog(products).get("2025-04")

    return make


@pytest.fixture(autouse=True)
def registered(request: pytest.FixtureRequest) -> None:
    """In a test that uses the database: the packaged product versions registered (again after a flush)."""
    marker = request.node.get_closest_marker("django_db")
    wanted = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if marker is None and not wanted:
        return
    transactional = (
        "transactional_db" in wanted or "live_server" in wanted or bool(marker and marker.kwargs.get("transaction"))
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from mamori.web.accounts import services as accounts
    from mamori.web.productdb import selectors as productdb
    from mamori.web.productdb.models import ProductVersionRecord
    from mamori.web.productdb.services import product_versions_register

    if not ProductVersionRecord.objects.exists():
        product_versions_register(source=catalog_mod.FolderCatalog())
        accounts.ensure_groups()
    productdb.catalog().forget()
