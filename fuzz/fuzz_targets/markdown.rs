//! Arbitrary bytes as an article file (front matter optional) → the
//! document model → EPUB chapters, and typeset → PDF. Must never panic.
//! The pipeline itself is `fuzz/pipeline.rs`, shared with the regression
//! test `tests/testsuite/fuzz.rs`.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use quire::fonts::Fonts;

#[path = "../pipeline.rs"]
mod pipeline;

/// The repository root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The bundled fonts, loaded once per process from `books/quire.toml`.
fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let config = quire::config::load_config(&root().join("books/quire.toml"))
            .expect("books/quire.toml loads");
        Fonts::load(&config).expect("the bundled fonts load")
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        pipeline::run(fonts(), &root(), text);
    }
});
