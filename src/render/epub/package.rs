//! Rewrites the archive epub-builder made so the same book gives the same
//! bytes: `mimetype` first and stored, the rest sorted, fixed timestamps.
//! Entries are copied still compressed; only the one patched is recompressed.
//! Font files are put in here, not by epub-builder: it would compress them
//! at zlib level 6, not at [`crate::fonts::DEFLATE_LEVEL`].

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// What to change in an entry the EPUB builder wrote: its name and a
/// function of its bytes.
pub type Patch<'p> = (&'p str, &'p dyn Fn(Vec<u8>) -> Vec<u8>);

/// Rewrites `epub`, passing each entry named in `patches` through its
/// function and giving the entries named in `fonts` (empty stand-ins) their
/// bytes.
pub fn normalize(
    epub: &[u8],
    patches: &[Patch],
    fonts: &[(String, &[u8])],
) -> Result<Vec<u8>, String> {
    let mut archive = ZipArchive::new(Cursor::new(epub)).map_err(|e| e.to_string())?;
    let mut names: Vec<(String, usize)> = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let file = archive.by_index_raw(i).map_err(|e| e.to_string())?;
        if !file.is_dir() {
            names.push((file.name().to_string(), i));
        }
    }
    // `mimetype` sorts before everything else by this key.
    names.sort_by(|(a, _), (b, _)| (a != "mimetype", a).cmp(&(b != "mimetype", b)));

    let mut writer = ZipWriter::new(Cursor::new(Vec::with_capacity(epub.len())));
    let fixed = SimpleFileOptions::default()
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for (name, i) in names {
        if let Some((_, bytes)) = fonts.iter().find(|(font, _)| *font == name) {
            let fast = fixed
                .compression_method(CompressionMethod::Deflated)
                .compression_level(Some(i64::from(crate::fonts::DEFLATE_LEVEL)));
            writer.start_file(name, fast).map_err(|e| e.to_string())?;
            writer.write_all(bytes).map_err(|e| e.to_string())?;
        } else if let Some((_, patch)) = patches.iter().find(|(patched, _)| *patched == name) {
            let mut file = archive.by_index(i).map_err(|e| e.to_string())?;
            let mut bytes = Vec::with_capacity(file.size() as usize);
            file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
            let bytes = patch(bytes);
            writer
                .start_file(name, fixed.compression_method(CompressionMethod::Deflated))
                .map_err(|e| e.to_string())?;
            writer.write_all(&bytes).map_err(|e| e.to_string())?;
        } else {
            let file = archive.by_index_raw(i).map_err(|e| e.to_string())?;
            writer
                .raw_copy_file_touch(file, DateTime::default(), Some(0o644))
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(writer.finish().map_err(|e| e.to_string())?.into_inner())
}
