//! quire compiles a library of Markdown articles (English, Traditional and
//! Simplified Chinese) into themed volumes: an EPUB 3 and a PDF per volume
//! and edition.
//!
//! The stages, in order:
//! 1. [`config`]: read `quire.toml` — the library, its fonts, its volumes.
//! 2. [`book`]: load the articles and their front matter.
//! 3. [`volume`]: resolve each volume's chapters and plan its editions.
//! 4. [`doc`]: parse Markdown into the document model and run the passes
//!    (soft breaks, script conversion, normalisation, language runs).
//! 5. [`render::epub`] writes the EPUB 3; [`typeset`] sets the pages as
//!    frames and [`render::pdf`] writes them as PDF. Both subset the [`fonts`]
//!    to the characters the book uses.
//!
//! [`build`] runs the stages end to end, editions and formats in parallel,
//! and writes each book atomically; [`watch`] rebuilds what a change affects.

pub mod assets;
pub mod book;
pub mod build;
pub mod config;
pub mod doc;
pub mod error;
pub mod fonts;
pub mod init;
pub mod render;
pub mod serve;
pub mod text;
pub mod typeset;
pub mod volume;
pub mod watch;
pub mod words;
