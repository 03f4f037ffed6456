"""The estimator's data (``estimate/data/*.toml``): read strictly, every figure tagged with its source, and
consistent with the product it estimates for."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from mamori import catalog as catalog_mod
from mamori.catalog import read_folder
from mamori.estimate.data import DATA_FOLDER, EstimateData, load_data, packaged_data

DATA = packaged_data()

# The category ids interfaces.md §1.5 names.
CONTRACT_CATEGORIES = (
    "name", "address", "phone", "email", "date_of_birth", "card_number", "bank_account_pin", "account_password",
    "medical_history", "income", "religion", "criminal_record",
)  # fmt: skip


@pytest.fixture
def edited(tmp_path: Path) -> Callable[[str, str, str], EstimateData]:
    """Load a copy of the data after replacing ``old`` with ``new`` in one file."""

    def make(file: str, old: str, new: str) -> EstimateData:
        folder = tmp_path / "data"
        shutil.copytree(DATA_FOLDER, folder, ignore=shutil.ignore_patterns("__pycache__"))
        text = (folder / file).read_text(encoding="utf-8")
        assert old in text, f"test setup: {old!r} not in {file}"
        (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
        return load_data(read_folder(folder), origin=str(folder))

    return make


def test_the_category_ids_of_the_contract_are_known() -> None:
    assert set(CONTRACT_CATEGORIES) <= set(DATA.jnsa.categories)


def test_the_category_levels_are_jnsas_ep_map() -> None:
    levels = {cid: (c.x, c.y) for cid, c in DATA.jnsa.categories.items()}
    assert levels["name"] == (1, 1)
    assert levels["account_password"] == (1, 2)
    assert levels["card_number"] == levels["bank_account_pin"] == (1, 3)
    assert levels["medical_history"] == (2, 1)
    assert levels["income"] == (2, 2)
    assert levels["will"] == (2, 3)
    assert levels["religion"] == (3, 1)
    assert levels["criminal_record"] == levels["credit_blacklist"] == (3, 3)
    assert len(levels) == 36  # every category of product.md §7.1's table


def test_the_jnsa_factors_are_published_and_the_claim_rate_and_class_list_illustrative() -> None:
    jnsa = DATA.jnsa
    assert [s.source for s in (jnsa.model, jnsa.identifiability, jnsa.social, jnsa.response, jnsa.category_map)] == [
        "published"
    ] * 5
    assert (jnsa.liability.source, DATA.social_classes.source, DATA.profit.source) == ("illustrative",) * 3
    assert (jnsa.base, jnsa.x_base, jnsa.y_base, jnsa.otherwise) == (500, 10, 5, 1)


def test_every_unit_cost_names_its_source_in_japanese_and_english() -> None:
    for kind in DATA.kinds.values():
        assert kind.sourced.source in ("published", "illustrative")
        assert kind.sourced.reference_ja.strip() and kind.sourced.reference_en.strip()
        assert kind.sourced.reference_ja != kind.sourced.reference_en


def test_the_jnsa_2018_ranges_are_taken_at_their_midpoint() -> None:
    kinds = DATA.kinds
    assert kinds["forensics_pc"].unit_cost == (1_000_000 + 1_500_000) // 2
    assert kinds["forensics_server"].unit_cost == (1_500_000 + 2_000_000) // 2
    assert kinds["legal"].unit_cost == (300_000 + 1_000_000) // 2
    assert kinds["condolence"].unit_cost == 6_500_000 // 10_000


def test_every_unit_cost_is_claimed_as_a_cost_item_of_the_product(version: catalog_mod.ProductVersion) -> None:
    assert {kind.item for kind in DATA.kinds.values()} <= set(version.coverage.cost_kinds)
    never = {kind.item for kind in DATA.kinds.values() if kind.item in version.coverage.never_covered}
    assert never == {"RANSOM", "FINE", "INTERNAL_STAFF"}


def test_every_industry_class_of_the_product_has_a_profit_rate(version: catalog_mod.ProductVersion) -> None:
    assert set(DATA.industries) == set(version.rating.industries)


def test_the_industries_with_higher_social_responsibility_are_the_illustrative_class_list() -> None:
    high = {code for code, e in DATA.industries.items() if e.high_social_responsibility}
    assert high == {
        "medical_welfare", "education", "finance_insurance", "information_communications", "public_administration",
        "crypto_assets",
    }  # fmt: skip


def test_every_value_read_records_its_source() -> None:
    assert set(DATA.sources.values()) == {"published", "illustrative"}
    assert DATA.sources["business.toml:industries.retail.operating_margin"] == "illustrative"


def test_the_content_hash_names_the_exact_data() -> None:
    assert DATA.content_hash == load_data(read_folder(DATA_FOLDER)).content_hash
    assert len(DATA.content_hash) == 64


def test_a_misspelt_key_is_refused_naming_the_file_and_the_key(edited: Callable[[str, str, str], EstimateData]) -> None:
    with pytest.raises(catalog_mod.ProductDataError) as exc:
        edited("costs.toml", "unit_cost = 1_250_000", "unit_cost = 1_250_000\nunit_cots = 1")
    assert (exc.value.file, exc.value.key) == ("costs.toml", "kinds.forensics_pc.unit_cots")


def test_a_unit_cost_without_its_source_is_refused(edited: Callable[[str, str, str], EstimateData]) -> None:
    with pytest.raises(catalog_mod.ProductDataError, match=r"kinds\.legal\.source"):
        edited("costs.toml", 'default = 1\nsource = "illustrative"', "default = 1")


def test_a_unit_of_unknown_name_is_refused(edited: Callable[[str, str, str], EstimateData]) -> None:
    with pytest.raises(catalog_mod.ProductDataError, match="must be a unit of"):
        edited("costs.toml", 'unit = "server"', 'unit = "rack"')


def test_a_category_level_above_three_is_refused(edited: Callable[[str, str, str], EstimateData]) -> None:
    with pytest.raises(catalog_mod.ProductDataError, match=r"is a level 1\.\.3"):
        edited("jnsa.toml", "[categories.will]\nx = 2", "[categories.will]\nx = 4")


def test_an_identifiability_rule_naming_an_unknown_category_is_refused(
    edited: Callable[[str, str, str], EstimateData],
) -> None:
    with pytest.raises(catalog_mod.ProductDataError, match="all_of"):
        edited("jnsa.toml", '{ all_of = ["name"], factor = 3 }', '{ all_of = ["surname"], factor = 3 }')


def test_a_claim_rate_above_one_is_refused(edited: Callable[[str, str, str], EstimateData]) -> None:
    with pytest.raises(catalog_mod.ProductDataError, match="claim_rate"):
        edited("jnsa.toml", 'claim_rate = "0.01"', 'claim_rate = "1.5"')


def test_a_file_the_estimator_does_not_read_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA_FOLDER, folder)
    (folder / "notes.toml").write_text("x = 1\n", encoding="utf-8")
    with pytest.raises(catalog_mod.ProductDataError, match=r"notes\.toml"):
        load_data(read_folder(folder))
