"""Strict reading of product data files: every key is read by the loader, or the file is refused.

A product file is read through :class:`Table` views that remember which keys the loader asked for;
:meth:`Document.finish` then refuses any key nobody read (a misspelt ``sublimt`` or a value the code
would silently ignore). Every error names the file, the key and the problem.

The problem is a :class:`~mamori.errors.Problem`: a code of the message catalogue's ``[problems]``
(``messages/data.toml``) and its values, so that it reads in Japanese or English — a loss model or a
treaty given to a command is the user's input, and its messages are the user's. ``Table.fail(key, code,
**params)`` makes one; the typed getters (``integer``, ``decimal``, ``text``…) use the shared codes.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from mamori import i18n
from mamori.errors import FieldError, Problem

__all__ = ["SOURCES", "Document", "ProductDataError", "Table"]

#: Where a value comes from: the insurer's published page, or an illustrative value to be replaced.
SOURCES: Final = ("published", "illustrative")


#: Where tomllib says a syntax error is.
_TOML_AT: Final = re.compile(r"^(?P<detail>.*?)\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)$", re.DOTALL)


class ProductDataError(Exception):
    """A product data file (or a model file read the same way) is broken or inconsistent.

    ``file`` and ``key`` say where; ``code`` and ``params`` what (a :class:`~mamori.errors.Problem` of the
    catalogue); ``problem`` is its English text, ``message(lang)`` the whole message in a language.
    """

    def __init__(self, file: str, key: str, code: str, params: Mapping[str, Any] | None = None) -> None:
        self.file = file
        self.key = key
        self.code = code
        self.params = dict(params or {})
        super().__init__(file, key, code, self.params)  # the arguments again: it pickles to a worker and back

    @property
    def reason(self) -> Problem:
        return Problem(self.code, self.params)

    @property
    def problem(self) -> str:
        return self.reason.text("en")

    @property
    def where(self) -> Problem:
        """The key, worded for a reader (``(file)`` is "ファイル" in Japanese, ``line 3`` is "3行目")."""
        return where(self.key)

    def message(self, lang: i18n.Lang) -> str:
        return f"{self.file}: {Problem('P_AT', {'key': self.where, 'problem': self.reason}).text(lang)}"

    def as_field_error(self, field: str, *, code: str = "E_DATA_FILE") -> FieldError:
        """The problem as an input error of ``field`` (the file given as that argument)."""
        return FieldError(field, code, {"path": self.file, "key": self.where, "problem": self.reason})

    def __str__(self) -> str:
        return self.message("en")


_PLACES: Final = {
    "(file)": "P_KEY_FILE",
    "(syntax)": "P_KEY_SYNTAX",
    "(encoding)": "P_KEY_ENCODING",
    "(header)": "P_KEY_HEADER",
    "(folder)": "P_KEY_FOLDER",
    "(versions)": "P_KEY_VERSIONS",
}
_LINE: Final = re.compile(r"^line (?P<line>\d+)(?P<rest>.*)$")


def where(key: str) -> Problem:
    """A key of a data file for a reader: a path as it is, a placeholder or a CSV line in their words."""
    if key in _PLACES:
        return Problem(_PLACES[key])
    line = _LINE.match(key)
    if line:
        return Problem("P_KEY_LINE", {"line": int(line["line"]), "rest": line["rest"]})
    return Problem("P_KEY", {"key": key})


class Document:
    """One parsed TOML file and the record of what the loader read of it."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.sources: dict[str, str] = {}  # "file:key" → published|illustrative
        self._tables: list[Table] = []
        try:
            parsed = tomllib.loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ProductDataError(name, "(encoding)", "P_NOT_UTF8", {"position": exc.start + 1}) from None
        except tomllib.TOMLDecodeError as exc:
            where = _TOML_AT.match(str(exc))
            params = (
                {"line": int(where["line"]), "column": int(where["column"]), "detail": where["detail"]}
                if where
                else {"line": 0, "column": 0, "detail": str(exc)}
            )
            raise ProductDataError(name, "(syntax)", "P_TOML_SYNTAX", params) from None
        self.root = Table(self, "", parsed)

    def fail(self, key: str, code: str, /, **params: Any) -> ProductDataError:
        """The problem ``code`` (of the catalogue's ``[problems]``) at ``key`` of this file."""
        return ProductDataError(self.name, key or "(file)", code, params)

    def finish(self) -> None:
        """Refuse every key that the loader never read: it would change nothing, which is a bug."""
        for table in self._tables:
            unread = [k for k in table.data if k not in table.read]
            if unread:
                key = table.key(unread[0])
                raise self.fail(key, "P_UNKNOWN_KEY", allowed=sorted(table.read))


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

    def fail(self, name: str, code: str, /, **params: Any) -> ProductDataError:
        """The problem ``code`` at key ``name`` of this table (its own path for ``""``)."""
        return self.doc.fail(self.key(name), code, **params)

    # Typed getters. A missing required key is an error naming it.
    def opt(self, name: str) -> Any:
        return self[name] if name in self.data else None

    def req(self, name: str) -> Any:
        if name not in self.data:
            raise self.fail(name, "P_MISSING")
        return self[name]

    def table(self, name: str) -> Table:
        value = self.req(name)
        if not isinstance(value, Table):
            raise self.fail(name, "P_TABLE")
        return value

    def tables(self, name: str) -> list[Table]:
        value = self.req(name)
        if not isinstance(value, list) or not value or not all(isinstance(v, Table) for v in value):
            raise self.fail(name, "P_TABLES")
        return value

    def source(self) -> str:
        """This table's ``source`` (published|illustrative), recorded for every value it holds."""
        src = self.req("source")
        if src not in SOURCES:
            raise self.fail("source", "P_CHOICE", allowed=list(SOURCES), value=src)
        self.doc.sources[f"{self.doc.name}:{self.path}"] = src
        return str(src)

    def tagged(self, name: str, *, default_source: str | None = None) -> Any:
        """A value written ``{ value = ..., source = ... }``; a bare value takes ``default_source``."""
        node = self.req(name)
        where = f"{self.doc.name}:{self.key(name)}"
        if isinstance(node, Table):
            src = node.req("source")
            if src not in SOURCES:
                raise node.fail("source", "P_CHOICE", allowed=list(SOURCES), value=src)
            self.doc.sources[where] = src
            return node.req("value")
        if default_source is None:
            raise self.fail(name, "P_TAGGED")
        self.doc.sources[where] = default_source
        return node

    def text(self, name: str, value: Any = None) -> str:
        v = self.req(name) if value is None else value
        if not isinstance(v, str) or not v.strip():
            raise self.fail(name, "P_TEXT", value=v)
        return v

    def integer(self, name: str, value: Any = None, *, minimum: int | None = 0) -> int:
        v = self.req(name) if value is None else value
        if not isinstance(v, int) or isinstance(v, bool):
            raise self.fail(name, "P_INTEGER", value=v)
        if minimum is not None and v < minimum:
            raise self.fail(name, "P_AT_LEAST", minimum=minimum, value=v)
        return v

    def boolean(self, name: str, *, default: bool) -> bool:
        v = self.opt(name)
        if v is None:
            return default
        if not isinstance(v, bool):
            raise self.fail(name, "P_BOOLEAN", value=v)
        return v

    def decimal(self, name: str, value: Any = None, *, positive: bool = False) -> Decimal:
        """A rate written as a string ("0.85"), so that no binary float ever touches it."""
        v = self.req(name) if value is None else value
        if isinstance(v, bool) or not isinstance(v, str | int):
            raise self.fail(name, "P_DECIMAL_TEXT", value=v)
        try:
            d = Decimal(v)
        except InvalidOperation:
            raise self.fail(name, "P_DECIMAL", value=v) from None
        if not d.is_finite() or d < 0 or (positive and d == 0):
            raise self.fail(name, "P_POSITIVE" if positive else "P_NON_NEGATIVE", value=v)
        return d

    def jaen(self) -> tuple[str, str]:
        return self.text("ja"), self.text("en")
