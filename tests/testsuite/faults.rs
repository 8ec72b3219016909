//! Faults and hostile input: a build killed half-way, an output folder that
//! cannot be written, a full disk, image links that leave the library, raw
//! HTML and script links, and reproducible dates. The mistakes that are a
//! message and nothing more are fixtures under `tests/fixtures/config/`.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use quire::build::{build, load_project, write_atomically, BuildOptions};
use quire::config::Format;
use quire::error::Diagnostics;

use crate::common::root;

const EPOCH: i64 = 1_700_000_000; // 2023-11-14T22:13:20Z
const OTHER_EPOCH: i64 = 1_735_689_600; // 2025-01-01

/// `quire build --config CONFIG --out OUT` with a fixed SOURCE_DATE_EPOCH.
fn build_into(config: &Path, out: &Path) -> Output {
    quire(
        &[
            "build",
            "--config",
            config.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        Some(EPOCH),
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quire-test-{}-faults-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the `quire` binary from the package root; `epoch` sets `SOURCE_DATE_EPOCH`.
fn quire(args: &[&str], epoch: Option<i64>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quire"));
    command
        .args(args)
        .current_dir(root())
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("CI");
    if let Some(epoch) = epoch {
        command.env("SOURCE_DATE_EPOCH", epoch.to_string());
    }
    command.output().expect("quire runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A failure that is an error message, not a crash: exit code 1, the
/// message, a hint, and no panic.
fn assert_clean_failure(output: &Output, message: &str) {
    let stderr = stderr(output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(message),
        "expected `{message}` in:\n{stderr}"
    );
    assert!(stderr.contains("\n  hint: "), "no hint:\n{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("internal error"),
        "{stderr}"
    );
}

/// A config in `dir` for the small fixture library (`alpha` in en and
/// zh-Hant, `beta` in zh-Hans), every edition and format.
fn small_library(dir: &Path) -> PathBuf {
    let config = dir.join("quire.toml");
    let text = format!(
        "[library]\narticles = {:?}\nauthor = \"T\"\n[fonts]\ndir = {:?}\n\
         [[volume]]\nid = \"a\"\ntitle = {{ en = \"A\" }}\nchapters = [\"alpha\", \"beta\"]\n",
        root().join("tests/fixtures/config/_articles"),
        root().join("fonts")
    );
    std::fs::write(&config, text).unwrap();
    config
}

/// Every file in `dir` by name, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

fn is_temporary(name: &str) -> bool {
    name.ends_with(".quire-tmp")
}

/// Every entry of an EPUB, read in full (each entry's CRC is checked).
fn epub_entries(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| e.to_string())?;
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(|e| e.to_string())?;
        entries.push((entry.name().to_string(), data));
    }
    Ok(entries)
}

/// Whether `bytes` are a whole book of the kind its name says.
fn check_whole_book(name: &str, bytes: &[u8]) -> Result<(), String> {
    if name.ends_with(".epub") {
        let entries = epub_entries(bytes)?;
        let first = entries.first().map(|(n, _)| n.as_str());
        if first != Some("mimetype") || !entries.iter().any(|(n, _)| n == "OEBPS/content.opf") {
            return Err(format!("not a whole EPUB: {first:?} first"));
        }
        Ok(())
    } else if name.ends_with(".pdf") {
        if !bytes.trim_ascii_end().ends_with(b"%%EOF") {
            return Err("no %%EOF at the end".into());
        }
        lopdf::Document::load_mem(bytes)
            .map(|_| ())
            .map_err(|e| e.to_string())
    } else {
        Err("not a book".into())
    }
}

/// A build killed at any moment leaves each book as it was or whole and new,
/// never truncated; the next build removes the temporary files it left.
#[test]
fn a_killed_build_leaves_every_book_whole_and_the_next_build_clears_its_temporaries() {
    let dir = temp_dir("killed");
    let out = dir.join("out");
    let out_arg = out.to_str().unwrap();
    let done = quire(&["build", "--out", out_arg], Some(EPOCH));
    assert!(done.status.success(), "{}", stderr(&done));
    let old = files(&out);
    assert_eq!(
        old.len(),
        26,
        "3 volumes × 4 editions × 2 formats, and a vertical EPUB and PDF: {:?}",
        old.keys()
    );
    // A temporary file from an earlier killed build.
    std::fs::write(out.join(".ai.en.epub.4242.quire-tmp"), b"half a book").unwrap();

    // Another date, so a book the killed build managed to write differs from the old one.
    let mut replaced = 0;
    for delay in [100, 300, 800, 1500, 2500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
            .args(["build", "--out", out_arg])
            .current_dir(root())
            .env("SOURCE_DATE_EPOCH", OTHER_EPOCH.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("quire starts");
        std::thread::sleep(Duration::from_millis(delay));
        // SIGKILL on Unix: no destructor, no clean-up runs.
        let _ = child.kill();
        let _ = child.wait();
        let now = files(&out);
        for name in old.keys() {
            assert!(
                now.contains_key(name),
                "killed after {delay} ms: {name} is gone"
            );
        }
        replaced = 0;
        for (name, bytes) in now.iter().filter(|(n, _)| !is_temporary(n)) {
            let before = old
                .get(name)
                .unwrap_or_else(|| panic!("killed after {delay} ms: a stray file {name}"));
            if bytes != before {
                replaced += 1;
                if let Err(problem) = check_whole_book(name, bytes) {
                    panic!("killed after {delay} ms: {name} is neither the old book nor a whole new one: {problem}");
                }
            }
        }
    }
    eprintln!(
        "the last killed build had replaced {replaced} of {} books",
        old.len()
    );

    let again = quire(&["build", "--out", out_arg], Some(OTHER_EPOCH));
    assert!(again.status.success(), "{}", stderr(&again));
    let now = files(&out);
    let stray: Vec<&String> = now.keys().filter(|n| is_temporary(n)).collect();
    assert!(stray.is_empty(), "temporary files remain: {stray:?}");
    assert_eq!(now.len(), old.len(), "{:?}", now.keys());
    for (name, bytes) in &now {
        check_whole_book(name, bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// `--out` below a regular file, or a regular file itself: a message naming
/// the path, exit code 1, nothing written.
#[test]
fn an_output_folder_under_a_regular_file_is_a_clear_error() {
    let dir = temp_dir("under-file");
    let config = small_library(&dir);
    let file = dir.join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    for (out, reason) in [
        (file.join("books"), "Not a directory"),
        (file.clone(), "File exists"),
    ] {
        let output = build_into(&config, &out);
        assert_clean_failure(
            &output,
            &format!(
                "error: could not create the folder {}: {reason}",
                out.display()
            ),
        );
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
    let _ = std::fs::remove_dir_all(dir);
}

/// A folder where quire may not write (mode 0o555). Root may write anywhere,
/// so this only runs for other users.
#[test]
fn a_read_only_output_folder_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("read-only");
    let config = small_library(&dir);
    let out = dir.join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(out.join("probe"), "").is_ok() {
        crate::common::skipped("this user may write into a 0o555 folder (root)");
        let _ = std::fs::remove_dir_all(dir);
        return;
    }
    let output = build_into(&config, &out);
    assert_clean_failure(&output, "Permission denied");
    assert!(stderr(&output).contains(out.to_str().unwrap()));
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

/// A folder where a book should go: that book cannot be renamed into place;
/// the message names it and no temporary file is left.
#[test]
fn a_folder_in_the_place_of_a_book_is_a_clear_error_and_leaves_no_temporary() {
    let dir = temp_dir("folder-in-the-way");
    let config = small_library(&dir);
    let out = dir.join("out");
    let in_the_way = out.join("a.en.epub");
    std::fs::create_dir_all(in_the_way.join("something")).unwrap();
    let output = build_into(&config, &out);
    assert_clean_failure(
        &output,
        &format!("error: could not write {}: ", in_the_way.display()),
    );
    let stray: Vec<String> = files_and_folders(&out)
        .into_iter()
        .filter(|n| is_temporary(n))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
    assert!(
        in_the_way.join("something").is_dir(),
        "the folder is left alone"
    );
    let _ = std::fs::remove_dir_all(dir);
}

fn files_and_folders(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// A full disk, simulated: the temporary file beside the book is made a link
/// to `/dev/full`, where every write fails with ENOSPC. (The temporary file
/// is `.<name>.<pid>.quire-tmp`, and the pid is this process's.) The write
/// fails naming the book, the old book is unchanged, the link is removed.
#[test]
fn a_full_disk_fails_the_write_naming_the_book_and_keeps_the_old_one() {
    if !Path::new("/dev/full").exists() {
        crate::common::skipped("no /dev/full");
        return;
    }
    let dir = temp_dir("full-disk");
    let book = dir.join("a.en.epub");
    std::fs::write(&book, "the last good book").unwrap();
    let temp = dir.join(format!(".a.en.epub.{}.quire-tmp", std::process::id()));
    std::os::unix::fs::symlink("/dev/full", &temp).unwrap();
    let error = write_atomically(&book, &vec![7u8; 1 << 16]).expect_err("the disk is full");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("could not write {}: ", book.display()))
            && message.contains("No space left on device"),
        "{message}"
    );
    let hint = error.hint().expect("a hint");
    assert!(hint.contains("free some space"), "{hint}");
    assert_eq!(
        std::fs::read_to_string(&book).unwrap(),
        "the last good book"
    );
    assert!(
        temp.symlink_metadata().is_err(),
        "the temporary file is removed"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// What `quire check` finds for `config`.
fn check(config: &Path) -> Diagnostics {
    let (project, mut found) = load_project(config).expect("the library loads");
    let options = BuildOptions {
        dry_run: true,
        ..BuildOptions::default()
    };
    let (_, more) = build(&project, &options).expect("the books render");
    found.extend(more);
    found
}

/// Symbolic links inside the library that lead out of it are refused, for a
/// file and for a folder; a link that stays inside is followed.
#[test]
fn links_inside_the_library_that_lead_out_of_it_are_refused() {
    let dir = temp_dir("links");
    let outside = dir.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let png = |path: &Path| {
        image::RgbImage::from_pixel(4, 3, image::Rgb([200, 40, 40]))
            .save(path)
            .unwrap()
    };
    png(&outside.join("secret.png"));
    let articles = dir.join("lib/articles");
    let gamma = articles.join("gamma");
    std::fs::create_dir_all(&gamma).unwrap();
    std::fs::create_dir_all(articles.join("shared")).unwrap();
    png(&articles.join("shared/figure.png"));
    std::os::unix::fs::symlink(outside.join("secret.png"), gamma.join("file-link.png")).unwrap();
    std::os::unix::fs::symlink(&outside, gamma.join("folder-link")).unwrap();
    std::os::unix::fs::symlink("../shared/figure.png", gamma.join("inside.png")).unwrap();
    std::fs::write(
        gamma.join("en.md"),
        "+++\nid = \"gamma\"\ntitle = \"Gamma\"\nlang = \"en\"\nthemes = [\"ai\"]\n+++\n\n\
         ![A file link](file-link.png)\n\n![A folder link](folder-link/secret.png)\n\n\
         ![Inside](inside.png)\n",
    )
    .unwrap();
    let config = dir.join("lib/quire.toml");
    std::fs::write(
        &config,
        format!(
            "[library]\nauthor = \"T\"\n[fonts]\ndir = {:?}\n[[volume]]\nid = \"a\"\n\
             title = {{ en = \"A\" }}\nchapters = [\"gamma\"]\neditions = [\"en\"]\n",
            root().join("fonts")
        ),
    )
    .unwrap();
    let found: Vec<String> = check(&config).iter().map(|d| d.to_string()).collect();
    let secret = outside.join("secret.png").canonicalize().unwrap();
    let expected = [(8, "file-link.png"), (10, "folder-link/secret.png")];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for ((line, url), message) in expected.iter().zip(&found) {
        let want = format!(
            "{}:{line}:1: error: image `{url}`: {} leads to {}, outside the library {}: links out of the library are refused",
            gamma.join("en.md").display(),
            gamma.join(url).display(),
            secret.display(),
            articles.display()
        );
        assert!(message.starts_with(&want), "{message}\nwanted: {want}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// An XHTML tag: its name and attributes, values unescaped.
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
}

/// Every tag of an XHTML document. A `<` in quire's XHTML always opens
/// markup: text is escaped.
fn tags(xhtml: &str) -> Vec<Tag> {
    let mut tags = Vec::new();
    let mut rest = xhtml;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            rest = &rest[rest.find('>').unwrap_or(rest.len())..];
            continue;
        }
        let mut chars = rest.char_indices().peekable();
        let mut name = String::new();
        while let Some(&(_, c)) = chars.peek() {
            if c.is_whitespace() || c == '>' || c == '/' && !name.is_empty() {
                break;
            }
            name.push(c);
            chars.next();
        }
        let mut attributes = Vec::new();
        let mut end = rest.len();
        loop {
            while chars
                .next_if(|&(_, c)| c.is_whitespace() || c == '/')
                .is_some()
            {}
            let Some(&(i, c)) = chars.peek() else { break };
            if c == '>' {
                end = i;
                break;
            }
            let mut key = String::new();
            while let Some((_, c)) =
                chars.next_if(|&(_, c)| !c.is_whitespace() && c != '=' && c != '>' && c != '/')
            {
                key.push(c);
            }
            let mut value = String::new();
            if chars.next_if(|&(_, c)| c == '=').is_some() {
                let quote = chars.next().map(|(_, c)| c).unwrap_or('"');
                for (_, c) in chars.by_ref() {
                    if c == quote {
                        break;
                    }
                    value.push(c);
                }
            }
            attributes.push((key.to_ascii_lowercase(), unescape(&value)));
        }
        tags.push(Tag {
            name: name.to_ascii_lowercase(),
            attributes,
        });
        rest = &rest[end..];
    }
    tags
}

/// XML character references and the five named entities, decoded.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';') else { break };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or(entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A URL a reader would run as script or open as a document.
fn is_script_url(url: &str) -> bool {
    // Browsers drop ASCII whitespace and control characters inside the scheme.
    let squeezed: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:", "file:"]
        .iter()
        .any(|scheme| squeezed.starts_with(scheme))
}

/// An article full of raw HTML, event handlers and `javascript:` links,
/// built for real: no XHTML document of the EPUB carries a script, an event
/// handler or a script link in its markup; the raw HTML shows as text. The
/// PDF has no JavaScript action and no link but http(s) and mailto.
#[test]
fn raw_html_and_script_links_never_reach_the_books_as_markup() {
    let dir = temp_dir("hostile");
    let config = root().join("tests/fixtures/config/hostile-markdown/quire.toml");
    let (project, _) = load_project(&config).expect("the library loads");
    let options = BuildOptions {
        out_dir: dir.clone(),
        source_date_epoch: Some(EPOCH),
        formats: vec![Format::Epub, Format::Pdf],
        ..BuildOptions::default()
    };
    let (built, diagnostics) = build(&project, &options).expect("the books build");
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    assert_eq!(built.len(), 2);

    // The scanner sees an attack where there is one.
    let probe = tags(r#"<p><a href="java&#115;cript:x" onClick='y'>t</a><br/></p>"#);
    let names: Vec<&str> = probe.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["p", "a", "/a", "br", "/p"]);
    assert_eq!(
        probe[1].attributes,
        [
            ("href".to_string(), "javascript:x".to_string()),
            ("onclick".to_string(), "y".to_string())
        ]
    );
    assert!(is_script_url(&probe[1].attributes[0].1));

    let epub = std::fs::read(dir.join("a.en.epub")).unwrap();
    let mut chapter = String::new();
    let forbidden = [
        "script", "iframe", "frame", "object", "embed", "form", "input", "button", "style", "base",
        "svg", "math", "audio", "video", "source",
    ];
    for (name, bytes) in epub_entries(&epub).unwrap() {
        if !(name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx")) {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            !text.to_ascii_lowercase().contains("<script"),
            "{name} holds a script"
        );
        for tag in tags(&text) {
            let refresh =
                tag.name == "meta" && tag.attributes.iter().any(|(k, _)| k == "http-equiv");
            assert!(
                !refresh && !forbidden.contains(&tag.name.as_str()),
                "{name}: a <{}> element",
                tag.name
            );
            for (key, value) in &tag.attributes {
                assert!(
                    !key.starts_with("on"),
                    "{name}: <{} {key}=\"{value}\">",
                    tag.name
                );
                assert!(
                    !is_script_url(value) && !value.to_ascii_lowercase().contains("javascript:"),
                    "{name}: <{} {key}=\"{value}\">",
                    tag.name
                );
            }
        }
        if name.ends_with("chapter-01.xhtml") {
            chapter = text;
        }
    }
    // Raw HTML is shown as text; the text of a dropped link stays.
    for shown in [
        "&lt;script&gt;alert(2)&lt;/script&gt;",
        "&lt;div onclick=&quot;alert(1)&quot;&gt;",
        "A Markdown link and mixed case and entity and spaced.",
        "A reference and a ",
    ] {
        assert!(chapter.contains(shown), "`{shown}` not in:\n{chapter}");
    }

    let pdf = lopdf::Document::load(dir.join("a.en.pdf")).unwrap();
    for (id, object) in &pdf.objects {
        let dict = match object {
            lopdf::Object::Dictionary(d) => d,
            lopdf::Object::Stream(s) => &s.dict,
            _ => continue,
        };
        for key in [&b"JS"[..], b"JavaScript", b"AA", b"OpenAction", b"Launch"] {
            assert!(
                dict.get(key).is_err(),
                "object {id:?} has /{}",
                String::from_utf8_lossy(key)
            );
        }
        if let Ok(kind) = dict.get(b"S").and_then(lopdf::Object::as_name) {
            assert!(
                ![
                    &b"JavaScript"[..],
                    b"Launch",
                    b"SubmitForm",
                    b"ImportData",
                    b"Rendition"
                ]
                .contains(&kind),
                "object {id:?}: action /{}",
                String::from_utf8_lossy(kind)
            );
        }
        if let Ok(uri) = dict.get(b"URI").and_then(lopdf::Object::as_str) {
            let uri = String::from_utf8_lossy(uri);
            assert!(
                ["http://", "https://", "mailto:"]
                    .iter()
                    .any(|s| uri.starts_with(s)),
                "object {id:?}: /URI ({uri})"
            );
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Every date in an EPUB's text entries written as `YYYY-MM-DD`.
fn iso_dates(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(9))
        .filter(|&i| {
            let digits = |r: std::ops::Range<usize>| bytes[r].iter().all(u8::is_ascii_digit);
            digits(i..i + 4)
                && bytes[i + 4] == b'-'
                && digits(i + 5..i + 7)
                && bytes[i + 7] == b'-'
                && digits(i + 8..i + 10)
                && (i == 0 || !bytes[i - 1].is_ascii_digit())
        })
        .map(|i| &text[i..i + 10])
        .collect()
}

/// The dates of a build's books: each EPUB's dc:date, dcterms:modified and
/// every other `YYYY-MM-DD`; each PDF's /CreationDate and /ModDate.
fn dates(out: &Path) -> BTreeMap<String, Vec<String>> {
    let mut found = BTreeMap::new();
    for (name, bytes) in files(out) {
        let mut dates = Vec::new();
        if name.ends_with(".epub") {
            let mut others = Vec::new();
            for (entry, data) in epub_entries(&bytes).unwrap() {
                let Ok(text) = String::from_utf8(data) else {
                    continue;
                };
                if entry.ends_with("content.opf") {
                    for (open, close) in [
                        ("<dc:date>", "</dc:date>"),
                        ("<meta property=\"dcterms:modified\">", "</meta>"),
                    ] {
                        let start = text
                            .find(open)
                            .unwrap_or_else(|| panic!("{name}: no {open}"))
                            + open.len();
                        let end = start + text[start..].find(close).unwrap();
                        dates.push(text[start..end].to_string());
                    }
                }
                others.extend(
                    iso_dates(&text)
                        .into_iter()
                        .map(|d| format!("{d} in {entry}")),
                );
            }
            dates.extend(others);
        } else {
            let pdf = lopdf::Document::load_mem(&bytes).unwrap();
            let info = pdf
                .trailer
                .get(b"Info")
                .and_then(lopdf::Object::as_reference)
                .and_then(|id| pdf.get_dictionary(id))
                .unwrap();
            for key in ["CreationDate", "ModDate"] {
                let value = info
                    .get(key.as_bytes())
                    .and_then(lopdf::Object::as_str)
                    .unwrap();
                dates.push(format!("{key} {}", String::from_utf8_lossy(value)));
            }
        }
        found.insert(name, dates);
    }
    found
}

/// Two builds of the same sources are byte-identical, with and without
/// `SOURCE_DATE_EPOCH`; when it is set, it is every date of every book.
#[test]
fn builds_are_byte_identical_and_source_date_epoch_sets_every_date() {
    let dir = temp_dir("dates");
    let config = small_library(&dir);
    let run = |out: &str, epoch: Option<i64>| {
        let out = dir.join(out);
        let output = quire(
            &[
                "build",
                "--config",
                config.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            epoch,
        );
        assert!(output.status.success(), "{}", stderr(&output));
        out
    };
    for epoch in [Some(EPOCH), None] {
        let tag = epoch.map_or("unset".to_string(), |e| e.to_string());
        let (first, second) = (
            run(&format!("first-{tag}"), epoch),
            run(&format!("second-{tag}"), epoch),
        );
        let (first, second) = (files(&first), files(&second));
        assert_eq!(first.len(), 8, "4 editions × 2 formats: {:?}", first.keys());
        for (name, bytes) in &first {
            assert!(
                second.get(name) == Some(bytes),
                "{name} differs between two builds ({epoch:?})"
            );
        }
    }

    // 2023-11-14T22:13:20Z, everywhere.
    for (name, dates) in dates(&dir.join(format!("first-{EPOCH}"))) {
        let expected: &[&str] = if name.ends_with(".epub") {
            &["2023-11-14T22:13:20Z", "2023-11-14T22:13:20Z"]
        } else {
            &[
                "CreationDate D:20231114221320Z",
                "ModDate D:20231114221320Z",
            ]
        };
        assert_eq!(&dates[..2], expected, "{name}");
        for date in &dates[2..] {
            assert!(date.starts_with("2023-11-14"), "{name}: {date}");
        }
    }
    // Without it, the newest date of the edition's articles: beta's
    // 2025-01-29, or the epoch for the English edition, which has only the
    // undated `alpha`.
    for (name, dates) in dates(&dir.join("first-unset")) {
        let day = if name.starts_with("a.en.") {
            ["1970-01-01", "D:19700101000000Z"]
        } else {
            ["2025-01-29", "D:20250129000000Z"]
        };
        for date in &dates {
            assert!(
                day.iter().any(|d| date.contains(d)),
                "{name}: {date}, not {}",
                day[0]
            );
        }
    }

    // A value that is not a number of seconds is an error, not a silent fallback.
    let output = quire(&["check", "--config", config.to_str().unwrap()], None);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut command = Command::new(env!("CARGO_BIN_EXE_quire"));
    let output = command
        .args(["check", "--config", config.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .unwrap();
    assert_clean_failure(
        &output,
        "error: SOURCE_DATE_EPOCH is `yesterday`, not a number of seconds since 1970-01-01",
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// `quire list | head -1`: output to a closed pipe is not a crash.
#[test]
fn a_closed_output_pipe_is_not_a_crash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .arg("list")
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Closed before quire writes a line: every write fails with EPIPE.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = stderr(&output);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("internal error"),
        "{stderr}"
    );
    assert!(output.status.success(), "{stderr}");
}

/// Runs `quire` with `args` and gives up after 60 s: a read that blocks
/// must fail the test, not hang it.
fn quire_within_a_minute(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", EPOCH.to_string())
        .env_remove("CI")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("quire runs");
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("quire {args:?} still runs after 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// A FIFO as the config, a FIFO, `/dev/zero` or a 65 MB file as a font, a
/// FIFO as an article: each is refused before it is opened (opening a FIFO blocks, and
/// `/dev/zero` never ends), with the path and a hint.
#[test]
fn pipes_and_devices_are_refused_before_they_are_read() {
    let dir = temp_dir("pipes");
    let fifo = dir.join("fifo");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let out = dir.join("out");
    let out = out.to_str().unwrap();

    let output =
        quire_within_a_minute(&["build", "--config", fifo.to_str().unwrap(), "--out", out]);
    assert_clean_failure(&output, "not a regular file (a pipe, socket or device)");
    assert!(stderr(&output).contains(fifo.to_str().unwrap()));

    // Sparse: 65 MB on paper, nothing on the disk.
    let big = dir.join("big.otf");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    let config = small_library(&dir);
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("[fonts]\n", &format!("[fonts]\nlatin-regular = {big:?}\n"));
    std::fs::write(&config, text).unwrap();
    let output =
        quire_within_a_minute(&["build", "--config", config.to_str().unwrap(), "--out", out]);
    assert_clean_failure(&output, "it is 65 MB, more than the 64 MB quire reads");

    for font in ["/dev/zero", fifo.to_str().unwrap()] {
        let config = small_library(&dir);
        let text = std::fs::read_to_string(&config).unwrap();
        let text = text.replace("[fonts]\n", &format!("[fonts]\nlatin-regular = {font:?}\n"));
        std::fs::write(&config, text).unwrap();
        let output =
            quire_within_a_minute(&["build", "--config", config.to_str().unwrap(), "--out", out]);
        assert_clean_failure(&output, "not a regular file (a pipe, socket or device)");
        assert!(stderr(&output).contains(font), "{}", stderr(&output));
    }

    let articles = dir.join("articles");
    std::fs::create_dir_all(articles.join("alpha")).unwrap();
    let source = root().join("tests/fixtures/config/_articles");
    for id in ["alpha", "beta"] {
        let from = source.join(id);
        std::fs::create_dir_all(articles.join(id)).unwrap();
        for entry in std::fs::read_dir(&from).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, articles.join(id).join(path.file_name().unwrap())).unwrap();
        }
    }
    let article = articles.join("alpha/en.md");
    std::fs::remove_file(&article).unwrap();
    let made = Command::new("mkfifo")
        .arg(&article)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let config = small_library(&dir);
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace(&format!("{:?}", source), &format!("{articles:?}"));
    std::fs::write(&config, text).unwrap();
    let output =
        quire_within_a_minute(&["build", "--config", config.to_str().unwrap(), "--out", out]);
    assert_clean_failure(&output, "alpha/en.md: error: this is not a file");
}

/// A word of 50,000 letters is set broken inside itself and warned about,
/// and the warning quotes its start and its length, not the whole word; so
/// does the warning about a link that cannot be followed.
/// A library in `dir` of one English article, `gamma`, in one volume `g`
/// (its en edition, with `volume` added to its table); returns its config.
fn one_article_library(dir: &Path, title: &str, body: &str, volume: &str) -> PathBuf {
    std::fs::create_dir_all(dir.join("articles/gamma")).unwrap();
    std::fs::write(
        dir.join("articles/gamma/en.md"),
        format!(
            "+++\nid = \"gamma\"\ntitle = \"{title}\"\nlang = \"en\"\nthemes = [\"ai\"]\n+++\n\n{body}\n"
        ),
    )
    .unwrap();
    let config = dir.join("quire.toml");
    std::fs::write(
        &config,
        format!(
            "[library]\nauthor = \"T\"\n[fonts]\ndir = {:?}\n\
             [[volume]]\nid = \"g\"\ntitle = {{ en = \"G\" }}\nchapters = [\"gamma\"]\n\
             editions = [\"en\"]\n{volume}",
            root().join("fonts")
        ),
    )
    .unwrap();
    config
}

#[test]
fn diagnostics_quote_at_most_eighty_characters_of_the_source() {
    let dir = temp_dir("long-word");
    let word = "x".repeat(50_000);
    let body = format!("A {word} word, and [a link](ftp://{word}).");
    let config = one_article_library(&dir, "Gamma", &body, "");
    let output = build_into(&config, &dir.join("out"));
    let stderr = stderr(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("broken inside a word: xxxxxxxxxx")
            && stderr.contains("the link `ftp://xxxxxxxxxx"),
        "{stderr}"
    );
    assert!(stderr.contains("… (50000 characters)"), "{stderr}");
    assert!(stderr.contains("… (50006 characters)"), "{stderr}");
    for line in stderr.lines() {
        assert!(line.chars().count() < 250, "{line}");
    }
}

/// Two `quire build` into one folder at once, ten times over: both succeed
/// (the second waits for the first, and says so when it has to), every book
/// is whole, and no temporary file is left.
#[test]
fn two_builds_into_one_folder_both_succeed() {
    let dir = temp_dir("concurrent");
    let config = small_library(&dir);
    let out = dir.join("out");
    let args = [
        "build",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_quire"))
            .args(args)
            .current_dir(root())
            .env("SOURCE_DATE_EPOCH", EPOCH.to_string())
            .env_remove("CI")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("quire runs")
    };
    let mut waited = 0;
    for i in 0..10 {
        // The second starts 0–90 ms after the first: early, it finds the
        // folder locked; later, the first is writing its books.
        let first = start();
        std::thread::sleep(Duration::from_millis(10 * i));
        let second = start();
        for child in [first, second] {
            let output = child.wait_with_output().unwrap();
            let stderr = stderr(&output);
            assert!(output.status.success(), "{stderr}");
            waited += usize::from(stderr.contains("another build is writing into"));
        }
        for (name, bytes) in files(&out) {
            assert!(!is_temporary(&name), "{name} left behind");
            check_whole_book(&name, &bytes).unwrap();
        }
    }
    eprintln!("a build waited for the other in {waited} of 10 tries");
}

/// A chapter title of a megabyte: the chapter opening sets all of it, over
/// as many pages as it takes; the contents entry is cut to a few lines and
/// the running heads to one, with an ellipsis; no word leaves its page; and
/// a title that long is no slower to set than its text.
#[test]
fn a_title_of_a_megabyte_is_set_whole_and_stays_on_its_pages() {
    use crate::pdf::{tools_present, word_pages};
    if !tools_present(&["pdftotext"]) {
        return;
    }
    let dir = temp_dir("long-title");
    let title = ["word"; 200_000].join(" ");
    let config = one_article_library(&dir, &title, "The text.", "formats = [\"pdf\"]\n");
    let output = quire_within_a_minute(&[
        "build",
        "--config",
        config.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let pages = word_pages(&dir.join("out/g.en.pdf"));
    let mut words = 0;
    let mut cut = 0;
    for (i, page) in pages.iter().enumerate() {
        for word in &page.words {
            assert!(
                word.x_min >= 0.0
                    && word.y_min >= 0.0
                    && word.x_max <= page.width
                    && word.y_max <= page.height,
                "page {}: {} is off the page",
                i + 1,
                word.text
            );
            words += usize::from(word.text == "word");
            cut += usize::from(word.text == "word…");
        }
    }
    // The title whole; the contents entry and the running head of each
    // recto (versos carry the book's title), each cut.
    assert!(words > 200_000, "{words} words");
    assert!(
        cut >= pages.len() / 2 - 3,
        "{cut} cut titles on {} pages",
        pages.len()
    );
}
