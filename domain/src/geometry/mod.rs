//! Grid geometry: the coverage rules and the topological edits, one implementation used by the map
//! editor in the browser (while editing) and by the server (on save).
//!
//! Rings are WGS84 `[lon, lat]`, closed (first point = last point); a grid's [`Boundary`] is one or
//! more parts, each an outer ring (counter-clockwise) and its holes (clockwise), as RFC 7946 says.
//! Neighbouring grids share boundaries by having *identical* vertices along them, at every level: a
//! child's edge on its parent's boundary is also an edge of the parent. The edits below keep that true
//! (moving, inserting or removing a vertex does so in every ring that has it), and the checks work in
//! a local metric frame so areas are in m².

use geo::{Area, Coord, LineString, Polygon};
use serde::{Deserialize, Serialize};

mod boundary;
pub mod compact_ring;
mod coverage;
mod edit;
mod repair;
mod simplify;
pub mod snap;
#[cfg(test)]
pub(crate) mod testing;

pub use boundary::*;
pub use coverage::*;
pub use edit::*;
pub use repair::*;
pub use simplify::*;

pub type Point = [f64; 2];
pub type Ring = Vec<Point>;

/// The most vertices one grid boundary may have; real grids have tens to a few hundred.
pub const MAX_VERTICES: usize = 10_000;
/// The most rings (outer rings and holes, all parts) one grid boundary may have: a district with
/// its islands has tens to a couple of hundred; checking parts against each other is quadratic.
pub const MAX_RINGS: usize = 500;
/// Overlaps, spills and gaps smaller than this (m²) are rounding noise, not problems.
pub const AREA_EPSILON_M2: f64 = 1.0;
/// Coordinates are kept to 1e-7° (about a centimetre): where two boundaries that cross many times
/// are cut against each other, every crossing is rounded and leaves a sliver. Overlaps and spills
/// thinner than this band along the shorter boundary are that rounding, not problems: a district
/// of 150 km perimeter cut to its city leaves some 40 m² of it (the band allows 150 m²); for a grid
/// a kilometre across the band is 4 m², and the minimum, 1 m², holds for smaller ones.
pub const ROUNDING_BAND_M: f64 = 0.001;

/// The length of every ring of `mp` (in its frame's metres).
pub(crate) fn perimeter_of(mp: &geo::MultiPolygon) -> f64 {
    use geo::Length;
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| geo::Euclidean.length(r))
        .sum()
}

/// The area (m²) under which an overlap or a spill of a boundary `perimeter_m` long is rounding.
pub fn noise_m2(perimeter_m: f64) -> f64 {
    AREA_EPSILON_M2.max(ROUNDING_BAND_M * perimeter_m)
}
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Why a boundary is not a valid polygon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Invalid {
    NotClosed,
    TooFewPoints,
    TooManyPoints,
    NotFinite,
    OutOfRange,
    SelfIntersection,
    ZeroArea,
    /// A hole reaching outside its part's outer ring, or crossing another hole.
    HoleOutside,
    /// Two parts of one boundary overlapping.
    PartsOverlap,
}

impl Invalid {
    /// Translation key of the message shown to users.
    pub fn key(self) -> &'static str {
        match self {
            Invalid::NotClosed => "geo.not_closed",
            Invalid::TooFewPoints => "geo.too_few_points",
            Invalid::TooManyPoints => "geo.too_many_points",
            Invalid::NotFinite => "geo.not_finite",
            Invalid::OutOfRange => "geo.out_of_range",
            Invalid::SelfIntersection => "geo.self_intersection",
            Invalid::ZeroArea => "geo.zero_area",
            Invalid::HoleOutside => "geo.hole_outside",
            Invalid::PartsOverlap => "geo.parts_overlap",
        }
    }
}

/// Stored coordinates are kept to 1e-7° (about 1 cm on the ground, ten times finer than RFC 7946's
/// suggested six decimals): [`normalise`] rounds every vertex to that step, so boundaries travel
/// compactly (see [`compact_ring`]) and vertices shared by neighbours stay identical.
pub const COORD_DECIMALS: u32 = 7;
const COORD_SCALE: f64 = 1e7;

/// The vertex rounded to the stored step ([`COORD_DECIMALS`]).
pub fn quantise(p: Point) -> Point {
    [
        (p[0] * COORD_SCALE).round() / COORD_SCALE,
        (p[1] * COORD_SCALE).round() / COORD_SCALE,
    ]
}

/// Two points are the same vertex when they agree to 1e-9° (about 0.1 mm).
pub fn same(a: Point, b: Point) -> bool {
    (a[0] - b[0]).abs() <= 1e-9 && (a[1] - b[1]).abs() <= 1e-9
}

fn shoelace(ring: &[Point]) -> f64 {
    ring.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        / 2.0
}

/// Rounds the vertices to the stored step, closes the ring, drops repeated consecutive points and
/// makes it counter-clockwise.
pub fn normalise(ring: &[Point]) -> Ring {
    let mut out: Ring = Vec::with_capacity(ring.len() + 1);
    for &p in ring {
        let p = quantise(p);
        if out.last().is_none_or(|&q| !same(p, q)) {
            out.push(p);
        }
    }
    while out.len() > 1 && same(out[0], out[out.len() - 1]) {
        out.pop();
    }
    if let Some(&first) = out.first() {
        out.push(first);
    }
    if shoelace(&out) < 0.0 {
        out.reverse();
    }
    out
}

/// The distinct vertices of a closed ring (without the closing point).
fn open(ring: &[Point]) -> &[Point] {
    if ring.len() > 1 && same(ring[0], ring[ring.len() - 1]) {
        &ring[..ring.len() - 1]
    } else {
        ring
    }
}

/// Checks one boundary: closed, 3..=MAX_VERTICES distinct vertices, finite WGS84 coordinates, no
/// self-intersection, positive area.
pub fn validate_ring(ring: &[Point]) -> Result<(), Invalid> {
    if ring.len() > MAX_VERTICES + 1 {
        return Err(Invalid::TooManyPoints);
    }
    if ring.iter().any(|p| !p[0].is_finite() || !p[1].is_finite()) {
        return Err(Invalid::NotFinite);
    }
    if ring.iter().any(|p| p[0].abs() > 180.0 || p[1].abs() > 90.0) {
        return Err(Invalid::OutOfRange);
    }
    if ring.len() < 2 || !same(ring[0], ring[ring.len() - 1]) {
        return Err(Invalid::NotClosed);
    }
    let mut distinct: Vec<Point> = open(ring).to_vec();
    distinct.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    distinct.dedup_by(|a, b| same(*a, *b));
    if distinct.len() < 3 {
        return Err(Invalid::TooFewPoints);
    }
    let frame = Frame::at(ring[0][1]);
    let poly = frame.polygon(ring);
    // Repeated non-adjacent vertices (a ring touching itself) count as self-intersection too.
    let o = open(ring);
    if distinct.len() != o.len() && {
        let mut v: Vec<Point> = o.to_vec();
        v.dedup_by(|a, b| same(*a, *b));
        v.len() != distinct.len()
    } {
        return Err(Invalid::SelfIntersection);
    }
    if crosses_itself(ring) {
        return Err(Invalid::SelfIntersection);
    }
    if poly.unsigned_area() < 1e-6 {
        return Err(Invalid::ZeroArea);
    }
    Ok(())
}

/// Whether two edges of the closed `ring` meet other than where consecutive edges join: the
/// rule of `geo`'s polygon validation (edges that touch, cross or overlap, unless one starts where
/// the other ends), found by sweeping the edges along x so that only edges whose boxes overlap
/// are compared — `geo`'s check compares every pair, which took seconds on the rings of a
/// district's level of grids.
pub fn crosses_itself(ring: &[Point]) -> bool {
    use geo::Intersects;
    let edges: Vec<geo::Line> = ring
        .windows(2)
        .map(|w| {
            geo::Line::new(
                Coord::from((w[0][0], w[0][1])),
                Coord::from((w[1][0], w[1][1])),
            )
        })
        .collect();
    let lo = |e: &geo::Line| e.start.x.min(e.end.x);
    let hi = |e: &geo::Line| e.start.x.max(e.end.x);
    let mut order: Vec<usize> = (0..edges.len()).collect();
    order.sort_by(|&a, &b| lo(&edges[a]).total_cmp(&lo(&edges[b])));
    for (n, &i) in order.iter().enumerate() {
        let a = &edges[i];
        let (ay0, ay1) = (a.start.y.min(a.end.y), a.start.y.max(a.end.y));
        for &j in &order[n + 1..] {
            let b = &edges[j];
            if lo(b) > hi(a) {
                break;
            }
            if b.start.y.max(b.end.y) < ay0 || b.start.y.min(b.end.y) > ay1 {
                continue;
            }
            if a.start != b.end && a.end != b.start && a.intersects(b) {
                return true;
            }
        }
    }
    false
}

/// A local equirectangular frame in metres around one latitude: accurate to well under 0.1 % over
/// a district, which is all the checks need.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    kx: f64,
    ky: f64,
}

impl Frame {
    pub fn at(lat: f64) -> Frame {
        let ky = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        Frame {
            kx: ky * lat.to_radians().cos(),
            ky,
        }
    }

    pub fn to_m(&self, p: Point) -> Coord {
        Coord {
            x: p[0] * self.kx,
            y: p[1] * self.ky,
        }
    }

    pub fn to_deg(&self, c: Coord) -> Point {
        [c.x / self.kx, c.y / self.ky]
    }

    pub fn polygon(&self, ring: &[Point]) -> Polygon {
        Polygon::new(
            LineString::from(ring.iter().map(|&p| self.to_m(p)).collect::<Vec<_>>()),
            vec![],
        )
    }
}

/// Area of a boundary in m².
pub fn area_m2(ring: &[Point]) -> f64 {
    let (lo, hi) = ring.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p[1]), hi.max(p[1]))
    });
    if ring.is_empty() {
        return 0.0;
    }
    Frame::at((lo + hi) / 2.0).polygon(ring).unsigned_area()
}

/// The area two boundaries share, in m² (0 when either is not a valid ring).
pub fn overlap_m2(a: &[Point], b: &[Point]) -> f64 {
    use geo::BooleanOps;
    if validate_ring(a).is_err() || validate_ring(b).is_err() {
        return 0.0;
    }
    let lat = a.first().map_or(0.0, |p| p[1]);
    let f = Frame::at(lat);
    f.polygon(a).intersection(&f.polygon(b)).unsigned_area()
}

/// Whether `p` lies inside the ring (on the boundary counts as outside).
pub fn contains(ring: &[Point], p: Point) -> bool {
    use geo::Contains;
    let f = Frame::at(p[1]);
    f.polygon(ring).contains(&geo::Point(f.to_m(p)))
}

/// The mean of a ring's distinct vertices (a label point for convex-ish grids).
pub fn mean_point(ring: &[Point]) -> Point {
    let o = open(ring);
    let n = o.len().max(1) as f64;
    let s = o.iter().fold([0.0, 0.0], |s, p| [s[0] + p[0], s[1] + p[1]]);
    [s[0] / n, s[1] / n]
}

/// One grid as the checks see it.

#[cfg(test)]
mod tests {
    use crate::geometry::testing::*;
    use crate::geometry::*;

    #[test]
    fn valid_rings_pass_and_broken_ones_say_why() {
        assert_eq!(validate_ring(&square(0., 0., 1.)), Ok(()));
        let mut open_ring = square(0., 0., 1.);
        open_ring.pop();
        assert_eq!(validate_ring(&open_ring), Err(Invalid::NotClosed));
        let p = |x: f64, y: f64| [118.0 + x, 32.0 + y];
        assert_eq!(
            validate_ring(&[p(0., 0.), p(1., 0.), p(0., 0.)]),
            Err(Invalid::TooFewPoints)
        );
        let bowtie = vec![
            p(0., 0.),
            p(0.01, 0.01),
            p(0.01, 0.),
            p(0., 0.01),
            p(0., 0.),
        ];
        assert_eq!(validate_ring(&bowtie), Err(Invalid::SelfIntersection));
        let flat = vec![p(0., 0.), p(0.01, 0.), p(0.02, 0.), p(0., 0.)];
        assert!(matches!(
            validate_ring(&flat),
            Err(Invalid::ZeroArea | Invalid::SelfIntersection)
        ));
        let far = vec![[190.0, 0.0], [191.0, 0.0], [191.0, 1.0], [190.0, 0.0]];
        assert_eq!(validate_ring(&far), Err(Invalid::OutOfRange));
        let nan = vec![[f64::NAN, 0.0], [1.0, 0.0], [1.0, 1.0], [f64::NAN, 0.0]];
        assert_eq!(validate_ring(&nan), Err(Invalid::NotFinite));
        let mut huge: Ring = (0..MAX_VERTICES + 5)
            .map(|k| {
                let a = k as f64 / (MAX_VERTICES + 5) as f64 * std::f64::consts::TAU;
                [118.0 + a.cos() * 0.01, 32.0 + a.sin() * 0.01]
            })
            .collect();
        huge.push(huge[0]);
        assert_eq!(validate_ring(&huge), Err(Invalid::TooManyPoints));
    }

    #[test]
    fn crosses_itself_agrees_with_geos_check_on_rings_full_of_touching_and_collinear_edges() {
        use geo::Validation;
        let mut rng = Lcg(7);
        let (mut crossing, mut simple) = (0, 0);
        for case in 0..3000 {
            // Points on a 4 × 4 lattice: edges that touch, overlap and cross all come up.
            let n = 4 + rng.below(6);
            let mut ring: Ring = (0..n)
                .map(|_| [118.0 + rng.below(4) as f64, 32.0 + rng.below(4) as f64])
                .collect();
            ring.dedup();
            if ring.len() < 3 {
                continue;
            }
            ring.push(ring[0]);
            // The same coordinates (in a metric frame, rounding would make lattice points that
            // lie on an edge fall just off it).
            let poly = geo::Polygon::new(
                geo::LineString::from(ring.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>()),
                vec![],
            );
            let theirs = poly.validation_errors().iter().any(|e| {
                matches!(
                    e,
                    geo::algorithm::validation::InvalidPolygon::SelfIntersection(_)
                )
            });
            assert_eq!(crosses_itself(&ring), theirs, "case {case}: {ring:?}");
            if theirs {
                crossing += 1;
            } else {
                simple += 1;
            }
        }
        assert!(
            crossing > 300 && simple > 300,
            "{crossing} crossing, {simple} simple"
        );
    }

    #[test]
    fn overlap_counts_shared_area_only() {
        let (a, b, far) = (square(0., 0., 2.), square(1., 0., 2.), square(10., 10., 1.));
        let whole = area_m2(&a);
        let half = overlap_m2(&a, &b);
        assert!((half / whole - 0.5).abs() < 1e-3, "{half} of {whole}");
        assert_eq!(overlap_m2(&a, &far), 0.0);
        let bow_tie = vec![a[0], a[2], a[1], a[3], a[0]];
        assert_eq!(overlap_m2(&bow_tie, &a), 0.0, "invalid rings share nothing");
    }

    #[test]
    fn normalise_closes_and_turns_counter_clockwise() {
        let mut cw = square(0., 0., 1.);
        cw.reverse();
        cw.pop();
        let n = normalise(&cw);
        assert!(same(n[0], n[n.len() - 1]));
        assert!(shoelace(&n) > 0.0);
        assert_eq!(validate_ring(&n), Ok(()));
    }
}
