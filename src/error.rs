//! Diagnostics (problems in the user's sources) and errors (why a command failed).

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// What a build did that an editor may want to review (`--deny-warnings`
    /// does not count it).
    Note,
    Warning,
    Error,
}

/// A place in a source file: 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
}

impl Location {
    /// The location of byte `offset` in `text`, the contents of `path`.
    /// Where `c` is in `text`: its first place at or after `offset` and
    /// before `offset + within`, else `offset` (the text set may differ from
    /// the source after normalisation).
    pub fn char_offset(text: &str, offset: usize, c: char, within: usize) -> usize {
        let mut end = (offset + within).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.get(offset..end)
            .and_then(|window| window.find(c))
            .map_or(offset, |i| offset + i)
    }

    pub fn in_text(path: &Path, text: &str, offset: usize) -> Location {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Location {
            path: path.to_path_buf(),
            line,
            col,
        }
    }

    /// A location naming a whole file.
    pub fn file(path: &Path) -> Location {
        Location {
            path: path.to_path_buf(),
            line: 0,
            col: 0,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.col)?;
        }
        Ok(())
    }
}

/// A problem found in the user's library, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub location: Option<Location>,
    pub message: String,
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn error(location: Option<Location>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            location,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    pub fn warning(location: Option<Location>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(location, message)
        }
    }

    pub fn note(location: Option<Location>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(location, message)
        }
    }

    /// Adds a `hint:` line.
    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hints.push(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        let label = match self.severity {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{label}: {}", self.message)?;
        for hint in &self.hints {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Diagnostics collected while working through a library.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many errors, warnings and notes there are.
    pub fn counts(&self) -> (usize, usize, usize) {
        let of = |severity| self.0.iter().filter(|d| d.severity == severity).count();
        (
            of(Severity::Error),
            of(Severity::Warning),
            of(Severity::Note),
        )
    }

    /// Whether any diagnostic is a warning or an error (not only notes).
    pub fn has_warnings(&self) -> bool {
        self.0.iter().any(|d| d.severity >= Severity::Warning)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Sorts by file and position and drops exact repeats, so output is stable.
    pub fn sorted(mut self) -> Diagnostics {
        self.0.sort_by(|a, b| {
            let key = |d: &Diagnostic| d.location.as_ref().map(|l| (l.path.clone(), l.line, l.col));
            key(a).cmp(&key(b)).then(a.message.cmp(&b.message))
        });
        // The same problem seen from two editions is one problem.
        self.0
            .dedup_by(|a, b| a.location == b.location && a.message == b.message);
        self
    }

    /// `Ok(self)` when nothing is an error, else `Err` holding every diagnostic.
    pub fn into_result(self) -> Result<Diagnostics, Error> {
        if self.has_errors() {
            Err(Error::Invalid(self.sorted()))
        } else {
            Ok(self)
        }
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The library has errors; each is a diagnostic with its place.
    #[error("{} error(s) in the library", .0.iter().filter(|d| d.is_error()).count())]
    Invalid(Diagnostics),
    #[error("could not {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not write the EPUB {path}: {message}")]
    Epub { path: PathBuf, message: String },
    /// The system's file watcher failed (`quire watch`).
    #[error("could not watch the files for changes: {0}")]
    Watch(String),
}

impl Error {
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// How to fix the error, where quire can tell.
    pub fn hint(&self) -> Option<String> {
        use std::io::ErrorKind;
        if let Error::Watch(_) = self {
            return Some(
                "the system may be out of file watches (Linux: raise fs.inotify.max_user_watches); `quire build` works without them".to_string(),
            );
        }
        let Error::Io {
            action,
            path,
            source,
        } = self
        else {
            return None;
        };
        let path = path.display();
        let reading = action.starts_with("read");
        let hint = match source.kind() {
            ErrorKind::NotFound if reading => format!("check the path {path}: nothing is there"),
            ErrorKind::NotFound => format!(
                "check that the folder holding {path} exists and that no other quire writes there at once, or write elsewhere (--out DIR)"
            ),
            ErrorKind::NotADirectory => format!(
                "a part of {path} is a file, not a folder: choose another folder (--out DIR)"
            ),
            ErrorKind::AlreadyExists => format!(
                "{path} is a file, not a folder: move it aside, or choose another folder (--out DIR)"
            ),
            ErrorKind::IsADirectory | ErrorKind::DirectoryNotEmpty => format!(
                "{path} is a folder, where quire writes a book: move it aside, or write elsewhere (--out DIR)"
            ),
            ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => format!(
                "quire may not {action} {path}: check its permissions, or write elsewhere (--out DIR)"
            ),
            ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge => format!(
                "free some space on the disk that holds {path}, or write elsewhere (--out DIR); the book that was there is unchanged"
            ),
            ErrorKind::InvalidInput | ErrorKind::InvalidData if reading => format!(
                "point quire at a regular file of at most {} MB in the place of {path}",
                MAX_READ_BYTES >> 20
            ),
            _ if reading => format!("check that {path} can be read"),
            _ => format!("check that {path} can be written, or write elsewhere (--out DIR)"),
        };
        Some(hint)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The most quire reads of a config, an article or a font file.
pub const MAX_READ_BYTES: u64 = 64 << 20;

/// Reads a regular file of at most `limit` bytes. Anything else (a folder,
/// a FIFO, a device such as `/dev/zero`) is refused before it is opened, so
/// that it can neither block the build nor fill the memory.
pub fn read_file(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        let what = if metadata.is_dir() {
            "a folder"
        } else {
            "not a regular file (a pipe, socket or device)"
        };
        return Err(Error::new(ErrorKind::InvalidInput, format!("it is {what}")));
    }
    let too_large = |size: u64| {
        Error::new(
            ErrorKind::InvalidData,
            format!(
                "it is {} MB, more than the {} MB quire reads",
                size.div_ceil(1 << 20),
                limit >> 20
            ),
        )
    };
    if metadata.len() > limit {
        return Err(too_large(metadata.len()));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads a file as UTF-8, naming the file (and the first bad byte, with its
/// line and column) on failure. A leading byte-order mark is dropped.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = read_file(path, MAX_READ_BYTES).map_err(|e| Error::io("read", path, e))?;
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
        Error::Invalid(Diagnostics(vec![Diagnostic::error(
            Some(Location::in_text(path, valid, offset)),
            format!(
                "the file is not valid UTF-8: bad byte 0x{:02X} at offset {offset}",
                bytes.get(offset).copied().unwrap_or_default()
            ),
        )
        .hint("save the file as UTF-8 (an editor's \"Save with encoding\" or `iconv -t UTF-8` converts it)")]))
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters() {
        let text = "ab\n中文x\n";
        let loc = Location::in_text(Path::new("a.md"), text, "ab\n中文".len());
        assert_eq!((loc.line, loc.col), (2, 3));
        assert_eq!(loc.to_string(), "a.md:2:3");
    }

    #[test]
    fn diagnostic_prints_place_message_and_hints() {
        let d = Diagnostic::error(
            Some(Location {
                path: "x.toml".into(),
                line: 3,
                col: 1,
            }),
            "bad",
        )
        .hint("fix it");
        assert_eq!(d.to_string(), "x.toml:3:1: error: bad\n  hint: fix it");
    }

    #[test]
    fn read_text_places_a_bad_byte_and_drops_a_byte_order_mark() {
        let dir = std::env::temp_dir().join(format!("quire-error-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("latin1.md");
        std::fs::write(&path, b"one\n\xe4\xb8\xad caf\xe9\n").unwrap();
        let Err(Error::Invalid(found)) = read_text(&path) else {
            panic!("invalid UTF-8 is a diagnostic");
        };
        let d = found.iter().next().unwrap();
        let location = d.location.as_ref().unwrap();
        assert_eq!((location.line, location.col), (2, 6));
        assert!(d.message.contains("bad byte 0xE9 at offset 11"), "{d}");
        std::fs::write(&path, "\u{feff}+++\n").unwrap();
        assert_eq!(read_text(&path).unwrap(), "+++\n");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn io_errors_come_with_a_hint() {
        let full = Error::io(
            "write",
            Path::new("build/a.en.pdf"),
            std::io::Error::from(std::io::ErrorKind::StorageFull),
        );
        assert!(full
            .hint()
            .unwrap()
            .contains("free some space on the disk that holds build/a.en.pdf"));
        let under_a_file = Error::io(
            "create the folder",
            Path::new("notes.txt/build"),
            std::io::Error::from(std::io::ErrorKind::NotADirectory),
        );
        assert!(under_a_file
            .hint()
            .unwrap()
            .contains("is a file, not a folder"));
    }
}
