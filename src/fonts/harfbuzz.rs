//! HarfBuzz's subsetter, which keeps a font's layout tables: the one place
//! quire calls foreign code.
#![allow(unsafe_code)]

use std::collections::BTreeSet;
use std::os::raw::{c_char, c_uint, c_void};

use harfbuzz_sys as hb;

extern "C" {
    fn hb_subset_input_create_or_fail() -> *mut c_void;
    fn hb_subset_input_destroy(input: *mut c_void);
    fn hb_subset_input_unicode_set(input: *mut c_void) -> *mut hb::hb_set_t;
    fn hb_subset_input_set(input: *mut c_void, set_type: c_uint) -> *mut hb::hb_set_t;
    fn hb_subset_or_fail(source: *mut hb::hb_face_t, input: *const c_void) -> *mut hb::hb_face_t;
}

/// `HB_SUBSET_SETS_LAYOUT_FEATURE_TAG`.
const LAYOUT_FEATURE_TAGS: c_uint = 6;

/// A font holding `chars` of `font` with the layout features in `features`
/// (as well as HarfBuzz's default ones) and the glyphs they reach.
pub fn subset(
    font: &[u8],
    chars: &BTreeSet<char>,
    features: &[&[u8; 4]],
) -> Result<Vec<u8>, String> {
    let length = u32::try_from(font.len()).map_err(|_| "the font is over 4 GB".to_owned())?;
    // SAFETY: every HarfBuzz object made here is destroyed before return;
    // the blob borrows `font` read-only for the life of the face, which
    // ends here too; the subset's bytes are copied out before its blob is
    // destroyed. HarfBuzz returns empty (not null) objects on failure,
    // except the two `_or_fail` calls, which are checked.
    unsafe {
        let blob = hb::hb_blob_create(
            font.as_ptr() as *const c_char,
            length,
            hb::HB_MEMORY_MODE_READONLY,
            std::ptr::null_mut(),
            None,
        );
        let face = hb::hb_face_create(blob, 0);
        let input = hb_subset_input_create_or_fail();
        let result = if input.is_null() {
            Err("HarfBuzz could not start a subset".to_owned())
        } else {
            let unicodes = hb_subset_input_unicode_set(input);
            for &c in chars {
                hb::hb_set_add(unicodes, c as u32);
            }
            let tags = hb_subset_input_set(input, LAYOUT_FEATURE_TAGS);
            for tag in features {
                hb::hb_set_add(tags, u32::from_be_bytes(**tag));
            }
            let subset = hb_subset_or_fail(face, input);
            hb_subset_input_destroy(input);
            if subset.is_null() {
                Err("HarfBuzz could not subset the font".to_owned())
            } else {
                let out = hb::hb_face_reference_blob(subset);
                let mut length = 0;
                let data = hb::hb_blob_get_data(out, &mut length);
                let bytes = if data.is_null() {
                    Vec::new()
                } else {
                    std::slice::from_raw_parts(data as *const u8, length as usize).to_vec()
                };
                hb::hb_blob_destroy(out);
                hb::hb_face_destroy(subset);
                Ok(bytes)
            }
        };
        hb::hb_face_destroy(face);
        hb::hb_blob_destroy(blob);
        result
    }
}
