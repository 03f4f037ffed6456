"""The certificate (保険証券) as a PDF, in Japanese (English on request), with every term of the version.

The Japanese font is IPAexGothic, shipped by the ``japanize-matplotlib`` package that the project installs
(no system font is assumed); fpdf2 embeds the subset the document uses, so any reader shows it.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpdf import FPDF

from mamori import catalog as catalog_mod
from mamori import i18n
from mamori.claims import rules
from mamori.support import emergency

FONT = "IPAexGothic"


class FontMissing(RuntimeError):
    """The packaged Japanese font is not installed (japanize-matplotlib)."""


@functools.cache
def font_path() -> Path:
    spec = importlib.util.find_spec("japanize_matplotlib")  # found without importing matplotlib
    if spec is None or not spec.submodule_search_locations:
        raise FontMissing("the package japanize-matplotlib (IPAexGothic font) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "ipaexg.ttf"
    if not path.is_file():
        raise FontMissing(f"{path} is missing")
    return path


@dataclass(frozen=True, kw_only=True)
class CertificateData:
    number: str
    version: int
    effective_date: dt.date
    issued_at: dt.datetime
    business_name: str
    business_entity: str  # corporation | sole_proprietor
    business_address: str
    industry: str
    revenue: int
    measures_declared: int
    start_at: dt.datetime
    end_at: dt.datetime
    retroactive_date: dt.date
    liability_limit: int
    expense_limit: int
    deductible: int
    bi_limit: int
    pd_rider: bool
    payment: str
    installment_amount: int
    installments: int
    total_premium: int
    product: catalog_mod.ProductVersion


_WORDS: dict[str, tuple[str, str]] = {
    "title": ("保険証券", "Certificate of insurance"),
    "number": ("証券番号", "Policy number"),
    "version": ("契約内容の版", "Version"),
    "effective": ("この版の適用日", "Effective from"),
    "holder": ("保険契約者・被保険者", "Policyholder and insured"),
    "address": ("所在地", "Address"),
    "entity.corporation": ("法人", "Corporation"),
    "entity.sole_proprietor": ("個人事業主", "Sole proprietor"),
    "product": ("保険商品", "Product"),
    "period": ("保険期間", "Period of insurance"),
    "retro": ("遡及日（賠償責任）", "Retroactive date (liability)"),
    "industry": ("業種", "Industry"),
    "revenue": ("年間売上高", "Annual revenue"),
    "measures": ("申告したセキュリティ対策", "Security measures declared"),
    "limits": ("支払限度額・自己負担額", "Limits and deductible"),
    "liability": ("賠償責任（1請求・保険期間中）", "Liability (per claim and per period)"),
    "expense": ("費用損害（保険期間中）", "Expenses (per period)"),
    "deductible": ("自己負担額（1事故）", "Deductible (per accident)"),
    "bi": ("利益・営業継続費用補償追加条項", "Business-interruption option"),
    "pd": ("サイバー攻撃による対人・対物事故補償追加条項", "Bodily-injury/property-damage rider"),
    "attached": ("付帯", "Included"),
    "not_attached": ("付帯なし", "Not included"),
    "premium": ("保険料", "Premium"),
    "payment.monthly": ("月払（{n}回）", "Monthly ({n} installments)"),
    "payment.annual": ("一時払", "Single annual payment"),
    "total": ("年間保険料合計", "Total premium for the period"),
    "coverage": ("補償内容", "Cover"),
    "sublimit": ("内枠の支払限度額", "sublimit"),
    "exclusions": ("主な免責事由（保険金をお支払いできない主な場合）", "Main exclusions"),
    "support": (
        "緊急時サポート総合サービス（自動セット・日本国内の事故のみ・{h}時間受付）",
        "Emergency support service (automatically attached; incidents in Japan only; {h}-hour intake)",
    ),
    "issued": ("発行日時", "Issued"),
    "footer": (
        "この保険証券は電子的に発行されています。契約内容の変更は新しい版として発行されます。",
        "This certificate is issued electronically. A change to the policy is issued as a new version.",
    ),
    "yen": ("{amount}円", "{amount} yen"),
    "measures_n": ("{n}項目", "{n} items"),
    "tax": ("保険料は消費税の課税対象ではありません。", "Insurance premiums are not subject to consumption tax."),
}


def _w(key: str, lang: str, **params: object) -> str:
    ja, en = _WORDS[key]
    return (ja if lang == "ja" else en).format(**params)


def _yen(amount: int, lang: str) -> str:
    return _w("yen", lang, amount=f"{amount:,}")


def _day(day: dt.date, lang: str) -> str:
    """One date format per language, as the pages (issue 15): 2026年12月3日 / 3 Dec 2026."""
    return f"{day.year}年{day.month}月{day.day}日" if lang == "ja" else f"{day.day} {day:%b} {day.year}"


def _local(at: dt.datetime, tz: dt.tzinfo, lang: str = "ja") -> str:
    local = at.astimezone(tz)
    return f"{_day(local.date(), lang)} {local:%H:%M} {local.tzname()}"


class PdfDocument(FPDF):  # fpdf2 ships no type information
    """An A4 document of the insurer's (the certificate, the monthly close): the bundled Japanese font
    embedded, and ``footer_text`` with the page number at the foot of every page."""

    def __init__(self, lang: str, *, footer_text: str, side_margin: float = 18) -> None:
        super().__init__(format="A4")
        self.lang = lang
        self.footer_text = footer_text
        self.add_font(FONT, fname=str(font_path()))
        self.set_font(FONT, size=10)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(side_margin, 16, side_margin)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, size=7)
        self.cell(0, 5, f"{self.footer_text}  {self.page_no()}/{{nb}}", align="C")
        self.set_font(FONT, size=10)


class _Document(PdfDocument):
    def __init__(self, lang: str) -> None:
        super().__init__(lang, footer_text=_w("footer", lang))

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(FONT, size=11)
        self.set_fill_color(232, 238, 246)
        self.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT", fill=True)
        self.set_font(FONT, size=10)

    def row(self, label: str, value: str) -> None:
        self.set_text_color(80, 80, 80)
        size = 10.0
        while size > 6 and self.get_string_width(label) > 68:  # a long label shrinks rather than overlap
            size -= 0.5
            self.set_font(FONT, size=size)
        self.cell(70, 6, label)
        self.set_font(FONT, size=10)
        self.set_text_color(0, 0, 0)
        self.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")


def certificate_pdf(data: CertificateData, *, lang: str = "ja") -> bytes:
    """The certificate of one policy version, as PDF bytes (the font subset embedded)."""
    lang = "ja" if lang == "ja" else "en"
    doc = _Document(lang)
    doc.set_title(f"{_w('title', lang)} {data.number}")
    doc.set_creation_date(data.issued_at)
    doc.alias_nb_pages()
    doc.add_page()
    for part in (_identity, _holder, _period, _limits, _premium, _cover, _exclusions, _support):
        part(doc, data, lang)
    return bytes(doc.output())


def _identity(doc: _Document, data: CertificateData, lang: str) -> None:
    doc.set_font(FONT, size=18)
    doc.cell(0, 12, f"{data.product.name(lang)}　{_w('title', lang)}", new_x="LMARGIN", new_y="NEXT", align="C")
    doc.set_font(FONT, size=10)
    doc.row(_w("number", lang), data.number)
    doc.row(_w("version", lang), f"{data.version}")
    doc.row(_w("effective", lang), _day(data.effective_date, lang))
    doc.row(_w("issued", lang), _local(data.issued_at, data.product.tz, lang))


def _holder(doc: _Document, data: CertificateData, lang: str) -> None:
    doc.heading(_w("holder", lang))
    doc.row(_w("holder", lang), f"{data.business_name}（{_w('entity.' + data.business_entity, lang)}）")
    if data.business_address:
        doc.row(_w("address", lang), data.business_address)
    industry = data.product.rating.industries.get(data.industry)
    doc.row(_w("industry", lang), industry.name(lang) if industry else data.industry)
    doc.row(_w("revenue", lang), _yen(data.revenue, lang))
    doc.row(_w("measures", lang), _w("measures_n", lang, n=data.measures_declared))


def _period(doc: _Document, data: CertificateData, lang: str) -> None:
    product = data.product
    doc.heading(_w("product", lang))
    doc.row(_w("product", lang), f"{product.name(lang)} ({product.id} {product.version}, {product.content_hash[:12]})")
    doc.row(_w("period", lang), f"{_local(data.start_at, product.tz, lang)} – {_local(data.end_at, product.tz, lang)}")
    doc.row(_w("retro", lang), _day(data.retroactive_date, lang))


def _limits(doc: _Document, data: CertificateData, lang: str) -> None:
    doc.heading(_w("limits", lang))
    doc.row(_w("liability", lang), _yen(data.liability_limit, lang))
    doc.row(_w("expense", lang), _yen(data.expense_limit, lang))
    doc.row(_w("deductible", lang), _yen(data.deductible, lang))
    doc.row(_w("bi", lang), _yen(data.bi_limit, lang) if data.bi_limit else _w("not_attached", lang))
    doc.row(_w("pd", lang), _w("attached" if data.pd_rider else "not_attached", lang))


def _premium(doc: _Document, data: CertificateData, lang: str) -> None:
    doc.heading(_w("premium", lang))
    known = data.payment in ("monthly", "annual")
    method = _w(f"payment.{data.payment}", lang, n=data.installments) if known else data.payment
    doc.row(method, _yen(data.installment_amount, lang))
    doc.row(_w("total", lang), _yen(data.total_premium, lang))
    doc.row("", _w("tax", lang))


def _cover(doc: _Document, data: CertificateData, lang: str) -> None:
    coverage = data.product.coverage
    doc.heading(_w("coverage", lang))
    for item in coverage.items.values():
        if item.rider is not None and not data.pd_rider:
            continue
        sub = ""
        if item.sublimit_amount is not None:
            sub = f"（{_w('sublimit', lang)} {_yen(item.sublimit_amount, lang)}）"
        elif item.sublimit_share is not None:
            sub = f"（{_w('sublimit', lang)} {_yen(rules.share_of(data.expense_limit, item.sublimit_share), lang)}）"
        doc.row(coverage.sections[item.section].name.get(lang), f"{item.name.get(lang)}{sub}")


def _exclusions(doc: _Document, data: CertificateData, lang: str) -> None:
    doc.heading(_w("exclusions", lang))
    for code, exclusion in data.product.coverage.exclusions.items():
        if exclusion.scope in ("claim", "line", "part"):
            doc.multi_cell(0, 5.5, f"・{exclusion.text.get(lang)}（{code}）", new_x="LMARGIN", new_y="NEXT")


def _support(doc: _Document, data: CertificateData, lang: str) -> None:
    support = data.product.support
    doc.heading(_w("support", lang, h=support.intake_hours))
    for phase in support.phases:
        doc.multi_cell(0, 5.5, f"・{phase.ja if lang == 'ja' else phase.en}", new_x="LMARGIN", new_y="NEXT")
    lang_ = i18n.as_lang(lang)
    doc.multi_cell(0, 6, emergency.hotline_line(support, lang_), new_x="LMARGIN", new_y="NEXT")
    doc.multi_cell(0, 5.5, i18n.text("emergency.now", lang_), new_x="LMARGIN", new_y="NEXT")
    for n, step in enumerate(emergency.what_to_do(support, lang_), start=1):
        doc.multi_cell(0, 5.5, f"{n}. {step}", new_x="LMARGIN", new_y="NEXT")


class _Statement(_Document):
    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, size=7)
        self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="C")
        self.set_font(FONT, size=10)


def document_pdf(doc: dict[str, Any], lang: str = "ja") -> bytes:
    """A document of :mod:`mamori.usecases.disclosure` (重要事項説明書, 約款) as PDF bytes, as its page shows it."""
    pdf = _Statement("ja" if lang == "ja" else "en")
    pdf.set_title(str(doc["title"]))
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(FONT, size=15)
    pdf.multi_cell(0, 9, str(doc["title"]), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(FONT, size=9)
    pdf.cell(0, 6, f"{doc['product']}  {doc['version']}", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(FONT, size=10)
    for part in doc["parts"]:
        if len(doc["parts"]) > 1:
            pdf.ln(2)
            pdf.set_font(FONT, size=13)
            pdf.cell(0, 9, str(part["title"]), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT, size=10)
        for section in part["sections"]:
            pdf.heading(str(section["title"]))
            for paragraph in section["paragraphs"]:
                pdf.multi_cell(0, 5.5, f"・{paragraph}", new_x="LMARGIN", new_y="NEXT")
            for label, value in section["rows"]:
                pdf.row(str(label), str(value))
    return bytes(pdf.output())
