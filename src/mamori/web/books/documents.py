"""The monthly close as a PDF (Japanese first, English on request) and as CSV rows, from the answer of
:func:`mamori.usecases.books.close`. The Japanese font is the certificate's (IPAexGothic, embedded)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mamori.io.tables import neutralise_formula
from mamori.web.policies.certificate import FONT, PdfDocument

WORDS: dict[str, tuple[str, str]] = {
    "title": ("月次決算（保険料・支払備金・IBNR）", "Monthly close (premium, case reserves, IBNR)"),
    "month": ("対象月", "Month"),
    "as_of": ("評価日（月末、日本時間）", "Valued at (month end, JST)"),
    "premium": ("保険料", "Premium"),
    "written_in_month": ("当月計上保険料", "Written in the month"),
    "earned_in_month": ("当月既経過保険料", "Earned in the month"),
    "written_to_date": ("計上保険料（累計）", "Written to date"),
    "earned_to_date": ("既経過保険料（累計）", "Earned to date"),
    "unearned": ("未経過保険料", "Unearned premium"),
    "claims": ("保険金・支払備金", "Claims and case reserves"),
    "paid_in_month": ("当月支払保険金", "Paid in the month"),
    "paid_to_date": ("支払保険金（累計）", "Paid to date"),
    "case_reserves": ("支払備金（個別）", "Case reserves"),
    "incurred": ("発生保険金（支払＋支払備金）", "Incurred (paid + case reserves)"),
    "ibnr": ("IBNR（既発生未報告）", "IBNR (incurred but not reported)"),
    "chainladder": ("チェインラダー法", "Chain ladder"),
    "mack": ("Mack 法（標準誤差）", "Mack (standard error)"),
    "bf": ("ボーンヒュッター・ファーガソン法", "Bornhuetter–Ferguson"),
    "loss_ratio": ("予定損害率", "A-priori loss ratio"),
    "none": ("なし（ポートフォリオ実行がありません）", "none (no portfolio run)"),
    "by_origin": ("事故発生期間別の損害率", "Loss ratios by accident period"),
    "origin_head": (
        "発生期間　経過保険料　発生保険金　最終見込　損害率（発生／最終）",
        "Period  Earned  Incurred  Ultimate  Loss ratio (incurred / ultimate)",
    ),
    "portfolio": ("ポートフォリオの200年に1度の年間損害", "Portfolio 1-in-200 annual loss"),
    "source": ("出所", "Source"),
    "premium_source": (
        "契約の各版（発行・中途変更・解約）と、失効で取り消された分割保険料",
        "policy versions (issue, changes, cancellations) and the installments a lapse cancelled",
    ),
    "claims_source": (
        "保険金支払台帳（訂正を含む）と、月末時点で知られていた支払備金の履歴",
        "the claims ledger (corrections included) and the reserve history as known at the month's end",
    ),
    "lr_given": ("指定値", "given"),
    "lr_portfolio": ("ポートフォリオ実行の AAL ÷ 保険料", "portfolio run: AAL ÷ charged premium"),
    "footer": (
        "Mamori 月次決算 — 各数値は記録から再計算できます",
        "Mamori monthly close — every figure recomputes from the records",
    ),
}


def word(key: str, lang: str) -> str:
    ja, en = WORDS[key]
    return ja if lang == "ja" else en


def _yen(amount: Any, lang: str) -> str:
    if amount is None:
        return "-"
    return f"{int(amount):,}円" if lang == "ja" else f"¥{int(amount):,}"


def _ratio(value: Any) -> str:
    return "-" if value is None else f"{float(value):.1%}"


def rows(close: dict[str, Any], lang: str = "ja") -> list[tuple[str, str, str]]:
    """The close as (section, figure, value) rows: what the page, the PDF and the CSV show."""
    out: list[tuple[str, str, str]] = [
        ("", word("month", lang), close["month"]),
        ("", word("as_of", lang), close["as_of"]),
    ]
    p, c, i = close["premium"], close["claims"], close["ibnr"]
    for key in ("written_in_month", "earned_in_month", "written_to_date", "earned_to_date", "unearned"):
        out.append((word("premium", lang), word(key, lang), _yen(p[key], lang)))
    out.append((word("premium", lang), word("source", lang), word("premium_source", lang)))
    for key in ("paid_in_month", "paid_to_date", "case_reserves", "incurred"):
        out.append((word("claims", lang), word(key, lang), _yen(c[key], lang)))
    out.append((word("claims", lang), word("source", lang), word("claims_source", lang)))
    for method, figure in i["by_method"].items():
        if figure is None:
            value = word("none", lang)
        else:
            value = _yen(figure["ibnr"], lang)
            if figure.get("se") is not None:
                value += f" (± {_yen(figure['se'], lang)})"
        out.append((word("ibnr", lang), word(method, lang), value))
    ratio = i["loss_ratio"]
    source = i.get("loss_ratio_source")
    source = f" ({word('lr_given' if source == 'given' else 'lr_portfolio', lang)})" if source else ""
    out.append((word("ibnr", lang), word("loss_ratio", lang), ("-" if ratio is None else _ratio(ratio)) + source))
    for row in close["by_accident_period"]:
        value = (f"{_yen(row['earned_premium'], lang)} / {_yen(row['incurred'], lang)} / {_yen(row['ultimate'], lang)}"
                 f" / {_ratio(row['incurred_loss_ratio'])} / {_ratio(row['ultimate_loss_ratio'])}")  # fmt: skip
        out.append((word("by_origin", lang), row["origin"], value))
    figure = close.get("portfolio")
    if figure is None:
        out.append((word("portfolio", lang), "-", word("none", lang)))
    else:
        out.append(
            (word("portfolio", lang), str(figure["basis"]), f"{_yen(figure['aep_200'], lang)} (run {figure['run']})")
        )
    return out


def table_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text of the books' tables (UTF-8; the caller adds a BOM for spreadsheets): CRLF lines, and every
    text cell that a spreadsheet would run as a formula neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise_formula(cell) if isinstance(cell, str) else cell for cell in row])
    return buffer.getvalue()


def close_csv(close: dict[str, Any], lang: str = "ja") -> str:
    """The close as CSV text: a row per figure (section, figure, value)."""
    return table_csv(["section", "figure", "value"], rows(close, lang))


#: The columns of the written amounts' CSV (:func:`written_csv`), keys of :func:`selectors.written`'s rows.
WRITTEN_COLUMNS = ("policy", "source", "effective", "term_end", "written", "earned")


def written_csv(written: Iterable[Mapping[str, Any]]) -> str:
    """Every written amount (policy, the record it comes from, dates, written, earned) as CSV text."""
    return table_csv(WRITTEN_COLUMNS, ([row[name] for name in WRITTEN_COLUMNS] for row in written))


def premium_csv(premium: Mapping[str, Any]) -> str:
    """Written, earned and unearned premium per policy, then the total, as CSV text."""
    lines = [(row["number"], row["written"], row["earned"], row["unearned"]) for row in premium["policies"]]
    lines.append(("total", premium["written"], premium["earned"], premium["unearned"]))
    return table_csv(["number", "written", "earned", "unearned"], lines)


def close_pdf(close: dict[str, Any], *, lang: str = "ja", made_at: dt.datetime | None = None) -> bytes:
    """The close as PDF bytes (the font subset embedded)."""
    lang = "ja" if lang == "ja" else "en"
    doc = PdfDocument(lang, footer_text=word("footer", lang), side_margin=16)
    doc.set_title(f"{word('title', lang)} {close['month']}")
    if made_at is not None:
        doc.set_creation_date(made_at)
    doc.alias_nb_pages()
    doc.add_page()
    doc.set_font(FONT, size=15)
    doc.cell(0, 10, f"{word('title', lang)}　{close['month']}", new_x="LMARGIN", new_y="NEXT", align="C")
    doc.set_font(FONT, size=9)
    section = None
    for head, figure, value in rows(close, lang):
        if head and head != section:
            section = head
            doc.ln(2)
            doc.set_font(FONT, size=11)
            doc.set_fill_color(232, 238, 246)
            doc.cell(0, 7, head, new_x="LMARGIN", new_y="NEXT", fill=True)
            doc.set_font(FONT, size=9)
            if head == word("by_origin", lang):
                doc.set_text_color(80, 80, 80)
                doc.multi_cell(0, 5, word("origin_head", lang), new_x="LMARGIN", new_y="NEXT")
                doc.set_text_color(0, 0, 0)
        doc.set_text_color(80, 80, 80)
        doc.cell(62, 6, figure)
        doc.set_text_color(0, 0, 0)
        doc.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
