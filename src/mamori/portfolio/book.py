"""A book of policies as columns: what the simulation needs of each policy, validated, in integer yen.

Reading a book from a file or from the web application's records (and the input errors) is the use case's
job (:mod:`mamori.usecases.portfolio`); here is the checked result and its table form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

__all__ = ["INTEGER_COLUMNS", "REQUIRED_COLUMNS", "Book"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Columns every book has (interfaces.md §1.6); ``security_measures`` (a count) or ``measures`` (a list
#: of item ids) may be added, else the product's reference count applies.
REQUIRED_COLUMNS: Final = (
    "policy_id",
    "industry",
    "revenue",
    "liability_limit",
    "expense_limit",
    "deductible",
    "bi_limit",
    "pd_rider",
    "annual_premium",
)
INTEGER_COLUMNS: Final = ("revenue", "liability_limit", "expense_limit", "deductible", "bi_limit", "annual_premium")


@dataclass(frozen=True, eq=False)
class Book:
    """Policies as columns (one row each). ``industry`` indexes ``industries`` (the product's classes)."""

    policy_id: tuple[str, ...]
    industries: tuple[str, ...]
    industry: IntArray
    revenue: IntArray
    liability_limit: IntArray
    expense_limit: IntArray
    deductible: IntArray
    bi_limit: IntArray
    pd_rider: BoolArray
    annual_premium: IntArray
    security_measures: IntArray

    def __post_init__(self) -> None:
        n = len(self.policy_id)
        for name in (*INTEGER_COLUMNS, "industry", "pd_rider", "security_measures"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"book column {name} must have one value per policy ({n})")

    def __len__(self) -> int:
        return len(self.policy_id)

    def column(self, name: str) -> IntArray:
        """An integer column by its name (a limit field of the coverage terms, say)."""
        if name not in INTEGER_COLUMNS:
            raise KeyError(f"{name} is not an integer column of a book ({', '.join(INTEGER_COLUMNS)})")
        column: IntArray = getattr(self, name)
        return column

    def flag(self, name: str) -> BoolArray:
        """A yes/no column by its name (a rider's policy flag)."""
        if name != "pd_rider":
            raise KeyError(f"{name} is not a flag of a book (pd_rider)")
        return self.pd_rider

    @classmethod
    def of(
        cls,
        *,
        policy_id: Sequence[str],
        industry: Sequence[str],
        industries: Sequence[str],
        columns: Mapping[str, npt.ArrayLike],
        pd_rider: npt.ArrayLike,
        security_measures: npt.ArrayLike,
    ) -> Book:
        """A book from checked values: industry codes (each one of ``industries``) and integer columns."""
        index = {code: i for i, code in enumerate(industries)}
        return cls(
            policy_id=tuple(policy_id),
            industries=tuple(industries),
            industry=np.fromiter((index[code] for code in industry), dtype=np.int64, count=len(industry)),
            pd_rider=np.asarray(pd_rider, dtype=np.bool_),
            security_measures=np.asarray(security_measures, dtype=np.int64),
            **{name: np.asarray(columns[name], dtype=np.int64) for name in INTEGER_COLUMNS},
        )

    def to_table(self) -> pa.Table:
        """The book as a table with the columns of interfaces.md §1.6 (and ``security_measures``)."""
        codes = np.asarray(self.industries, dtype=object)[self.industry] if len(self) else np.array([], dtype=object)
        return pa.table(
            {
                "policy_id": pa.array(self.policy_id, type=pa.string()),
                "industry": pa.array(codes.tolist(), type=pa.string()),
                **{name: pa.array(self.column(name), type=pa.int64()) for name in INTEGER_COLUMNS[:5]},
                "pd_rider": pa.array(self.pd_rider, type=pa.bool_()),
                "annual_premium": pa.array(self.annual_premium, type=pa.int64()),
                "security_measures": pa.array(self.security_measures, type=pa.int64()),
            }
        )
