"""A reinsurance treaty as data (a TOML file): product.md §8.4, interfaces.md §1.6 (``--treaty``).

Four layers, each optional, applied in this order to the insurer's simulated payments:

1. ``[quota_share] cession`` — that share of every loss is ceded; the rest is retained;
2. ``[per_risk] retention, limit`` — excess of loss per policy and accident, on the part the quota share
   retained: the reinsurer pays ``min(max(x − retention, 0), limit)`` of each accident's retained loss ``x``;
3. ``[per_event] retention, limit`` — excess of loss per occurrence, on what the per-risk layer retained:
   an occurrence is one independent accident, or one systemic event with every policy it hits added up;
4. ``[aggregate] retention, limit`` — stop loss on the year's total retained after the layers above.

``limit`` may be left out: no upper bound (an unlimited layer). An optional ``[treaty]`` table names the
treaty (``name``, ``ja``, ``en``) and says why (``basis``). Read strictly with the catalogue's reader: a
table or key that is not one of these, a negative retention, a cession outside [0, 1] is a
:class:`ProductDataError` naming the key and what is allowed (:func:`mamori.usecases.portfolio.load_treaty`
makes it an input error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from mamori import money
from mamori.catalog.reader import Document, ProductDataError, Table
from mamori.errors import Problem

__all__ = ["LAYERS", "LAYER_KEYS", "TABLES", "Layer", "Treaty", "load_treaty", "read_treaty"]

FloatArray = npt.NDArray[np.float64]

#: The excess-of-loss layers, in the order they apply (after the quota share).
LAYERS: Final = ("per_risk", "per_event", "aggregate")
#: Every table a treaty may hold.
TABLES: Final = ("treaty", "quota_share", *LAYERS)
LAYER_KEYS: Final = ("retention", "limit")
QUOTA_KEYS: Final = ("cession",)
META_KEYS: Final = ("name", "ja", "en", "basis")

# Columns of Treaty.terms (the kernel's parameters).
KEEP: Final = 0  # share retained by the quota share: 1 − cession
RISK_RETENTION: Final = 1
RISK_LIMIT: Final = 2
EVENT_RETENTION: Final = 3
EVENT_LIMIT: Final = 4
AGGREGATE_RETENTION: Final = 5
AGGREGATE_LIMIT: Final = 6
TERMS: Final = 7


@dataclass(frozen=True, slots=True)
class Layer:
    """An excess-of-loss layer: the reinsurer pays ``min(max(x − retention, 0), limit)`` of a loss ``x``."""

    retention: int
    limit: int | None  # None: unlimited

    def ceded(self, x: float) -> float:
        return min(max(x - self.retention, 0.0), math.inf if self.limit is None else float(self.limit))

    def to_dict(self) -> dict[str, Any]:
        return {"retention": self.retention, "limit": self.limit}


@dataclass(frozen=True, slots=True)
class Treaty:
    """A treaty: a quota share (``cession``, 0 when none) and up to three excess-of-loss layers."""

    name: str
    ja: str
    en: str
    cession: float
    per_risk: Layer | None
    per_event: Layer | None
    aggregate: Layer | None

    @property
    def terms(self) -> FloatArray:
        """The treaty as the kernels' parameters (a layer left out cedes nothing: limit 0)."""
        out = np.zeros(TERMS, dtype=np.float64)
        out[KEEP] = 1.0 - self.cession
        for layer, at in ((self.per_risk, RISK_RETENTION), (self.per_event, EVENT_RETENTION),
                          (self.aggregate, AGGREGATE_RETENTION)):  # fmt: skip
            if layer is not None:
                out[at] = layer.retention
                out[at + 1] = math.inf if layer.limit is None else layer.limit
        return out

    def to_dict(self) -> dict[str, Any]:
        layers: dict[str, Any] = {"quota_share": {"cession": self.cession} if self.cession else None}
        layers.update({name: None if getattr(self, name) is None else getattr(self, name).to_dict() for name in LAYERS})
        return {"name": self.name, "ja": self.ja, "en": self.en, **{k: v for k, v in layers.items() if v is not None}}

    def label(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


def _only(t: Table, allowed: tuple[str, ...], code: str) -> None:
    """Refuse a key of ``t`` that is not in ``allowed``, naming it and the allowed ones."""
    for key in t.data:
        if key not in allowed:
            raise t.fail(key, code, value=key, allowed=list(allowed))


def _yen(t: Table, name: str) -> int:
    v = t.req(name)
    if isinstance(v, bool) or not isinstance(v, int):
        raise t.fail(name, "P_INTEGER", value=v)
    if not 0 <= v <= money.MAX_YEN:
        raise t.fail(name, "P_BETWEEN", minimum=0, maximum=money.MAX_YEN, value=v)
    return v


def _layer(root: Table, name: str) -> Layer | None:
    if name not in root:
        return None
    t = root.table(name)
    _only(t, LAYER_KEYS, "P_TREATY_KEY")
    return Layer(retention=_yen(t, "retention"), limit=_yen(t, "limit") if "limit" in t else None)


def _cession(root: Table) -> float:
    if "quota_share" not in root:
        return 0.0
    t = root.table("quota_share")
    _only(t, QUOTA_KEYS, "P_TREATY_KEY")
    v = t.req("cession")
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise t.fail("cession", "P_NUMBER", value=v)
    if not 0 <= v <= 1:
        raise t.fail("cession", "P_BETWEEN", minimum=0, maximum=1, value=v)
    return float(v)


def read_treaty(name: str, data: bytes) -> Treaty:
    """Validate a treaty file's bytes (ProductDataError naming the key, the problem and what is allowed)."""
    doc = Document(name, data)
    root = doc.root
    _only(root, TABLES, "P_TREATY_TABLE")
    title = name.rsplit("/", 1)[-1].removesuffix(".toml")
    ja = en = title
    if "treaty" in root:
        meta = root.table("treaty")
        _only(meta, META_KEYS, "P_TREATY_KEY")
        title = meta.text("name") if "name" in meta else title
        ja = meta.text("ja") if "ja" in meta else title
        en = meta.text("en") if "en" in meta else title
        if "basis" in meta:
            meta.text("basis")
    treaty = Treaty(
        name=title, ja=ja, en=en, cession=_cession(root),
        per_risk=_layer(root, "per_risk"), per_event=_layer(root, "per_event"), aggregate=_layer(root, "aggregate"),
    )  # fmt: skip
    doc.finish()
    return treaty


def load_treaty(path: Path) -> Treaty:
    """Read and validate a treaty file (ProductDataError naming the file, the key and the problem)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProductDataError(str(path), "(file)", "P_FILE", {"problem": Problem.of_os_error(exc)}) from None
    return read_treaty(str(path), data)
