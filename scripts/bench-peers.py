#!/usr/bin/env python3
"""The peers scripts/bench times quire against, on the same text:
typst for the PDFs and pandoc for the EPUBs.

  bench-peers.py sources QUIRE CONFIG DIR   write DIR/typst/<volume>.<edition>.typ and
                                            DIR/pandoc/<volume>.<edition>.md (+ books.json)
  bench-peers.py typst DIR OUT              compile every DIR/typst/*.typ into OUT/*.pdf
  bench-peers.py pandoc DIR OUT             make every DIR/pandoc book into OUT/*.epub
  bench-peers.py which typst|pandoc         print the peer's name and version; exit 1 if missing

One document per book quire builds (volume × edition, read from `quire list`),
with the articles of that edition in order. The text is each article's source
in its own script: neither peer does OpenCC conversion, so a zh-Hant edition
uses the zh-Hans file of an article written only in zh-Hans, and so on. The
bilingual book is the English then the Chinese version of each article, one
after the other (quire pairs them block by block, in two columns in print).

typst: the `typst` CLI if it is on PATH (cargo install typst-cli), one process
per book; else the PyPI package (python3 -m pip install typst), all books in
one process. Markdown is turned into typst markup naively: headings and list
markers are converted, everything else is escaped text. Same bundled fonts,
A5, headings in the bold sans CJK faces.

pandoc: one `pandoc` process per book, CommonMark with footnotes, pipe tables
and strikethrough, the front matter stripped, `# title` per article (one EPUB
chapter each). The bundled fonts the book needs are embedded whole with
--epub-embed-font (pandoc does not subset), with a stylesheet that uses them.
"""
import json
import os
import re
import shutil
import subprocess
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11: no config details, defaults are used
    tomllib = None

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TYPST_HEADING_FONTS = {
    "en": '("Noto Serif", "Noto Sans CJK TC")',
    "zh-Hant": '("Noto Sans CJK TC", "Noto Serif")',
    "zh-Hans": '("Noto Sans CJK SC", "Noto Serif")',
}
TYPST_FONTS = {
    "en": '("Noto Serif", "Noto Serif CJK TC")',
    "zh-Hant": '("Noto Serif", "Noto Serif CJK TC")',
    "zh-Hans": '("Noto Serif", "Noto Serif CJK SC")',
}
LATIN_FONTS = ["NotoSerif-Regular.ttf", "NotoSerif-Italic.ttf", "NotoSerif-Bold.ttf",
               "NotoSerif-BoldItalic.ttf", "NotoSansMono-Regular.ttf"]
CJK_FONTS = {
    "zh-Hant": ["NotoSerifCJKtc-Regular.otf", "NotoSansCJKtc-Bold.otf"],
    "zh-Hans": ["NotoSerifCJKsc-Regular.otf", "NotoSansCJKsc-Bold.otf"],
}
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
PANDOC_FROM = "commonmark+footnotes+pipe_tables+strikeout+east_asian_line_breaks-raw_html"


# ---------------------------------------------------------------- the library


def load_config(config):
    """(articles dir, fonts dir, {volume: {"formats": set, "chinese": lang}}) of a quire.toml."""
    base = os.path.dirname(os.path.abspath(config))
    data = {}
    if tomllib:
        with open(config, "rb") as f:
            data = tomllib.load(f)
    articles = os.path.normpath(os.path.join(base, data.get("library", {}).get("articles", "articles")))
    fonts = os.path.normpath(os.path.join(base, data.get("fonts", {}).get("dir", "../fonts")))
    volumes = {}
    for v in data.get("volume", []):
        volumes[v["id"]] = {
            "formats": set(v.get("formats", ["epub", "pdf"])),
            "chinese": v.get("bilingual", {}).get("chinese", "zh-Hant"),
        }
    return articles, fonts, volumes


def editions(quire, config):
    """[(volume, edition, edition title, [article ids])] as `quire list` prints them."""
    listing = subprocess.run([quire, "--config", config, "list"], capture_output=True,
                             text=True, check=True).stdout
    books, volume = [], None
    for line in listing.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            volume = line.split()[0]
        elif re.match(r"^  \S+:", line):
            edition, _, title = line.strip().partition(":")
            books.append((volume, edition, title.strip(), []))
        elif line.startswith("    ") and not line.strip().startswith("total:"):
            books[-1][3].append(line.split()[0])
    return books


def read_article(path):
    """(title, Markdown body) of an article file: the +++ front matter split off."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    _, front, body = text.split("+++", 2)
    if tomllib:
        title = tomllib.loads(front)["title"]
    else:
        title = re.search(r'^title\s*=\s*"(.*)"\s*$', front, re.M).group(1)
    return title, body


def sources_for(folder, edition, chinese):
    """The article files (in order) a peer sets for one article of one edition."""
    def first(*langs):
        for lang in langs:
            path = os.path.join(folder, lang + ".md")
            if os.path.exists(path):
                return [path]
        return []

    other = {"zh-Hant": "zh-Hans", "zh-Hans": "zh-Hant"}
    if edition == "en":
        return first("en")
    if edition in other:
        return first(edition, other[edition])
    # bilingual: English, then the Chinese beside it; or whichever exists.
    return first("en") + first(chinese, other[chinese]) or first(chinese, other[chinese])


# ---------------------------------------------------------------- typst


def typst_escape(text):
    return re.sub(r'([#$*_`<>@\[\]\\~/"=+-])', r"\\\1", text)


def typst_body(title, body):
    lines = ["= " + typst_escape(title), ""]
    for line in body.splitlines():
        m = re.match(r"^(#+) (.*)", line)
        if m:
            lines.append("=" * len(m.group(1)) + " " + typst_escape(m.group(2)))
            continue
        m = re.match(r"^(\s*)([-*]|\d+\.) (.*)", line)
        if m:
            marker = "-" if m.group(2) in "-*" else "+"
            lines.append(m.group(1) + marker + " " + typst_escape(m.group(3)))
            continue
        lines.append(typst_escape(line))
    return "\n".join(lines)


def typst_doc(edition, chinese, parts):
    script = chinese if edition == "bilingual" else edition
    lang = "en" if edition in ("en", "bilingual") else "zh"
    region = {"zh-Hant": ', region: "TW"', "zh-Hans": ', region: "CN"'}.get(edition, "")
    indent = "1.5em" if lang == "en" else "2em"
    pages = "\n".join("#pagebreak()\n" + p for p in parts)
    return f"""#set page(paper: "a5")
#set text(font: {TYPST_FONTS[script]}, size: 10.5pt, lang: "{lang}"{region})
#set par(justify: true, first-line-indent: {indent}, leading: 0.8em)
#show heading: set text(font: {TYPST_HEADING_FONTS[script]}, weight: "bold")
#outline()
{pages}
"""


# ---------------------------------------------------------------- pandoc


def pandoc_css(fonts):
    faces = {
        "NotoSerif-Regular.ttf": ("Noto Serif", "normal", "normal"),
        "NotoSerif-Italic.ttf": ("Noto Serif", "normal", "italic"),
        "NotoSerif-Bold.ttf": ("Noto Serif", "bold", "normal"),
        "NotoSerif-BoldItalic.ttf": ("Noto Serif", "bold", "italic"),
        "NotoSansMono-Regular.ttf": ("Noto Sans Mono", "normal", "normal"),
        "NotoSerifCJKtc-Regular.otf": ("Noto Serif CJK TC", "normal", "normal"),
        "NotoSansCJKtc-Bold.otf": ("Noto Sans CJK TC", "bold", "normal"),
        "NotoSerifCJKsc-Regular.otf": ("Noto Serif CJK SC", "normal", "normal"),
        "NotoSansCJKsc-Bold.otf": ("Noto Sans CJK SC", "bold", "normal"),
    }
    css = []
    for font in fonts:
        family, weight, style = faces[font]
        css.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                   f'font-style: {style}; src: url("../fonts/{font}"); }}')
    cjk = [faces[f][0] for f in fonts if "CJK" in f and "Serif" in f]
    sans = [faces[f][0] for f in fonts if "CJK" in f and "Sans" in f]
    body = ", ".join(f'"{f}"' for f in ["Noto Serif", *cjk]) + ", serif"
    heads = ", ".join(f'"{f}"' for f in ["Noto Serif", *sans]) + ", sans-serif"
    css.append(f"body {{ font-family: {body}; line-height: 1.6; }}")
    css.append(f"h1, h2, h3, h4, h5, h6 {{ font-family: {heads}; }}")
    css.append('code, pre { font-family: "Noto Sans Mono", monospace; }')
    return "\n".join(css) + "\n"


# ---------------------------------------------------------------- commands


def cmd_sources(quire, config, out):
    articles, fonts, volumes = load_config(config)
    typ_dir, pan_dir = os.path.join(out, "typst"), os.path.join(out, "pandoc")
    os.makedirs(typ_dir, exist_ok=True)
    os.makedirs(pan_dir, exist_ok=True)
    jobs = []
    for volume, edition, title, ids in editions(quire, config):
        info = volumes.get(volume, {"formats": {"epub", "pdf"}, "chinese": "zh-Hant"})
        chinese = info["chinese"]
        name = f"{volume}.{edition}"
        files = [p for i in ids for p in sources_for(os.path.join(articles, i), edition, chinese)]
        texts = [read_article(p) for p in files]
        if "pdf" in info["formats"]:
            with open(os.path.join(typ_dir, name + ".typ"), "w", encoding="utf-8") as f:
                f.write(typst_doc(edition, chinese, [typst_body(t, b) for t, b in texts]))
        if "epub" in info["formats"]:
            md = "\n\n".join(f"# {t}\n\n{b.strip()}\n" for t, b in texts)
            with open(os.path.join(pan_dir, name + ".md"), "w", encoding="utf-8") as f:
                f.write(md)
            script = chinese if edition == "bilingual" else edition
            embed = list(LATIN_FONTS)
            if script != "en" or HAN.search(md):
                embed += CJK_FONTS["zh-Hant" if script == "en" else script]
            with open(os.path.join(pan_dir, name + ".css"), "w", encoding="utf-8") as f:
                f.write(pandoc_css(embed))
            lang = {"bilingual": "en"}.get(edition, edition)
            jobs.append({
                "name": name,
                "args": ["-f", PANDOC_FROM, "-t", "epub3", "--toc", "--epub-chapter-level=1",
                         "--metadata", f"title={title}", "--metadata", f"lang={lang}",
                         "--css", name + ".css",
                         *(f"--epub-embed-font={os.path.join(fonts, f)}" for f in embed),
                         name + ".md"],
            })
    with open(os.path.join(pan_dir, "books.json"), "w", encoding="utf-8") as f:
        json.dump({"fonts": fonts, "books": jobs}, f, indent=1, ensure_ascii=False)
    with open(os.path.join(out, "fonts"), "w", encoding="utf-8") as f:
        f.write(fonts + "\n")


def typst_cli():
    return shutil.which("typst")


def cmd_which(peer):
    if peer == "typst":
        cli = typst_cli()
        if cli:
            out = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout
            print(f"{out.strip()} (CLI, one process per book)")
            return 0
        try:
            import typst
        except ImportError:
            return 1
        print(f"typst {getattr(typst, '__version__', '?')} (Python package, one process)")
        return 0
    if peer == "pandoc":
        if not shutil.which("pandoc"):
            return 1
        out = subprocess.run(["pandoc", "--version"], capture_output=True, text=True).stdout
        print(f"{out.splitlines()[0]} (one process per book)")
        return 0
    sys.exit(f"unknown peer {peer}")


def cmd_typst(src, out):
    with open(os.path.join(src, "fonts"), encoding="utf-8") as f:
        fonts = f.read().strip()
    os.makedirs(out, exist_ok=True)
    docs = sorted(d for d in os.listdir(os.path.join(src, "typst")) if d.endswith(".typ"))
    cli = typst_cli()
    if not cli:
        import typst
    for doc in docs:
        path = os.path.join(src, "typst", doc)
        pdf = os.path.join(out, doc[:-4] + ".pdf")
        if cli:
            subprocess.run([cli, "compile", "--font-path", fonts, "--ignore-system-fonts",
                            path, pdf], check=True)
        else:
            typst.compile(path, output=pdf, font_paths=[fonts], ignore_system_fonts=True)


def cmd_pandoc(src, out):
    folder = os.path.join(src, "pandoc")
    with open(os.path.join(folder, "books.json"), encoding="utf-8") as f:
        books = json.load(f)["books"]
    out = os.path.abspath(out)
    os.makedirs(out, exist_ok=True)
    for book in books:
        subprocess.run(["pandoc", "-o", os.path.join(out, book["name"] + ".epub"), *book["args"]],
                       cwd=folder, check=True)


def main():
    args = sys.argv[1:]
    usage = __doc__.split("\n\n")[1]
    if args[:1] == ["sources"] and len(args) == 4:
        cmd_sources(*args[1:])
    elif args[:1] == ["typst"] and len(args) == 3:
        cmd_typst(*args[1:])
    elif args[:1] == ["pandoc"] and len(args) == 3:
        cmd_pandoc(*args[1:])
    elif args[:1] == ["which"] and len(args) == 2:
        sys.exit(cmd_which(args[1]))
    else:
        sys.exit("usage:\n" + usage)


if __name__ == "__main__":
    main()
