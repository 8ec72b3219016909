//! Files a book embeds besides its text: images, checked and read.

use std::path::Path;

/// A PNG or JPEG file, as read.
#[derive(Debug, Clone)]
pub struct ImageFile {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub extension: &'static str,
}

/// The kind of an image from its bytes: only PNG and JPEG are embedded.
pub fn image_kind(bytes: &[u8]) -> Result<(&'static str, &'static str), String> {
    match image::guess_format(bytes) {
        Ok(image::ImageFormat::Png) => Ok(("image/png", "png")),
        Ok(image::ImageFormat::Jpeg) => Ok(("image/jpeg", "jpg")),
        _ => Err("not a PNG or JPEG image".into()),
    }
}

/// Reads an image an article links to by `url`, relative to the article;
/// refuses URLs, absolute paths and paths (symlinks included) that leave `library_root`.
pub fn load_image(library_root: &Path, article: &Path, url: &str) -> Result<ImageFile, String> {
    if url.contains("://") || url.starts_with('/') {
        return Err("only relative paths inside the library are embedded".into());
    }
    let dir = article.parent().unwrap_or(Path::new("."));
    let path = dir.join(url);
    let resolved = path
        .canonicalize()
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let root = library_root.canonicalize().map_err(|e| e.to_string())?;
    if !resolved.starts_with(&root) {
        return Err(format!(
            "{} lies outside the library {}",
            path.display(),
            library_root.display()
        ));
    }
    let bytes =
        std::fs::read(&resolved).map_err(|e| format!("cannot read {}: {e}", resolved.display()))?;
    let (mime, extension) = image_kind(&bytes)?;
    Ok(ImageFile {
        bytes,
        mime,
        extension,
    })
}
