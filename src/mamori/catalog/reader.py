"""Strict reading of product data files: every key is read by the loader, or the file is refused.

A product file is read through :class:`Table` views that remember which keys the loader asked for;
:meth:`Document.finish` then refuses any key nobody read (a misspelt ``sublimt`` or a value the code
would silently ignore). Every error names the file, the key and the problem.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

__all__ = ["SOURCES", "Document", "ProductDataError", "Table"]

#: Where a value comes from: the insurer's published page, or an illustrative value to be replaced.
SOURCES: Final = ("published", "illustrative")


class ProductDataError(Exception):
    """A product data file is broken or inconsistent."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        super().__init__(f"{file}: {key}: {problem}")


class Document:
    """One parsed TOML file and the record of what the loader read of it."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.sources: dict[str, str] = {}  # "file:key" → published|illustrative
        self._tables: list[Table] = []
        try:
            parsed = tomllib.loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ProductDataError(name, "(encoding)", f"must be UTF-8: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ProductDataError(name, "(syntax)", str(exc)) from None
        self.root = Table(self, "", parsed)

    def fail(self, key: str, problem: str) -> ProductDataError:
        return ProductDataError(self.name, key or "(file)", problem)

    def finish(self) -> None:
        """Refuse every key that the loader never read: it would change nothing, which is a bug."""
        for table in self._tables:
            unread = [k for k in table.data if k not in table.read]
            if unread:
                key = table.key(unread[0])
                raise self.fail(key, f"is not a key this product version understands (read: {sorted(table.read)})")


class Table(Mapping[str, Any]):
    """A TOML table that records the keys read from it. Child tables are Tables too."""

    def __init__(self, doc: Document, path: str, data: Mapping[str, Any]) -> None:
        self.doc = doc
        self.path = path
        self.data = data
        self.read: set[str] = set()
        self._children: dict[str, Any] = {}  # one wrapper per child, so what is read of it is kept
        doc._tables.append(self)

    # Mapping protocol: reading a key marks it read.
    def __getitem__(self, key: str) -> Any:
        value = self.data[key]
        self.read.add(key)
        if key not in self._children:
            self._children[key] = self._wrap(key, value)
        return self._children[key]

    def __iter__(self) -> Iterator[str]:
        # Iterating a table (a table of items, of exclusions...) reads each of its keys.
        for key in self.data:
            self.read.add(key)
            yield key

    def __len__(self) -> int:
        return len(self.data)

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def key(self, name: str) -> str:
        if not name:
            return self.path
        return f"{self.path}.{name}" if self.path else name

    def _wrap(self, key: str, value: Any) -> Any:
        if isinstance(value, dict):
            return Table(self.doc, self.key(key), value)
        if isinstance(value, list):
            return [
                Table(self.doc, f"{self.key(key)}[{i}]", v) if isinstance(v, dict) else v for i, v in enumerate(value)
            ]
        return value

    def fail(self, name: str, problem: str) -> ProductDataError:
        return self.doc.fail(self.key(name), problem)

    # Typed getters. A missing required key is an error naming it.
    def opt(self, name: str) -> Any:
        return self[name] if name in self.data else None

    def req(self, name: str) -> Any:
        if name not in self.data:
            raise self.fail(name, "missing")
        return self[name]

    def table(self, name: str) -> Table:
        value = self.req(name)
        if not isinstance(value, Table):
            raise self.fail(name, "must be a table")
        return value

    def tables(self, name: str) -> list[Table]:
        value = self.req(name)
        if not isinstance(value, list) or not value or not all(isinstance(v, Table) for v in value):
            raise self.fail(name, "must be a non-empty list of tables")
        return value

    def source(self) -> str:
        """This table's ``source`` (published|illustrative), recorded for every value it holds."""
        src = self.req("source")
        if src not in SOURCES:
            raise self.fail("source", f"must be one of {list(SOURCES)}, got {src!r}")
        self.doc.sources[f"{self.doc.name}:{self.path}"] = src
        return str(src)

    def tagged(self, name: str, *, default_source: str | None = None) -> Any:
        """A value written ``{ value = ..., source = ... }``; a bare value takes ``default_source``."""
        node = self.req(name)
        where = f"{self.doc.name}:{self.key(name)}"
        if isinstance(node, Table):
            src = node.req("source")
            if src not in SOURCES:
                raise node.fail("source", f"must be one of {list(SOURCES)}, got {src!r}")
            self.doc.sources[where] = src
            return node.req("value")
        if default_source is None:
            raise self.fail(name, 'must be a table { value = ..., source = "published"|"illustrative" }')
        self.doc.sources[where] = default_source
        return node

    def text(self, name: str, value: Any = None) -> str:
        v = self.req(name) if value is None else value
        if not isinstance(v, str) or not v.strip():
            raise self.fail(name, f"must be a non-empty string, got {v!r}")
        return v

    def integer(self, name: str, value: Any = None, *, minimum: int | None = 0) -> int:
        v = self.req(name) if value is None else value
        if not isinstance(v, int) or isinstance(v, bool):
            raise self.fail(name, f"must be an integer, got {v!r}")
        if minimum is not None and v < minimum:
            raise self.fail(name, f"must be at least {minimum}, got {v}")
        return v

    def boolean(self, name: str, *, default: bool) -> bool:
        v = self.opt(name)
        if v is None:
            return default
        if not isinstance(v, bool):
            raise self.fail(name, f"must be true or false, got {v!r}")
        return v

    def decimal(self, name: str, value: Any = None, *, positive: bool = False) -> Decimal:
        """A rate written as a string ("0.85"), so that no binary float ever touches it."""
        v = self.req(name) if value is None else value
        if isinstance(v, bool) or not isinstance(v, str | int):
            raise self.fail(name, f'must be a decimal written as a string (e.g. "0.85"), got {v!r}')
        try:
            d = Decimal(v)
        except InvalidOperation:
            raise self.fail(name, f"is not a decimal number: {v!r}") from None
        if not d.is_finite() or d < 0 or (positive and d == 0):
            raise self.fail(name, f"must be a {'positive' if positive else 'non-negative'} number, got {v!r}")
        return d

    def jaen(self) -> tuple[str, str]:
        return self.text("ja"), self.text("en")
