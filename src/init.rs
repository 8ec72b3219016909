//! `quire init`: a new library that builds at once — a config, one article
//! in English and Traditional Chinese, and a README.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Location};

/// The files of a new library: where they go, and what they hold.
const FILES: &[(&str, &str)] = &[
    ("quire.toml", include_str!("init/quire.toml")),
    (
        "articles/welcome/en.md",
        include_str!("init/articles/welcome/en.md"),
    ),
    (
        "articles/welcome/zh-Hant.md",
        include_str!("init/articles/welcome/zh-Hant.md"),
    ),
    ("README.md", include_str!("init/README.md")),
];

/// Writes a new library into `dir` (made if missing); returns the files
/// written. An existing file is never overwritten: if any of them exists,
/// nothing is written.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let existing: Vec<Diagnostic> = FILES
        .iter()
        .map(|(name, _)| dir.join(name))
        .filter(|path| path.exists())
        .map(|path| {
            Diagnostic::error(Some(Location::file(&path)), "already exists")
                .hint("quire init never overwrites a file: start the library in an empty folder (`quire init NEW-FOLDER`)")
        })
        .collect();
    if !existing.is_empty() {
        return Err(Error::Invalid(existing.into_iter().collect()));
    }
    let mut written = Vec::new();
    for (name, text) in FILES {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io("create the folder", parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
        written.push(path);
    }
    Ok(written)
}
