"""``mamori portfolio simulate`` and ``export-oed`` end to end: files in, answer and files out, on Dask."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from mamori import cli
from mamori.cli import portfolio as portfolio_cli
from mamori.usecases import portfolio as usecase

DATA = Path(__file__).resolve().parent.parent / "data" / "portfolio"
BOOK = DATA / "book.csv"
MINIMAL = DATA / "minimal-model.toml"
MODEL = usecase.DEFAULT_MODEL
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def mamori(monkeypatch: pytest.MonkeyPatch) -> Run:
    """``mamori ARGS`` with the portfolio commands registered (cli/__init__.py lists them in COMMANDS)."""
    if portfolio_cli not in cli.COMMANDS:
        monkeypatch.setattr(cli, "COMMANDS", (*cli.COMMANDS, portfolio_cli))

    def run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main([*args], stdout=out, stderr=err)
        return code, out.getvalue(), err.getvalue()

    return run


def answer_of(run: Run, *args: str) -> dict[str, Any]:
    code, out, err = run("portfolio", "simulate", *args, "--json", "--lang", "en")
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def test_simulate_answers_with_every_key_of_the_interface(mamori: Run) -> None:
    answer = answer_of(mamori, str(BOOK), str(MINIMAL), "--years", "3000", "--seed", "7", "--workers", "0")
    assert (answer["years"], answer["policies"], answer["seed"]) == (3000, 40, 7)
    assert list(answer["aep"]) == list(answer["oep"]) == ["10", "100", "200", "250"]
    assert list(answer["tvar"]) == ["99", "99.5"]
    assert all(isinstance(row["aal"], int) for row in answer["by_industry"].values())
    assert answer["aal"] > 0


def test_the_same_seed_gives_the_same_answer_on_one_or_two_local_workers(mamori: Run) -> None:
    args = (str(BOOK), str(MODEL), "--years", "4000", "--seed", "11")
    inline = answer_of(mamori, *args, "--workers", "0")
    two = answer_of(mamori, *args, "--workers", "2")
    assert inline == two
    assert answer_of(mamori, *args[:-1], "12", "--workers", "0") != inline


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[str]:
    """A Dask cluster of two worker processes, as another machine's would be: its scheduler's address."""
    import logging

    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": ":0"}, silence_logs=logging.ERROR) as cluster:  # fmt: skip
        yield str(cluster.scheduler_address)


def test_a_dask_cluster_given_by_its_address_gives_the_same_answer(mamori: Run, dask_cluster: str) -> None:
    args = (str(BOOK), str(MODEL), "--years", "5000", "--seed", "3")
    remote = answer_of(mamori, *args, "--scheduler", dask_cluster)
    assert remote == answer_of(mamori, *args, "--workers", "0")
    assert remote["events"]["independent"] > 0


def test_an_unreachable_scheduler_is_an_input_error(mamori: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from mamori.portfolio import runner

    monkeypatch.setattr(runner, "CONNECT_TIMEOUT", "1s")
    code, out, err = mamori("portfolio", "simulate", str(BOOK), str(MINIMAL), "--years", "10", "--scheduler",
                            "tcp://127.0.0.1:9", "--lang", "en")  # fmt: skip
    assert code == 2
    assert out == ""
    assert "Cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err


def test_out_writes_the_year_loss_table_the_plots_and_the_answer(mamori: Run, tmp_path: Path) -> None:
    out = tmp_path / "run"
    code, text, err = mamori("portfolio", "simulate", str(BOOK), str(MODEL), "--years", "2000", "--workers", "1",
                             "--out", str(out), "--lang", "ja")  # fmt: skip
    assert code == 0, err
    assert "年間平均損害（AAL）" in text
    assert "シミュレーション [" in err  # the progress bar
    table = pq.read_table(out / "year_loss_table.parquet")
    assert table.column_names == [
        "year",
        "loss",
        "ground_up",
        "occurrence",
        "events",
        "systemic_events",
        "systemic_loss",
    ]
    assert table.num_rows == 2000
    assert table.column("year").to_pylist()[:3] == [1, 2, 3]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["aal"] == round(sum(table.column("loss").to_pylist()) / 2000)
    for png in ("ep_curve.png", "loss_by_industry.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_json_output_has_no_progress_bar(mamori: Run) -> None:
    code, out, err = mamori(
        "portfolio", "simulate", str(BOOK), str(MINIMAL), "--years", "100", "--workers", "0", "--json"
    )
    assert code == 0
    assert err == ""
    assert json.loads(out)["years"] == 100


def test_an_invalid_book_exits_2_naming_the_field_and_the_allowed_values_and_writes_nothing(
    mamori: Run, tmp_path: Path
) -> None:
    bad = tmp_path / "book.csv"
    text = BOOK.read_text(encoding="utf-8")
    assert '"wholesale"' in text
    bad.write_text(text.replace('"wholesale"', '"bakery"', 1), encoding="utf-8")
    out = tmp_path / "run"
    code, text, err = mamori("portfolio", "simulate", str(bad), str(MODEL), "--years", "100", "--out", str(out),
                             "--lang", "en")  # fmt: skip
    assert code == 2
    assert text == ""
    assert "industry" in err and "bakery" in err and "wholesale" in err and "row" in err
    assert not out.exists()


def test_a_broken_model_exits_2_naming_the_file_the_key_and_the_problem(mamori: Run, tmp_path: Path) -> None:
    model = tmp_path / "model.toml"
    model.write_text(MINIMAL.read_text(encoding="utf-8").replace("sigma = 1.6", "sigma = -1.6"), encoding="utf-8")
    code, _, err = mamori("portfolio", "simulate", str(BOOK), str(model), "--years", "100", "--lang", "en", "--json")
    assert code == 2
    (error,) = json.loads(err.splitlines()[0])["errors"]
    assert error["field"] == "MODEL"
    assert "severity.liability.sigma" in error["message"] and "at least 0" in error["message"]


def test_years_must_be_a_positive_number(mamori: Run) -> None:
    code, _, err = mamori("portfolio", "simulate", str(BOOK), str(MINIMAL), "--years", "0", "--lang", "en")
    assert code == 2
    assert "years" in err


def test_export_oed_writes_the_account_file_and_on_request_the_location_file(mamori: Run, tmp_path: Path) -> None:
    code, out, err = mamori("portfolio", "export-oed", str(BOOK), str(tmp_path / "alone"), "--json")
    assert code == 0, err
    assert list(json.loads(out)) == ["account"]
    assert not (tmp_path / "alone" / "location.csv").exists()
    code, _, err = mamori("portfolio", "export-oed", str(BOOK), str(tmp_path / "oed"), "--location", "--json")
    assert code == 0, err
    with (tmp_path / "oed" / "account.csv").open(encoding="utf-8") as fh:
        accounts = list(csv.DictReader(fh))
    with (tmp_path / "oed" / "location.csv").open(encoding="utf-8") as fh:
        locations = list(csv.DictReader(fh))
    assert len(accounts) == len(locations) == 40
    first = accounts[0]
    assert (first["AccNumber"], first["PolInceptionDate"], first["PolExpiryDate"]) == (
        "SC-2026-00001",
        "2026-07-21",
        "2027-07-21",
    )
    assert (first["PolDed"], first["PolLimitINRE"], first["PolLimitLIA"], first["PolLimitNPBI"]) == (
        "300000",
        "10000000",
        "10000000",
        "30000000",
    )
    assert first["PolCoverage"] == "INRE;LIAB;NPBI"
    assert (first["BIWaitingPeriod"], first["AccCurrency"], first["IndustryCode1"]) == ("0.5", "JPY", "53")
    assert first["PolGrossPremium"] == "20740"
    assert locations[0]["LocNumber"] == "SC-2026-00001"


def test_the_reference_model_can_be_printed_to_edit(mamori: Run) -> None:
    code, out, _ = mamori("portfolio", "model")
    assert code == 0
    assert out == MODEL.read_text(encoding="utf-8")
