"""The insurer's books (``product.md`` §8): written, earned and unearned premium, claims as known at a date,
triangles and reserves (chain ladder, Mack, Bornhuetter–Ferguson). Pure Python and numpy: the web
application reads its records into these columns and renders what comes back."""

from mamori.books.claims import ClaimRecords, Position
from mamori.books.premium import Book, Premium, WrittenAmounts, day, earned, from_day, month_bounds, monthly, premium
from mamori.books.reserving import METHODS, Reserve, development, reserve
from mamori.books.triangle import BASES, PERIODS, Triangle, from_claims, from_long, from_wide, period_bounds, period_of

__all__ = [
    "BASES",
    "METHODS",
    "PERIODS",
    "Book",
    "ClaimRecords",
    "Position",
    "Premium",
    "Reserve",
    "Triangle",
    "WrittenAmounts",
    "day",
    "development",
    "earned",
    "from_claims",
    "from_day",
    "from_long",
    "from_wide",
    "month_bounds",
    "monthly",
    "period_bounds",
    "period_of",
    "premium",
    "reserve",
]
