"""A worked quote demo: the published table reproduced, then a few quotes that show each rule."""

from __future__ import annotations

import json
from typing import Any

from mamori import i18n, rating, risk

_TABLE_INDUSTRIES = ("retail", "manufacturing", "wholesale", "logistics", "construction", "food_service")
_EXAMPLES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("新規開業の個人事業主（見込売上高 3,000万円）", "A new sole proprietor (projected revenue 30M yen)",
     {"industry": "professional_services", "revenue": 30_000_000, "entity": "sole_proprietor", "new_business": True}),
    ("対策10項目を申告、賠償5億円・費用1億円", "All 10 measures declared, liability 500M, expenses 100M",
     {"industry": "manufacturing", "revenue": 1_000_000_000, "liability_limit": 500_000_000,
      "expense_limit": 100_000_000, "security_measures": 10}),
    ("利益補償（3,000万円）と対人・対物追加条項付き", "With business interruption (30M) and the PD rider",
     {"industry": "retail", "revenue": 800_000_000, "bi_limit": 30_000_000, "pd_rider": True}),
    ("情報通信業（要審査）", "Information and communications (referred)",
     {"industry": "information_communications", "revenue": 500_000_000}),
    ("暗号資産交換業（お引き受け不可）", "Crypto-asset exchange (declined)",
     {"industry": "crypto_assets", "revenue": 500_000_000}),
)  # fmt: skip


def render(lang: i18n.Lang, *, as_json: bool = False) -> str:
    ja = lang == "ja"
    start = max(risk.jst_today().isoformat(), "2025-04-01")
    table = []
    for industry in _TABLE_INDUSTRIES:
        row = {"industry": industry}
        for revenue in (500_000_000, 3_000_000_000):
            product, parsed = risk.parse_risk({"industry": industry, "revenue": revenue, "start": start})
            row[str(revenue)] = rating.rate(product, parsed).monthly_premium  # type: ignore[assignment]
        table.append(row)
    examples = []
    for title_ja, title_en, raw in _EXAMPLES:
        product, parsed = risk.parse_risk({**raw, "start": start})
        quote = rating.rate(product, parsed)
        examples.append((title_ja if ja else title_en, quote, product))
    if as_json:
        doc = {
            "published_table": table,
            "examples": [{"title": t, **q.to_dict(lang)} for t, q, _ in examples],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"

    from mamori.cli import render_quote

    lines = [
        "守り Mamori — サイバー保険 見積りデモ" if ja else "Mamori — cyber insurance quote demo",
        "",
        ("公表保険料表（月額・12回払、賠償1億円・費用3,000万円・自己負担額10万円、対策5項目）"
         if ja else "Published table (monthly, 12 installments, reference conditions)"),
        "  " + ("業種 / 売上高5億円 / 売上高30億円" if ja else "industry / 500M yen / 3,000M yen"),
    ]  # fmt: skip
    for row in table:
        lines.append(f"  {row['industry']:<16}{row['500000000']:>12,}{row['3000000000']:>12,}")
    for title, quote, product in examples:
        lines += ["", f"■ {title}", render_quote(quote, product, lang).rstrip()]
    lines += ["", ("コマンド例: mamori quote --industry wholesale --revenue 500000000 --json" if ja
                   else "Try: mamori quote --industry wholesale --revenue 500000000 --json")]  # fmt: skip
    return "\n".join(lines) + "\n"
