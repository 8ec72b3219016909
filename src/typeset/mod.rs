//! The typesetter: the document model → pages of frames, for the PDF writer.

pub mod frame;
