//! quire compiles a library of Markdown articles (English, Traditional and
//! Simplified Chinese) into themed volumes: one EPUB 3 per volume and edition.
//!
//! The stages, in order:
//! 1. [`config`]: read `quire.toml` — the library, its fonts, its volumes.
//! 2. [`book`]: load the articles and their front matter.
//! 3. [`volume`]: resolve each volume's chapters and plan its editions.
//! 4. [`doc`]: parse Markdown into the document model and run the passes
//!    (soft breaks, script conversion, language runs).
//! 5. [`render`]: write each book — [`render::epub`] for EPUB 3, with the
//!    [`fonts`] subset to the characters the book uses.
//!
//! [`build`] runs the stages end to end and writes each book atomically.

pub mod assets;
pub mod book;
pub mod build;
pub mod config;
pub mod doc;
pub mod error;
pub mod fonts;
pub mod render;
pub mod text;
pub mod typeset;
pub mod volume;
pub mod watch;
pub mod words;
