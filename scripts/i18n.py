#!/usr/bin/env python3
"""Keep the web application's gettext catalogue in step with the code, without system gettext tools.

    .venv/bin/python scripts/i18n.py          # add new strings to the .po (empty), drop unused, compile the .mo
    .venv/bin/python scripts/i18n.py --check  # exit 1 if a string has no translation or the .mo is stale

Strings come from ``{% translate "..." %}`` in templates and ``_("...")`` / ``gettext_lazy("...")`` in
Python files of ``mamori.web``; Japanese is the translation (the msgids are English).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import polib

WEB = Path(__file__).resolve().parent.parent / "src" / "mamori" / "web"
PO = WEB / "locale" / "ja" / "LC_MESSAGES" / "django.po"
TEMPLATE = re.compile(r"""\{%\s*translate\s+(?P<q>["'])(?P<s>.*?)(?P=q)""")
PYTHON = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*(?P<q>["'])(?P<s>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*\)""")


def strings() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(WEB.rglob("*.html")):
        for m in TEMPLATE.finditer(path.read_text(encoding="utf-8")):
            # Django looks a template's literal up with its percent signs doubled (as makemessages writes it).
            found.setdefault(m["s"].replace("%", "%%"), str(path.relative_to(WEB)))
    for path in sorted(WEB.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for m in PYTHON.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(
                m["s"].encode().decode("unicode_escape") if "\\" in m["s"] else m["s"], str(path.relative_to(WEB))
            )
    return found


def load() -> polib.POFile:
    if PO.exists():
        return polib.pofile(str(PO))
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "ja", "MIME-Version": "1.0"}
    return po


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    wanted = strings()
    po = load()
    have = {e.msgid: e for e in po}
    missing = [s for s in wanted if s not in have or not have[s].msgstr]
    unused = [s for s in have if s not in wanted]
    if args.check:
        stale = not PO.with_suffix(".mo").exists() or PO.with_suffix(".mo").read_bytes() != bytes(po.to_binary())
        for s in missing:
            print(f"untranslated: {s!r} ({wanted[s]})")
        for s in unused:
            print(f"unused: {s!r}")
        if stale:
            print(f"stale: {PO.with_suffix('.mo')} (run scripts/i18n.py)")
        return 1 if missing or unused or stale else 0
    for s, where in wanted.items():
        if s not in have:
            po.append(polib.POEntry(msgid=s, msgstr="", occurrences=[(where, "")]))
    for entry in [e for e in po if e.msgid in unused]:
        po.remove(entry)
    PO.parent.mkdir(parents=True, exist_ok=True)
    po.sort(key=lambda e: e.msgid) if hasattr(po, "sort") else None
    po.save(str(PO))
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    print(f"{len(wanted)} strings, {len(missing)} untranslated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
