//! Files a book embeds besides its text: images, checked and read.
//!
//! An image is embedded only if it is a PNG or JPEG file inside the library,
//! no larger than [`MAX_FILE_BYTES`], at most [`MAX_MEGAPIXELS`] megapixels
//! (read from its header, before anything is decoded), and decodes cleanly
//! within [`MAX_DECODE_BYTES`] of memory.

use std::io::Cursor;
use std::path::{Component, Path, PathBuf};

use image::{DynamicImage, ImageFormat, ImageReader, Limits};

/// The most pixels an image may have, in millions: a full page at 600 dpi
/// on the largest page size (Letter) is about 34 megapixels.
pub const MAX_MEGAPIXELS: u64 = 40;

/// The most memory the decoder may use for one image.
pub const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// The largest image file read.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

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
        Ok(ImageFormat::Png) => Ok(("image/png", "png")),
        Ok(ImageFormat::Jpeg) => Ok(("image/jpeg", "jpg")),
        _ => Err("not a PNG or JPEG image".into()),
    }
}

fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, String> {
    let format = match image_kind(bytes)? {
        (_, "png") => ImageFormat::Png,
        _ => ImageFormat::Jpeg,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    Ok(reader)
}

/// The width and height an image declares, read from its header only;
/// refuses an image that is not PNG or JPEG, or larger than [`MAX_MEGAPIXELS`].
pub fn image_size(bytes: &[u8]) -> Result<(u32, u32), String> {
    let (width, height) = reader(bytes)?
        .into_dimensions()
        .map_err(|e| format!("the image is damaged and cannot be decoded ({e})"))?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels == 0 {
        return Err(format!("the image is empty ({width} × {height} pixels)"));
    }
    if pixels > MAX_MEGAPIXELS * 1_000_000 {
        return Err(format!(
            "the image is {width} × {height} pixels ({} megapixels), more than the {MAX_MEGAPIXELS} megapixels quire accepts: scale it down (300 dpi across a page is about 2000 pixels)",
            pixels.div_ceil(1_000_000)
        ));
    }
    Ok((width, height))
}

/// Decodes a PNG or JPEG image, checking its size from its header first:
/// an image too large to embed is refused before a single pixel is decoded.
pub fn decode_image(bytes: &[u8]) -> Result<DynamicImage, String> {
    image_size(bytes)?;
    reader(bytes)?.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => format!(
            "the image needs more than {} MB of memory to decode: scale it down",
            MAX_DECODE_BYTES / (1024 * 1024)
        ),
        other => format!("the image is damaged and cannot be decoded ({other})"),
    })
}

/// Where `url`, an image link in `article`, points: refuses URLs, absolute
/// paths, and relative paths that climb out of `library_root`, before
/// anything is read.
fn image_path(library_root: &Path, article: &Path, url: &str) -> Result<PathBuf, String> {
    let has_scheme = url.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if has_scheme {
        return Err(
            "only image files inside the library are embedded, not URLs: save the image beside the article and link it by a relative path".into(),
        );
    }
    let relative = Path::new(url);
    if relative.has_root() {
        return Err(
            "an absolute path is refused: only files inside the library are embedded; link the image by a path relative to the article".into(),
        );
    }
    let dir = article.parent().unwrap_or(Path::new("."));
    let path = dir.join(relative);
    let inside = match (lexical(library_root), lexical(&path)) {
        (Some(root), Some(path)) => path.starts_with(&root) && path != root,
        _ => false,
    };
    if !inside {
        return Err(format!(
            "{} lies outside the library {}",
            path.display(),
            library_root.display()
        ));
    }
    Ok(path)
}

/// `path`, absolute, with `.` and `..` resolved by name only (no links followed);
/// `None` when `..` climbs above the root.
fn lexical(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// Reads the file an image link points to, once its path is accepted;
/// refuses links (symlinks included) that resolve outside the library,
/// and anything but a regular file of at most [`MAX_FILE_BYTES`].
fn read_image(library_root: &Path, article: &Path, url: &str) -> Result<Vec<u8>, String> {
    let path = image_path(library_root, article, url)?;
    let resolved = path
        .canonicalize()
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let root = library_root
        .canonicalize()
        .map_err(|e| format!("cannot read the library {}: {e}", library_root.display()))?;
    if !resolved.starts_with(&root) {
        return Err(format!(
            "{} leads to {}, outside the library {}: links out of the library are refused",
            path.display(),
            resolved.display(),
            library_root.display()
        ));
    }
    let metadata =
        std::fs::metadata(&resolved).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !metadata.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{} is {} MB, more than the {} MB quire reads for an image: make it smaller",
            path.display(),
            metadata.len().div_ceil(1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    crate::error::read_file(&resolved, MAX_FILE_BYTES)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Reads and checks an image an article links to by `url`, relative to the
/// article, for embedding as is (the EPUB). The image is decoded once, to
/// be sure readers can show it.
pub fn load_image(library_root: &Path, article: &Path, url: &str) -> Result<ImageFile, String> {
    let bytes = read_image(library_root, article, url)?;
    let (mime, extension) = image_kind(&bytes)?;
    decode_image(&bytes)?;
    Ok(ImageFile {
        bytes,
        mime,
        extension,
    })
}

/// Reads, checks and decodes an image an article links to by `url`, for
/// drawing its pixels (the PDF).
pub fn load_pixels(library_root: &Path, article: &Path, url: &str) -> Result<DynamicImage, String> {
    decode_image(&read_image(library_root, article, url)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_header(out: &mut Vec<u8>) {
        out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    }

    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = 0xffff_ffffu32;
        for &byte in kind.iter().chain(data) {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        out.extend_from_slice(&(!crc).to_be_bytes());
    }

    /// A PNG whose header says `width` × `height` (8-bit RGB), with one
    /// filter byte of pixel data: the header reads, the pixels do not.
    fn huge_png(width: u32, height: u32) -> Vec<u8> {
        let mut png = Vec::new();
        png_header(&mut png);
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        chunk(&mut png, b"IHDR", &ihdr);
        // zlib: header, one stored block holding a single 0 byte, Adler-32 of it.
        chunk(
            &mut png,
            b"IDAT",
            &[0x78, 0x01, 0x01, 1, 0, 0xfe, 0xff, 0, 0, 1, 0, 1],
        );
        chunk(&mut png, b"IEND", &[]);
        png
    }

    #[test]
    fn a_huge_image_is_refused_from_its_header() {
        let png = huge_png(20_000, 20_000);
        assert!(png.len() < 100);
        let message = decode_image(&png).unwrap_err();
        assert!(
            message.contains("20000 × 20000 pixels (400 megapixels)"),
            "{message}"
        );
        assert!(image_size(&huge_png(4000, 3000)).is_ok());
    }

    #[test]
    fn damaged_and_foreign_files_are_refused() {
        let mut garbage = b"\x89PNG\r\n\x1a\n".to_vec();
        garbage.extend_from_slice(b"garbage, not chunks");
        assert!(decode_image(&garbage).unwrap_err().contains("damaged"));
        assert_eq!(
            decode_image(b"plain text").unwrap_err(),
            "not a PNG or JPEG image"
        );
        // A header with no pixel data: the size is fine, the decode fails.
        assert!(decode_image(&huge_png(10, 10))
            .unwrap_err()
            .contains("damaged"));
    }

    #[test]
    fn paths_out_of_the_library_are_refused_before_reading() {
        let root = Path::new("lib/articles");
        let article = Path::new("lib/articles/gamma/en.md");
        for url in [
            "../../etc/passwd",
            "../../../../../../../../etc/passwd",
            "../",
            "..",
        ] {
            let message = image_path(root, article, url).unwrap_err();
            assert!(
                message.contains("lies outside the library"),
                "{url}: {message}"
            );
        }
        for url in ["/etc/passwd", "//server/share.png"] {
            let message = image_path(root, article, url).unwrap_err();
            assert!(message.contains("absolute path"), "{url}: {message}");
        }
        for url in [
            "https://example.com/a.png",
            "javascript:alert(1)",
            "data:image/png;base64,AA",
            "file:///etc/passwd",
        ] {
            let message = image_path(root, article, url).unwrap_err();
            assert!(message.contains("not URLs"), "{url}: {message}");
        }
        assert_eq!(
            image_path(root, article, "../beta/./figure.png").unwrap(),
            Path::new("lib/articles/gamma/../beta/./figure.png")
        );
    }
}
