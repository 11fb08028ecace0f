//! Web Mercator for the map's SVG, the XYZ tiles under a view, and path data simplified per level
//! of detail.

use super::*;

pub(super) const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Web Mercator scaled so the district is `VIEW_W` units wide; y grows downwards.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Proj {
    pub(super) x0: f64,
    pub(super) y1: f64,
    pub(super) s: f64,
}

pub(super) fn merc(p: Point) -> (f64, f64) {
    let x = p[0].to_radians();
    let y = (std::f64::consts::FRAC_PI_4 + p[1].to_radians() / 2.0)
        .tan()
        .ln();
    (x, y)
}

impl Proj {
    pub(super) fn fit(grids: &[GridView]) -> (Proj, f64) {
        // Mercator is monotonic in longitude and latitude: project the corners of the bounds only.
        let (mut lo, mut hi) = ([f64::MAX, f64::MAX], [f64::MIN, f64::MIN]);
        for p in grids.iter().flat_map(|g| g.boundary.points()) {
            lo = [lo[0].min(p[0]), lo[1].min(p[1])];
            hi = [hi[0].max(p[0]), hi[1].max(p[1])];
        }
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        if lo[0] <= hi[0] {
            ((x0, y0), (x1, y1)) = (merc(lo), merc(hi));
        }
        if x0 > x1 {
            // No grids yet: a view of Nanjing.
            let (x, y) = merc([118.78, 32.06]);
            (x0, y0, x1, y1) = (x - 0.001, y - 0.001, x + 0.001, y + 0.001);
        }
        let s = VIEW_W / (x1 - x0).max(1e-12);
        (Proj { x0, y1, s }, ((y1 - y0) * s).max(1.0))
    }

    pub(super) fn fwd(&self, p: Point) -> (f64, f64) {
        let (x, y) = merc(p);
        ((x - self.x0) * self.s, (self.y1 - y) * self.s)
    }

    pub(super) fn inv(&self, x: f64, y: f64) -> Point {
        let mx = x / self.s + self.x0;
        let my = self.y1 - y / self.s;
        let lat = 2.0 * my.exp().atan() - std::f64::consts::FRAC_PI_2;
        geo::quantise([mx.to_degrees(), lat.to_degrees()])
    }

    /// Metres on the ground per map unit at latitude `lat`.
    pub(super) fn metres_per_unit(&self, lat: f64) -> f64 {
        EARTH_RADIUS_M * lat.to_radians().cos() / self.s
    }
}

/// The visible part of the map: its centre and width in map units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct ViewBox {
    pub(super) cx: f64,
    pub(super) cy: f64,
    pub(super) w: f64,
}

/// One XYZ tile placed in map units.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Tile {
    pub(super) z: u32,
    pub(super) x: i64,
    pub(super) y: i64,
    pub(super) left: f64,
    pub(super) top: f64,
    pub(super) size: f64,
}

/// The zoom level whose 256-pixel tiles best match `ppu` pixels per map unit.
pub(super) fn tile_zoom(proj: &Proj, ppu: f64) -> u32 {
    let world = 2.0 * std::f64::consts::PI * proj.s * ppu;
    (world / 256.0).log2().round().clamp(0.0, 20.0) as u32
}

/// The tiles of zoom `z` that cover the view (at most 64).
pub(super) fn tiles_at(proj: &Proj, v: ViewBox, vh: f64, z: u32) -> Vec<Tile> {
    use std::f64::consts::PI;
    let n = 2f64.powi(z as i32);
    let size = 2.0 * PI * proj.s / n;
    let fx = |x: f64| ((x / proj.s + proj.x0) + PI) / (2.0 * PI) * n;
    let fy = |y: f64| (PI - (proj.y1 - y / proj.s)) / (2.0 * PI) * n;
    let (x0, x1) = (
        fx(v.cx - v.w / 2.0).floor() as i64,
        fx(v.cx + v.w / 2.0).floor() as i64,
    );
    let (y0, y1) = (
        fy(v.cy - vh / 2.0).floor() as i64,
        fy(v.cy + vh / 2.0).floor() as i64,
    );
    let max = n as i64 - 1;
    let mut out = Vec::new();
    for y in y0.max(0)..=y1.min(max) {
        for x in x0.max(0)..=x1.min(max) {
            if out.len() == 64 {
                return out;
            }
            out.push(Tile {
                z,
                x,
                y,
                left: ((x as f64 / n) * 2.0 * PI - PI - proj.x0) * proj.s,
                top: (proj.y1 - (PI - y as f64 / n * 2.0 * PI)) * proj.s,
                size,
            });
        }
    }
    out
}

/// SVG path data of a ring in map units, to 0.01 unit: an absolute first point, then relative
/// steps between the rounded points (short strings, no drift), formatted without `fmt` float
/// machinery — this runs for every vertex of the district on first render.
pub(super) fn path_d(proj: &Proj, ring: &[Point]) -> String {
    path_simplified(proj, ring, 0.0)
}

/// SVG path data of a whole boundary: one closed subpath per ring (parts and holes; drawn with
/// `fill-rule: evenodd`, a hole is a hole and a click in it reaches what lies beneath).
pub(super) fn boundary_d(proj: &Proj, b: &Boundary, tolerance: f64) -> String {
    b.rings()
        .map(|r| path_simplified(proj, r, tolerance))
        .collect()
}

/// Levels of detail for the grids' outlines: tier `t` serves while the map shows at most
/// `DETAIL_PPU[t]` pixels per map unit and drops vertices within a quarter pixel at that scale
/// (Leaflet simplifies the same way); the last tier draws every vertex.
pub(super) const DETAIL_PPU: [f64; 2] = [4.0, 32.0];
pub(super) const DETAIL_TIERS: usize = DETAIL_PPU.len() + 1;

pub(super) fn detail_tier(ppu: f64) -> usize {
    DETAIL_PPU
        .iter()
        .position(|&m| ppu <= m)
        .unwrap_or(DETAIL_PPU.len())
}

pub(super) fn detail_tolerance(tier: usize) -> f64 {
    DETAIL_PPU.get(tier).map_or(0.0, |m| 0.25 / m)
}

/// [`path_d`] after dropping vertices within `tolerance` map units of the outline (for drawing only).
pub(super) fn path_simplified(proj: &Proj, ring: &[Point], tolerance: f64) -> String {
    let projected: Vec<Point> = ring
        .iter()
        .map(|p| {
            let (x, y) = proj.fwd(*p);
            [x, y]
        })
        .collect();
    let points = geo::simplified(&projected, tolerance);
    let mut d = String::with_capacity(points.len() * 10 + 8);
    let mut prev = (0i64, 0i64);
    for (i, &[x, y]) in points.iter().enumerate() {
        let q = ((x * 100.0).round() as i64, (y * 100.0).round() as i64);
        match i {
            0 => {
                d.push('M');
                push_hundredths(&mut d, q.0);
                d.push(' ');
                push_hundredths(&mut d, q.1);
                d.push('l');
            }
            _ => {
                if i > 1 {
                    d.push(' ');
                }
                push_hundredths(&mut d, q.0 - prev.0);
                d.push(' ');
                push_hundredths(&mut d, q.1 - prev.1);
            }
        }
        prev = q;
    }
    d.push('Z');
    d
}

/// Writes `n / 100` in decimal ("-12.05", "3", "0.4").
pub(super) fn push_hundredths(d: &mut String, n: i64) {
    if n < 0 {
        d.push('-');
    }
    let n = n.unsigned_abs();
    let (int, frac) = (n / 100, n % 100);
    let mut digits = [0u8; 20];
    let mut k = digits.len();
    let mut v = int;
    loop {
        k -= 1;
        digits[k] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    d.push_str(std::str::from_utf8(&digits[k..]).unwrap_or("0"));
    if frac != 0 {
        d.push('.');
        d.push((b'0' + (frac / 10) as u8) as char);
        if frac % 10 != 0 {
            d.push((b'0' + (frac % 10) as u8) as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::new_grid;
    use super::*;

    pub(super) fn grid_at(lon: f64, lat: f64) -> GridView {
        let square = vec![
            [lon, lat],
            [lon + 0.02, lat],
            [lon + 0.02, lat + 0.02],
            [lon, lat],
        ];
        GridView {
            version: 1,
            editable: false,
            ..new_grid(1, "1".into(), None, 1, "g".into(), Boundary::from(square))
        }
    }

    #[test]
    pub(super) fn projection_round_trips() {
        let (proj, _) = Proj::fit(&[grid_at(118.78, 32.06)]);
        let p = [118.7912345, 32.0701234];
        let (x, y) = proj.fwd(p);
        let q = proj.inv(x, y);
        assert!(
            (q[0] - p[0]).abs() < 2e-7 && (q[1] - p[1]).abs() < 2e-7,
            "{q:?}"
        );
    }

    #[test]
    pub(super) fn path_data_is_short_and_lands_on_the_rounded_points() {
        let mut d = String::new();
        for n in [0, 5, 40, 100, 1234, -7, -1234, -100] {
            push_hundredths(&mut d, n);
            d.push(' ');
        }
        assert_eq!(d, "0 0.05 0.4 1 12.34 -0.07 -12.34 -1 ");
        let g = grid_at(118.78, 32.06);
        let (proj, _) = Proj::fit(std::slice::from_ref(&g));
        let d = path_d(&proj, g.boundary.outer());
        // Summing the relative steps gives each point rounded to 0.01 unit, without drift.
        let nums: Vec<f64> = d
            .trim_start_matches('M')
            .trim_end_matches('Z')
            .replace('l', " ")
            .split(' ')
            .map(|t| t.parse().unwrap())
            .collect();
        let (mut x, mut y) = (0.0, 0.0);
        for (i, p) in g.boundary.outer().iter().enumerate() {
            x += nums[2 * i];
            y += nums[2 * i + 1];
            let (ex, ey) = proj.fwd(*p);
            assert!((x - ex).abs() < 0.006 && (y - ey).abs() < 0.006, "{d}");
        }
    }

    #[test]
    pub(super) fn the_tiles_under_nanjing_are_the_standard_xyz_ones() {
        let (proj, h) = Proj::fit(&[grid_at(118.78, 32.06)]);
        let (x, y) = proj.fwd([118.78, 32.06]);
        let view = ViewBox {
            cx: x,
            cy: y,
            w: 1.0,
        };
        let tiles = tiles_at(&proj, view, h / VIEW_W, 12);
        // Standard slippy-map numbering for 118.78°E 32.06°N at zoom 12.
        assert!(
            tiles.iter().any(|t| (t.z, t.x, t.y) == (12, 3399, 1662)),
            "{tiles:?}"
        );
        // The tile's box contains the point.
        let t = tiles.iter().find(|t| (t.x, t.y) == (3399, 1662)).unwrap();
        assert!(t.left <= x && x <= t.left + t.size && t.top <= y && y <= t.top + t.size);
        // The zoom follows the scale: twice the pixels per unit, one level more.
        assert_eq!(tile_zoom(&proj, 2.0), tile_zoom(&proj, 1.0) + 1);
    }
}
