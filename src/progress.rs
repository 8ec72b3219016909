//! What a build shows while it runs: a progress bar on a terminal once the
//! build takes over a moment, and a line per finished book.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use quire::build::Built;

/// How long a build runs before its bar appears.
const MOMENT: Duration = Duration::from_millis(300);

/// Reports the books of one build as they are finished.
pub struct Progress {
    bar: ProgressBar,
    /// On a terminal: lines as books finish. Otherwise: all at the end, in order.
    live: bool,
    /// In CI with output to a file or pipe: no lines unless something failed.
    quiet: bool,
}

impl Progress {
    /// A bar for `books` books, or a count of them if that is not known.
    pub fn new(books: Option<usize>) -> Progress {
        let ci = std::env::var_os("CI").is_some();
        let live = std::io::stdout().is_terminal() && !ci;
        let bar =
            ProgressBar::with_draw_target(books.map(|n| n as u64), ProgressDrawTarget::hidden());
        if live && std::io::stderr().is_terminal() {
            let template = match books {
                Some(_) => "{spinner} building [{bar:30}] {pos}/{len} books {elapsed}",
                None => "{spinner} building: {pos} books {elapsed}",
            };
            bar.set_style(
                ProgressStyle::with_template(template)
                    .expect("the template is valid")
                    .progress_chars("=> "),
            );
            let shown = bar.clone();
            std::thread::spawn(move || {
                std::thread::sleep(MOMENT);
                if !shown.is_finished() {
                    shown.set_draw_target(ProgressDrawTarget::stderr());
                    shown.enable_steady_tick(Duration::from_millis(100));
                }
            });
        }
        Progress {
            bar,
            live,
            quiet: ci && !std::io::stdout().is_terminal(),
        }
    }

    /// Called from the build's threads as each book is written.
    pub fn finished(&self, book: &Built) {
        self.bar.inc(1);
        if self.live {
            self.bar.suspend(|| print_line(book));
        }
    }

    /// The build is over: clears the bar. Off a terminal, prints a line per
    /// book in build order, unless quiet and nothing `failed`.
    pub fn done(self, built: &[Built], failed: bool) {
        self.bar.finish_and_clear();
        if self.live || (self.quiet && !failed) {
            return;
        }
        for book in built {
            print_line(book);
        }
    }
}

/// `build/ai.en.pdf  5 chapters, 112 pages, 79 KB`; `build/ai.en.cover.pdf  cover, 17 KB`
fn print_line(book: &Built) {
    use quire::text::count;
    let pages = book
        .pages
        .map(|p| format!(", {}", count(p, "page", "pages")))
        .unwrap_or_default();
    let what = match book.chapters {
        0 => String::from("cover"),
        n => count(n, "chapter", "chapters") + &pages,
    };
    let _ = writeln!(
        std::io::stdout(),
        "{}  {what}, {} KB",
        book.path.display(),
        book.bytes.div_ceil(1024)
    );
}
