"""Plots of a simulated book as PNG bytes: the EP curves and the loss by industry (matplotlib, Agg).

No pyplot and no global backend: each plot is a ``Figure`` drawn by the Agg canvas, so plotting is safe in
a server or a worker thread. Japanese labels need a Japanese font: the IPAexGothic font that the installed
``japanize_matplotlib`` package ships (found by its location, without importing the package, which would
change matplotlib's global settings).
"""

from __future__ import annotations

import functools
import importlib.util
import io
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

__all__ = ["ep_curve_png", "industry_png", "japanese_font"]


def _settings_folder() -> None:
    """Where HOME cannot hold matplotlib's settings and font cache (a service account, a read-only container,
    cron with ``HOME=/nonexistent``), a temporary one, chosen before matplotlib is imported: it would
    otherwise make one itself and say so in English on every run."""
    if "MPLCONFIGDIR" in os.environ or "matplotlib" in sys.modules:
        return
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    try:
        (base / "matplotlib").mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=base / "matplotlib"):
            pass
    except (OSError, RuntimeError):  # RuntimeError: no home folder at all
        os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp(prefix="mamori-matplotlib-")


_settings_folder()

IntArray = npt.NDArray[np.int64]

#: Amounts on the axes are in millions of yen (百万円).
UNIT: Final = 1_000_000
#: At most this many points of a curve are drawn (evenly spaced on the log return-period axis).
CURVE_POINTS: Final = 2000

_TEXT: Final = {
    "ja": {
        "ep_title": "超過確率曲線（{years:,}年のシミュレーション）",
        "return_period": "再現期間（年、対数目盛）",
        "loss": "損害額（百万円）",
        "aep": "年間合計損害（AEP）",
        "oep": "最大1事故・1事象損害（OEP）",
        "aep_net": "年間合計損害・再保険控除後（正味AEP）",
        "oep_net": "最大1事故・1事象損害・再保険控除後（正味OEP）",
        "industry_title": "業種別の年間平均損害と保険料",
        "aal": "年間平均損害（AAL）",
        "technical": "技術的保険料",
        "charged": "収入保険料",
        "amount": "金額（百万円）",
    },
    "en": {
        "ep_title": "Exceedance probability curves ({years:,} simulated years)",
        "return_period": "Return period (years, log scale)",
        "loss": "Loss (million yen)",
        "aep": "Aggregate annual loss (AEP)",
        "oep": "Largest occurrence (OEP)",
        "aep_net": "Aggregate annual loss, net of reinsurance (net AEP)",
        "oep_net": "Largest occurrence, net of reinsurance (net OEP)",
        "industry_title": "Average annual loss and premium by industry",
        "aal": "Average annual loss (AAL)",
        "technical": "Technical premium",
        "charged": "Charged premium",
        "amount": "Amount (million yen)",
    },
}


@functools.cache
def japanese_font() -> str | None:
    """The family name of the bundled Japanese font, registered with matplotlib (None when not installed)."""
    from matplotlib import font_manager

    spec = importlib.util.find_spec("japanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "fonts" / "ipaexg.ttf"
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return str(font_manager.FontProperties(fname=str(path)).get_name())
    return None


def _rc() -> Any:  # matplotlib types rc keys as a Literal of every name
    font = japanese_font()
    return {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "axes.unicode_minus": False}


def _png(figure: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def _curve(losses: IntArray) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Return periods (years / rank) and losses of the ranks, largest first, thinned on a log scale."""
    years = losses.shape[0]
    descending = np.sort(losses)[::-1]
    ranks = np.unique(np.geomspace(1, years, num=min(CURVE_POINTS, years)).astype(np.int64))
    return years / ranks, descending[ranks - 1] / UNIT


def ep_curve_png(
    aggregate: IntArray,
    occurrence: IntArray,
    marks: Mapping[str, Any],
    lang: str,
    *,
    net: tuple[IntArray, IntArray] | None = None,
) -> bytes:
    """The AEP and OEP curves against the return period (log axis), the figures of ``marks`` shown as dots
    (``{"aep": {"200": yen, ...}, "oep": {...}}``); with ``net`` (the years' net losses and net largest
    occurrences under a treaty), the net AEP and OEP curves beside them, dashed."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    text = _TEXT["ja" if lang == "ja" else "en"]
    with rc_context(_rc()):
        figure = Figure(figsize=(7.5, 4.6))
        ax = figure.add_subplot()
        for key, losses, colour in (("aep", aggregate, "#b03a2e"), ("oep", occurrence, "#1f618d")):
            periods, values = _curve(losses)
            ax.plot(periods, values, color=colour, label=text[key], linewidth=1.6)
            points = marks.get(key, {})
            xs = [float(p) for p in points]
            ax.scatter(xs, [points[p] / UNIT for p in points], color=colour, s=18, zorder=3)
            last = len(points) - 1
            for i, (period, value) in enumerate(points.items()):
                # AEP above the curve, OEP below it; the last point (250 years, near 200) to the right
                right = i == last
                dx, dy = (7, -3) if right else ((-5, 7) if key == "aep" else (5, -11))
                # On a white ground, above the curves: a curve that rises through a label never hides it.
                ax.annotate(f"{value / UNIT:,.0f}", (float(period), value / UNIT), textcoords="offset points",
                            xytext=(dx, dy), ha="left" if right or key == "oep" else "right", fontsize=7,
                            color=colour, zorder=4,
                            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                                  "alpha": 0.85})  # fmt: skip
        if net is not None:
            for key, losses, colour in (("aep_net", net[0], "#b03a2e"), ("oep_net", net[1], "#1f618d")):
                periods, values = _curve(losses)
                ax.plot(periods, values, color=colour, label=text[key], linewidth=1.3, linestyle="--")
        ax.set_xscale("log")
        ax.set_xlim(1, max(aggregate.shape[0], 10))
        ax.set_ylim(bottom=0)
        ax.set_xlabel(text["return_period"])
        ax.set_ylabel(text["loss"])
        ax.set_title(text["ep_title"].format(years=aggregate.shape[0]))
        ax.grid(True, which="both", linewidth=0.3, alpha=0.6)
        ax.legend(loc="upper left", fontsize=8)
        ax.yaxis.set_major_formatter(_thousands())
        return _png(figure)


def _thousands() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: _axis_number(value))


def _axis_number(value: float) -> str:
    """A tick in millions: whole numbers with separators; below 10, the decimals a small book needs (0.25)."""
    if value == int(value) or abs(value) >= 10:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def industry_png(by_industry: Mapping[str, Mapping[str, Any]], names: Mapping[str, str], lang: str) -> bytes:
    """Bars per industry: AAL, technical premium and charged premium (``by_industry`` of the answer)."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    text = _TEXT["ja" if lang == "ja" else "en"]
    codes = sorted(by_industry, key=lambda code: by_industry[code]["aal"])
    rows = np.arange(len(codes))
    with rc_context(_rc()):
        figure = Figure(figsize=(7.5, 0.9 + 0.42 * max(len(codes), 1)))
        ax = figure.add_subplot()
        height = 0.26
        series = (("aal", "#b03a2e"), ("technical_premium", "#7d3c98"), ("charged_premium", "#1f618d"))
        labels = (text["aal"], text["technical"], text["charged"])
        for offset, ((key, colour), label) in enumerate(zip(series, labels, strict=True)):
            values = [by_industry[code][key] / UNIT for code in codes]
            ax.barh(rows + (1 - offset) * height, values, height=height, color=colour, label=label)
        ax.set_yticks(rows, [names.get(code, code) for code in codes])
        ax.set_xlabel(text["amount"])
        ax.set_title(text["industry_title"], pad=24)
        ax.xaxis.set_major_formatter(_thousands())
        ax.grid(True, axis="x", linewidth=0.3, alpha=0.6)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)
        return _png(figure)
