"""The product as data: the loader validates, refuses broken files by file/key, and hashes content."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from mamori import product as product_mod
from mamori.product import ProductDataError

SHIPPED = product_mod.PRODUCTS_DIR / "sme-cyber" / "2025-04"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "2025-04"
    shutil.copytree(SHIPPED, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_version_loads_with_its_published_values() -> None:
    p = product_mod.load_product(SHIPPED)
    assert (p.id, p.version, p.effective_from) == ("sme-cyber", "2025-04", dt.date(2025, 4, 1))
    assert p.industries["wholesale"].anchor_low == 5280
    assert p.industries["logistics"].anchor_high == 27250
    assert p.sources["product.toml:product.effective_from"] == "published"
    assert p.sources["product.toml:rating.minimum_monthly"] == "illustrative"
    assert p.sources["industries.csv:retail"] == "published"
    assert p.sources["industries.csv:services"] == "illustrative"
    assert len(p.measures) == 10
    assert [m.id for m in p.measures] == [f"S{i:02d}" for i in range(1, 11)]
    assert all(m.ja and m.en for m in p.measures)


def test_every_industry_of_the_spec_is_present_with_its_status() -> None:
    p = product_mod.load_product(SHIPPED)
    statuses = {code: c.status for code, c in p.industries.items()}
    assert statuses["information_communications"] == statuses["finance_insurance"] == "refer"
    assert statuses["utilities"] == "refer"
    assert {c for c, s in statuses.items() if s == "decline"} == {
        "crypto_assets",
        "online_gambling",
        "public_administration",
    }
    assert p.industries["medical_welfare"].class_factor == Decimal("2.20")
    assert len([s for s in statuses.values() if s == "quote"]) == 14


def test_the_content_hash_is_stable_and_changes_with_any_byte(folder: Path) -> None:
    first = product_mod.load_product(folder).content_hash
    assert first == product_mod.load_product(folder).content_hash
    assert first == product_mod.load_product(SHIPPED).content_hash
    _edit(folder / "security_measures.toml", "30日以内", "31日以内")
    assert product_mod.load_product(folder).content_hash != first


BROKEN: list[tuple[str, str, str, str, str]] = [
    # file, old text, new text, key named in the error, problem named in the error
    ("product.toml", 'factor = "0.60"', 'factor = "zero"', "limits.liability.options[0].factor", "not a decimal"),
    ("product.toml", 'factor = "1.25"', 'factor = "0.70"', "limits.liability.options", "premium would fall"),
    ("product.toml", 'factor = "0.93"', 'factor = "1.20"', "limits.deductible.options", "premium would rise"),
    ("product.toml", "default = 100_000_000", "default = 7", "limits.liability.default", "not one of the options"),
    ("product.toml", 'rounding_mode = "HALF_UP"', 'rounding_mode = "NEAREST"', "rating.rounding_mode", "HALF_UP"),
    ("product.toml", 'reference_revenue = { value = 500_000_000, source = "published" }', 'reference_revenue = { value = 500_000_000, source = "guess" }', "rating.reference_revenue.source",
     "published"),
    ("product.toml", '[reasons.R_OVERSEAS]\nkind = "refer"', '[reasons.R_OVERSEAS]\nkind = "maybe"',
     "reasons.R_OVERSEAS.kind", "refer"),
    ("product.toml", 'curve_class = "wholesale"', 'curve_class = "services"', "rating.curve_class", "anchors"),
    ("product.toml", "[referral]", "[referral_typo]", "referral", "missing"),
    ("industries.csv", "retail,小売業,Retail trade,I 56-61,quote,7920,16090", "retail,小売業,Retail trade,I 56-61,quote,7920,",
     "line 2 (retail)", "both anchors"),
    ("industries.csv", "utilities,電気・ガス・熱供給・水道業,\"Electricity, gas, heat supply and water\",F,refer",
     "utilities,電気・ガス・熱供給・水道業,\"Electricity, gas, heat supply and water\",F,maybe", "status", "quote"),
    ("industries.csv", "services,サービス業（他に分類されないもの）,Services (not elsewhere classified),R,quote,,,1.30",
     "services,サービス業（他に分類されないもの）,Services (not elsewhere classified),R,quote,,,", "line 8 (services)",
     "class_factor"),
    ("industries.csv", "education,", "retail,", "line 11 (retail)", "duplicate"),
    ("security_measures.toml", 'id = "S02"', 'id = "S01"', "items", "duplicate"),
    ("security_measures.toml", 'en = "Anti-malware', 'en_typo = "Anti-malware', "items[1].en", "non-empty string"),
]  # fmt: skip


@pytest.mark.parametrize(("file", "old", "new", "key", "problem"), BROKEN, ids=[b[3] for b in BROKEN])
def test_a_broken_product_file_is_refused_naming_the_file_key_and_problem(
    folder: Path, file: str, old: str, new: str, key: str, problem: str
) -> None:
    _edit(folder / file, old, new)
    with pytest.raises(ProductDataError) as caught:
        product_mod.load_product(folder)
    err = caught.value
    assert Path(err.file).name == file
    assert key in err.key
    assert problem in err.problem
    assert file in str(err)


def test_a_syntax_error_names_the_file(folder: Path) -> None:
    (folder / "product.toml").write_text("[product\n", encoding="utf-8")
    with pytest.raises(ProductDataError, match=r"product\.toml: \(syntax\)"):
        product_mod.load_product(folder)


def test_a_missing_file_is_refused(folder: Path) -> None:
    (folder / "industries.csv").unlink()
    with pytest.raises(ProductDataError, match=r"industries\.csv: \(file\): missing"):
        product_mod.load_product(folder)


@pytest.mark.parametrize(("start", "version"), [(dt.date(2025, 4, 1), "2025-04"), (dt.date(2031, 1, 1), "2025-04")])
def test_the_version_in_force_is_chosen_by_the_start_date(start: dt.date, version: str) -> None:
    assert product_mod.product_for_start(start).version == version


def test_a_start_before_any_version_has_no_product_in_force() -> None:
    with pytest.raises(product_mod.NoProductInForce) as caught:
        product_mod.product_for_start(dt.date(2025, 3, 31))
    assert caught.value.earliest == dt.date(2025, 4, 1)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2026, 4, 1), dt.date(2027, 4, 1)),
        (dt.date(2028, 2, 29), dt.date(2029, 2, 28)),  # leap day: ends 28 Feb
        (dt.date(2027, 2, 28), dt.date(2028, 2, 28)),
        (dt.date(2026, 12, 31), dt.date(2027, 12, 31)),
    ],
)
def test_the_term_runs_from_16_00_jst_to_the_same_date_a_year_later(start: dt.date, end: dt.date) -> None:
    p = product_mod.product_for_start(dt.date(2026, 4, 1))
    jst = dt.timezone(dt.timedelta(hours=9))
    assert p.term_start_at(start) == dt.datetime.combine(start, dt.time(16), tzinfo=jst)
    assert p.term_end_at(start) == dt.datetime.combine(end, dt.time(16), tzinfo=jst)
