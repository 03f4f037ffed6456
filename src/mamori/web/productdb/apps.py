from __future__ import annotations

from django.apps import AppConfig


class ProductDbConfig(AppConfig):
    name = "mamori.web.productdb"
    label = "productdb"
    verbose_name = "商品バージョン / Product versions"

    def ready(self) -> None:
        from mamori.web.productdb.catalog import DatabaseCatalog

        #: The process's catalogue of registered versions (tests may replace it).
        self.catalog = DatabaseCatalog()
