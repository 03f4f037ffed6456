"""Benchmark: the input checks issue 14 made linear, against their floor in the same run.

- ``read_measures`` (the security-measure list of a quote) on lists of 1,000 to 64,000 repeated ids, as a
  list and as the comma-separated text, against the floor of building a set of the same ids. Linear: the
  time per item stays flat as the list grows (it was quadratic: 16,000 items took 5.3 s);
- the API's body walk (NUL characters, out-of-range numbers) on a 1 MiB JSON document, against the strict
  parse of the same bytes.

Run on demand, never as a timed test:

    .venv/bin/python bench/bench_hardening.py
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from mamori.io import jsonio
from mamori.rating import values

ALLOWED = [f"S{i:02d}" for i in range(1, 11)]


def best(call: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    print(f"{'items':>8} {'list s':>10} {'text s':>10} {'set() floor s':>14} {'µs/item':>9}")
    for n in (1_000, 4_000, 16_000, 64_000):
        items = ["S01"] * n
        text = ",".join(items)
        as_list = best(lambda items=items: values.read_measures(items, ALLOWED))
        as_text = best(lambda text=text: values.read_measures(text, ALLOWED))
        floor = best(lambda items=items: set(items))
        print(f"{n:>8} {as_list:>10.4f} {as_text:>10.4f} {floor:>14.5f} {1e6 * as_list / n:>9.2f}")

    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.web.config.testing")
    import django

    django.setup()
    from mamori.web.api.parser import bounded_problems

    document = {"items": [{"name": "株式会社" * 8, "amount": i, "note": "x" * 40} for i in range(9_000)]}
    data = json.dumps(document, ensure_ascii=False).encode()
    parsed = jsonio.loads(data)
    parse = best(lambda: jsonio.loads(data))
    walk = best(lambda: bounded_problems(parsed))
    print(f"\nbody {len(data) / 2**20:.2f} MiB: strict parse {parse:.4f} s, NUL/number walk {walk:.4f} s")


if __name__ == "__main__":
    main()
