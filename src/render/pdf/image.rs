//! Images: 8-bit RGB pixels as image XObjects, lossless (Flate with PNG
//! predictors, chosen per row), each distinct image written once.

use std::collections::BTreeMap;
use std::sync::Arc;

use printpdf::{DictItem, ExternalStream, ExternalXObject, XObject};

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

/// The image XObject for `image`: the rows PNG-predicted and compressed by
/// quire (printpdf's own image path would re-encode them), written as they
/// are.
pub(super) fn xobject(image: &ImageData) -> Result<XObject, String> {
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
    let mut dict = BTreeMap::from([
        ("Type".to_owned(), DictItem::Name(b"XObject".to_vec())),
        ("Subtype".to_owned(), DictItem::Name(b"Image".to_vec())),
        ("Width".to_owned(), DictItem::Int(i64::from(image.width))),
        ("Height".to_owned(), DictItem::Int(i64::from(image.height))),
        (
            "ColorSpace".to_owned(),
            DictItem::Name(b"DeviceRGB".to_vec()),
        ),
        ("BitsPerComponent".to_owned(), DictItem::Int(8)),
    ]);
    let predicted = predicted(&image.rgb, row);
    let compressed = super::zlib(&predicted, super::Effort::Normal).map_err(|e| e.to_string())?;
    let content = if compressed.len() + 19 < predicted.len() {
        dict.insert("Filter".into(), DictItem::Name(b"FlateDecode".to_vec()));
        let parms = BTreeMap::from([
            ("Predictor".to_owned(), DictItem::Int(15)),
            ("Colors".to_owned(), DictItem::Int(3)),
            ("BitsPerComponent".to_owned(), DictItem::Int(8)),
            ("Columns".to_owned(), DictItem::Int(i64::from(image.width))),
        ]);
        dict.insert("DecodeParms".into(), DictItem::Dict { map: parms });
        compressed
    } else {
        // Too small to gain from compression: the plain pixels.
        image.rgb.clone()
    };
    Ok(XObject::External(ExternalXObject {
        stream: ExternalStream {
            dict,
            content,
            compress: false,
        },
        width: None,
        height: None,
        dpi: None,
    }))
}

/// The PNG filters (RFC 2083, 6.3) in filter-byte order: each gives the
/// predictor of a byte from the bytes to its left, above and above-left.
const FILTERS: [fn(u8, u8, u8) -> u8; 5] = [
    |_, _, _| 0,
    |left, _, _| left,
    |_, above, _| above,
    |left, above, _| ((u16::from(left) + u16::from(above)) / 2) as u8,
    paeth,
];

fn paeth(left: u8, above: u8, upper_left: u8) -> u8 {
    let (a, b, c) = (i16::from(left), i16::from(above), i16::from(upper_left));
    let p = a + b - c;
    let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
    if pa <= pb && pa <= pc {
        left
    } else if pb <= pc {
        above
    } else {
        upper_left
    }
}

/// The rows PNG-filtered, each with the filter that leaves the smallest sum
/// of absolute differences (the usual heuristic), behind its filter byte.
pub(super) fn predicted(rgb: &[u8], row: usize) -> Vec<u8> {
    const BPP: usize = 3;
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
        for (byte, predict) in FILTERS.iter().enumerate() {
            for i in 0..row {
                let (left, upper_left) = if i >= BPP {
                    (current[i - BPP], previous[i - BPP])
                } else {
                    (0, 0)
                };
                candidate[i] = current[i].wrapping_sub(predict(left, previous[i], upper_left));
            }
            let cost: u64 = candidate
                .iter()
                .map(|&b| u64::from((b as i8).unsigned_abs()))
                .sum();
            if cost < best_cost {
                best_cost = cost;
                best_filter = byte as u8;
                best.copy_from_slice(&candidate);
            }
        }
        out.push(best_filter);
        out.extend_from_slice(&best);
    }
    out
}
