//! Repairing a boundary that crosses itself, where the repair is unambiguous. A ring that crosses
//! itself — a bow-tie, a figure eight, a small loop where the digitiser doubled back — is cut at
//! its crossings into simple loops: loops under `min_m2` are dropped (the ring "loses its loop"),
//! the others become parts of one boundary (a bow-tie becomes two parts). Loops lying inside other
//! loops (a ring wound twice) have no single reading and are not repaired.

use super::*;

/// A proposed repair: the boundary after it, and what it changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Repair {
    pub boundary: Boundary,
    /// Parts the repair added (a bow-tie: 1).
    pub parts_added: usize,
    /// Loops dropped for being under `min_m2`, and their area in all.
    pub loops_dropped: usize,
    pub dropped_m2: f64,
}

/// Rings longer than this are not repaired (the crossing search is quadratic).
const MAX_REPAIR_VERTICES: usize = 5_000;

/// The repair of every self-intersecting outer ring of `b`; `None` when nothing needs repair, when
/// a hole is itself broken, or when the repair is ambiguous.
pub fn repair_boundary(b: &Boundary, min_m2: f64) -> Option<Repair> {
    let mut out = Repair {
        boundary: Boundary::default(),
        parts_added: 0,
        loops_dropped: 0,
        dropped_m2: 0.0,
    };
    let mut repaired_any = false;
    for part in &b.0 {
        let outer = part.first()?;
        if validate_ring(outer) != Err(Invalid::SelfIntersection) {
            out.boundary.0.push(part.clone());
            continue;
        }
        repaired_any = true;
        let loops = split_loops(outer)?;
        let mut kept: Vec<Part> = Vec::new();
        for l in loops {
            let a = area_m2(&l);
            if a < min_m2 {
                out.loops_dropped += 1;
                out.dropped_m2 += a;
            } else {
                kept.push(vec![l]);
            }
        }
        if kept.is_empty() {
            return None;
        }
        // Each hole goes to the loop that holds it.
        for hole in &part[1..] {
            let at = Boundary::from(hole.clone()).label_point();
            let home = kept
                .iter_mut()
                .find(|p| Boundary::from(p[0].clone()).contains(at))?;
            home.push(hole.clone());
        }
        out.parts_added += kept.len() - 1;
        out.boundary.0.extend(kept);
    }
    if !repaired_any {
        return None;
    }
    out.boundary = out.boundary.normalised();
    out.boundary.validate().ok()?;
    Some(out)
}

/// The ring cut at its crossings into simple loops (each closed and valid), or `None` when a loop
/// is still not simple (overlapping collinear edges, spikes) or the ring is too long to search.
fn split_loops(ring: &[Point]) -> Option<Vec<Ring>> {
    let o = open(ring);
    let n = o.len();
    if !(3..=MAX_REPAIR_VERTICES).contains(&n) {
        return None;
    }
    let f = Frame::at(o[0][1]);
    let m: Vec<Coord> = o.iter().map(|&p| f.to_m(p)).collect();
    // Crossings per edge, by their parameter along it; one point for both edges of a crossing.
    let mut on_edge: Vec<Vec<(f64, Point)>> = vec![Vec::new(); n];
    for i in 0..n {
        for j in i + 2..n {
            if i == 0 && j == n - 1 {
                continue;
            }
            let (a, b, c, d) = (m[i], m[(i + 1) % n], m[j], m[(j + 1) % n]);
            if let Some((t, u)) = crossing(a, b, c, d) {
                let p = quantise(f.to_deg(Coord {
                    x: a.x + t * (b.x - a.x),
                    y: a.y + t * (b.y - a.y),
                }));
                on_edge[i].push((t, p));
                on_edge[j].push((u, p));
            }
        }
    }
    let mut seq: Vec<Point> = Vec::with_capacity(n * 2);
    for (k, mut cuts) in on_edge.into_iter().enumerate() {
        seq.push(o[k]);
        cuts.sort_by(|x, y| x.0.total_cmp(&y.0));
        seq.extend(cuts.into_iter().map(|(_, p)| p));
    }
    seq.push(o[0]);
    // Walk the ring; each time it comes back to a point on the path, the stretch since is a loop.
    let mut loops = Vec::new();
    let mut path: Vec<Point> = Vec::new();
    for p in seq {
        if let Some(at) = path.iter().position(|&q| same(q, p)) {
            let mut l: Ring = path.split_off(at);
            l.push(p);
            if open(&l).len() >= 3 {
                loops.push(normalise(&l));
            }
        }
        path.push(p);
    }
    for l in &loops {
        match validate_ring(l) {
            Ok(()) | Err(Invalid::ZeroArea) => {}
            Err(_) => return None,
        }
    }
    Some(loops)
}

/// Where segments a–b and c–d cross properly (inside both): their parameters along each.
fn crossing(a: Coord, b: Coord, c: Coord, d: Coord) -> Option<(f64, f64)> {
    let (r, s) = (b - a, d - c);
    let den = r.x * s.y - r.y * s.x;
    if den.abs() < 1e-12 {
        return None;
    }
    let q = c - a;
    let t = (q.x * s.y - q.y * s.x) / den;
    let u = (q.x * r.y - q.y * r.x) / den;
    let inside = |v: f64| v > 1e-9 && v < 1.0 - 1e-9;
    (inside(t) && inside(u)).then_some((t, u))
}

/// The parts of `b` joined where they overlap or share an edge (DataV and AMap files split a
/// district into parts that meet along a line): the same ground as one valid boundary, with the
/// area the parts had in common (counted twice before). `None` when the parts already stand apart
/// or the union is not valid.
pub fn join_parts(b: &Boundary) -> Option<(Boundary, f64)> {
    if b.validate() != Err(Invalid::PartsOverlap) {
        return None;
    }
    let f = Frame::at(b.outer().first()?[1]);
    let polys: Vec<Polygon> = b.to_geo(&f).0;
    let summed: f64 = polys.iter().map(|p| p.unsigned_area()).sum();
    let union = geo::unary_union(polys.iter());
    let joined = Boundary::from_geo(&f, &union);
    joined.validate().ok()?;
    Some((joined, (summed - union.unsigned_area()).max(0.0)))
}

#[cfg(test)]
mod tests {
    use crate::geometry::*;

    fn p(x: f64, y: f64) -> Point {
        [118.0 + x * 0.01, 32.0 + y * 0.01]
    }

    #[test]
    fn a_bow_tie_becomes_two_parts_of_the_same_area() {
        let bow = vec![p(0., 0.), p(2., 2.), p(2., 0.), p(0., 2.), p(0., 0.)];
        assert_eq!(validate_ring(&bow), Err(Invalid::SelfIntersection));
        let r = repair_boundary(&Boundary::from(bow), 1.0).unwrap();
        assert_eq!((r.parts_added, r.loops_dropped), (1, 0));
        assert_eq!(r.boundary.parts().len(), 2);
        assert_eq!(r.boundary.validate(), Ok(()));
        // Two triangles, each a quarter of the 2×2 square.
        let quarter = area_m2(&vec![p(0., 0.), p(2., 0.), p(2., 2.), p(0., 2.), p(0., 0.)]) / 4.0;
        assert!((r.boundary.area_m2() / (2.0 * quarter) - 1.0).abs() < 1e-3);
        // Repairing the repair changes nothing.
        assert_eq!(repair_boundary(&r.boundary, 1.0), None);
    }

    #[test]
    fn a_small_loop_where_the_digitiser_doubled_back_is_dropped() {
        // A square whose top edge, walked right to left, overshoots, steps up and comes back down
        // across itself: a loop half a metre across.
        let e = 0.000_5;
        let ring = vec![
            p(0., 0.),
            p(1., 0.),
            p(1., 1.),
            p(0.5 - e, 1.),
            p(0.5, 1. + e),
            p(0.5, 1. - e),
            p(0., 1.),
            p(0., 0.),
        ];
        assert_eq!(validate_ring(&ring), Err(Invalid::SelfIntersection));
        let r = repair_boundary(&Boundary::from(ring), 5.0).unwrap();
        assert_eq!((r.parts_added, r.loops_dropped), (0, 1), "{r:?}");
        assert!(r.dropped_m2 > 0.0 && r.dropped_m2 < 5.0);
        assert_eq!(r.boundary.validate(), Ok(()));
    }

    #[test]
    fn valid_boundaries_and_rings_wound_twice_are_not_repaired() {
        let square = vec![p(0., 0.), p(1., 0.), p(1., 1.), p(0., 1.), p(0., 0.)];
        assert_eq!(repair_boundary(&Boundary::from(square), 1.0), None);
        // Around the square twice, the second time a little larger: loops inside loops.
        let twice = vec![
            p(0., 0.),
            p(2., 0.),
            p(2., 2.),
            p(0., 2.),
            p(0., 0.1),
            p(2.1, 0.1),
            p(2.1, 2.1),
            p(-0.1, 2.1),
            p(-0.1, -0.1),
            p(0., 0.),
        ];
        assert!(validate_ring(&twice).is_err());
        assert_eq!(repair_boundary(&Boundary::from(twice), 1.0), None);
    }

    #[test]
    fn parts_that_share_an_edge_or_overlap_are_joined_into_one() {
        let left = vec![p(0., 0.), p(1., 0.), p(1., 1.), p(0., 1.), p(0., 0.)];
        let right = vec![p(1., 0.), p(2., 0.), p(2., 1.), p(1., 1.), p(1., 0.)];
        let touching = Boundary(vec![vec![left.clone()], vec![right]]).normalised();
        assert_eq!(touching.validate(), Err(Invalid::PartsOverlap));
        let (joined, shared) = join_parts(&touching).unwrap();
        assert_eq!((joined.parts().len(), joined.validate()), (1, Ok(())));
        assert!(shared < 1.0, "{shared}");
        // Areas in one frame (`area_m2` frames a boundary at its first vertex's latitude).
        let area = |b: &Boundary| geo::Area::unsigned_area(&b.to_geo(&Frame::at(32.0)));
        let ratio = area(&joined) / area(&touching);
        assert!((ratio - 1.0).abs() < 1e-6, "{ratio}");
        let over = vec![p(0.5, 0.), p(1.5, 0.), p(1.5, 1.), p(0.5, 1.), p(0.5, 0.)];
        let overlapping = Boundary(vec![vec![left.clone()], vec![over]]).normalised();
        let (joined, shared) = join_parts(&overlapping).unwrap();
        assert_eq!(joined.parts().len(), 1);
        let half = Boundary::from(left.clone()).area_m2() / 2.0;
        assert!((shared / half - 1.0).abs() < 1e-3, "{shared} vs {half}");
        let far = vec![p(5., 0.), p(6., 0.), p(6., 1.), p(5., 1.), p(5., 0.)];
        let apart = Boundary(vec![vec![left], vec![far]]).normalised();
        assert_eq!(join_parts(&apart), None, "already apart");
    }
}
