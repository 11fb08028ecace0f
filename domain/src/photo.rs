//! Photos people attach (a wish, its fulfilment; later a field report). The browser shrinks a
//! photo before sending it (`fit`); the server checks what arrived is a JPEG or PNG of sensible
//! size (`check`) by reading the file's own header, not what the request claims, and drops a
//! JPEG's metadata segments (`strip_metadata`: EXIF with the phone's GPS position, comments)
//! before keeping it, so a photo sent straight to the API does not publish where it was taken.

use serde::{Deserialize, Serialize};

/// The largest photo kept, in bytes (a 1600 px JPEG from the browser is 150–400 KB).
pub const MAX_BYTES: usize = 600 * 1024;
/// The longest side kept, in pixels; the browser shrinks to `TARGET_SIDE`.
pub const MAX_SIDE: u32 = 4096;
pub const TARGET_SIDE: u32 = 1600;
/// Photos per thing and purpose (a wish's own photos; its fulfilment photos).
pub const MAX_PER_SUBJECT: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    Jpeg,
    Png,
}

impl Format {
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoInfo {
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the photo is larger than {MAX_BYTES} bytes")]
    TooLarge,
    #[error("not a JPEG or PNG photo")]
    NotAPhoto,
    #[error("the photo's sides are zero or above {MAX_SIDE} pixels")]
    BadSize,
}

impl PhotoError {
    /// The message key the UI shows.
    pub fn key(self) -> &'static str {
        match self {
            PhotoError::TooLarge => "err.photo_too_large",
            PhotoError::NotAPhoto => "err.photo_not_photo",
            PhotoError::BadSize => "err.photo_size",
        }
    }
}

/// What `bytes` is, read from its own header: a JPEG (its first frame header) or a PNG (IHDR),
/// within `MAX_BYTES` and `MAX_SIDE`.
pub fn check(bytes: &[u8]) -> Result<PhotoInfo, PhotoError> {
    if bytes.len() > MAX_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let (format, width, height) = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_size(bytes).map(|(w, h)| (Format::Png, w, h))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        jpeg_size(bytes).map(|(w, h)| (Format::Jpeg, w, h))
    } else {
        None
    }
    .ok_or(PhotoError::NotAPhoto)?;
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(PhotoError::BadSize);
    }
    Ok(PhotoInfo {
        format,
        width,
        height,
    })
}

fn png_size(b: &[u8]) -> Option<(u32, u32)> {
    // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4).
    if b.len() < 24 || &b[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(b[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(b[20..24].try_into().ok()?);
    Some((w, h))
}

/// A JPEG segment: its marker, where it starts and where it ends.
type Segment = (u8, usize, usize);

/// The JPEG's segments before the image data, and where the scan starts.
fn jpeg_segments(b: &[u8]) -> Option<(Vec<Segment>, usize)> {
    let mut out = Vec::new();
    let mut i = 2;
    loop {
        // Markers may be padded with 0xFF fill bytes.
        while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if b.get(i) != Some(&0xFF) {
            return None;
        }
        let marker = *b.get(i + 1)?;
        if marker == 0xD9 {
            return None;
        }
        let len = u16::from_be_bytes([*b.get(i + 2)?, *b.get(i + 3)?]) as usize;
        if len < 2 || i + 2 + len > b.len() {
            return None;
        }
        out.push((marker, i, i + 2 + len));
        if marker == 0xDA {
            // Start of scan: the image data follows.
            return Some((out, i));
        }
        i += 2 + len;
    }
}

fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    let (segments, _) = jpeg_segments(b)?;
    segments.iter().find_map(|&(marker, start, end)| {
        // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC).
        let sof = (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker);
        (sof && end - start >= 9).then(|| {
            let h = u16::from_be_bytes([b[start + 5], b[start + 6]]) as u32;
            let w = u16::from_be_bytes([b[start + 7], b[start + 8]]) as u32;
            (w, h)
        })
    })
}

/// The photo without its metadata: a JPEG loses its APP1–APP15 segments (EXIF, XMP: camera, time,
/// GPS position) and comments; JFIF (APP0), tables, frame and image data stay. Other formats and
/// unreadable JPEGs come back unchanged (`check` refuses the latter anyway).
pub fn strip_metadata(bytes: &[u8]) -> Vec<u8> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return bytes.to_vec();
    }
    let Some((segments, scan)) = jpeg_segments(bytes) else {
        return bytes.to_vec();
    };
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..2]);
    for (marker, start, end) in segments {
        let metadata = (0xE1..=0xEF).contains(&marker) || marker == 0xFE;
        if !metadata && marker != 0xDA {
            out.extend_from_slice(&bytes[start..end]);
        }
    }
    out.extend_from_slice(&bytes[scan..]);
    out
}

/// The size to draw a `width`×`height` photo at so its longer side is at most `side`, keeping
/// its proportions (never enlarged, never zero).
pub fn fit(width: u32, height: u32, side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= side || long == 0 {
        return (width.max(1), height.max(1));
    }
    let scale = |v: u32| ((v as u64 * side as u64 + long as u64 / 2) / long as u64).max(1) as u32;
    (scale(width), scale(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small JPEG as a phone writes it: SOI, APP1 Exif (with a GPS tag's bytes), APP0, a
    /// comment, a frame header, a scan and its data, EOI.
    fn phone_jpeg(w: u16, h: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        let exif = b"Exif\0\0MM\0*GPSLatitude 32.1";
        b.extend([0xFF, 0xE1]);
        b.extend(((exif.len() + 2) as u16).to_be_bytes());
        b.extend(exif);
        b.extend([0xFF, 0xE0, 0, 16]);
        b.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        b.extend([0xFF, 0xFE, 0, 7]);
        b.extend(b"hello");
        b.extend([0xFF, 0xC0, 0, 11, 8]);
        b.extend(h.to_be_bytes());
        b.extend(w.to_be_bytes());
        b.extend([1, 1, 0x11, 0]);
        b.extend([0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0]);
        b.extend([0x12, 0x34, 0xFF, 0x00, 0x56]);
        b.extend([0xFF, 0xD9]);
        b
    }

    #[test]
    fn a_jpeg_is_read_from_its_frame_header_and_loses_its_exif() {
        let j = phone_jpeg(4032, 3024);
        assert_eq!(
            check(&j),
            Ok(PhotoInfo {
                format: Format::Jpeg,
                width: 4032,
                height: 3024
            })
        );
        let clean = strip_metadata(&j);
        assert!(!clean.windows(4).any(|w| w == b"Exif"));
        assert!(!clean.windows(5).any(|w| w == b"hello"));
        assert!(clean.windows(4).any(|w| w == b"JFIF"));
        assert!(clean.ends_with(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]));
        assert_eq!(check(&clean).unwrap().width, 4032);
        assert_eq!(
            strip_metadata(&clean),
            clean,
            "stripping twice changes nothing"
        );
    }

    #[test]
    fn what_is_not_a_sensible_photo_is_refused() {
        assert_eq!(check(b"GIF89a...."), Err(PhotoError::NotAPhoto));
        assert_eq!(check(b"<svg onload=alert(1)>"), Err(PhotoError::NotAPhoto));
        assert_eq!(check(&[0xFF, 0xD8, 0xFF]), Err(PhotoError::NotAPhoto));
        let mut cut = phone_jpeg(10, 10);
        cut.truncate(20);
        assert_eq!(check(&cut), Err(PhotoError::NotAPhoto));
        assert_eq!(check(&phone_jpeg(0, 10)), Err(PhotoError::BadSize));
        assert_eq!(check(&phone_jpeg(5000, 10)), Err(PhotoError::BadSize));
        let mut big = phone_jpeg(10, 10);
        big.resize(MAX_BYTES + 1, 0);
        assert_eq!(check(&big), Err(PhotoError::TooLarge));
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(640u32.to_be_bytes());
        png.extend(480u32.to_be_bytes());
        assert_eq!(
            check(&png).map(|i| (i.format, i.width)),
            Ok((Format::Png, 640))
        );
        assert_eq!(strip_metadata(&png), png);
    }

    #[test]
    fn photos_are_shrunk_to_the_target_side_keeping_proportions() {
        assert_eq!(fit(4032, 3024, 1600), (1600, 1200));
        assert_eq!(fit(3024, 4032, 1600), (1200, 1600));
        assert_eq!(fit(800, 600, 1600), (800, 600));
        assert_eq!(fit(10_000, 1, 1600), (1600, 1));
        assert_eq!(fit(0, 0, 1600), (1, 1));
    }
}
