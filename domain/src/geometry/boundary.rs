//! A grid's boundary as the real world draws it: one or more parts (a community cut by a river, an
//! exclave), each an outer ring with any number of holes (a school, an enclave). It is a GeoJSON
//! MultiPolygon: outer rings counter-clockwise and holes clockwise (RFC 7946) once [`normalised`].
//!
//! Edits that move shared vertices work on every ring at once: [`Boundary::rings`] lists them in a
//! fixed order and [`Boundary::with_rings`] puts edited rings back into the same structure.
//!
//! [`normalised`]: Boundary::normalised

use super::*;
use geo::{Area, BooleanOps, Contains, InteriorPoint, MultiPolygon};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One part: its outer ring, then its holes.
pub type Part = Vec<Ring>;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Boundary(pub Vec<Part>);

impl From<Ring> for Boundary {
    fn from(ring: Ring) -> Boundary {
        Boundary(vec![vec![ring]])
    }
}

impl Boundary {
    pub fn parts(&self) -> &[Part] {
        &self.0
    }

    /// Every ring, part by part, outer ring first.
    pub fn rings(&self) -> impl Iterator<Item = &Ring> + Clone {
        self.0.iter().flatten()
    }

    pub fn ring_count(&self) -> usize {
        self.0.iter().map(Vec::len).sum()
    }

    pub fn vertex_count(&self) -> usize {
        self.rings().map(Vec::len).sum()
    }

    pub fn hole_count(&self) -> usize {
        self.0.iter().map(|p| p.len().saturating_sub(1)).sum()
    }

    /// Whether this is one part without holes (what most grids are).
    pub fn is_simple(&self) -> bool {
        self.0.len() == 1 && self.0[0].len() == 1
    }

    /// The first part's outer ring (empty for an empty boundary).
    pub fn outer(&self) -> &[Point] {
        self.0
            .first()
            .and_then(|p| p.first())
            .map_or(&[], Vec::as_slice)
    }

    pub fn points(&self) -> impl Iterator<Item = &Point> + Clone {
        self.rings().flatten()
    }

    pub fn has_vertex(&self, p: Point) -> bool {
        self.points().any(|&q| same(p, q))
    }

    /// Whether any ring (outer rings and holes) has the edge `a`–`b`, either way round.
    pub fn has_edge(&self, a: Point, b: Point) -> bool {
        self.rings().any(|r| edit::edge_position(r, a, b).is_some())
    }

    /// The same structure with its rings replaced, in [`rings`](Self::rings) order.
    pub fn with_rings(&self, mut rings: impl Iterator<Item = Ring>) -> Boundary {
        Boundary(
            self.0
                .iter()
                .map(|part| part.iter().filter_map(|_| rings.next()).collect())
                .collect(),
        )
    }

    /// (min lon, min lat, max lon, max lat).
    pub fn bbox(&self) -> [f64; 4] {
        self.outer_points().fold(
            [f64::MAX, f64::MAX, f64::MIN, f64::MIN],
            |[a, b, c, d], p| [a.min(p[0]), b.min(p[1]), c.max(p[0]), d.max(p[1])],
        )
    }

    /// The vertices of the outer rings (holes lie inside them).
    fn outer_points(&self) -> impl Iterator<Item = &Point> {
        self.0.iter().filter_map(|p| p.first()).flatten()
    }

    /// Rounded to the stored step, closed, outer rings counter-clockwise and holes clockwise;
    /// empty parts dropped.
    pub fn normalised(&self) -> Boundary {
        Boundary(
            self.0
                .iter()
                .filter(|p| !p.is_empty())
                .map(|part| {
                    part.iter()
                        .enumerate()
                        .map(|(k, r)| {
                            let mut r = normalise(r);
                            if k > 0 {
                                r.reverse();
                            }
                            r
                        })
                        .collect()
                })
                .collect(),
        )
    }

    fn frame(&self) -> Frame {
        Frame::at(self.outer().first().map_or(0.0, |p| p[1]))
    }

    /// In a local metric frame (for areas and boolean operations).
    pub fn to_geo(&self, f: &Frame) -> MultiPolygon {
        MultiPolygon(
            self.0
                .iter()
                .filter(|p| !p.is_empty())
                .map(|part| {
                    let ring = |r: &Ring| {
                        geo::LineString::from(r.iter().map(|&p| f.to_m(p)).collect::<Vec<_>>())
                    };
                    geo::Polygon::new(ring(&part[0]), part[1..].iter().map(ring).collect())
                })
                .collect(),
        )
    }

    /// Back from the metric frame, normalised.
    pub fn from_geo(f: &Frame, mp: &MultiPolygon) -> Boundary {
        let ring = |l: &geo::LineString| -> Ring { l.coords().map(|&c| f.to_deg(c)).collect() };
        Boundary(
            mp.0.iter()
                .map(|p| {
                    std::iter::once(ring(p.exterior()))
                        .chain(p.interiors().iter().map(ring))
                        .collect()
                })
                .collect(),
        )
        .normalised()
    }

    /// Checks the whole boundary: at least one part; every ring as [`validate_ring`] does; at most
    /// [`MAX_RINGS`] rings and [`MAX_VERTICES`] vertices in all; holes inside their outer ring;
    /// parts not overlapping.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.0.is_empty() || self.0.iter().any(Vec::is_empty) {
            return Err(Invalid::TooFewPoints);
        }
        if self.ring_count() > MAX_RINGS || self.vertex_count() > MAX_VERTICES + self.ring_count() {
            return Err(Invalid::TooManyPoints);
        }
        for r in self.rings() {
            validate_ring(r)?;
        }
        if self.is_simple() {
            return Ok(());
        }
        use geo::algorithm::validation::{InvalidMultiPolygon, InvalidPolygon};
        let mp = self.to_geo(&self.frame());
        let Err(errors) = geo::Validation::check_validation(&mp) else {
            return Ok(());
        };
        Err(match errors {
            InvalidMultiPolygon::ElementsOverlaps(..)
            | InvalidMultiPolygon::ElementsTouchOnALine(..) => Invalid::PartsOverlap,
            InvalidMultiPolygon::InvalidPolygon(
                _,
                InvalidPolygon::InteriorRingNotContainedInExteriorRing(_)
                | InvalidPolygon::IntersectingRingsOnALine(..)
                | InvalidPolygon::IntersectingRingsOnAnArea(..),
            ) => Invalid::HoleOutside,
            _ => Invalid::SelfIntersection,
        })
    }

    /// The boundary with `ring` (closed) as a new part; refused when it is not a valid ring or
    /// overlaps a part it already has.
    pub fn with_part(&self, ring: &[Point]) -> Result<Boundary, Invalid> {
        let ring = normalise(ring);
        validate_ring(&ring)?;
        let mut b = self.clone();
        b.0.push(vec![ring]);
        let b = b.normalised();
        b.validate()?;
        Ok(b)
    }

    /// The boundary with `ring` (closed) as a hole of the part whose outer ring holds it; refused
    /// when no part holds it whole or it crosses another hole.
    pub fn with_hole(&self, ring: &[Point]) -> Result<Boundary, Invalid> {
        let ring = normalise(ring);
        validate_ring(&ring)?;
        let hole = Boundary::from(ring.clone());
        let home = self
            .0
            .iter()
            .position(|p| {
                let outer = Boundary::from(p[0].clone());
                // Both measured in the hole's frame.
                (hole.overlap_m2(&outer) - hole.area_m2()).abs() <= AREA_EPSILON_M2
            })
            .ok_or(Invalid::HoleOutside)?;
        let mut b = self.clone();
        b.0[home].push(ring);
        let b = b.normalised();
        b.validate()?;
        Ok(b)
    }

    /// The boundary without the ring through vertex `p`: a hole is filled in, a part (with its
    /// holes) is removed; the last part cannot be.
    pub fn without_ring_at(&self, p: Point) -> Result<Boundary, Invalid> {
        let (pi, ri) = self
            .0
            .iter()
            .enumerate()
            .find_map(|(pi, part)| {
                part.iter()
                    .position(|r| r.iter().any(|&q| same(p, q)))
                    .map(|ri| (pi, ri))
            })
            .ok_or(Invalid::TooFewPoints)?;
        let mut b = self.clone();
        if ri > 0 {
            b.0[pi].remove(ri);
        } else if b.0.len() > 1 {
            b.0.remove(pi);
        } else {
            return Err(Invalid::TooFewPoints);
        }
        Ok(b)
    }

    /// Area in m² (holes subtracted, parts added).
    pub fn area_m2(&self) -> f64 {
        self.to_geo(&self.frame()).unsigned_area()
    }

    /// The length of every ring (outer rings and holes), in metres.
    pub fn perimeter_m(&self) -> f64 {
        perimeter_of(&self.to_geo(&self.frame()))
    }

    /// The area two boundaries share, in m² (0 when either is not valid).
    pub fn overlap_m2(&self, other: &Boundary) -> f64 {
        if self.validate().is_err() || other.validate().is_err() {
            return 0.0;
        }
        let f = self.frame();
        self.to_geo(&f)
            .intersection(&other.to_geo(&f))
            .unsigned_area()
    }

    /// What `self` and `other` share, as a boundary (slivers of rounding dropped).
    pub fn intersection(&self, other: &Boundary) -> Boundary {
        let f = self.frame();
        Boundary::from_geo(
            &f,
            &drop_slivers(self.to_geo(&f).intersection(&other.to_geo(&f))),
        )
    }

    /// `self` and `other` together, as a boundary (slivers of rounding dropped).
    pub fn union(&self, other: &Boundary) -> Boundary {
        let f = self.frame();
        Boundary::from_geo(&f, &drop_slivers(self.to_geo(&f).union(&other.to_geo(&f))))
    }

    /// `self` without what it shares with `other` (slivers of rounding dropped).
    pub fn difference(&self, other: &Boundary) -> Boundary {
        let f = self.frame();
        Boundary::from_geo(
            &f,
            &drop_slivers(self.to_geo(&f).difference(&other.to_geo(&f))),
        )
    }

    /// Whether `p` lies inside (in a hole or on the boundary counts as outside).
    pub fn contains(&self, p: Point) -> bool {
        let f = Frame::at(p[1]);
        self.to_geo(&f).contains(&geo::Point(f.to_m(p)))
    }

    /// A point inside the boundary (not in a hole) for a label; the outer ring's vertex mean when
    /// the boundary is degenerate.
    pub fn label_point(&self) -> Point {
        let f = self.frame();
        self.to_geo(&f)
            .interior_point()
            .map(|p| f.to_deg(p.0))
            .unwrap_or_else(|| mean_point(self.outer()))
    }

    /// GeoJSON geometry (`Polygon` for one part, else `MultiPolygon`).
    pub fn to_geojson(&self) -> serde_json::Value {
        if self.0.len() == 1 {
            serde_json::json!({"type": "Polygon", "coordinates": self.0[0]})
        } else {
            serde_json::json!({"type": "MultiPolygon", "coordinates": self.0})
        }
    }
}

/// Parts and holes under [`AREA_EPSILON_M2`] left out (what boolean operations leave of rounding).
fn drop_slivers(mp: MultiPolygon) -> MultiPolygon {
    MultiPolygon(
        mp.0.into_iter()
            .filter(|p| p.unsigned_area() > AREA_EPSILON_M2)
            .map(|p| {
                let (outer, holes) = p.into_inner();
                let holes = holes
                    .into_iter()
                    .filter(|h| {
                        geo::Polygon::new(h.clone(), vec![]).unsigned_area() > AREA_EPSILON_M2
                    })
                    .collect();
                geo::Polygon::new(outer, holes)
            })
            .collect(),
    )
}

/// Whether two bounding boxes ([`Boundary::bbox`]) overlap (only then can boundaries share area).
pub fn boxes_meet(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// How a boundary travels and is stored: one part without holes as one encoded polyline (the form
/// every stored grid had before holes existed); otherwise a list of parts, each a list of rings,
/// each an encoded polyline or (off the 1e-7° step) a list of `[lon, lat]` — GeoJSON MultiPolygon
/// coordinates with encoded rings.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum WireRing {
    Encoded(String),
    Points(Ring),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Wire {
    One(String),
    Ring(Ring),
    Polygon(Vec<Ring>),
    Parts(Vec<Vec<WireRing>>),
}

fn decode_ring(w: WireRing) -> Option<Ring> {
    match w {
        WireRing::Encoded(s) => compact_ring::decode(&s),
        WireRing::Points(r) => Some(r),
    }
}

impl Serialize for Boundary {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_simple() {
            if let Some(e) = compact_ring::encode(&self.0[0][0]) {
                return s.serialize_str(&e);
            }
        }
        let wire: Vec<Vec<WireRing>> = self
            .0
            .iter()
            .map(|part| {
                part.iter()
                    .map(|r| match compact_ring::encode(r) {
                        Some(e) => WireRing::Encoded(e),
                        None => WireRing::Points(r.clone()),
                    })
                    .collect()
            })
            .collect();
        wire.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Boundary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Boundary, D::Error> {
        use serde::de::Error;
        let bad = || D::Error::custom("invalid boundary");
        Ok(match Wire::deserialize(d)? {
            Wire::One(s) => Boundary::from(compact_ring::decode(&s).ok_or_else(bad)?),
            Wire::Ring(r) => Boundary::from(r),
            Wire::Polygon(p) => Boundary(vec![p]),
            Wire::Parts(parts) => Boundary(
                parts
                    .into_iter()
                    .map(|p| p.into_iter().map(decode_ring).collect::<Option<Part>>())
                    .collect::<Option<Vec<Part>>>()
                    .ok_or_else(bad)?,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::geometry::testing::*;
    use crate::geometry::*;

    /// A 2×2 square with a 1×1 hole in its middle, and a separate 1×1 island.
    pub fn holed_and_island() -> Boundary {
        let mut hole = square(0.5, 0.5, 1.0);
        hole.reverse();
        Boundary(vec![
            vec![square(0., 0., 2.), hole],
            vec![square(5., 5., 1.)],
        ])
    }

    #[test]
    fn holes_subtract_and_parts_add() {
        let b = holed_and_island().normalised();
        assert_eq!(b.validate(), Ok(()));
        let unit = area_m2(&square(0., 0., 1.));
        assert!((b.area_m2() / unit - 4.0).abs() < 1e-3, "4 − 1 + 1");
        assert!(
            !b.contains(square(1.0, 1.0, 0.0)[0]),
            "a point in the hole is outside"
        );
        assert!(b.contains(square(0.25, 0.25, 0.0)[0]));
        assert!(
            b.contains(square(5.5, 5.5, 0.0)[0]),
            "a point in the island is inside"
        );
        assert!(b.contains(b.label_point()));
        // The overlap with a square over the hole counts only the ring around it.
        let over = Boundary::from(square(0., 0., 2.));
        assert!((b.overlap_m2(&over) / unit - 3.0).abs() < 1e-3);
    }

    #[test]
    fn normalised_boundaries_wind_as_rfc_7946_says() {
        let mut b = holed_and_island();
        for r in &mut b.0[0] {
            r.reverse();
        }
        let n = b.normalised();
        assert!(shoelace(&n.0[0][0]) > 0.0, "outer counter-clockwise");
        assert!(shoelace(&n.0[0][1]) < 0.0, "hole clockwise");
        assert_eq!(n.normalised(), n);
    }

    #[test]
    fn broken_holes_and_parts_say_why() {
        let outside_hole = Boundary(vec![vec![square(0., 0., 1.), square(3., 3., 1.)]]);
        assert_eq!(outside_hole.validate(), Err(Invalid::HoleOutside));
        let crossing_hole = Boundary(vec![vec![square(0., 0., 2.), square(1., 1., 2.)]]);
        assert_eq!(crossing_hole.validate(), Err(Invalid::HoleOutside));
        let overlapping = Boundary(vec![vec![square(0., 0., 2.)], vec![square(1., 1., 2.)]]);
        assert_eq!(overlapping.validate(), Err(Invalid::PartsOverlap));
        assert_eq!(Boundary(vec![]).validate(), Err(Invalid::TooFewPoints));
        let islands = Boundary(
            (0..=MAX_RINGS)
                .map(|k| vec![square(k as f64 * 2.0, 0., 1.)])
                .collect(),
        );
        assert_eq!(
            islands.validate(),
            Err(Invalid::TooManyPoints),
            "too many rings to check"
        );
        let mut bow = square(0., 0., 1.);
        bow.swap(1, 2);
        let bad_hole = Boundary(vec![vec![square(-1., -1., 4.), bow]]);
        assert_eq!(bad_hole.validate(), Err(Invalid::SelfIntersection));
    }

    #[test]
    fn boundaries_travel_compactly_and_read_older_forms() {
        let simple = Boundary::from(normalise(&square(0., 0., 1.)));
        let json = serde_json::to_string(&simple).unwrap();
        assert!(
            json.starts_with('"'),
            "one ring stays one encoded string: {json}"
        );
        assert_eq!(serde_json::from_str::<Boundary>(&json).unwrap(), simple);
        let rich = holed_and_island().normalised();
        let json = serde_json::to_string(&rich).unwrap();
        assert!(json.starts_with("[[\""), "{json}");
        assert_eq!(serde_json::from_str::<Boundary>(&json).unwrap(), rich);
        // Off the stored step: plain coordinates, exactly.
        let raw = Boundary(vec![vec![vec![
            [118.123_456_789, 32.0],
            [118.2, 32.0],
            [118.2, 32.1],
            [118.123_456_789, 32.0],
        ]]]);
        let json = serde_json::to_string(&raw).unwrap();
        assert!(json.starts_with("[[[["), "{json}");
        assert_eq!(serde_json::from_str::<Boundary>(&json).unwrap(), raw);
        // A plain ring and a GeoJSON Polygon's coordinates (older stored forms) read as one part.
        let ring = serde_json::to_string(&raw.0[0][0]).unwrap();
        assert_eq!(serde_json::from_str::<Boundary>(&ring).unwrap(), raw);
        let poly = serde_json::to_string(&raw.0[0]).unwrap();
        assert_eq!(serde_json::from_str::<Boundary>(&poly).unwrap(), raw);
        assert!(serde_json::from_str::<Boundary>("\"  \"").is_err());
        assert!(serde_json::from_str::<Boundary>("7").is_err());
    }

    #[test]
    fn edited_rings_go_back_where_they_came_from() {
        let b = holed_and_island();
        let rings: Vec<Ring> = b.rings().cloned().collect();
        assert_eq!(rings.len(), 3);
        assert_eq!(b.with_rings(rings.into_iter()), b);
        assert_eq!(b.hole_count(), 1);
        let gj = b.to_geojson();
        assert_eq!(gj["type"], "MultiPolygon");
    }

    #[test]
    fn parts_and_holes_are_added_and_removed() {
        let b = Boundary::from(square(0., 0., 2.)).normalised();
        let holed = b.with_hole(&square(0.5, 0.5, 1.0)).unwrap();
        assert_eq!(holed.hole_count(), 1);
        assert_eq!(
            b.with_hole(&square(1.5, 1.5, 1.0)),
            Err(Invalid::HoleOutside),
            "not inside"
        );
        let two = holed.with_part(&square(5., 5., 1.)).unwrap();
        assert_eq!(two.parts().len(), 2);
        assert_eq!(
            holed.with_part(&square(1., 1., 2.)),
            Err(Invalid::PartsOverlap)
        );
        // Removing through a vertex: the hole is filled, the island goes, the last part stays.
        let hole_corner = square(0.5, 0.5, 1.0)[0];
        assert_eq!(two.without_ring_at(hole_corner).unwrap().hole_count(), 0);
        let island_corner = square(5., 5., 1.)[0];
        assert_eq!(two.without_ring_at(island_corner).unwrap(), holed);
        assert_eq!(b.without_ring_at(b.outer()[0]), Err(Invalid::TooFewPoints));
    }
}
