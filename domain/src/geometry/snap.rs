//! Snapping a boundary onto its neighbours within a tolerance: the import's cleaner for boundaries
//! digitised separately (two neighbours' shared edge drawn twice, half a metre apart), which would
//! otherwise overlap, leave slivers of gap or spill over their parent.
//!
//! Within `tol_m` metres a vertex moves onto the nearest vertex of a target ring, else onto the
//! nearest point of a target edge; then every target vertex within `tol_m` of an edge of the ring
//! is inserted into that edge, so that shared edges end up with identical vertices (what the
//! coverage rules and the editor's shared-vertex moves need). This repeats until nothing changes
//! (at most a few rounds), so snapping a snapped ring changes nothing. Moves under `KEEP_M` are
//! not made: coordinates are stored at 1e-7° (about a centimetre), and chasing that rounding
//! would never settle.

use super::{normalise, open, quantise, same, Boundary, Frame, Point, Ring};

/// Vertices this close (metres) to where snapping would put them stay where they are.
pub const KEEP_M: f64 = 0.02;
/// The default tolerance of an import, in metres.
pub const DEFAULT_TOLERANCE_M: f64 = 0.5;
/// The largest tolerance an import accepts, in metres: beyond it snapping redraws boundaries.
pub const MAX_TOLERANCE_M: f64 = 5.0;
const MAX_ROUNDS: usize = 4;

/// What snapping did to one ring.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Snapped {
    /// Vertices moved onto a neighbour's vertex or edge.
    pub moved: usize,
    /// Neighbours' vertices inserted into the ring's edges.
    pub inserted: usize,
    /// The farthest any vertex moved or any edge was bent, in metres.
    pub max_shift_m: f64,
}

impl Snapped {
    pub fn changed(&self) -> bool {
        self.moved + self.inserted > 0
    }
}

#[derive(Clone, Copy)]
struct M {
    x: f64,
    y: f64,
}

fn dist(a: M, b: M) -> f64 {
    (a.x - b.x).hypot(a.y - b.y)
}

/// The point of segment `a`–`b` nearest to `p`, and its parameter along the segment.
fn nearest_on(p: M, a: M, b: M) -> (M, f64) {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return (a, 0.0);
    }
    let t = (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0);
    (
        M {
            x: a.x + t * dx,
            y: a.y + t * dy,
        },
        t,
    )
}

/// Snaps every ring of `boundary` (outer rings and holes) as [`snap_ring`] does; the boundary comes
/// back normalised, with what changed in all its rings.
pub fn snap_boundary(boundary: &Boundary, targets: &[&[Point]], tol_m: f64) -> (Boundary, Snapped) {
    let mut total = Snapped::default();
    let rings: Vec<Ring> = boundary
        .rings()
        .map(|r| {
            let (r, s) = snap_ring(r, targets, tol_m);
            total.moved += s.moved;
            total.inserted += s.inserted;
            total.max_shift_m = total.max_shift_m.max(s.max_shift_m);
            r
        })
        .collect();
    (boundary.with_rings(rings.into_iter()).normalised(), total)
}

/// Snaps `ring` (closed) onto the `targets` (closed rings: the parent's boundary, neighbours')
/// within `tol_m` metres. Returns the ring, closed and counter-clockwise, and what changed; the
/// caller checks the result is still a valid boundary.
pub fn snap_ring(ring: &[Point], targets: &[&[Point]], tol_m: f64) -> (Ring, Snapped) {
    let mut report = Snapped::default();
    if ring.len() < 4 || !(tol_m > 0.0) {
        return (ring.to_vec(), report);
    }
    let frame = Frame::at(ring[0][1]);
    let to_m = |p: Point| {
        let c = frame.to_m(p);
        M { x: c.x, y: c.y }
    };
    // Only targets near the ring matter.
    let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
    for &p in ring {
        let m = to_m(p);
        lo = [lo[0].min(m.x - tol_m), lo[1].min(m.y - tol_m)];
        hi = [hi[0].max(m.x + tol_m), hi[1].max(m.y + tol_m)];
    }
    let near = |m: M| m.x >= lo[0] && m.x <= hi[0] && m.y >= lo[1] && m.y <= hi[1];
    let mut vertices: Vec<(Point, M)> = Vec::new();
    let mut edges: Vec<(M, M)> = Vec::new();
    for t in targets {
        let o = open(t);
        for (i, &p) in o.iter().enumerate() {
            let (a, b) = (to_m(p), to_m(o[(i + 1) % o.len()]));
            if near(a) {
                vertices.push((p, a));
            }
            let box_meets = a.x.min(b.x) <= hi[0]
                && a.x.max(b.x) >= lo[0]
                && a.y.min(b.y) <= hi[1]
                && a.y.max(b.y) >= lo[1];
            if box_meets {
                edges.push((a, b));
            }
        }
    }
    if vertices.is_empty() && edges.is_empty() {
        return (ring.to_vec(), report);
    }
    let mut pts: Vec<Point> = open(ring).to_vec();
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        // 1. Vertices onto the nearest target vertex, else onto the nearest target edge.
        for p in pts.iter_mut() {
            let m = to_m(*p);
            let vertex = vertices
                .iter()
                .map(|(q, qm)| (dist(m, *qm), *q))
                .filter(|(d, _)| *d <= tol_m)
                .min_by(|a, b| a.0.total_cmp(&b.0));
            let to = match vertex {
                // Onto a vertex exactly, however close: shared vertices must be identical.
                Some((d, q)) if !same(q, *p) => Some((q, d)),
                Some(_) => None,
                None => edges
                    .iter()
                    .map(|(a, b)| {
                        let (n, _) = nearest_on(m, *a, *b);
                        (dist(m, n), n)
                    })
                    .filter(|(d, _)| *d <= tol_m && *d > KEEP_M)
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(d, n)| {
                        let c = frame.to_deg(geo::Coord { x: n.x, y: n.y });
                        (quantise(c), d)
                    }),
            };
            if let Some((q, d)) = to {
                if !same(q, *p) {
                    *p = q;
                    report.moved += 1;
                    report.max_shift_m = report.max_shift_m.max(d);
                    changed = true;
                }
            }
        }
        // 2. Target vertices into the edges they lie on (within the tolerance).
        let mut out: Vec<Point> = Vec::with_capacity(pts.len());
        for i in 0..pts.len() {
            let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
            out.push(a);
            let (am, bm) = (to_m(a), to_m(b));
            let mut on_edge: Vec<(f64, Point, f64)> = vertices
                .iter()
                .filter(|(q, _)| !same(*q, a) && !same(*q, b))
                .filter_map(|(q, qm)| {
                    let (n, t) = nearest_on(*qm, am, bm);
                    let d = dist(*qm, n);
                    (d <= tol_m
                        && t > 0.0
                        && t < 1.0
                        && dist(*qm, am) > KEEP_M
                        && dist(*qm, bm) > KEEP_M)
                        .then_some((t, *q, d))
                })
                .collect();
            on_edge.sort_by(|x, y| x.0.total_cmp(&y.0));
            on_edge.dedup_by(|x, y| same(x.1, y.1));
            for (_, q, d) in on_edge {
                if !pts.iter().any(|p| same(*p, q)) && !out.iter().any(|p| same(*p, q)) {
                    out.push(q);
                    report.inserted += 1;
                    report.max_shift_m = report.max_shift_m.max(d);
                    changed = true;
                }
            }
        }
        pts = out;
        if !changed {
            break;
        }
    }
    (normalise(&pts), report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{area_m2, overlap_m2, validate_ring};

    /// Degrees per metre near 32° N (north–south, and east–west).
    const NS: f64 = 1.0 / 110_574.0;
    fn ew() -> f64 {
        1.0 / (111_320.0 * 32f64.to_radians().cos())
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Ring {
        normalise(&[[x0, y0], [x1, y0], [x1, y1], [x0, y1]].map(quantise))
    }

    #[test]
    fn a_neighbour_drawn_thirty_centimetres_off_is_snapped_onto_the_shared_edge() {
        // Left: 118.00–118.01; right drawn from 0.3 m east of the shared edge, with its own
        // vertices where the left has none.
        let left = rect(118.0, 32.0, 118.01, 32.01);
        let off = 0.3 * ew();
        let right = normalise(
            &[
                [118.01 + off, 32.0],
                [118.02, 32.0],
                [118.02, 32.01],
                [118.01 + off, 32.01],
                [118.01 + off, 32.005],
            ]
            .map(quantise),
        );
        let gap_before =
            area_m2(&rect(118.0, 32.0, 118.02, 32.01)) - area_m2(&left) - area_m2(&right);
        assert!(gap_before > 100.0, "{gap_before}");
        let (snapped, r) = snap_ring(&right, &[&left], DEFAULT_TOLERANCE_M);
        validate_ring(&snapped).unwrap();
        assert_eq!(r.moved, 3, "{r:?}");
        assert!(
            r.max_shift_m < DEFAULT_TOLERANCE_M && r.max_shift_m > 0.25,
            "{r:?}"
        );
        let gap = area_m2(&rect(118.0, 32.0, 118.02, 32.01)) - area_m2(&left) - area_m2(&snapped);
        assert!(gap.abs() < 0.5, "no gap left: {gap}");
        assert!(overlap_m2(&left, &snapped) < 0.5);
    }

    #[test]
    fn a_neighbours_vertex_on_the_shared_edge_is_inserted() {
        // The parent's edge has a vertex half-way that the child's straight edge passes 10 cm from.
        let parent = normalise(
            &[
                [118.0, 32.0],
                [118.02, 32.0],
                [118.02, 32.01],
                [118.01, 32.01 + 0.1 * NS],
                [118.0, 32.01],
            ]
            .map(quantise),
        );
        let child = rect(118.0, 32.0, 118.02, 32.01);
        let (snapped, r) = snap_ring(&child, &[&parent], DEFAULT_TOLERANCE_M);
        assert_eq!((r.moved, r.inserted), (0, 1), "{r:?}");
        assert!(snapped
            .iter()
            .any(|p| same(*p, quantise([118.01, 32.01 + 0.1 * NS]))));
        let spill = area_m2(&snapped) - overlap_m2(&snapped, &parent);
        assert!(spill < 0.5, "{spill}");
    }

    #[test]
    fn nothing_beyond_the_tolerance_moves() {
        let left = rect(118.0, 32.0, 118.01, 32.01);
        let right = rect(118.01 + 2.0 * ew(), 32.0, 118.02, 32.01);
        let (snapped, r) = snap_ring(&right, &[&left], DEFAULT_TOLERANCE_M);
        assert!(!r.changed());
        assert_eq!(snapped, right);
    }

    use crate::geometry::testing::Lcg;

    #[test]
    fn property_snapping_twice_changes_nothing_moves_within_the_tolerance_and_leaves_no_overlap() {
        let mut rng = Lcg(20_779);
        let mut checked = 0;
        for case in 0..300 {
            // A ring east of `left` whose western vertices were digitised up to 90 % of the
            // tolerance off the shared edge (x = 118.01), either side of it.
            let left = rect(118.0, 32.0, 118.01, 32.01);
            let tol = 0.2 + rng.next() * 0.8;
            let j = |rng: &mut Lcg| (rng.next() - 0.5) * 2.0 * 0.9 * tol;
            let n = 3 + (rng.next() * 6.0) as usize;
            let mut pts = vec![
                [118.02, 32.0],
                [118.02, 32.01],
                [118.01 + j(&mut rng) * ew(), 32.01],
            ];
            for k in 0..n {
                let y = 32.01 - 0.01 * (k as f64 + 0.5) / n as f64;
                pts.push([118.01 + j(&mut rng) * ew(), y]);
            }
            pts.push([118.01 + j(&mut rng) * ew(), 32.0]);
            let ring = normalise(&pts.map_quantised());
            if validate_ring(&ring).is_err() {
                continue;
            }
            let (once, r) = snap_ring(&ring, &[&left], tol);
            assert!(r.max_shift_m <= tol + 1e-9, "case {case}: {r:?}");
            let (twice, r2) = snap_ring(&once, &[&left], tol);
            assert_eq!(
                twice, once,
                "case {case}: snapping twice changed it ({r2:?})"
            );
            validate_ring(&once).unwrap_or_else(|e| panic!("case {case}: {e:?}"));
            // What is left is rounding: under KEEP_M along the 1.1 km shared edge.
            let length_m = 0.01 / NS;
            let overlap = overlap_m2(&left, &once);
            assert!(
                overlap <= KEEP_M * length_m + 1.0,
                "case {case}: {overlap} m²"
            );
            checked += 1;
        }
        assert!(checked > 200, "{checked}");
    }

    trait Quantised {
        fn map_quantised(&self) -> Vec<Point>;
    }
    impl Quantised for Vec<Point> {
        fn map_quantised(&self) -> Vec<Point> {
            self.iter().map(|&p| quantise(p)).collect()
        }
    }
}
