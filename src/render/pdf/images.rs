//! The print check on pictures: one that would print below 150 pixels per
//! inch at the size the print look gives it looks soft on paper. Reads only
//! the file's header (PNG, JPEG): its pixel size and density.

use std::path::Path;

use crate::config::Paper;
use crate::diag::Diags;
use crate::model::Program;
use crate::parse::markdown::ImageWidth;

/// Below this, a printed picture looks soft.
pub const MIN_PPI: f64 = 150.0;

const MM_PER_INCH: f64 = 25.4;

/// Pixel width and height, and the density the file states (pixels per
/// inch), from a PNG or JPEG header.
pub fn header_size(bytes: &[u8]) -> Option<(u32, u32, Option<f64>)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_size(bytes)
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg_size(bytes)
    } else {
        None
    }
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn png_size(b: &[u8]) -> Option<(u32, u32, Option<f64>)> {
    // IHDR comes first; pHYs, if any, before the image data.
    let (w, h) = (be32(b, 16)?, be32(b, 20)?);
    let mut at = 8;
    let mut dpi = None;
    while let (Some(len), Some(kind)) = (be32(b, at), b.get(at + 4..at + 8)) {
        if kind == b"pHYs" {
            let (ppu, unit) = (be32(b, at + 8)?, *b.get(at + 16)?);
            if unit == 1 && ppu > 0 {
                dpi = Some(ppu as f64 * 0.0254);
            }
        }
        if kind == b"IDAT" || kind == b"IEND" {
            break;
        }
        at = at.checked_add(12)?.checked_add(len as usize)?;
    }
    Some((w, h, dpi))
}

fn jpeg_size(b: &[u8]) -> Option<(u32, u32, Option<f64>)> {
    let mut at = 2;
    let mut dpi = None;
    loop {
        if *b.get(at)? != 0xFF {
            return None;
        }
        let marker = *b.get(at + 1)?;
        let len = be16(b, at + 2)? as usize;
        // JFIF: density in dots per inch (1) or per cm (2).
        if marker == 0xE0 && b.get(at + 4..at + 9) == Some(b"JFIF\0") {
            let (unit, x) = (*b.get(at + 11)?, be16(b, at + 12)? as f64);
            dpi = match unit {
                1 if x > 0.0 => Some(x),
                2 if x > 0.0 => Some(x * 2.54),
                _ => dpi,
            };
        }
        // Start of frame (not DHT, JPG or DAC): height, then width.
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let h = be16(b, at + 5)? as u32;
            let w = be16(b, at + 7)? as u32;
            return Some((w, h, dpi));
        }
        at += 2 + len;
    }
}

/// The size (mm) a picture prints at in the default look's block rule
/// (base.typ `md-image`): its natural size (72 per inch unless the file
/// says), at most 60% of the text width and 6 cm high; with a `width`, that
/// width (pixels at 96 per inch, or a share of the text width), at most the
/// text width and three quarters of its height.
pub fn printed_mm(
    w: u32,
    h: u32,
    dpi: Option<f64>,
    paper: Paper,
    width: Option<ImageWidth>,
) -> (f64, f64) {
    let dpi = dpi.unwrap_or(72.0);
    let (nat_w, nat_h) = (w as f64 / dpi * MM_PER_INCH, h as f64 / dpi * MM_PER_INCH);
    let (text_width, text_height) = match paper {
        Paper::A4 => (210.0 - 2.0 * 23.0, 297.0 - 26.0 - 24.0),
        Paper::UsLetter => (215.9 - 2.0 * 23.0, 279.4 - 26.0 - 24.0),
    };
    let (mut pw, max_h) = match width {
        None => (nat_w.min(text_width * 0.6), 60.0),
        Some(ImageWidth::Px(px)) => (
            (px as f64 / 96.0 * MM_PER_INCH).min(text_width),
            text_height * 0.75,
        ),
        Some(ImageWidth::Percent(n)) => (text_width * n as f64 / 100.0, text_height * 0.75),
    };
    if nat_w > 0.0 && nat_h * (pw / nat_w) > max_h {
        pw = nat_w * (max_h / nat_h);
    }
    let ph = if nat_w > 0.0 { nat_h * pw / nat_w } else { 0.0 };
    (pw, ph)
}

/// The picture formats cairn takes, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Png,
    Jpeg,
    Gif,
    Webp,
    Svg,
}

impl Format {
    fn of_extension(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "png" => Format::Png,
            "jpg" | "jpeg" => Format::Jpeg,
            "gif" => Format::Gif,
            "webp" => Format::Webp,
            "svg" => Format::Svg,
            _ => return None,
        })
    }
    fn of_bytes(b: &[u8]) -> Option<Format> {
        if b.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
            Some(Format::Gif)
        } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
            Some(Format::Webp)
        } else {
            let text = std::str::from_utf8(b.get(..b.len().min(4096))?).ok()?;
            let text = text.trim_start_matches('\u{feff}').trim_start();
            (text.starts_with("<svg") || (text.starts_with('<') && text.contains("<svg")))
                .then_some(Format::Svg)
        }
    }
    fn name(self) -> &'static str {
        match self {
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::Gif => "GIF",
            Format::Webp => "WebP",
            Format::Svg => "SVG",
        }
    }
}

/// The picture `path` names, decoded: its size in pixels (an SVG's in CSS
/// pixels, rounded), or why `bytes` cannot be printed as it. The bytes must
/// be the format the extension says, and decode whole (rasters within the
/// `image` crate's memory limit, SVG as usvg reads it).
fn decode(path: &str, bytes: &[u8]) -> Result<(u32, u32), String> {
    let Some(want) = Format::of_extension(path) else {
        return Err("not a PNG, JPEG, GIF, WebP or SVG file".into());
    };
    match Format::of_bytes(bytes) {
        None => {
            return Err(format!(
                "the file is not a picture (a `.{}` file must hold {})",
                path.rsplit_once('.').map_or("", |x| x.1),
                want.name()
            ));
        }
        Some(got) if got != want => {
            return Err(format!(
                "the file holds {}, but its name says {}",
                got.name(),
                want.name()
            ));
        }
        Some(_) => {}
    }
    let format = match want {
        Format::Svg => {
            return usvg::Tree::from_data(bytes, &usvg::Options::default())
                .map(|t| {
                    let s = t.size();
                    (
                        s.width().round().max(1.0) as u32,
                        s.height().round().max(1.0) as u32,
                    )
                })
                .map_err(|e| format!("the SVG cannot be read: {e}"));
        }
        Format::Png => image::ImageFormat::Png,
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Gif => image::ImageFormat::Gif,
        Format::Webp => image::ImageFormat::WebP,
    };
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    reader.limits(image::Limits::default());
    reader
        .decode()
        .map(|i| (i.width(), i.height()))
        .map_err(|e| format!("the {} cannot be decoded: {e}", want.name()))
}

/// Reads and decodes every picture the text uses, once, and keeps its
/// pixel size in the program (for the site's `<img width height>`): a file
/// that is not the picture its name says (or is broken) is an error at the
/// first place that uses it, instead of a failure of the PDF build.
pub fn check_files(root: &Path, p: &mut Program, d: &mut Diags) {
    use rayon::prelude::*;
    let decoded: Vec<Result<(u32, u32), String>> = p
        .image_uses
        .par_iter()
        .map(|(path, _)| match std::fs::read(root.join(path)) {
            Ok(bytes) => decode(path, &bytes),
            Err(e) => Err(format!("the file cannot be read: {e}")),
        })
        .collect();
    for (i, result) in decoded.into_iter().enumerate() {
        let (path, loc) = &p.image_uses[i];
        match result {
            Ok(size) => {
                p.image_sizes.insert(path.clone(), size);
            }
            Err(problem) => {
                d.error(
                    "bad-image",
                    loc.clone(),
                    format!("`{path}` cannot be used as a picture: {problem}"),
                )
                .label("this picture")
                .help("save the picture again as PNG, JPEG, GIF, WebP or SVG, with the extension of its format");
            }
        }
    }
}

/// Warns about every picture that would print below [`MIN_PPI`]: at the
/// look's size, and wherever the text gives it a width, at that width.
pub fn check_print_resolution(root: &Path, p: &Program, d: &mut Diags) {
    let uses = p.image_uses.iter().map(|(path, loc)| (path, loc, None));
    let sized = p
        .image_widths
        .iter()
        .map(|(path, loc, w)| (path, loc, Some(*w)));
    for (path, loc, width) in uses.chain(sized) {
        let Ok(bytes) = std::fs::read(root.join(path)) else {
            continue;
        };
        let Some((w, h, dpi)) = header_size(&bytes) else {
            continue;
        };
        let (pw, ph) = printed_mm(w, h, dpi, p.config.paper, width);
        if pw <= 0.0 {
            continue;
        }
        let ppi = w as f64 / (pw / MM_PER_INCH);
        if ppi < MIN_PPI {
            let need = (MIN_PPI * pw / MM_PER_INCH).ceil() as u32;
            d.warning(
                "low-resolution",
                loc.clone(),
                format!(
                    "`{path}` ({w}×{h} px) prints at {ppi:.0} ppi, {pw:.0}×{ph:.0} mm: it will look soft on paper"
                ),
            )
            .label("below 150 ppi in print")
            .help(format!(
                "use a picture at least {need} px wide, or an SVG; or save it with a higher density (ppi) so it prints smaller"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32, phys: Option<u32>) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.extend(13u32.to_be_bytes());
        b.extend(b"IHDR");
        b.extend(w.to_be_bytes());
        b.extend(h.to_be_bytes());
        b.extend([8, 2, 0, 0, 0]);
        b.extend([0; 4]);
        if let Some(ppm) = phys {
            b.extend(9u32.to_be_bytes());
            b.extend(b"pHYs");
            b.extend(ppm.to_be_bytes());
            b.extend(ppm.to_be_bytes());
            b.push(1);
            b.extend([0; 4]);
        }
        b.extend(0u32.to_be_bytes());
        b.extend(b"IEND");
        b
    }

    #[test]
    fn png_header() {
        assert_eq!(header_size(&png(48, 160, None)), Some((48, 160, None)));
        let (_, _, dpi) = header_size(&png(10, 10, Some(11811))).unwrap_or_default();
        assert!(dpi.is_some_and(|d| (d - 300.0).abs() < 0.1));
    }

    #[test]
    fn jpeg_header() {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
        b.extend(b"JFIF\0");
        b.extend([1, 1, 1, 0, 96, 0, 96, 0, 0]);
        b.extend([0xFF, 0xC0, 0, 11, 8, 0, 120, 0, 200, 3]);
        assert_eq!(header_size(&b), Some((200, 120, Some(96.0))));
        assert_eq!(header_size(b"GIF89a"), None);
        assert_eq!(header_size(&[0xFF, 0xD8, 0xFF]), None);
    }

    #[test]
    fn decoding_gives_the_pixel_size_once() {
        let mut bytes = Vec::new();
        image::RgbImage::new(3, 7)
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap_or_default();
        assert_eq!(decode("a.png", &bytes), Ok((3, 7)));
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="12.6" height="5"/>"#;
        assert_eq!(decode("a.svg", svg), Ok((13, 5)));
        // The header alone is not a picture: it must decode whole.
        assert!(decode("a.png", &png(48, 160, None)).is_err());
        assert!(decode("a.jpg", &bytes).is_err_and(|e| e.contains("holds PNG")));
    }

    #[test]
    fn small_picture_prints_at_72_ppi() {
        // 48×160 px with no density: 16.9×56.4 mm, so 72 ppi.
        let (w, h) = printed_mm(48, 160, None, Paper::A4, None);
        assert!((w - 16.93).abs() < 0.1 && (h - 56.44).abs() < 0.1);
        // A big photo is scaled down to 6 cm high: plenty of pixels.
        let (w, _) = printed_mm(3000, 2000, None, Paper::A4, None);
        assert!(3000.0 / (w / 25.4) > 150.0);
    }

    #[test]
    fn a_width_sets_the_printed_size() {
        // 960 px at 96 per inch: 10 inches, more than the column (164 mm).
        let (w, _) = printed_mm(800, 100, None, Paper::A4, Some(ImageWidth::Px(960)));
        assert!((w - 164.0).abs() < 0.1, "{w}");
        let (w, h) = printed_mm(800, 100, None, Paper::A4, Some(ImageWidth::Percent(50)));
        assert!((w - 82.0).abs() < 0.1 && (h - 10.25).abs() < 0.1, "{w} {h}");
        // Never taller than three quarters of the text's height.
        let (_, h) = printed_mm(100, 800, None, Paper::A4, Some(ImageWidth::Percent(100)));
        assert!((h - 247.0 * 0.75).abs() < 0.1, "{h}");
    }
}
