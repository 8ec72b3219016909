//! The print format: the interior a printer takes (trim and bleed boxes, no
//! links, an even number of pages, a gutter for its page count) and the cover sheet (back, spine,
//! front; its barcode scanned by zbarimg). The library is built from a copy
//! of its config with a bleed, cream paper, ISBNs and a cover image.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use lopdf::{Document, Object};
use quire::build::{build, load_project, BuildOptions};
use quire::config::Format;

use crate::common::root;
use crate::pdf::{load, run, tools_present, word_pages};

const EPOCH: i64 = 1_735_689_600; // 2025-01-01
/// 3 mm, as the test config asks.
const BLEED: f32 = 3.0 * 72.0 / 25.4;
/// Cream paper, per page.
const CREAM: f32 = 0.0025 * 72.0;
const EN_ISBN: &str = "9780306406157";
const ZH_ISBN: &str = "9789865190002";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quire-test-{}-print-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The library's config with `[print]` settings, ISBNs for two editions of
/// `ai`, and a 400 × 600 pixel cover image for `economics`.
fn print_library(dir: &Path) -> PathBuf {
    let config = std::fs::read_to_string(root().join("books/quire.toml")).unwrap();
    let config = config
        .replace(
            "articles = \"articles\"",
            &format!("articles = {:?}", root().join("books/articles")),
        )
        .replace(
            "[[volume]]\nid = \"ai\"",
            &format!(
                "[fonts]\ndir = {:?}\n\n[print]\nbleed = \"3mm\"\npaper = \"cream\"\n\n\
                 [[volume]]\nid = \"ai\"\nisbn = {{ en = \"978-0-306-40615-7\", zh-Hant = \"978-986-519-000-2\" }}",
                root().join("fonts")
            ),
        )
        .replace(
            "[[volume]]\nid = \"economics\"",
            "[[volume]]\nid = \"economics\"\ncover = \"cover.png\"",
        );
    assert!(
        config.contains("bleed") && config.contains("cover.png"),
        "{config}"
    );
    let image = image::RgbImage::from_fn(400, 600, |x, y| {
        image::Rgb([(x / 2) as u8, (y / 3) as u8, 120])
    });
    image.save(dir.join("cover.png")).unwrap();
    let path = dir.join("quire.toml");
    std::fs::write(&path, config).unwrap();
    path
}

struct Library {
    out: PathBuf,
    /// Every file built, reading PDFs, print files and covers.
    files: Vec<PathBuf>,
    warnings: Vec<String>,
}

/// The library built once in the PDF and print formats.
fn library() -> &'static Library {
    static LIBRARY: OnceLock<Library> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let dir = temp_dir("library");
        let config = print_library(&dir);
        let (project, _) = load_project(&config).expect("the library loads");
        let out = dir.join("out");
        let options = BuildOptions {
            out_dir: out.clone(),
            source_date_epoch: Some(EPOCH),
            formats: vec![Format::Pdf, Format::Print],
            ..BuildOptions::default()
        };
        let (built, diagnostics) = build(&project, &options).expect("the library builds");
        assert!(!diagnostics.has_errors(), "{diagnostics:?}");
        Library {
            out,
            files: built.into_iter().map(|b| b.path).collect(),
            warnings: diagnostics.iter().map(|d| d.to_string()).collect(),
        }
    })
}

fn ending(suffix: &str) -> Vec<&'static PathBuf> {
    let files: Vec<_> = (library().files.iter())
        .filter(|f| f.to_string_lossy().ends_with(suffix))
        .collect();
    assert!(!files.is_empty(), "no {suffix}");
    files
}

/// `<volume>.<edition>.print.pdf`: the reading edition beside it.
fn reading_of(print: &Path) -> PathBuf {
    PathBuf::from(print.to_string_lossy().replace(".print.pdf", ".pdf"))
}

fn rect(doc: &Document, page: lopdf::ObjectId, key: &str) -> [f32; 4] {
    let dict = doc.get_dictionary(page).unwrap();
    let array = dict
        .get(key.as_bytes())
        .unwrap_or_else(|_| panic!("page without /{key}"))
        .as_array()
        .unwrap();
    let values: Vec<f32> = array.iter().map(|o| o.as_float().unwrap()).collect();
    values.try_into().unwrap()
}

fn close(a: [f32; 4], b: [f32; 4]) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01)
}

#[test]
fn the_print_format_makes_an_interior_and_a_cover_per_book() {
    let prints = ending(".print.pdf");
    let covers = ending(".cover.pdf");
    assert_eq!(prints.len(), 13, "12 editions and the vertical one");
    assert_eq!(covers.len(), prints.len());
    for print in prints {
        assert!(reading_of(print).exists(), "{}", print.display());
    }
}

/// Every page: `MediaBox` = `BleedBox` = the trim and the bleed on head,
/// foot and fore-edge; `TrimBox` the page (against the binding); no
/// annotations. The reading PDF keeps its links, its boxes the page.
#[test]
fn every_print_page_has_its_trim_and_bleed_boxes_and_no_annotations() {
    for print in ending(".print.pdf") {
        let vertical = print.to_string_lossy().contains("-vertical");
        let doc = load(print);
        let reading = load(&reading_of(print));
        let pages: Vec<_> = doc.get_pages().into_values().collect();
        let reading_pages: Vec<_> = reading.get_pages().into_values().collect();
        // A printed book has an even number of pages: a blank one ends an odd one.
        let even = reading_pages.len().next_multiple_of(2);
        assert_eq!(pages.len(), even, "{}", print.display());
        let [_, _, width, height] = rect(&reading, reading_pages[0], "MediaBox");
        for (index, &page) in pages.iter().enumerate() {
            let at = format!("{} page {}", print.display(), index + 1);
            let media = rect(&doc, page, "MediaBox");
            assert!(
                close(media, [0.0, 0.0, width + BLEED, height + 2.0 * BLEED]),
                "{at}: {media:?}"
            );
            assert_eq!(rect(&doc, page, "BleedBox"), media, "{at}");
            assert_eq!(rect(&doc, page, "CropBox"), media, "{at}");
            // A recto binds on its left; a vertical book's on its right.
            let bound_left = (index % 2 == 0) != vertical;
            let x = if bound_left { 0.0 } else { BLEED };
            let trim = rect(&doc, page, "TrimBox");
            assert!(
                close(trim, [x, BLEED, x + width, BLEED + height]),
                "{at}: {trim:?}"
            );
            let dict = doc.get_dictionary(page).unwrap();
            assert!(dict.get(b"Annots").is_err(), "{at}: annotations");
        }
        let mut links = 0;
        for &page in &reading_pages {
            let media = rect(&reading, page, "MediaBox");
            assert_eq!(rect(&reading, page, "TrimBox"), media);
            assert_eq!(rect(&reading, page, "BleedBox"), media);
            let dict = reading.get_dictionary(page).unwrap();
            links += usize::from(dict.get(b"Annots").is_ok());
        }
        assert!(
            links > 0,
            "{}: the reading PDF lost its links",
            print.display()
        );
    }
}

/// Text stays inside the trim box, and the print file holds the reading
/// file's words, page by page.
#[test]
fn the_print_text_is_the_reading_text_inside_the_trim() {
    if !tools_present(&["pdftotext"]) {
        return;
    }
    for print in ending(".print.pdf") {
        let doc = load(print);
        let ids: Vec<_> = doc.get_pages().into_values().collect();
        let pages = word_pages(print);
        let reading = word_pages(&reading_of(print));
        assert_eq!(pages.len(), reading.len().next_multiple_of(2));
        if pages.len() > reading.len() {
            assert!(
                pages.last().unwrap().words.is_empty(),
                "{}: the added page is not blank",
                print.display()
            );
        }
        for (index, (page, read)) in pages.iter().zip(&reading).enumerate() {
            let at = format!("{} page {}", print.display(), index + 1);
            // The same characters: where glyphs touch, or two columns
            // share a page, pdftotext may cut and order words differently
            // once the page is moved by the bleed.
            let characters = |words: &[crate::pdf::Word]| {
                let mut all: Vec<char> = words.iter().flat_map(|w| w.text.chars()).collect();
                all.sort_unstable();
                all
            };
            assert!(characters(&page.words) == characters(&read.words), "{at}");
            // pdftotext measures from the top of the media box.
            let [x0, y0, x1, y1] = rect(&doc, ids[index], "TrimBox");
            let (top, bottom) = (page.height - y1, page.height - y0);
            for word in &page.words {
                assert!(
                    word.x_min >= x0 - 0.5
                        && word.x_max <= x1 + 0.5
                        && word.y_min >= top - 0.5
                        && word.y_max <= bottom + 0.5,
                    "{at}: `{}` crosses the trim",
                    word.text
                );
            }
        }
    }
}

fn page_count(pdf: &Path) -> usize {
    load(pdf).get_pages().len()
}

/// One page: 2 × (trim width + bleed) + the spine (pages × cream's 0.0025
/// in) wide, trim height + 2 × bleed high; the trim box inside the bleed.
#[test]
fn a_cover_sheet_is_two_covers_a_spine_and_the_bleed() {
    for cover in ending(".cover.pdf") {
        let print = PathBuf::from(cover.to_string_lossy().replace(".cover.pdf", ".print.pdf"));
        let reading = load(&reading_of(&print));
        let first = *reading.get_pages().values().next().unwrap();
        let [_, _, width, height] = rect(&reading, first, "MediaBox");
        let spine = page_count(&print) as f32 * CREAM;
        let doc = load(cover);
        let pages: Vec<_> = doc.get_pages().into_values().collect();
        assert_eq!(pages.len(), 1);
        let sheet = [
            0.0,
            0.0,
            2.0 * (width + BLEED) + spine,
            height + 2.0 * BLEED,
        ];
        let media = rect(&doc, pages[0], "MediaBox");
        assert!(
            close(media, sheet),
            "{}: {media:?} for {sheet:?}",
            cover.display()
        );
        assert_eq!(rect(&doc, pages[0], "BleedBox"), media);
        let trim = [BLEED, BLEED, sheet[2] - BLEED, sheet[3] - BLEED];
        assert!(
            close(rect(&doc, pages[0], "TrimBox"), trim),
            "{}",
            cover.display()
        );
    }
}

/// The cover rendered at 300 dpi: zbarimg reads the edition's ISBN from its
/// barcode, and finds none on a book without one.
#[test]
fn the_cover_barcode_scans_as_the_isbn() {
    if !tools_present(&["pdftoppm", "zbarimg"]) {
        return;
    }
    let dir = temp_dir("scan");
    for (name, isbn) in [
        ("ai.en", Some(EN_ISBN)),
        ("ai.zh-Hant", Some(ZH_ISBN)),
        ("ai.zh-Hans", None),
    ] {
        let cover = library().out.join(format!("{name}.cover.pdf"));
        let png = dir.join(name);
        let rendered = dir.join(format!("{name}.png"));
        let render = Command::new("pdftoppm")
            .args(["-r", "300", "-png", "-singlefile"])
            .arg(&cover)
            .arg(&png)
            .status()
            .unwrap();
        assert!(render.success());
        let scan = Command::new("zbarimg")
            .args(["-q", "--raw"])
            .arg(&rendered)
            .output()
            .unwrap();
        let found = String::from_utf8_lossy(&scan.stdout).trim().to_string();
        match isbn {
            Some(isbn) => assert_eq!(found, isbn, "{name}"),
            None => assert!(found.is_empty(), "{name}: {found}"),
        }
    }
}

/// qpdf finds nothing; pdffonts lists every font embedded; nothing is
/// transparent (no soft mask, no constant alpha, no transparency group).
#[test]
fn print_files_and_covers_pass_qpdf_embed_every_font_and_have_no_transparency() {
    if !tools_present(&["qpdf", "pdffonts"]) {
        return;
    }
    let files = ending(".print.pdf").into_iter().chain(ending(".cover.pdf"));
    for file in files {
        let (ok, out, err) = run("qpdf", &["--check"], file);
        assert!(
            ok && !out.contains("WARNING") && err.is_empty(),
            "{}: {out}{err}",
            file.display()
        );
        let (ok, out, _) = run("pdffonts", &[], file);
        assert!(ok);
        // A cover of an image alone has no text.
        for font in out.lines().skip(2) {
            let columns: Vec<&str> = font.split_whitespace().collect();
            let emb = columns[columns.len() - 5];
            assert_eq!(emb, "yes", "{}: {font}", file.display());
        }
        let doc = load(file);
        for object in doc.objects.values() {
            let dict = match object {
                Object::Dictionary(dict) => dict,
                Object::Stream(stream) => &stream.dict,
                _ => continue,
            };
            for key in [&b"SMask"[..], b"CA", b"ca", b"Group"] {
                assert!(
                    dict.get(key).is_err(),
                    "{}: /{}",
                    file.display(),
                    String::from_utf8_lossy(key)
                );
            }
        }
    }
}

/// The economics cover image (400 × 600 pixels over the front and its
/// bleed) is named with its resolution; the ai covers, drawn, are not.
#[test]
fn a_cover_image_under_300_dpi_is_named_with_its_resolution() {
    let warnings = &library().warnings;
    let cover: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("cover.png"))
        .collect();
    assert!(!cover.is_empty(), "{warnings:#?}");
    let warning = cover[0];
    // A5 with 3 mm of bleed: 400 px over 5.94 in.
    assert!(warning.contains("prints at 67 dpi"), "{warning}");
    assert!(warning.contains("print wants 300"), "{warning}");
    assert!(!warnings
        .iter()
        .any(|w| w.contains("the cover image") && !w.contains("cover.png")));
}

/// A library of one long English article: `paragraphs` of 100 words.
fn long_library(dir: &Path, paragraphs: usize, extra: &str) -> PathBuf {
    let words = [
        "the", "model", "attends", "to", "every", "token", "and", "learns", "which", "matter",
    ];
    let paragraph: Vec<&str> = (0..100)
        .map(|i| words[(i * 7 + i / 10) % words.len()])
        .collect();
    let body = vec![format!("The {}.", paragraph.join(" ")); paragraphs].join("\n\n");
    std::fs::create_dir_all(dir.join("articles/long")).unwrap();
    std::fs::write(
        dir.join("articles/long/en.md"),
        format!("+++\nid = \"long\"\ntitle = \"Long\"\nlang = \"en\"\nthemes = [\"ai\"]\n+++\n\n{body}\n"),
    )
    .unwrap();
    let config = dir.join("quire.toml");
    std::fs::write(
        &config,
        format!(
            "[library]\nauthor = \"T\"\n[fonts]\ndir = {:?}\n{extra}\n\
             [[volume]]\nid = \"long\"\ntitle = {{ en = \"Long\" }}\nchapters = [\"long\"]\n\
             editions = [\"en\"]\nformats = [\"pdf\"]\n",
            root().join("fonts")
        ),
    )
    .unwrap();
    config
}

/// The left edge of the text on the rectos after the front matter.
fn recto_text_left(pdf: &Path) -> f32 {
    let pages = word_pages(pdf);
    (pages.iter().enumerate().skip(6).step_by(2))
        .flat_map(|(_, page)| page.words.iter().map(|w| w.x_min))
        .fold(f32::INFINITY, f32::min)
}

fn build_pdf(config: &Path, out: &Path) -> PathBuf {
    let (project, _) = load_project(config).expect("the library loads");
    let options = BuildOptions {
        out_dir: out.to_path_buf(),
        source_date_epoch: Some(EPOCH),
        ..BuildOptions::default()
    };
    let (built, diagnostics) = build(&project, &options).expect("it builds");
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    built[0].path.clone()
}

/// A book of over 150 pages is set with KDP's 0.5 in gutter: its inside
/// margin ⅛ in wider than a thin book's, and its page count in the step it
/// was set for (the page count and the gutter settled together).
#[test]
fn the_gutter_grows_with_the_page_count() {
    if !tools_present(&["pdftotext"]) {
        return;
    }
    let dir = temp_dir("gutter");
    let thin = build_pdf(
        &long_library(&dir.join("thin"), 40, ""),
        &dir.join("thin/out"),
    );
    let thick = build_pdf(
        &long_library(&dir.join("thick"), 560, ""),
        &dir.join("thick/out"),
    );
    let pages = page_count(&thick);
    assert!((151..=300).contains(&pages), "{pages} pages");
    assert!(page_count(&thin) <= 150);
    let grown = recto_text_left(&thick) - recto_text_left(&thin);
    assert!(
        (grown - 9.0).abs() < 0.2,
        "the inside margin grew by {grown} pt"
    );
}

/// An article's image under 300 dpi at its printed size is a warning of
/// the print format, with its file and line; the reading PDF does not warn.
#[test]
fn an_image_under_300_dpi_is_a_warning_of_the_print_format() {
    let dir = temp_dir("dpi");
    let config = long_library(&dir, 1, "");
    let image = image::RgbImage::from_pixel(120, 80, image::Rgb([200, 40, 40]));
    image.save(dir.join("articles/long/small.png")).unwrap();
    let article = dir.join("articles/long/en.md");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, format!("{text}\n![A red field](small.png)\n")).unwrap();
    let (project, _) = load_project(&config).expect("the library loads");
    let warnings = |format: Format| {
        let options = BuildOptions {
            out_dir: dir.join("out"),
            source_date_epoch: Some(EPOCH),
            formats: vec![format],
            ..BuildOptions::default()
        };
        let (_, diagnostics) = build(&project, &options).expect("it builds");
        diagnostics
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
    };
    let print = warnings(Format::Print);
    let dpi: Vec<&String> = print.iter().filter(|w| w.contains("dpi")).collect();
    assert_eq!(dpi.len(), 1, "{print:#?}");
    assert!(dpi[0].contains("en.md:10:1"), "{}", dpi[0]);
    assert!(dpi[0].contains("image `small.png` prints at"), "{}", dpi[0]);
    assert!(!warnings(Format::Pdf).iter().any(|w| w.contains("dpi")));
}

/// Built again from the same sources, an interior and its cover are the
/// same bytes.
#[test]
fn print_files_are_byte_reproducible() {
    let dir = temp_dir("again");
    let config = print_library(&dir);
    let (project, _) = load_project(&config).expect("the library loads");
    let options = BuildOptions {
        out_dir: dir.join("out"),
        volumes: vec!["ai".into()],
        editions: vec![quire::book::Edition::ZhHant],
        formats: vec![Format::Print],
        source_date_epoch: Some(EPOCH),
        ..BuildOptions::default()
    };
    build(&project, &options).expect("it builds");
    for name in ["ai.zh-Hant.print.pdf", "ai.zh-Hant.cover.pdf"] {
        let again = std::fs::read(dir.join("out").join(name)).unwrap();
        let first = std::fs::read(library().out.join(name)).unwrap();
        assert!(again == first, "{name} differs");
    }
}
