//! `quire watch`: what a change rebuilds, what it leaves alone, and that
//! the command notices a saved file.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use quire::book::Edition;
use quire::build::BuildOptions;
use quire::watch::{Kind, Session};

use crate::common::root;

/// A copy of the small fixture library in a fresh folder: volume `a` holds
/// `alpha` (en, zh-Hant), volume `b` holds `beta` (zh-Hans).
fn library(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quire-test-{}-watch-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let from = root().join("tests/fixtures/config/_articles");
    for article in ["alpha", "beta"] {
        let folder = dir.join("articles").join(article);
        std::fs::create_dir_all(&folder).unwrap();
        for entry in std::fs::read_dir(from.join(article)).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, folder.join(path.file_name().unwrap())).unwrap();
        }
    }
    let config = format!(
        "[library]\narticles = \"articles\"\nauthor = \"T\"\n[fonts]\ndir = {:?}\n\
         [[volume]]\nid = \"a\"\ntitle = {{ en = \"A\" }}\nchapters = [\"alpha\"]\n\
         [[volume]]\nid = \"b\"\ntitle = {{ en = \"B\" }}\nchapters = [\"beta\"]\n\
         editions = [\"zh-Hans\"]\n",
        root().join("fonts")
    );
    std::fs::write(dir.join("quire.toml"), config).unwrap();
    dir.canonicalize().unwrap()
}

fn options(dir: &Path) -> BuildOptions {
    BuildOptions {
        out_dir: dir.join("out"),
        source_date_epoch: Some(1_700_000_000),
        ..BuildOptions::default()
    }
}

fn modified(dir: &Path, prefix: &str) -> Vec<(String, SystemTime)> {
    let mut found: Vec<(String, SystemTime)> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, e.metadata().unwrap().modified().unwrap())
        })
        .collect();
    found.sort();
    found
}

fn append(path: &Path, text: &str) {
    let mut old = std::fs::read_to_string(path).unwrap();
    old.push_str(text);
    std::fs::write(path, old).unwrap();
}

/// The text of every XHTML file in an EPUB.
fn epub_text(path: &Path) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        if file.name().ends_with(".xhtml") {
            file.read_to_string(&mut text).unwrap();
        }
    }
    text
}

#[test]
fn a_changed_article_rebuilds_only_the_editions_that_hold_it() {
    let dir = library("article");
    let mut session = Session::new(&dir.join("quire.toml"), options(&dir));
    let first = session.rebuild(&[], &|_| {}).expect("the library builds");
    let ids: Vec<&str> = first.volumes.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(
        first.volumes[0].1,
        Edition::ALL,
        "volume a has every edition"
    );
    assert!(first.full, "the first build loads and builds everything");
    let untouched = modified(&dir, "b.");
    assert_eq!(untouched.len(), 2, "b's EPUB and PDF: {untouched:?}");
    let chinese = modified(&dir, "a.zh-");
    assert_eq!(chinese.len(), 4, "{chinese:?}");
    let before = modified(&dir, "a.");

    // Coarse file times: make sure a rewrite shows.
    std::thread::sleep(Duration::from_millis(20));
    let alpha = dir.join("articles/alpha/en.md");
    append(&alpha, "\nA closing line added while watching.\n");
    assert_eq!(session.classify(&alpha), Some(Kind::Article));
    let second = session
        .rebuild(&[(alpha, Kind::Article)], &|_| {})
        .expect("the change builds");

    assert!(!second.full, "an article change reloads the articles only");
    // The English text is in the English and bilingual editions only.
    assert_eq!(
        second.volumes,
        [("a".to_string(), vec![Edition::En, Edition::Bilingual])]
    );
    let names: Vec<String> = second
        .built
        .iter()
        .map(|b| b.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "a.en.epub",
            "a.en.pdf",
            "a.bilingual.epub",
            "a.bilingual.pdf"
        ]
    );
    assert_eq!(modified(&dir, "b."), untouched, "volume b was rewritten");
    assert_eq!(
        modified(&dir, "a.zh-"),
        chinese,
        "a Chinese edition was rewritten"
    );
    assert_ne!(modified(&dir, "a."), before, "volume a was not rewritten");
    assert!(epub_text(&dir.join("out/a.en.epub")).contains("A closing line added while watching."));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_broken_article_is_reported_and_the_next_fix_rebuilds() {
    let dir = library("broken");
    let mut session = Session::new(&dir.join("quire.toml"), options(&dir));
    session.rebuild(&[], &|_| {}).expect("the library builds");
    let good = modified(&dir, "");

    let beta = dir.join("articles/beta/zh-Hans.md");
    let text = std::fs::read_to_string(&beta).unwrap();
    std::fs::write(&beta, "no front matter\n").unwrap();
    let error = session
        .rebuild(&[(beta.clone(), Kind::Article)], &|_| {})
        .err()
        .expect("a broken article is an error");
    assert!(format!("{error:?}").contains("front matter"), "{error:?}");
    assert_eq!(
        modified(&dir, ""),
        good,
        "a book was written after the error"
    );

    std::fs::write(&beta, text).unwrap();
    let fixed = session
        .rebuild(&[(beta, Kind::Article)], &|_| {})
        .expect("the fix builds");
    assert_eq!(fixed.volumes, [("b".to_string(), vec![Edition::ZhHans])]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_folder_moved_out_and_back_is_a_change_to_its_articles() {
    let dir = library("folder");
    let mut session = Session::new(&dir.join("quire.toml"), options(&dir));
    session.rebuild(&[], &|_| {}).expect("the library builds");
    let beta = dir.join("articles/beta");
    let aside = dir.join("beta-aside");
    std::fs::rename(&beta, &aside).unwrap();
    assert_eq!(session.classify(&beta), Some(Kind::Article));
    let error = session
        .rebuild(&[(beta.clone(), Kind::Article)], &|_| {})
        .err()
        .expect("volume b lost its chapter");
    assert!(format!("{error:?}").contains("beta"), "{error:?}");

    std::fs::rename(&aside, &beta).unwrap();
    assert_eq!(session.classify(&beta), Some(Kind::Article));
    let back = session
        .rebuild(&[(beta, Kind::Article)], &|_| {})
        .expect("the library builds again");
    assert_eq!(back.volumes, [("b".to_string(), vec![Edition::ZhHans])]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn only_the_projects_files_are_changes() {
    let dir = library("classify");
    let mut session = Session::new(&dir.join("quire.toml"), options(&dir));
    session.rebuild(&[], &|_| {}).expect("the library builds");
    let cases = [
        ("quire.toml", Some(Kind::Project)),
        ("articles/alpha/en.md", Some(Kind::Article)),
        ("articles/new/zh-Hant.md", Some(Kind::Article)),
        ("articles/alpha/figure.png", Some(Kind::Project)),
        ("articles/alpha", Some(Kind::Article)),
        ("articles/gone", Some(Kind::Article)),
        ("articles/alpha/.en.md.swp", None),
        ("articles/alpha/en.md~", None),
        ("out/a.en.epub", None),
        ("out/.a.en.epub.123.quire-tmp", None),
        ("notes.txt", None),
    ];
    for (path, kind) in cases {
        assert_eq!(session.classify(&dir.join(path)), kind, "{path}");
    }
    let font = root()
        .join("fonts/NotoSerif-Regular.ttf")
        .canonicalize()
        .unwrap();
    assert_eq!(session.classify(&font), Some(Kind::Project));
    let watched = session.watched();
    assert!(
        watched.contains(&(dir.join("articles"), true)),
        "{watched:?}"
    );
    assert!(watched.contains(&(dir.clone(), false)), "{watched:?}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The command end to end: it builds, waits, and rebuilds one volume when
/// an article is saved.
#[test]
fn the_command_rebuilds_when_an_article_is_saved() {
    let dir = library("command");
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["watch", "--config", "quire.toml", "--out", "out"])
        .current_dir(&dir)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("quire runs");
    let (lines, seen) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |wanted: &str| -> Result<String, String> {
        let mut log = String::new();
        loop {
            match seen.recv_timeout(Duration::from_secs(60)) {
                Ok(line) if line.contains(wanted) => return Ok(line),
                Ok(line) => log.push_str(&(line + "\n")),
                Err(_) => return Err(format!("no `{wanted}` from quire watch; it said:\n{log}")),
            }
        }
    };
    let result = (|| {
        wait_for("watching for changes")?;
        append(&dir.join("articles/beta/zh-Hans.md"), "\n新加的一段。\n");
        wait_for("built b (zh-Hans): 2 books")
    })();
    let _ = child.kill();
    let _ = child.wait();
    let line = result.unwrap();
    assert!(line.contains("beta"), "{line}");
    let _ = std::fs::remove_dir_all(dir);
}
