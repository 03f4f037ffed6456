"""``mamori reserve`` (interfaces.md §1.7) end to end: long and wide, CSV and Parquet, the same answer; BF with a
premium file; the readable table."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from mamori import cli

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "books"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_long_wide_csv_and_parquet_give_the_same_answer(tmp_path: Path) -> None:
    code, wide, _ = run("reserve", str(GOLDEN / "raa.csv"), "--method", "mack", "--json")
    assert code == 0
    answer = json.loads(wide)
    assert answer["total"] == {"latest": 160_987, "ultimate": 213_122, "ibnr": 52_135, "se": 26_909}
    assert [o["origin"] for o in answer["origins"]] == [str(y) for y in range(1981, 1991)]
    long_rows = []
    for line in (GOLDEN / "raa.csv").read_text(encoding="utf-8").splitlines()[1:]:
        origin, *values = line.split(",")
        long_rows += [{"origin": origin, "age": k + 1, "value": int(v)} for k, v in enumerate(values) if v]
    parquet = tmp_path / "raa.parquet"
    pq.write_table(pa.Table.from_pylist(long_rows), parquet)
    code, out, _ = run("reserve", str(parquet), "--method", "mack", "--json")
    assert code == 0 and json.loads(out) == answer


def test_bornhuetter_ferguson_with_a_premium_file(tmp_path: Path) -> None:
    premium = tmp_path / "premium.csv"
    origins = [str(y) for y in range(1981, 1991)]
    premium.write_text("origin,earned_premium\n" + "".join(f"{o},40000\n" for o in origins), encoding="utf-8")
    code, out, err = run("reserve", str(GOLDEN / "raa.csv"), "--method", "bf", "--premium", str(premium),
                         "--loss-ratio", "0.6", "--json")  # fmt: skip
    assert code == 0, err
    answer = json.loads(out)
    assert answer["method"] == "bf" and "se" not in answer["total"]
    assert answer["origins"][0]["ibnr"] == 0 and answer["origins"][-1]["ibnr"] > 20_000
    code, text, _ = run("reserve", str(GOLDEN / "taylor_ashe.csv"), "--method", "mack", "--lang", "en")
    assert code == 0 and "18,680,856" in text and "2,447,095" in text


def test_the_books_commands_start_django_themselves(tmp_path: Path) -> None:
    """In a process of their own (no Django set up before): an empty book closes with zeros; without a
    secret key outside the demo, exit 2 naming it."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAMORI_", "DJANGO_", "DATABASE_URL"))}
    env["MAMORI_DATA_DIR"] = str(tmp_path / "data")
    command = [sys.executable, "-m", "mamori.cli", "books", "close", "--month", "2026-11", "--json"]
    refused = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert refused.returncode == 2 and "MAMORI_SECRET_KEY" in refused.stderr
    done = subprocess.run(command, cwd=tmp_path, env={**env, "MAMORI_DEMO": "1"}, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    close = json.loads(done.stdout)
    assert close["premium"]["written_to_date"] == 0 and close["claims"]["incurred"] == 0
