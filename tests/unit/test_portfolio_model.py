"""The loss model as data: the reference model and the interface's minimal one are read; a broken file is
refused naming the file, the key and the problem."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from mamori import catalog as catalog_mod
from mamori.catalog import ProductDataError
from mamori.portfolio import model as model_mod
from mamori.usecases import portfolio as usecase

DATA = Path(__file__).resolve().parent.parent / "data" / "portfolio"
REFERENCE = usecase.DEFAULT_MODEL.read_text(encoding="utf-8")
MINIMAL = (DATA / "minimal-model.toml").read_text(encoding="utf-8")


def read(text: str, version: catalog_mod.ProductVersion) -> model_mod.Model:
    return model_mod.read_model("model.toml", text.encode(), version)


def refused(text: str, version: catalog_mod.ProductVersion) -> ProductDataError:
    with pytest.raises(ProductDataError) as caught:
        read(text, version)
    return caught.value


def test_the_minimal_model_of_the_interface_is_understood(version: catalog_mod.ProductVersion) -> None:
    model = read(MINIMAL, version)
    assert model.frequency.distribution == "poisson"
    assert model.frequency.rate == 0.05
    (liability,) = model.severities
    assert (liability.section, liability.mu, liability.sigma, liability.probability) == ("liability", 12.2, 1.6, 1.0)
    assert model.systemic == ()
    assert model.loading == 0.0


def test_the_reference_model_tags_every_table_illustrative_with_its_reasoning(
    version: catalog_mod.ProductVersion,
) -> None:
    model = read(REFERENCE, version)
    assert set(model.sources.values()) == {"illustrative"}
    data = tomllib.loads(REFERENCE)
    tagged = [
        data["model"],
        data["frequency"],
        data["pricing"],
        *data["frequency"].values(),
        *data["severity"].values(),
    ]
    tagged += data["systemic"].values()
    for table in (t for t in tagged if isinstance(t, dict)):
        assert table["source"] == "illustrative"
        assert len(table["basis"]) > 40


def test_the_reference_model_simulates_the_product_version_it_names(version: catalog_mod.ProductVersion) -> None:
    model = read(REFERENCE, version)
    assert (model.product, model.version) == ("sme-cyber", "2025-04")
    assert model.frequency.distribution == "negative_binomial"
    assert {s.key for s in model.severities} == {"expense", "liability", "bi", "pd"}
    pd = next(s for s in model.severities if s.key == "pd")
    assert (pd.section, pd.rider_flag) == ("liability", "pd_rider")  # the rider is paid within the liability limit
    assert len(model.systemic) == 4
    assert all(event.severities for event in model.systemic)


def test_a_misspelt_key_is_refused_naming_the_file_and_the_key(version: catalog_mod.ProductVersion) -> None:
    error = refused(MINIMAL.replace("sigma = 1.6", "sigma = 1.6\nsigm = 1.2"), version)
    assert error.file == "model.toml"
    assert error.key == "severity.liability.sigm"
    assert "not a key" in error.problem


def test_a_negative_binomial_frequency_needs_its_size(version: catalog_mod.ProductVersion) -> None:
    error = refused(MINIMAL.replace('"poisson"', '"negative_binomial"'), version)
    assert (error.key, error.problem) == ("frequency.n", "missing")


def test_a_poisson_frequency_refuses_a_size(version: catalog_mod.ProductVersion) -> None:
    error = refused(MINIMAL.replace("rate = 0.05", "rate = 0.05\nn = 2.0"), version)
    assert error.key == "frequency.n"


def test_an_unknown_distribution_is_refused_with_the_allowed_ones(version: catalog_mod.ProductVersion) -> None:
    error = refused(MINIMAL.replace('"poisson"', '"binomial"'), version)
    assert error.key == "frequency.distribution"
    assert "poisson" in error.problem and "negative_binomial" in error.problem


def test_a_severity_of_a_section_the_product_does_not_have_is_refused(version: catalog_mod.ProductVersion) -> None:
    error = refused(MINIMAL.replace("[severity.liability]", "[severity.ransom]"), version)
    assert error.key == "severity.ransom"
    assert "expense, liability, bi, pd" in error.problem


def test_an_industry_relativity_of_an_unknown_class_is_refused(version: catalog_mod.ProductVersion) -> None:
    error = refused(MINIMAL + "\n[frequency.industry]\nretial = 1.5\n", version)
    assert error.key == "frequency.industry.retial"
    assert "wholesale" in error.problem


def test_outage_hours_are_only_read_for_the_section_with_a_waiting_period(
    version: catalog_mod.ProductVersion,
) -> None:
    error = refused(MINIMAL + "\n[severity.liability.outage_hours]\nmu = 2.0\nsigma = 1.0\n", version)
    assert error.key == "severity.liability.outage_hours"


def test_a_rate_that_is_not_a_number_is_refused(version: catalog_mod.ProductVersion) -> None:
    error = refused(MINIMAL.replace("rate = 0.05", 'rate = "0.05"'), version)
    assert (error.key, error.problem) == ("frequency.rate", "must be a number, got '0.05'")


def test_a_model_written_for_another_product_version_is_refused(version: catalog_mod.ProductVersion) -> None:
    error = refused('[model]\nproduct_version = "2024-04"\n' + MINIMAL, version)
    assert error.key == "model.product_version"


def test_a_systemic_event_names_its_share_as_a_beta_or_a_fixed_share(version: catalog_mod.ProductVersion) -> None:
    event = """
[systemic.outage]
ja = "障害"
en = "Outage"
rate = 0.5
share = 0.1
[systemic.outage.severity.expense]
distribution = "lognormal"
mu = 13.0
sigma = 1.0
"""
    (outage,) = read(MINIMAL + event, version).systemic
    assert (outage.rate, outage.share, outage.mean_share, outage.industries) == (0.5, 0.1, 0.1, None)
    beta = read(MINIMAL + event.replace("share = 0.1", "share = { a = 1.0, b = 9.0 }"), version).systemic[0]
    assert (beta.share, beta.mean_share) == (None, 0.1)
