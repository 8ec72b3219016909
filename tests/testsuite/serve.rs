//! `quire serve`: the binary on a free port, fetched over plain HTTP: the
//! index, a chapter, a font, a PDF; paths out of the build folder; the
//! reload event after a save, the error page of a broken article and its
//! clearing. And in headless Chromium: a served chapter drawn as the EPUB's,
//! and reloaded after a save.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quire-test-{}-serve-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `quire serve` on a `quire init` library in `dir`, English EPUB and PDF
/// only (fast rebuilds); killed when dropped.
struct Served {
    child: Child,
    address: String,
    dir: PathBuf,
    /// What it says on its standard error, line by line.
    log: Receiver<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path) -> Served {
    start_with(dir, &["en"], |_| {})
}

/// `quire serve` of `editions` on a `quire init` library in `dir`, which
/// `change` changes first.
fn start_with(dir: &Path, editions: &[&str], change: impl FnOnce(&Path)) -> Served {
    let init = Command::new(env!("CARGO_BIN_EXE_quire"))
        .arg("init")
        .arg(dir)
        .output()
        .unwrap();
    assert!(init.status.success());
    change(dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["serve", "--port", "0"])
        .args(editions.iter().flat_map(|e| ["--edition", e]))
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1735689600")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (sender, log) = std::sync::mpsc::channel();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a first line").unwrap();
    let address = first
        .strip_prefix("serving http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("not the address: {first}"))
        .to_string();
    // The rest of what it says (books built) goes on being read.
    std::thread::spawn(move || lines.for_each(drop));
    let served = Served {
        child,
        address,
        dir: dir.to_path_buf(),
        log,
    };
    // The first build is done when its event comes.
    let mut events = served.events();
    assert!(
        events.next_build(Duration::from_secs(60)).is_some(),
        "no first build"
    );
    served
}

struct Fetched {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

impl Served {
    fn get(&self, path: &str) -> Fetched {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a head");
        let head = String::from_utf8_lossy(&response[..split]).to_string();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let content_type = (head.lines())
            .find_map(|l| {
                l.strip_prefix("Content-Type: ")
                    .or_else(|| l.strip_prefix("content-type: "))
            })
            .unwrap_or("")
            .to_string();
        Fetched {
            status,
            content_type,
            body: response[split + 4..].to_vec(),
        }
    }

    /// Whether a line containing `needle` is logged within `wait`.
    fn logs(&self, needle: &str, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.log.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    }

    fn events(&self) -> Events {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "GET /events HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.address
        )
        .unwrap();
        Events {
            reader: BufReader::new(stream),
        }
    }
}

struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    /// The next build event's data (`<generation> ok|failed`), if one comes
    /// within `wait`.
    fn next_build(&mut self, wait: Duration) -> Option<String> {
        let deadline = Instant::now() + wait;
        let mut line = String::new();
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            self.reader.get_ref().set_read_timeout(Some(left)).unwrap();
            line.clear();
            if self.reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            if let Some(data) = line.trim_end().strip_prefix("data: ") {
                return Some(data.to_string());
            }
        }
    }
}

fn text(fetched: &Fetched) -> String {
    String::from_utf8_lossy(&fetched.body).into_owned()
}

fn epub_entry(epub: &Path, name: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    let mut entry = archive.by_name(name).unwrap();
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).unwrap();
    bytes
}

#[test]
fn the_index_a_chapter_a_font_and_a_pdf_are_served() {
    let served = start(&temp_dir("fetch"));
    let index = served.get("/");
    assert_eq!(
        (index.status, index.content_type.as_str()),
        (200, "text/html; charset=utf-8")
    );
    let index = text(&index);
    assert!(
        index.contains("first.en.pdf") && index.contains("first.en.epub"),
        "{index}"
    );
    let chapter = "OEBPS/chapter-01.xhtml";
    assert!(
        index.contains(&format!("/read/first.en/{chapter}")),
        "{index}"
    );

    let epub = served.dir.join("build/first.en.epub");
    let page = served.get(&format!("/read/first.en/{chapter}"));
    assert_eq!(page.status, 200);
    assert_eq!(page.content_type, "application/xhtml+xml; charset=utf-8");
    let own = String::from_utf8(epub_entry(&epub, chapter)).unwrap();
    let page = text(&page);
    // The EPUB's own chapter, with the live-reload script before `</body>`.
    let at = own.rfind("</body>").unwrap();
    assert!(page.starts_with(&own[..at]), "{page}");
    assert!(page.contains(r#"<script src="/_quire/live.js" data-generation="1"></script></body>"#));

    let font = served.get("/read/first.en/OEBPS/fonts/latin.ttf");
    assert_eq!((font.status, font.content_type.as_str()), (200, "font/ttf"));
    assert_eq!(font.body, epub_entry(&epub, "OEBPS/fonts/latin.ttf"));
    let css = served.get("/read/first.en/OEBPS/stylesheet.css");
    assert_eq!(
        (css.status, css.content_type.as_str()),
        (200, "text/css; charset=utf-8")
    );

    let pdf = served.get("/files/first.en.pdf");
    assert_eq!(
        (pdf.status, pdf.content_type.as_str()),
        (200, "application/pdf")
    );
    assert_eq!(
        pdf.body,
        std::fs::read(served.dir.join("build/first.en.pdf")).unwrap()
    );
    let script = served.get("/_quire/live.js");
    assert_eq!(
        (script.status, script.content_type.as_str()),
        (200, "text/javascript")
    );
}

#[test]
fn paths_out_of_the_build_folder_are_refused() {
    let served = start(&temp_dir("paths"));
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        served.dir.join("quire.toml"),
        served.dir.join("build/config.pdf"),
    )
    .unwrap();
    for path in [
        "/files/../quire.toml",
        "/files/%2e%2e/quire.toml",
        "/files/%2E%2E%2Fquire.toml",
        "/files/..%5Cquire.toml",
        "/files//etc/passwd",
        "/files/%2Fetc%2Fpasswd",
        "/files/config.pdf",
        "/read/../quire.toml",
        "/read/first.en/../../quire.toml",
        "/read/first.en/OEBPS/../../x",
        "/read/%2e%2e%2fquire/x",
        "/quire.toml",
        "/build/first.en.pdf",
    ] {
        let fetched = served.get(path);
        assert_eq!(fetched.status, 404, "{path}: {}", text(&fetched));
    }
}

/// A save brings a build event within a second, naming the book it wrote,
/// and the new text; a broken
/// article, an event marked failed and the error page in place of the
/// chapter; the fix, the chapter again.
#[test]
fn a_save_reloads_and_a_broken_article_shows_its_error_until_fixed() {
    let served = start(&temp_dir("reload"));
    let chapter = "/read/first.en/OEBPS/chapter-01.xhtml";
    let article = served.dir.join("articles/welcome/en.md");
    let source = std::fs::read_to_string(&article).unwrap();
    let mut events = served.events();
    assert_eq!(
        events.next_build(Duration::from_secs(5)).as_deref(),
        Some("1 ok first.en")
    );

    std::fs::write(&article, format!("{source}\nA sentence saved just now.\n")).unwrap();
    let saved = Instant::now();
    assert_eq!(
        events.next_build(Duration::from_secs(10)).as_deref(),
        Some("2 ok first.en")
    );
    let took = saved.elapsed();
    assert!(took < Duration::from_secs(1), "the rebuild took {took:?}");
    assert!(text(&served.get(chapter)).contains("A sentence saved just now."));

    std::fs::write(&article, source.replacen("title = ", "title = [", 1)).unwrap();
    assert_eq!(
        events.next_build(Duration::from_secs(10)).as_deref(),
        Some("3 failed")
    );
    let page = served.get(chapter);
    let page = text(&page);
    assert!(
        page.contains("The build failed") && page.contains("en.md:"),
        "{page}"
    );
    assert!(text(&served.get("/")).contains("The last build failed"));

    std::fs::write(&article, &source).unwrap();
    assert_eq!(
        events.next_build(Duration::from_secs(10)).as_deref(),
        Some("4 ok first.en")
    );
    let page = text(&served.get(chapter));
    assert!(!page.contains("The build failed"), "{page}");
    assert!(!page.contains("A sentence saved just now."));
}

/// A save rebuilds only the books that hold the article; the index goes on
/// showing what the last build of each other book found.
#[test]
fn the_index_keeps_the_warnings_of_the_books_a_save_did_not_rebuild() {
    let served = start_with(&temp_dir("standing"), &["en", "zh-Hant"], |dir| {
        let article = dir.join("articles/welcome/zh-Hant.md");
        let source = std::fs::read_to_string(&article).unwrap();
        let notes = "\n註一。[^a]\n\n[^a]: 第一個註。\n[^a]: 同名的第二個註。\n";
        std::fs::write(&article, format!("{source}{notes}")).unwrap();
    });
    let zh_hant = std::fs::read_to_string(served.dir.join("articles/welcome/zh-Hant.md")).unwrap();
    let line = 1 + zh_hant
        .lines()
        .position(|l| l.starts_with("[^a]: 同名"))
        .unwrap();
    let warning = format!("zh-Hant.md:{line}:1: warning: the footnote [^a] was defined before");
    let index = text(&served.get("/"));
    assert!(index.contains(&warning), "{index}");

    let mut events = served.events();
    assert_eq!(
        events.next_build(Duration::from_secs(5)).as_deref(),
        Some("1 ok first.en first.zh-Hant")
    );
    let article = served.dir.join("articles/welcome/en.md");
    let source = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, format!("{source}\nA sentence saved just now.\n")).unwrap();
    assert_eq!(
        events.next_build(Duration::from_secs(10)).as_deref(),
        Some("2 ok first.en")
    );
    let index = text(&served.get("/"));
    assert!(index.contains(&warning), "{index}");
}

/// Headless Chromium, the system's fonts hidden, shows the served chapter
/// as it shows the EPUB's own file: the same pixels, drawn with the book's
/// subset fonts.
#[test]
fn chromium_shows_a_served_chapter_as_the_epub_shows_it() {
    let dir = temp_dir("render");
    let served = start(&dir.join("library"));
    let epub = served.dir.join("build/first.en.epub");
    let unpacked = dir.join("unpacked");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&epub).unwrap()).unwrap();
    archive.extract(&unpacked).unwrap();
    let chapter = "OEBPS/chapter-01.xhtml";
    let url = format!("http://{}/read/first.en/{chapter}", served.address);
    let shot = |url: &str, name: &str| {
        crate::epub::chromium_screenshot_of(url, &dir, &dir.join(name), "700,900", "1")
    };
    let Some(served_page) = shot(&url, "served.png") else {
        return;
    };
    let file = format!("file://{}", unpacked.join(chapter).display());
    let own = shot(&file, "epub.png").unwrap();
    let ink = own.pixels().filter(|p| p.0[0] < 128).count();
    assert!(ink > 2000, "the chapter drew {ink} dark pixels");
    let differing = (own.pixels().zip(served_page.pixels()))
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(differing, 0, "pixels differ: see {}", dir.display());
}

/// The chapter open in headless Chromium is fetched again after a save:
/// its live-reload script reloaded it.
#[test]
fn chromium_reloads_the_open_chapter_after_a_save() {
    let Some(chromium) = crate::epub::chromium() else {
        return;
    };
    let dir = temp_dir("chromium-reload");
    let served = start(&dir.join("library"));
    let chapter = "/read/first.en/OEBPS/chapter-01.xhtml";
    let mut browser = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--remote-debugging-port=0",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("http://{}{chapter}", served.address))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let opened = served.logs(&format!("{chapter} (build 1)"), Duration::from_secs(30));
    let article = served.dir.join("articles/welcome/en.md");
    let source = std::fs::read_to_string(&article).unwrap();
    std::fs::write(
        &article,
        format!("{source}\nSaved with the chapter open.\n"),
    )
    .unwrap();
    let reloaded = opened && served.logs(&format!("{chapter} (build 2)"), Duration::from_secs(30));
    let _ = browser.kill();
    let _ = browser.wait();
    assert!(opened, "Chromium did not open the chapter");
    assert!(
        reloaded,
        "Chromium did not reload the chapter after the save"
    );
}
