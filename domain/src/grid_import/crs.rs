//! Coordinate systems of Chinese web maps: GCJ-02 (AMap, Tencent, DataV) and BD-09 (Baidu), converted
//! to WGS84 with the published formulas.

use crate::geometry::Point;
use serde::{Deserialize, Serialize};

/// The coordinate system the file's coordinates are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Crs {
    /// GPS, GeoJSON, OpenStreetMap, CGCS2000 at map scale.
    Wgs84,
    /// Gaode (AMap), Tencent.
    Gcj02,
    /// Baidu.
    Bd09,
}

impl Crs {
    pub fn parse(s: &str) -> Option<Crs> {
        match s {
            "wgs84" => Some(Crs::Wgs84),
            "gcj02" => Some(Crs::Gcj02),
            "bd09" => Some(Crs::Bd09),
            _ => None,
        }
    }

    pub fn to_wgs84(self, p: Point) -> Point {
        match self {
            Crs::Wgs84 => p,
            Crs::Gcj02 => gcj02_to_wgs84(p),
            Crs::Bd09 => gcj02_to_wgs84(bd09_to_gcj02(p)),
        }
    }
}

// --- GCJ-02 / BD-09 (the published "Mars coordinates" formulas) ------------------------------

const GCJ_A: f64 = 6_378_245.0;
const GCJ_EE: f64 = 0.006_693_421_622_965_943;

fn out_of_china(p: Point) -> bool {
    !(72.004..=137.8347).contains(&p[0]) || !(0.8293..=55.8271).contains(&p[1])
}

fn gcj_delta(p: Point) -> Point {
    use std::f64::consts::PI;
    let (x, y) = (p[0] - 105.0, p[1] - 35.0);
    let mut lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    lat += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    lat += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    lat += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    let mut lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    lon += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    lon += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    lon += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    let rad = p[1] / 180.0 * PI;
    let magic = 1.0 - GCJ_EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = (lat * 180.0) / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrt_magic) * PI);
    let dlon = (lon * 180.0) / (GCJ_A / sqrt_magic * rad.cos() * PI);
    [dlon, dlat]
}

pub fn wgs84_to_gcj02(p: Point) -> Point {
    if out_of_china(p) {
        return p;
    }
    let d = gcj_delta(p);
    [p[0] + d[0], p[1] + d[1]]
}

/// Inverts the GCJ-02 shift by fixed-point iteration (to well under a centimetre).
pub fn gcj02_to_wgs84(g: Point) -> Point {
    if out_of_china(g) {
        return g;
    }
    let mut w = g;
    for _ in 0..20 {
        let f = wgs84_to_gcj02(w);
        let (dx, dy) = (f[0] - g[0], f[1] - g[1]);
        w = [w[0] - dx, w[1] - dy];
        if dx.abs() < 1e-10 && dy.abs() < 1e-10 {
            break;
        }
    }
    w
}

pub fn bd09_to_gcj02(b: Point) -> Point {
    let xpi = std::f64::consts::PI * 3000.0 / 180.0;
    let (x, y) = (b[0] - 0.0065, b[1] - 0.006);
    let z = (x * x + y * y).sqrt() - 0.00002 * (y * xpi).sin();
    let t = y.atan2(x) - 0.000003 * (x * xpi).cos();
    [z * t.cos(), z * t.sin()]
}

pub fn gcj02_to_bd09(g: Point) -> Point {
    let xpi = std::f64::consts::PI * 3000.0 / 180.0;
    let (x, y) = (g[0], g[1]);
    let z = (x * x + y * y).sqrt() + 0.00002 * (y * xpi).sin();
    let t = y.atan2(x) + 0.000003 * (x * xpi).cos();
    [z * t.cos() + 0.0065, z * t.sin() + 0.006]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_map_coordinates_convert_back_to_wgs84() {
        let w = [118.7969, 32.0603]; // Nanjing
        let g = wgs84_to_gcj02(w);
        let shift_m = ((g[0] - w[0]) * 94_400.0).hypot((g[1] - w[1]) * 111_000.0);
        assert!(
            (100.0..1000.0).contains(&shift_m),
            "GCJ-02 shifts by hundreds of metres: {shift_m}"
        );
        let back = gcj02_to_wgs84(g);
        assert!(
            (back[0] - w[0]).abs() < 1e-7 && (back[1] - w[1]).abs() < 1e-7,
            "{back:?}"
        );
        let b = gcj02_to_bd09(g);
        let back = Crs::Bd09.to_wgs84(b);
        assert!(
            (back[0] - w[0]).abs() < 2e-6 && (back[1] - w[1]).abs() < 2e-6,
            "{back:?}"
        );
        assert_eq!(
            Crs::Gcj02.to_wgs84([2.35, 48.85]),
            [2.35, 48.85],
            "no shift outside China"
        );
    }
}
