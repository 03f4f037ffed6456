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
