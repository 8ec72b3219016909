//! `quire serve`: the books in a browser while they are written.
//!
//! The caller builds and rebuilds (as `quire watch` does) and tells [`Live`]
//! after each build; this module serves the build folder over HTTP on
//! tiny_http (a small synchronous server: no async runtime to build, four
//! small dependencies):
//!
//! - `/`: the books of the builds so far, each EPUB's chapters, each PDF,
//!   and the diagnostics that stand (each book's from its last build);
//! - `/read/<volume>.<edition>/<entry>`: an entry of that EPUB as it is
//!   (its XHTML, CSS, subset fonts, images), a chapter with the live-reload
//!   script added;
//! - `/files/<name>`: a file of the build folder (a PDF, an EPUB);
//! - `/events`: server-sent events, one per build (`<generation> ok|failed`
//!   and the books it wrote, `ai.en ai.bilingual`);
//! - `/_quire/live.js`: the script that reloads a page after a build.
//!
//! Nothing else is served: a path that climbs, is absolute, or names a link
//! out of the build folder is refused with 404 (and logged).

mod epub;
mod page;

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tiny_http::{Header, Request, Response, Server};

use crate::build::Built;
use crate::error::Diagnostics;

/// What the last build left, shared by the requests.
#[derive(Default)]
pub struct Live {
    state: Mutex<State>,
    built: Condvar,
}

#[derive(Default, Clone)]
struct State {
    /// Counts the builds; pages reload when it moves past theirs.
    generation: u64,
    /// The books of the builds so far, by path (the last of each).
    books: Vec<Built>,
    /// The diagnostics that stand (or, after a failed build, its), as printed.
    diagnostics: Vec<String>,
    /// The last build failed: what stopped it.
    failure: Option<String>,
    /// The books the last build wrote (`ai.en`), whose pages reload.
    touched: Vec<String>,
}

impl Live {
    /// Records a build: the books it wrote, the diagnostics that stand
    /// after it, and `failure` when it could not build (a broken config or
    /// article) with what it found.
    pub fn publish(&self, built: &[Built], diagnostics: &Diagnostics, failure: Option<String>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.generation += 1;
        for book in built {
            state.books.retain(|b| b.path != book.path);
            state.books.push(book.clone());
        }
        state.books.sort_by(|a, b| a.path.cmp(&b.path));
        state.diagnostics = diagnostics.iter().map(|d| d.to_string()).collect();
        state.touched = (built.iter())
            .filter_map(|b| b.path.file_name()?.to_str())
            .map(|name| page::book_of(name).to_string())
            .collect();
        state.touched.sort();
        state.touched.dedup();
        state.failure = failure.or_else(|| {
            diagnostics
                .has_errors()
                .then(|| String::from("the build found errors"))
        });
        self.built.notify_all();
    }

    fn state(&self) -> State {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// A bound server and where it listens.
pub struct Listener {
    server: Server,
    pub address: SocketAddr,
}

/// Listens on `host` at `port`, or the next free one of the 20 after it;
/// port 0 takes any free port.
pub fn bind(host: IpAddr, port: u16) -> Result<Listener, String> {
    let last = if port == 0 {
        0
    } else {
        port.saturating_add(20)
    };
    let mut problem = String::new();
    for port in port..=last {
        match Server::http(SocketAddr::new(host, port)) {
            Ok(server) => {
                let address = server
                    .server_addr()
                    .to_ip()
                    .ok_or("the server has no IP address")?;
                return Ok(Listener { server, address });
            }
            Err(e) => problem = e.to_string(),
        }
    }
    Err(format!(
        "cannot listen on {host} ports {port}–{last}: {problem}"
    ))
}

/// Serves `out_dir` on its own threads, a thread per request (an event
/// stream holds its thread while the page is open).
pub fn serve(listener: Listener, live: Arc<Live>, out_dir: PathBuf) {
    run_stranded_connections(listener.address);
    std::thread::spawn(move || {
        for request in listener.server.incoming_requests() {
            let live = Arc::clone(&live);
            let out_dir = out_dir.clone();
            std::thread::spawn(move || respond(request, &live, &out_dir));
        }
    });
}

/// tiny_http 0.12 gives each connection a thread of its pool for as long
/// as the client keeps it alive. When two connections arrive while one
/// thread is idle, the second can be queued with no thread woken for it
/// (its pool counts the idle thread still waiting after waking it), and it
/// waits until some kept-alive connection closes: a browser's event stream
/// or font request hangs. Any new connection makes a thread run the queue,
/// so one that sends nothing is opened every half second.
fn run_stranded_connections(address: SocketAddr) {
    let mut address = address;
    if address.ip().is_unspecified() {
        address.set_ip(match address {
            SocketAddr::V4(_) => IpAddr::from([127, 0, 0, 1]),
            SocketAddr::V6(_) => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        });
    }
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(500));
        let _ = std::net::TcpStream::connect_timeout(&address, Duration::from_secs(1));
    });
}

fn respond(request: Request, live: &Live, out_dir: &Path) {
    let url = request.url().to_owned();
    let path = url.split(['?', '#']).next().unwrap_or("");
    let Some(path) = percent_decode(path) else {
        return not_found(request, &url, "not UTF-8");
    };
    let state = live.state();
    let answer = match path.as_str() {
        "/" => Ok(html(page::index(&state, out_dir))),
        "/events" => return events(request, live),
        "/_quire/live.js" => Ok(typed(page::LIVE_JS.as_bytes().to_vec(), "text/javascript")),
        _ => {
            if let Some(name) = path.strip_prefix("/files/") {
                file(out_dir, name)
            } else if let Some(rest) = path.strip_prefix("/read/") {
                read(out_dir, rest, &state)
            } else {
                Err("no such page")
            }
        }
    };
    match answer {
        Ok(response) => {
            // A page viewed (or reloaded), not what it loads.
            if path == "/" || path.ends_with(".xhtml") {
                eprintln!("serve: {path} (build {})", state.generation);
            }
            let _ = request.respond(response);
        }
        Err(why) => not_found(request, &url, why),
    }
}

type Answer = Response<std::io::Cursor<Vec<u8>>>;

fn typed(bytes: Vec<u8>, content_type: &str) -> Answer {
    let header = Header::from_bytes("Content-Type", content_type).expect("an ASCII header");
    Response::from_data(bytes)
        .with_header(header)
        .with_header(Header::from_bytes("Cache-Control", "no-store").expect("an ASCII header"))
}

fn html(text: String) -> Answer {
    typed(text.into_bytes(), "text/html; charset=utf-8")
}

fn not_found(request: Request, url: &str, why: &str) {
    eprintln!("serve: 404 {url} ({why})");
    let _ = request.respond(html(page::not_found(url)).with_status_code(404));
}

/// `name`, a file directly in `out_dir`, not a link out of it.
fn file(out_dir: &Path, name: &str) -> Result<Answer, &'static str> {
    let path = inside(out_dir, name)?;
    let bytes = std::fs::read(&path).map_err(|_| "cannot read the file")?;
    Ok(typed(bytes, content_type(name)))
}

/// `<volume>.<edition>/<entry>`: an entry of that EPUB; a chapter gets the
/// live-reload script, or the diagnostics while the last build failed.
fn read(out_dir: &Path, rest: &str, state: &State) -> Result<Answer, &'static str> {
    let (book, entry) = rest.split_once('/').ok_or("no entry named")?;
    let path = inside(out_dir, &format!("{book}.epub"))?;
    if entry
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err("the entry climbs");
    }
    let bytes = epub::entry(&path, entry).ok_or("no such entry in the book")?;
    let kind = content_type(entry);
    if kind.starts_with("application/xhtml+xml") {
        if let Some(failure) = &state.failure {
            return Ok(html(page::failed(
                failure,
                &state.diagnostics,
                state.generation,
            )));
        }
        let text = String::from_utf8(bytes).map_err(|_| "the chapter is not UTF-8")?;
        return Ok(typed(
            page::with_live_script(&text, state.generation).into_bytes(),
            kind,
        ));
    }
    Ok(typed(bytes, kind))
}

/// The path of `name` in `out_dir`, if it is a plain file name naming a
/// file whose real place is in `out_dir` (not a link out of it).
fn inside(out_dir: &Path, name: &str) -> Result<PathBuf, &'static str> {
    let mut parts = Path::new(name).components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(_)), None) if !name.contains('\\') => {}
        _ => return Err("not a file of the build folder"),
    }
    let dir = out_dir.canonicalize().map_err(|_| "no build folder")?;
    let path = dir.join(name).canonicalize().map_err(|_| "no such file")?;
    if path.parent() != Some(dir.as_path()) || !path.is_file() {
        return Err("a link out of the build folder");
    }
    Ok(path)
}

fn content_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map_or("", |(_, e)| e);
    match extension.to_ascii_lowercase().as_str() {
        "pdf" => "application/pdf",
        "epub" => "application/epub+zip",
        "xhtml" => "application/xhtml+xml; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "otf" => "font/otf",
        "ttf" => "font/ttf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        "opf" | "ncx" | "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

/// `%xx` escapes decoded; `None` if they do not make UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The event stream: the current build's generation at once (once there
/// is one), then each new one, `<generation> ok|failed <books written>`;
/// a comment every 15 s keeps it open.
/// tiny_http's responses buffer 8 KB before sending: the stream is
/// written on the connection itself.
fn events(request: Request, live: &Live) {
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
                Cache-Control: no-store\r\nConnection: close\r\n\r\n";
    if writer.write_all(head.as_bytes()).is_err() {
        return;
    }
    // Generation 0: nothing built yet, nothing to say.
    let mut sent = Some(0);
    loop {
        let state = {
            let guard = live.state.lock().unwrap_or_else(|e| e.into_inner());
            let (guard, _) = live
                .built
                .wait_timeout_while(guard, Duration::from_secs(15), |s| {
                    Some(s.generation) == sent
                })
                .unwrap_or_else(|e| e.into_inner());
            guard.clone()
        };
        let message = if Some(state.generation) == sent {
            String::from(": still building\n\n")
        } else {
            sent = Some(state.generation);
            let status = if state.failure.is_some() {
                "failed"
            } else {
                "ok"
            };
            let books = state.touched.join(" ");
            format!(
                "event: build\ndata: {} {status} {books}\n\n",
                state.generation
            )
        };
        if writer.write_all(message.as_bytes()).is_err() || writer.flush().is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_in_the_folder_are_served() {
        let dir = std::env::temp_dir().join(format!("quire-serve-unit-{}", std::process::id()));
        let out = dir.join("build");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("a.pdf"), b"%PDF").unwrap();
        std::fs::write(dir.join("secret.toml"), b"x").unwrap();
        assert!(inside(&out, "a.pdf").is_ok());
        for name in [
            "../secret.toml",
            "/etc/passwd",
            "..",
            ".",
            "",
            "x/../a.pdf",
            "..\\secret.toml",
        ] {
            assert!(inside(&out, name).is_err(), "{name}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("secret.toml"), out.join("link.pdf")).unwrap();
            assert!(
                inside(&out, "link.pdf").is_err(),
                "a link out of the folder"
            );
        }
        assert_eq!(
            percent_decode("/files/%2e%2e%2fx").as_deref(),
            Some("/files/../x")
        );
        assert_eq!(percent_decode("/a%zz").as_deref(), Some("/a%zz"));
    }
}
