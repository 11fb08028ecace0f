//! Check-in QR codes: drawing one (the `qrcode` crate computes the modules, the page draws SVG) and
//! reading one from a camera frame (the `rqrr` decoder over a greyscale image). Pure: no IO, tested
//! natively; `pages::events` feeds it the pixels of the organiser's camera.

/// The QR code of a check-in code as a grid of dark modules (`width` × `width`, row by row).
pub fn modules(code: &str) -> Option<(usize, Vec<bool>)> {
    let qr = qrcode::QrCode::new(code.as_bytes()).ok()?;
    let w = qr.width();
    Some((
        w,
        qr.to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect(),
    ))
}

/// Frames larger than this (in pixels) are not read: the caller scales the camera image down first.
pub const MAX_FRAME_PIXELS: usize = 1280 * 960;

/// The text of the first QR code found in a greyscale image (`luma`, one byte per pixel, row by
/// row), if any. Codes that are not UTF-8, and images of the wrong size, give `None`.
pub fn read_greyscale(width: usize, height: usize, luma: &[u8]) -> Option<String> {
    if width == 0
        || height == 0
        || width * height > MAX_FRAME_PIXELS
        || luma.len() != width * height
    {
        return None;
    }
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| luma[y * width + x]);
    img.detect_grids()
        .into_iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
}

/// Greyscale from RGBA pixels (as a canvas's `getImageData` gives them), ITU-R BT.601 weights.
pub fn greyscale_from_rgba(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .map(|p| ((299 * p[0] as u32 + 587 * p[1] as u32 + 114 * p[2] as u32) / 1000) as u8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws `code` as a camera might see it: scaled, off centre, grey paper, dark grey ink.
    fn photo(code: &str, scale: usize, width: usize, height: usize, at: (usize, usize)) -> Vec<u8> {
        let (w, m) = modules(code).unwrap();
        let mut img = vec![90u8; width * height];
        let quiet = 4;
        for y in 0..(w + 2 * quiet) * scale {
            for x in 0..(w + 2 * quiet) * scale {
                let (mx, my) = (x / scale, y / scale);
                let dark = mx >= quiet
                    && my >= quiet
                    && mx < w + quiet
                    && my < w + quiet
                    && m[(my - quiet) * w + mx - quiet];
                img[(y + at.1) * width + x + at.0] = if dark { 40 } else { 210 };
            }
        }
        img
    }

    #[test]
    fn reads_back_a_check_in_code_from_a_frame() {
        let code = "k3J9-xQ2p_Lm8vT0aZ4rYw";
        let img = photo(code, 5, 320, 240, (37, 21));
        assert_eq!(read_greyscale(320, 240, &img).as_deref(), Some(code));
    }

    #[test]
    fn nothing_in_an_empty_or_malformed_frame() {
        assert_eq!(read_greyscale(64, 48, &vec![128; 64 * 48]), None);
        assert_eq!(read_greyscale(64, 48, &[0; 10]), None, "wrong length");
        assert_eq!(read_greyscale(0, 0, &[]), None);
        assert_eq!(
            read_greyscale(4000, 4000, &vec![0; 16_000_000]),
            None,
            "too big"
        );
    }

    #[test]
    fn greyscale_weights() {
        assert_eq!(
            greyscale_from_rgba(&[255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255]),
            vec![255, 0, 76]
        );
    }
}
