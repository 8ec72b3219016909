//! Images: 8-bit RGB pixels as image XObjects, lossless (Flate with PNG
//! predictors, chosen per row), each distinct image written once.

use std::sync::Arc;

use lopdf::filters::png::{encode_row, FilterType};
use lopdf::{dictionary, Stream};

use crate::typeset::frame::{ImageData, Item, Pages};

/// The distinct images, in order of first appearance.
pub(super) fn collect(pages: &Pages) -> Vec<Arc<ImageData>> {
    let mut images: Vec<Arc<ImageData>> = Vec::new();
    for page in &pages.pages {
        for item in &page.items {
            if let Item::Image { image, .. } = item {
                if index(&images, image).is_none() {
                    images.push(Arc::clone(image));
                }
            }
        }
    }
    images
}

/// Where `image` (the same allocation, or equal pixels) is in `images`.
pub(super) fn index(images: &[Arc<ImageData>], image: &Arc<ImageData>) -> Option<usize> {
    images
        .iter()
        .position(|i| Arc::ptr_eq(i, image))
        .or_else(|| images.iter().position(|i| **i == **image))
}

/// The image XObject for `image`.
pub(super) fn xobject(image: &ImageData) -> Result<Stream, String> {
    let (width, height) = (image.width as usize, image.height as usize);
    if width == 0 || height == 0 {
        return Err(format!("empty image ({width}×{height})"));
    }
    let row = width
        .checked_mul(3)
        .filter(|row| row.checked_mul(height) == Some(image.rgb.len()))
        .ok_or_else(|| {
            format!(
                "{} bytes of pixels for {width}×{height} RGB",
                image.rgb.len()
            )
        })?;
    let dict = dictionary! {
        "Type" => "XObject",
        "Subtype" => "Image",
        "Width" => i64::from(image.width),
        "Height" => i64::from(image.height),
        "ColorSpace" => "DeviceRGB",
        "BitsPerComponent" => 8,
    };

    let mut stream = Stream::new(dict.clone(), predicted(&image.rgb, row));
    super::deflate(&mut stream, super::Effort::Normal)?;
    if stream.dict.has(b"Filter") {
        stream.dict.set(
            "DecodeParms",
            dictionary! {
                "Predictor" => 15,
                "Colors" => 3,
                "BitsPerComponent" => 8,
                "Columns" => i64::from(image.width),
            },
        );
        Ok(stream)
    } else {
        // Too small to gain from compression: the plain pixels.
        Ok(Stream::new(dict, image.rgb.clone()))
    }
}

/// The rows PNG-filtered, each with the filter that leaves the smallest sum
/// of absolute differences (the usual heuristic), behind its filter byte.
fn predicted(rgb: &[u8], row: usize) -> Vec<u8> {
    const FILTERS: [(FilterType, u8); 5] = [
        (FilterType::None, 0),
        (FilterType::Sub, 1),
        (FilterType::Up, 2),
        (FilterType::Avg, 3),
        (FilterType::Paeth, 4),
    ];
    let zero = vec![0u8; row];
    let mut out = Vec::with_capacity(rgb.len() + rgb.len() / row);
    let mut candidate = vec![0u8; row];
    let mut best = vec![0u8; row];
    for (y, current) in rgb.chunks_exact(row).enumerate() {
        let previous = if y == 0 {
            &zero[..]
        } else {
            &rgb[(y - 1) * row..y * row]
        };
        let mut best_filter = 0;
        let mut best_cost = u64::MAX;
        for (filter, byte) in FILTERS {
            candidate.copy_from_slice(current);
            encode_row(filter, 3, previous, &mut candidate);
            let cost: u64 = candidate
                .iter()
                .map(|&b| u64::from((b as i8).unsigned_abs()))
                .sum();
            if cost < best_cost {
                best_cost = cost;
                best_filter = byte;
                best.copy_from_slice(&candidate);
            }
        }
        out.push(best_filter);
        out.extend_from_slice(&best);
    }
    out
}
