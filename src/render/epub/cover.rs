//! A cover drawn from the title, subtitle and author with the bundled fonts,
//! for volumes whose config names no cover image.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use image::{Rgb, RgbImage};

use crate::fonts::{Face, Fonts};

const WIDTH: u32 = 1200;
const HEIGHT: u32 = 1800;
const MARGIN: f32 = 120.0;

/// What goes on a cover.
pub struct CoverText<'a> {
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub author: &'a str,
    /// Faces to try in turn for each character of the title, then of the rest.
    pub title_faces: &'a [Face],
    pub text_faces: &'a [Face],
    /// Ground and ink ([`crate::volume::Book::cover_colors`]).
    pub colors: ([u8; 3], [u8; 3]),
}

/// Draws the cover as PNG bytes.
pub fn draw_cover(fonts: &Fonts, text: &CoverText) -> Result<Vec<u8>, String> {
    let (background, ink) = (Rgb(text.colors.0), Rgb(text.colors.1));
    // `from_pixel` sets the pixels one by one: 4% of a whole build, where repeating the bytes is a memcpy.
    let pixels = background.0.repeat((WIDTH * HEIGHT) as usize);
    let mut img = RgbImage::from_raw(WIDTH, HEIGHT, pixels).ok_or("the cover has no pixels")?;
    let faces = |chain: &[Face]| -> Result<Vec<FontRef<'_>>, String> {
        chain
            .iter()
            .map(|&f| FontRef::try_from_slice(&fonts.file(f).data).map_err(|e| e.to_string()))
            .collect()
    };
    let title_fonts = faces(text.title_faces)?;
    let text_fonts = faces(text.text_faces)?;

    // A rule above the title, the title block, then subtitle and author near the foot.
    fill_rect(
        &mut img,
        MARGIN as u32,
        420,
        WIDTH - 2 * MARGIN as u32,
        6,
        ink,
    );
    let mut y = 520.0;
    for line in wrap(&title_fonts, 110.0, text.title, WIDTH as f32 - 2.0 * MARGIN) {
        draw_line(&mut img, &title_fonts, 110.0, &line, MARGIN, y, ink);
        y += 150.0;
    }
    if let Some(subtitle) = text.subtitle {
        y += 30.0;
        for line in wrap(&text_fonts, 56.0, subtitle, WIDTH as f32 - 2.0 * MARGIN) {
            draw_line(&mut img, &text_fonts, 56.0, &line, MARGIN, y, ink);
            y += 80.0;
        }
    }
    draw_line(
        &mut img,
        &text_fonts,
        60.0,
        text.author,
        MARGIN,
        HEIGHT as f32 - 200.0,
        ink,
    );

    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(png)
}

fn fill_rect(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, color: Rgb<u8>) {
    for py in y..y + h {
        for px in x..x + w {
            img.put_pixel(px, py, color);
        }
    }
}

/// The font of `fonts` that has a glyph for `c` (the first one if none has).
fn font_for<'f>(fonts: &'f [FontRef<'f>], c: char) -> &'f FontRef<'f> {
    fonts
        .iter()
        .find(|f| f.glyph_id(c).0 != 0)
        .unwrap_or(&fonts[0])
}

fn advance(fonts: &[FontRef], size: f32, c: char) -> f32 {
    let font = font_for(fonts, c);
    font.as_scaled(PxScale::from(size))
        .h_advance(font.glyph_id(c))
}

/// Breaks `text` into lines no wider than `width`: at spaces, or between any
/// two characters where a word is wider than a line (Chinese has no spaces).
fn wrap(fonts: &[FontRef], size: f32, text: &str, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0;
    for word in text.split_inclusive(' ') {
        let word_width: f32 = word.chars().map(|c| advance(fonts, size, c)).sum();
        if line_width + word_width > width && !line.is_empty() {
            lines.push(line.trim_end().to_string());
            line.clear();
            line_width = 0.0;
        }
        for c in word.chars() {
            let w = advance(fonts, size, c);
            if line_width + w > width && !line.is_empty() {
                lines.push(line.trim_end().to_string());
                line.clear();
                line_width = 0.0;
            }
            line.push(c);
            line_width += w;
        }
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

fn draw_line(
    img: &mut RgbImage,
    fonts: &[FontRef],
    size: f32,
    text: &str,
    x: f32,
    baseline: f32,
    ink: Rgb<u8>,
) {
    let mut pen = x;
    for c in text.chars() {
        let font = font_for(fonts, c);
        let scaled = font.as_scaled(PxScale::from(size));
        let glyph = font
            .glyph_id(c)
            .with_scale_and_position(size, ab_glyph::point(pen, baseline));
        pen += scaled.h_advance(font.glyph_id(c));
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let px = bounds.min.x as i32 + gx as i32;
            let py = bounds.min.y as i32 + gy as i32;
            if px < 0 || py < 0 || px >= WIDTH as i32 || py >= HEIGHT as i32 {
                return;
            }
            let pixel = img.get_pixel_mut(px as u32, py as u32);
            for i in 0..3 {
                let blended = f32::from(pixel[i]) * (1.0 - coverage) + f32::from(ink[i]) * coverage;
                pixel[i] = blended.round() as u8;
            }
        });
    }
}
