"""The book as Open Exposure Data (OED v4, Oasis LMF): an account file and a location file.

OED v4 describes a cyber policy in the account file alone: the insured's industry (a scheme and a code),
annual revenue, the policy deductible ``PolDed``, a sub-limit per cyber coverage (``PolLimitINRE``…), the list
of coverages ``PolCoverage``, the business-interruption waiting period and indemnity period in days. Oasis's
``ods_tools check`` accepts the account file as cyber and refuses location fields for that class of
business. :func:`location_table` is there for tools that want a location file anyway: one row per insured
at its domicile (Japan), its BI value the insured's annual revenue (an approximation of the value at risk:
the book has no gross-profit figure), the other values 0.

The product's sections map to OED cyber coverages: expenses → ``INRE`` (incident response), liability →
``LIAB`` (its sub-limit field is ``PolLimitLIA``), business interruption → ``NPBI``. Two terms have no
exact OED form and are kept as user fields: OED's ``PolDed`` applies to every coverage, while the product
takes its deductible from expenses and liability only (never from BI, which has its waiting period); and
the bodily-injury/property-damage rider is paid within the liability limit (``PolUserDef1``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

import pyarrow as pa

from mamori.catalog import ProductVersion
from mamori.portfolio.book import Book

__all__ = [
    "ACCOUNT_COLUMNS",
    "COVERAGES",
    "LOCATION_COLUMNS",
    "NAICS",
    "OED_VERSION",
    "account_table",
    "location_table",
]

OED_VERSION: Final = "4.0.0"
PORTFOLIO: Final = "mamori"
#: Coverage section → (OED cyber coverage code, OED sub-limit field).
COVERAGES: Final = {
    "expense": ("INRE", "PolLimitINRE"),
    "liability": ("LIAB", "PolLimitLIA"),
    "bi": ("NPBI", "PolLimitNPBI"),
}
#: OED peril code: all cyber perils (data and privacy breach, property damage).
PERILS: Final = "CC1"
#: Industry class → NAICS 2022 code (sector, or subsector where the class is one): OED names the scheme.
NAICS: Final = {
    "retail": 44,
    "manufacturing": 31,
    "wholesale": 42,
    "logistics": 48,
    "construction": 23,
    "food_service": 722,
    "services": 81,
    "professional_services": 54,
    "real_estate": 53,
    "education": 61,
    "accommodation": 721,
    "medical_welfare": 62,
    "agriculture": 11,
    "living_services": 812,
    "information_communications": 51,
    "finance_insurance": 52,
    "utilities": 22,
    "crypto_assets": 523,
    "online_gambling": 7132,
    "public_administration": 92,
}
ACCOUNT_COLUMNS: Final = (
    "PortNumber", "AccNumber", "AccCurrency", "PolNumber", "PolInceptionDate", "PolExpiryDate", "PolPerilsCovered",
    "PolGrossPremium", "LayerParticipation", "LayerLimit", "LayerAttachment", "CountryCode", "IndustryScheme1",
    "IndustryCode1", "IndustryDescription", "AnnualRevenue", "AnnualRevenueCurrency", "PolDed", "PolLimitINRE",
    "PolLimitLIA", "PolLimitNPBI", "PolCoverage", "BIWaitingPeriod", "BIPOI", "InsuredName", "AccUserDef1",
    "AccUserDef2", "PolUserDef1", "PolUserDef2", "OEDVersion",
)  # fmt: skip
LOCATION_COLUMNS: Final = (
    "PortNumber", "AccNumber", "LocNumber", "CountryCode", "LocPerilsCovered", "LocCurrency", "BuildingTIV",
    "OtherTIV", "ContentsTIV", "BITIV", "OEDVersion",
)  # fmt: skip


def _codes(book: Book) -> list[str]:
    return [book.industries[i] for i in book.industry.tolist()]


def _coverages(book: Book, version: ProductVersion) -> list[str]:
    sections = version.coverage.sections
    found = []
    for i in range(len(book)):
        codes = [COVERAGES[code][0] for code, section in sections.items() if book.column(section.limit_field)[i] > 0]
        found.append(";".join(codes))
    return found


def account_table(book: Book, version: ProductVersion, starts: Sequence[dt.date]) -> pa.Table:
    """The OED account file of the book: a policy per row (``starts``: each policy's start date)."""
    n = len(book)
    sections = version.coverage.sections
    bi = version.coverage.bi
    currency = version.currency
    ends = [version.term_end_at(start).date() for start in starts]
    codes = _codes(book)
    names = {code: f"{ic.jsic} {ic.name_en}".strip() for code, ic in version.rating.industries.items()}
    columns = {
        "PortNumber": [PORTFOLIO] * n,
        "AccNumber": list(book.policy_id),
        "AccCurrency": [currency] * n,
        "PolNumber": list(book.policy_id),
        "PolInceptionDate": [d.isoformat() for d in starts],
        "PolExpiryDate": [d.isoformat() for d in ends],
        "PolPerilsCovered": [PERILS] * n,
        "PolGrossPremium": book.annual_premium.tolist(),
        "LayerParticipation": [1] * n,
        "LayerLimit": [0] * n,  # no limit over the sections' own
        "LayerAttachment": [0] * n,
        "CountryCode": ["JP"] * n,
        "IndustryScheme1": ["NAICS"] * n,
        "IndustryCode1": [NAICS.get(code, 0) for code in codes],
        "IndustryDescription": [names.get(code, code) for code in codes],
        "AnnualRevenue": book.revenue.tolist(),
        "AnnualRevenueCurrency": [currency] * n,
        "PolDed": book.deductible.tolist(),
        **{COVERAGES[code][1]: book.column(section.limit_field).tolist() for code, section in sections.items()},
        "PolCoverage": _coverages(book, version),
        "BIWaitingPeriod": [bi.waiting_hours / 24] * n,
        "BIPOI": [round(bi.indemnity_months * 365 / 12 * 2) / 2] * n,
        "InsuredName": list(book.policy_id),
        "AccUserDef1": codes,
        "AccUserDef2": [f"security_measures={k}" for k in book.security_measures.tolist()],
        "PolUserDef1": ["pd_rider" if flag else "" for flag in book.pd_rider.tolist()],
        "PolUserDef2": [f"deductible_sections={'/'.join(version.coverage.deductible_sections)}"] * n,
        "OEDVersion": [OED_VERSION] * n,
    }
    return pa.table({name: columns[name] for name in ACCOUNT_COLUMNS})


def location_table(book: Book, version: ProductVersion) -> pa.Table:
    """The OED location file: one row per insured at its domicile, BI value at risk = annual revenue."""
    n = len(book)
    columns = {
        "PortNumber": [PORTFOLIO] * n,
        "AccNumber": list(book.policy_id),
        "LocNumber": list(book.policy_id),
        "CountryCode": ["JP"] * n,
        "LocPerilsCovered": [PERILS] * n,
        "LocCurrency": [version.currency] * n,
        "BuildingTIV": [0] * n,
        "OtherTIV": [0] * n,
        "ContentsTIV": [0] * n,
        "BITIV": book.revenue.tolist(),
        "OEDVersion": [OED_VERSION] * n,
    }
    return pa.table({name: columns[name] for name in LOCATION_COLUMNS})
