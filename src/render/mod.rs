//! Renderers: the document model → output formats.

pub mod epub;
pub mod pdf;
