#!/usr/bin/env python3
"""Writes, for each volume × edition quire builds, a typst document of the same
articles (in their source script: typst does no OpenCC conversion) with the
same bundled fonts, for scripts/bench. Usage: bench-typst-sources.py QUIRE OUTDIR"""
import os
import re
import subprocess
import sys

quire, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
listing = subprocess.run([quire, "list"], capture_output=True, text=True, check=True).stdout

HEADING_FONTS = {
    "en": '("Noto Serif", "Noto Sans CJK TC")',
    "zh-Hant": '("Noto Sans CJK TC", "Noto Serif")',
    "zh-Hans": '("Noto Sans CJK SC", "Noto Serif")',
}
FONTS = {
    "en": '("Noto Serif", "Noto Serif CJK TC")',
    "zh-Hant": '("Noto Serif", "Noto Serif CJK TC")',
    "zh-Hans": '("Noto Serif", "Noto Serif CJK SC")',
}


def escape(text):
    return re.sub(r'([#$*_`<>@\[\]\\~/"=+-])', r"\\\1", text)


def body(path):
    text = open(path, encoding="utf-8").read()
    text = text.split("+++", 2)[2]
    title = re.search(r'^title = "(.*)"$', open(path, encoding="utf-8").read(), re.M).group(1)
    lines = ["= " + escape(title), ""]
    for line in text.splitlines():
        m = re.match(r"^(#+) (.*)", line)
        if m:
            lines.append("=" * len(m.group(1)) + " " + escape(m.group(2)))
            continue
        m = re.match(r"^(\s*)([-*]|\d+\.) (.*)", line)
        if m:
            marker = "-" if m.group(2) in "-*" else "+"
            lines.append(m.group(1) + marker + " " + escape(m.group(3)))
            continue
        lines.append(escape(line))
    return "\n".join(lines)


volume = edition = None
docs = {}
for line in listing.splitlines():
    if not line.startswith(" "):
        volume = line.split()[0]
    elif re.match(r"^  \S+:", line):
        edition = line.split(":")[0].strip()
        docs[(volume, edition)] = []
    elif line.startswith("    ") and not line.strip().startswith("total:"):
        docs[(volume, edition)].append(line.split()[0])

for (volume, edition), ids in docs.items():
    parts = []
    for id in ids:
        folder = os.path.join("books", "articles", id)
        for lang in [edition, "zh-Hant", "zh-Hans"] if edition != "en" else ["en"]:
            path = os.path.join(folder, lang + ".md")
            if os.path.exists(path):
                parts.append(body(path))
                break
    indent = "2em" if edition != "en" else "1.5em"
    lang = "zh" if edition != "en" else "en"
    region = {"zh-Hant": ', region: "TW"', "zh-Hans": ', region: "CN"'}.get(edition, "")
    doc = f"""#set page(paper: "a5")
#set text(font: {FONTS[edition]}, size: 10.5pt, lang: "{lang}"{region})
#set par(justify: true, first-line-indent: {indent}, leading: 0.8em)
#show heading: set text(font: {HEADING_FONTS[edition]}, weight: "bold")
#outline()
{chr(10).join("#pagebreak()" + chr(10) + p for p in parts)}
"""
    with open(os.path.join(out, f"{volume}.{edition}.typ"), "w", encoding="utf-8") as f:
        f.write(doc)
