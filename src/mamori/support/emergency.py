"""The 24-hour emergency line and "what to do now" (issue 15; product.md §4): one wording, from the product's
support terms (``[service] hotline``), for the pages, the certificate and every incident e-mail."""

from __future__ import annotations

from mamori import i18n
from mamori.catalog.support import SupportTerms

__all__ = ["STEPS", "email_footer", "hotline_line", "what_to_do"]

#: The steps of "what to do now", in order (texts ``emergency.step.N`` of the message catalogue).
STEPS = 4


def hotline_line(terms: SupportTerms, lang: i18n.Lang) -> str:
    return i18n.text("emergency.hotline", lang, hotline=terms.hotline)


def what_to_do(terms: SupportTerms, lang: i18n.Lang) -> list[str]:
    return [i18n.text(f"emergency.step.{n}", lang, hotline=terms.hotline) for n in range(1, STEPS + 1)]


def email_footer(terms: SupportTerms, link: str = "") -> str:
    """The end of every incident e-mail, in Japanese then English: the line, what to do now, the link."""
    parts: list[str] = []
    for lang in ("ja", "en"):
        lang_ = i18n.as_lang(lang)
        parts.append(hotline_line(terms, lang_))
        parts.append(i18n.text("emergency.now", lang_) + ":")
        parts.extend(f"{n}. {step}" for n, step in enumerate(what_to_do(terms, lang_), start=1))
        if link:
            parts.append(i18n.text("emergency.link", lang_, link=link))
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"
