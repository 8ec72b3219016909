//! Rewrites the archive epub-builder made so the same book gives the same
//! bytes: `mimetype` first and stored, the rest sorted, fixed timestamps.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// Rewrites `epub`, passing each entry through `patch(name, bytes)`.
pub fn normalize(epub: &[u8], patch: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Result<Vec<u8>, String> {
    let mut archive = ZipArchive::new(Cursor::new(epub)).map_err(|e| e.to_string())?;
    let mut entries = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(|e| e.to_string())?;
        if file.is_dir() {
            continue;
        }
        let mut bytes = Vec::with_capacity(file.size() as usize);
        file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        let name = file.name().to_string();
        let bytes = patch(&name, bytes);
        entries.push((name, bytes));
    }
    // `mimetype` sorts before everything else by this key.
    entries.sort_by(|(a, _), (b, _)| (a != "mimetype", a).cmp(&(b != "mimetype", b)));

    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let fixed = SimpleFileOptions::default()
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for (name, bytes) in entries {
        let method = if name == "mimetype" {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        writer
            .start_file(name, fixed.compression_method(method))
            .map_err(|e| e.to_string())?;
        writer.write_all(&bytes).map_err(|e| e.to_string())?;
    }
    Ok(writer.finish().map_err(|e| e.to_string())?.into_inner())
}
