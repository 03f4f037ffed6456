"""The product catalogue: versions loaded strictly from their files, refused by file/key, hashed, chosen."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from mamori import catalog as catalog_mod
from mamori.catalog import ProductDataError

SHIPPED = catalog_mod.PACKAGED_PRODUCTS / "sme-cyber" / "2025-04"


@pytest.fixture
def folder(products: Path) -> Path:
    return products / "sme-cyber" / "2025-04"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load(folder: Path) -> catalog_mod.ProductVersion:
    return catalog_mod.load_version(catalog_mod.read_folder(folder), origin=str(folder))


def test_the_shipped_version_loads_with_its_published_values() -> None:
    v = load(SHIPPED)
    p = v.rating
    assert (v.id, v.version, v.effective_from) == ("sme-cyber", "2025-04", dt.date(2025, 4, 1))
    assert p.industries["wholesale"].anchor_low == 5280
    assert p.industries["logistics"].anchor_high == 27250
    assert v.sources["product.toml:product.effective_from"] == "published"
    assert v.sources["product.toml:payments.monthly.minimum"] == "illustrative"
    assert v.sources["product.toml:payments.monthly"] == "published"
    assert v.sources["industries.csv:retail"] == "published"
    assert v.sources["industries.csv:services"] == "illustrative"
    assert v.sources["coverage.toml:items.EX_ATTACK_CHECK.sublimit"] == "illustrative"
    assert v.sources["support.toml:regulatory"] == "illustrative"
    assert len(p.measures) == 10
    assert [m.id for m in p.measures] == [f"S{i:02d}" for i in range(1, 11)]
    assert all(m.ja and m.en for m in p.measures)


def test_every_industry_of_the_spec_is_present_with_its_status() -> None:
    p = load(SHIPPED).rating
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
    first = load(folder).content_hash
    assert first == load(folder).content_hash
    assert first == load(SHIPPED).content_hash
    _edit(folder / "security_measures.toml", "30日以内", "31日以内")
    assert load(folder).content_hash != first


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
    # A key the loader does not read would change nothing: refused, so a typo never passes silently.
    ("product.toml", 'name_en = "Cyber insurance"', 'name_en = "Cyber insurance"\nname_fr = "x"', "product.name_fr", "not a key"),
    ("product.toml", "default_at_most = 30_000_000", "default_at_most = 30_000_000\ndefualt = 1", "limits.expense.defualt", "not a key"),
    ("product.toml", 'currency = "JPY"', 'currency = "USD"', "product.currency", "JPY"),
    ("product.toml", 'timezone = "+09:00"', 'timezone = "Tokyo"', "product.timezone", "UTC offset"),
    ("product.toml", 'divisor = "1.02"', 'divisor = "0"', "payments.annual.divisor", "positive"),
    ("product.toml", "[payments.annual]", "[payments.yearly]", "payments.annual", "missing"),
    ("product.toml", '[reasons.D_INDUSTRY]', '[reasons.D_UNUSED]\nkind = "decline"\nja = "x"\nen = "x"\n\n[reasons.D_INDUSTRY]', "reasons.D_UNUSED", "no rule"),
    ("product.toml", 'refer = "R_LIABILITY_LIMIT"', 'refer = "R_OTHER"', "reasons.R_OTHER", "missing"),
    ("industries.csv", "retail,小売業,Retail trade,I 56-61,quote,7920,16090", "retail,小売業,Retail trade,I 56-61,quote,7920,",
     "line 2 (retail)", "both anchors"),
    ("industries.csv", "utilities,電気・ガス・熱供給・水道業,\"Electricity, gas, heat supply and water\",F,refer",
     "utilities,電気・ガス・熱供給・水道業,\"Electricity, gas, heat supply and water\",F,maybe", "status", "quote"),
    ("industries.csv", "services,サービス業（他に分類されないもの）,Services (not elsewhere classified),R,quote,,,1.30",
     "services,サービス業（他に分類されないもの）,Services (not elsewhere classified),R,quote,,,", "line 8 (services)",
     "class_factor"),
    ("industries.csv", "education,", "retail,", "line 11 (retail)", "duplicate"),
    ("security_measures.toml", 'id = "S02"', 'id = "S01"', "items", "duplicate"),
    ("security_measures.toml", 'en = "Anti-malware', 'en_typo = "Anti-malware', "items[1].en", "missing"),
    ("security_measures.toml", 'en = "Anti-malware is installed on every endpoint and kept current"', 'en = " "', "items[1].en", "non-empty string"),
]  # fmt: skip


@pytest.mark.parametrize(("file", "old", "new", "key", "problem"), BROKEN, ids=[b[3] for b in BROKEN])
def test_a_broken_product_file_is_refused_naming_the_file_key_and_problem(
    folder: Path, file: str, old: str, new: str, key: str, problem: str
) -> None:
    _edit(folder / file, old, new)
    with pytest.raises(ProductDataError) as caught:
        load(folder)
    err = caught.value
    assert Path(err.file).name == file
    assert key in err.key
    assert problem in err.problem
    assert file in str(err)


def test_a_syntax_error_names_the_file(folder: Path) -> None:
    (folder / "product.toml").write_text("[product\n", encoding="utf-8")
    with pytest.raises(ProductDataError, match=r"product\.toml: \(syntax\)"):
        load(folder)


def test_a_missing_file_is_refused(folder: Path) -> None:
    (folder / "industries.csv").unlink()
    with pytest.raises(ProductDataError, match=r"industries\.csv: \(file\): missing"):
        load(folder)


def test_a_file_that_is_not_utf8_is_refused(folder: Path) -> None:
    (folder / "product.toml").write_bytes(
        (folder / "product.toml").read_text(encoding="utf-8").encode("cp932", errors="replace")
    )
    with pytest.raises(ProductDataError, match=r"product\.toml: \(encoding\)"):
        load(folder)


@pytest.mark.parametrize(("start", "version"), [(dt.date(2025, 4, 1), "2025-04"), (dt.date(2031, 1, 1), "2025-04")])
def test_the_version_in_force_is_chosen_by_the_start_date(
    catalog: catalog_mod.Catalog, start: dt.date, version: str
) -> None:
    assert catalog.in_force(start).version == version


def test_a_start_before_any_version_has_no_product_in_force(catalog: catalog_mod.Catalog) -> None:
    with pytest.raises(catalog_mod.NoProductInForce) as caught:
        catalog.in_force(dt.date(2025, 3, 31))
    assert caught.value.earliest == dt.date(2025, 4, 1)


def test_a_version_is_found_by_name_and_content_hash(catalog: catalog_mod.Catalog) -> None:
    v = catalog.get("2025-04")
    assert catalog.get("2025-04", content_hash=v.content_hash) is v
    with pytest.raises(catalog_mod.UnknownVersion, match="2025-04"):
        catalog.get("2025-04", content_hash="0" * 64)
    with pytest.raises(catalog_mod.UnknownVersion):
        catalog.get("1999-01")


def test_an_in_memory_catalogue_holds_versions_given_as_files() -> None:
    memory = catalog_mod.InMemoryCatalog(files=[catalog_mod.read_folder(SHIPPED)])
    assert memory.get("2025-04").content_hash == load(SHIPPED).content_hash


def test_each_catalogue_loads_its_own_folder_and_threads_share_one_load(folder: Path, products: Path) -> None:
    _edit(
        folder / "industries.csv",
        "wholesale,卸売業,Wholesale trade,I 50-55,quote,5280,",
        "wholesale,卸売業,Wholesale trade,I 50-55,quote,5300,",
    )
    edited = catalog_mod.FolderCatalog(products)
    shipped = catalog_mod.FolderCatalog()
    seen: list[catalog_mod.ProductVersion] = []
    threads = [threading.Thread(target=lambda: seen.append(edited.get("2025-04"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(v) for v in seen}) == 1
    assert seen[0].rating.industries["wholesale"].anchor_low == 5300
    assert shipped.get("2025-04").rating.industries["wholesale"].anchor_low == 5280


def test_a_folder_named_differently_from_its_version_is_refused(products: Path) -> None:
    (products / "sme-cyber" / "2025-04").rename(products / "sme-cyber" / "2025-05")
    with pytest.raises(ProductDataError, match="2025-05"):
        catalog_mod.FolderCatalog(products).versions()


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
    p = catalog_mod.FolderCatalog().in_force(dt.date(2026, 4, 1))
    jst = dt.timezone(dt.timedelta(hours=9))
    assert p.term_start_at(start) == dt.datetime.combine(start, dt.time(16), tzinfo=jst)
    assert p.term_end_at(start) == dt.datetime.combine(end, dt.time(16), tzinfo=jst)
