"""``mamori portfolio simulate``, ``mamori portfolio export-oed`` and ``mamori portfolio model``: parse, call
the use case, print (interfaces.md §1.6).

The engine (numba, Dask) is imported only when a command of this module runs, so that other commands do
not pay for it. A progress bar goes to stderr unless ``--json``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Final

from mamori import i18n
from mamori.cli import args as args_mod
from mamori.cli import common, streams
from mamori.errors import FieldError, InvalidInput

__all__ = ["register"]


class _Words:
    """The words of the readable output, from the message catalogue (``portfolio.*``): ``words["aal"]``."""

    def __init__(self, lang: i18n.Lang) -> None:
        self.lang = lang

    def __getitem__(self, key: str) -> str:
        return i18n.catalogue()["texts"][f"portfolio.{key}"][self.lang]


def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    group = sub.add_parser("portfolio", help="portfolio risk: simulated years, EP curves, PML and TVaR")
    commands = args_mod.subcommands(group, dest="portfolio_command")

    sim = commands.add_parser("simulate", parents=[shared], help="simulate a book of policies under a loss model")
    sim.add_argument("book", metavar="BOOK", help="policies: CSV (UTF-8 or Shift_JIS) or Parquet")
    sim.add_argument("model", metavar="MODEL", help="loss model (TOML); `mamori portfolio model` prints the reference")
    sim.add_argument("--years", type=args_mod.integer, required=True, metavar="N", help="simulated years")
    sim.add_argument(
        "--seed", type=args_mod.integer, default=0, metavar="S", help="random seed (default 0): same seed, same answer"
    )
    where = sim.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=args_mod.integer, metavar="W", help="local Dask workers (default: one per core)"
    )
    where.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    sim.add_argument("--out", metavar="DIR", help="also write the year loss table (Parquet) and the plots (PNG)")
    sim.add_argument(
        "--treaty", metavar="FILE", help="reinsurance treaty (TOML): also answer ceded and net of it (product.md §8.4)"
    )
    sim.set_defaults(handler=simulate)

    oed = commands.add_parser("export-oed", parents=[shared], help="write a book as Oasis OED (v4, cyber)")
    oed.add_argument("book", metavar="BOOK", help="policies: CSV or Parquet")
    oed.add_argument("folder", metavar="DIR", help="folder for account.csv (and location.csv)")
    oed.add_argument("--location", action="store_true", help="also location.csv (OED cyber needs only account.csv)")
    oed.add_argument("--start", metavar="YYYY-MM-DD", help="start date of policies without a start_date column")
    oed.add_argument("--product-version", dest="product_version", metavar="V", help="product version (default: latest)")
    oed.set_defaults(handler=export_oed)

    model = commands.add_parser("model", parents=[shared], help="print the reference loss model (TOML) to edit")
    model.set_defaults(handler=print_model)


class _Bar:
    """A progress bar on stderr: ``simulating [########------------] 12/30``."""

    WIDTH: Final = 30

    def __init__(self, stream: streams.Output, label: str) -> None:
        self.stream = stream
        self.label = label

    def __call__(self, done: int, total: int) -> None:
        filled = self.WIDTH * done // max(total, 1)
        self.stream.write_control("\r")
        self.stream.write(f"{self.label} [{'#' * filled}{'-' * (self.WIDTH - filled)}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def simulate(args: argparse.Namespace, ctx: common.Context) -> int:
    from mamori.portfolio.runner import Cluster, SchedulerUnreachable
    from mamori.usecases import portfolio

    words = _Words(ctx.lang)
    progress = None if ctx.as_json else _Bar(ctx.err, words["progress"])
    try:
        run = portfolio.simulate(
            ctx.catalog, Path(args.book), Path(args.model), years=args.years, seed=args.seed,
            cluster=Cluster(workers=args.workers, scheduler=args.scheduler),
            out=None if args.out is None else Path(args.out), lang=ctx.lang, progress=progress,
            treaty_path=None if args.treaty is None else Path(args.treaty),
        )  # fmt: skip
    except InvalidInput as exc:
        return common.print_errors(ctx, exc)
    except SchedulerUnreachable as exc:
        params = {"value": exc.address, "detail": exc.problem}  # Dask's own words: in English only
        return common.print_errors(ctx, InvalidInput([FieldError("scheduler", "E_SCHEDULER", params)]))
    answer = {**run.answer, "outputs": run.outputs} if run.outputs else run.answer
    if ctx.as_json:
        common.print_json(ctx, answer)
    else:
        ctx.out.write(render(answer, ctx.lang, seconds=run.seconds))
    return common.EXIT_OK


def _yen(amount: int, lang: str) -> str:
    return i18n.text("yen", "ja" if lang == "ja" else "en", amount=f"{amount:,}")


def render(answer: dict[str, Any], lang: str, *, seconds: float | None = None) -> str:
    """The answer for people, in Japanese or English."""
    words = _Words("ja" if lang == "ja" else "en")
    a = answer
    lines = [
        words["title"].format(
            policies=a["policies"],
            years=a["years"],
            seed=a["seed"],
            model=a["model"],
            product=a["product"],
            version=a["product_version"],
        ),
        f"{words['aal']}: {_yen(a['aal'], lang)}",
        f"{words['std']}: {_yen(a['std'], lang)}",
        words["ep_head"],
    ]
    for t in a["aep"]:
        period = words["years"].format(t=t)
        lines.append(f"  {period:<12}{_yen(a['aep'][t], lang):>22}  {_yen(a['oep'][t], lang):>22}")
    for level, value in a["tvar"].items():
        share = f"{100 - float(level):g}"
        lines.append(f"{words['tvar'].format(level=level, share=share)}: {_yen(value, lang)}")
    if "net" in a:
        lines.append(words["treaty_head"].format(treaty=a["treaty"].get("ja" if lang == "ja" else "en", "")))
        lines.append(words["treaty_columns"])
        for key in ("gross", "ceded", "net"):
            row = a[key]
            lines.append(f"  {words[key]:<10}{_yen(row['aal'], lang):>20}{_yen(row['aep']['200'], lang):>22}"
                         f"{_yen(row['oep']['200'], lang):>22}{_yen(row['tvar']['99.5'], lang):>22}")  # fmt: skip
    p = a["premium"]
    ratio = "-" if p["loss_ratio"] is None else f"{p['loss_ratio']:.1%}"
    lines.append(words["premium"].format(charged=_yen(p["charged"], lang), technical=_yen(p["technical"], lang),
                                         loading=p["loading"], ratio=ratio))  # fmt: skip
    lines.append(words["industry_head"])
    for code, row in sorted(a["by_industry"].items(), key=lambda item: -item[1]["aal"]):
        adequacy = "-" if row["adequacy"] is None else f"{row['adequacy']:.2f}"
        lines.append(f"  {code:<20}{row['policies']:>8,}{row['aal']:>14,}{row['technical_premium']:>16,}"
                     f"{row['charged_premium']:>14,}{adequacy:>9}")  # fmt: skip
    if a["systemic"]:
        lines.append(words["systemic"])
        lines += [f"  {code}: {_yen(row['aal'], lang)}" for code, row in a["systemic"].items()]
    if a.get("outputs"):
        lines.append(f"{words['outputs']}:")
        lines += [f"  {path}" for path in a["outputs"].values()]
    if seconds is not None:
        lines.append(words["seconds"].format(seconds=seconds))
    return "\n".join(lines) + "\n"


def export_oed(args: argparse.Namespace, ctx: common.Context) -> int:
    from mamori.rating import values
    from mamori.usecases import portfolio

    try:
        start = None
        if args.start is not None:
            read = values.read_date(args.start)
            if isinstance(read, values.Failure):
                raise InvalidInput([FieldError("start", str(read), {"value": args.start})])
            start = read
        paths = portfolio.export_oed(
            ctx.catalog,
            Path(args.book),
            Path(args.folder),
            start=start,
            version_name=args.product_version,
            with_location=args.location,
        )
    except InvalidInput as exc:
        return common.print_errors(ctx, exc)
    if ctx.as_json:
        common.print_json(ctx, paths)
    else:
        ctx.out.write(" ".join([_Words(ctx.lang)["oed_done"], *paths.values()]) + "\n")
    return common.EXIT_OK


def print_model(args: argparse.Namespace, ctx: common.Context) -> int:
    from mamori.usecases import portfolio

    text = portfolio.DEFAULT_MODEL.read_text(encoding="utf-8")
    if ctx.as_json:
        common.print_json(ctx, {"path": str(portfolio.DEFAULT_MODEL), "toml": text})
    else:
        ctx.out.write(text)
    return common.EXIT_OK
