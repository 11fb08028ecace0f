//! Topological edits. Each returns the indices of the rings it changed.

use super::*;
use geo::Area;
use serde::{Deserialize, Serialize};

/// Moves the vertex at `from` to `to` in every ring that has it (shared boundaries stay shared).
pub fn move_vertex(rings: &mut [Ring], from: Point, to: Point) -> Vec<usize> {
    let mut changed = Vec::new();
    for (i, ring) in rings.iter_mut().enumerate() {
        let mut hit = false;
        for p in ring.iter_mut() {
            if same(*p, from) {
                *p = to;
                hit = true;
            }
        }
        if hit {
            changed.push(i);
        }
    }
    changed
}

/// Where the ring has the edge `a`–`b` (either way round): the index of its first vertex.
pub fn edge_position(ring: &[Point], a: Point, b: Point) -> Option<usize> {
    ring.windows(2)
        .position(|w| (same(w[0], a) && same(w[1], b)) || (same(w[0], b) && same(w[1], a)))
}

/// Inserts `p` on the edge `a`–`b` of every ring that has that edge.
pub fn insert_vertex(rings: &mut [Ring], a: Point, b: Point, p: Point) -> Vec<usize> {
    let mut changed = Vec::new();
    for (i, ring) in rings.iter_mut().enumerate() {
        if let Some(k) = edge_position(ring, a, b) {
            ring.insert(k + 1, p);
            changed.push(i);
        }
    }
    changed
}

/// Removes the vertex `at` from every ring that has it; refuses (changing nothing) when a ring would
/// be left with fewer than three vertices.
pub fn remove_vertex(rings: &mut [Ring], at: Point) -> Result<Vec<usize>, Invalid> {
    let hits: Vec<usize> = (0..rings.len())
        .filter(|&i| rings[i].iter().any(|&p| same(p, at)))
        .collect();
    if hits.iter().any(|&i| open(&rings[i]).len() <= 3) {
        return Err(Invalid::TooFewPoints);
    }
    for &i in &hits {
        let mut o: Ring = open(&rings[i])
            .iter()
            .copied()
            .filter(|&p| !same(p, at))
            .collect();
        o.push(o[0]);
        rings[i] = o;
    }
    Ok(hits)
}

/// Why two grids cannot be merged or one cannot be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EditError {
    /// The grids do not share one continuous stretch of boundary.
    NotAdjacent,
    /// A split line must start and end on vertices of the grid's boundary.
    SplitEnds,
    /// The pieces would not be valid polygons.
    Invalid(Invalid),
}

impl EditError {
    pub fn key(self) -> &'static str {
        match self {
            EditError::NotAdjacent => "geo.not_adjacent",
            EditError::SplitEnds => "geo.split_ends",
            EditError::Invalid(i) => i.key(),
        }
    }
}

/// Splits a grid along `line`, whose first and last points are vertices of the ring and whose
/// inner points lie inside it. Both pieces share the line's vertices.
pub fn split_ring(ring: &[Point], line: &[Point]) -> Result<(Ring, Ring), EditError> {
    let o = open(ring);
    let (Some(&first), Some(&last)) = (line.first(), line.last()) else {
        return Err(EditError::SplitEnds);
    };
    let i = o
        .iter()
        .position(|&p| same(p, first))
        .ok_or(EditError::SplitEnds)?;
    let j = o
        .iter()
        .position(|&p| same(p, last))
        .ok_or(EditError::SplitEnds)?;
    if i == j || line.len() < 2 {
        return Err(EditError::SplitEnds);
    }
    let n = o.len();
    let inner = &line[1..line.len() - 1];
    // Piece A: ring from i forward to j, then back along the line to i.
    let mut a: Ring = Vec::new();
    let mut k = i;
    loop {
        a.push(o[k]);
        if k == j {
            break;
        }
        k = (k + 1) % n;
    }
    a.extend(inner.iter().rev().copied());
    // Piece B: ring from j forward to i, then along the line from i to j.
    let mut b: Ring = Vec::new();
    let mut k = j;
    loop {
        b.push(o[k]);
        if k == i {
            break;
        }
        k = (k + 1) % n;
    }
    b.extend(inner.iter().copied());
    let (a, b) = (normalise(&a), normalise(&b));
    validate_ring(&a).map_err(EditError::Invalid)?;
    validate_ring(&b).map_err(EditError::Invalid)?;
    let f = Frame::at(first[1]);
    let area = |r: &[Point]| f.polygon(r).unsigned_area();
    let total = area(ring);
    if (area(&a) + area(&b) - total).abs() > total * 1e-6 + AREA_EPSILON_M2 {
        // The line left the grid: the pieces overlap or reach outside.
        return Err(EditError::Invalid(Invalid::SelfIntersection));
    }
    Ok((a, b))
}

/// Merges two grids that share one continuous stretch of boundary into one ring, keeping every
/// other vertex (so the neighbours' shared boundaries stay shared).
pub fn merge_rings(a: &[Point], b: &[Point]) -> Result<Ring, EditError> {
    let (oa, ob) = (open(&normalise(a)).to_vec(), open(&normalise(b)).to_vec());
    let n = oa.len();
    let shared: Vec<bool> = oa.iter().map(|&p| ob.iter().any(|&q| same(p, q))).collect();
    let count = shared.iter().filter(|&&s| s).count();
    if count < 2 || count == n {
        return Err(EditError::NotAdjacent);
    }
    // The shared vertices must form one cyclic run in A: find its start (shared, previous not shared).
    let starts: Vec<usize> = (0..n)
        .filter(|&k| shared[k] && !shared[(k + n - 1) % n])
        .collect();
    if starts.len() != 1 {
        return Err(EditError::NotAdjacent);
    }
    let s = starts[0];
    let e = (s + count - 1) % n;
    // A from the end of the shared run forward to its start (A's own boundary)…
    let mut out: Ring = Vec::new();
    let mut k = e;
    loop {
        out.push(oa[k]);
        if k == s {
            break;
        }
        k = (k + 1) % n;
    }
    // …then B from A's run start forward to A's run end (B's own boundary), endpoints excluded.
    let m = ob.len();
    let bs = ob
        .iter()
        .position(|&q| same(q, oa[s]))
        .ok_or(EditError::NotAdjacent)?;
    let mut k = (bs + 1) % m;
    let mut guard = 0;
    while !same(ob[k], oa[e]) {
        if guard > m {
            return Err(EditError::NotAdjacent);
        }
        if shared_in(&oa, ob[k]) {
            // B's run must be the same stretch walked the other way.
            return Err(EditError::NotAdjacent);
        }
        out.push(ob[k]);
        k = (k + 1) % m;
        guard += 1;
    }
    let out = normalise(&out);
    validate_ring(&out).map_err(EditError::Invalid)?;
    let f = Frame::at(oa[s][1]);
    let area = |r: &[Point]| f.polygon(r).unsigned_area();
    let expected = area(a) + area(b);
    if (area(&out) - expected).abs() > expected * 1e-6 + AREA_EPSILON_M2 {
        return Err(EditError::NotAdjacent);
    }
    Ok(out)
}

// --- the same edits on whole boundaries (parts and holes) -------------------------------------

/// Moves the vertex at `from` to `to` in every ring of every boundary that has it (outer rings and
/// holes alike); returns the indices of the boundaries changed.
pub fn move_boundary_vertex(bs: &mut [Boundary], from: Point, to: Point) -> Vec<usize> {
    changed_boundaries(bs, |part| move_vertex(part, from, to))
}

/// Inserts `p` on the edge `a`–`b` of every ring of every boundary that has that edge.
pub fn insert_boundary_vertex(bs: &mut [Boundary], a: Point, b: Point, p: Point) -> Vec<usize> {
    changed_boundaries(bs, |part| insert_vertex(part, a, b, p))
}

/// Removes the vertex `at` from every ring that has it; refuses (changing nothing) when any such
/// ring would be left with fewer than three vertices.
pub fn remove_boundary_vertex(bs: &mut [Boundary], at: Point) -> Result<Vec<usize>, Invalid> {
    let too_small = bs
        .iter()
        .flat_map(|b| b.rings())
        .any(|r| shared_in(r, at) && open(r).len() <= 3);
    if too_small {
        return Err(Invalid::TooFewPoints);
    }
    Ok(changed_boundaries(bs, |part| {
        remove_vertex(part, at).unwrap_or_default()
    }))
}

fn changed_boundaries(
    bs: &mut [Boundary],
    mut edit: impl FnMut(&mut [Ring]) -> Vec<usize>,
) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, b) in bs.iter_mut().enumerate() {
        let mut hit = false;
        for part in b.0.iter_mut() {
            hit |= !edit(part).is_empty();
        }
        if hit {
            out.push(i);
        }
    }
    out
}

/// Splits a grid along `line` (as [`split_ring`] does) through the part whose outer ring has the
/// line's ends. That part's holes go to the piece they lie in (a hole the line crosses is cut out of
/// both pieces); the grid's other parts stay with the first piece.
pub fn split_boundary(b: &Boundary, line: &[Point]) -> Result<(Boundary, Boundary), EditError> {
    let mut last = EditError::SplitEnds;
    for (k, part) in b.0.iter().enumerate() {
        let (ra, rb) = match split_ring(&part[0], line) {
            Ok(pieces) => pieces,
            Err(e) => {
                if e != EditError::SplitEnds {
                    last = e;
                }
                continue;
            }
        };
        let (mut pa, mut pb) = (vec![ra], vec![rb]);
        let mut crossed = Vec::new();
        for hole in &part[1..] {
            let inside =
                |r: &Ring| Boundary::from(r.clone()).overlap_m2(&Boundary::from(hole.clone()));
            let (in_a, in_b) = (inside(&pa[0]), inside(&pb[0]));
            if in_a > AREA_EPSILON_M2 && in_b > AREA_EPSILON_M2 {
                crossed.push(Boundary::from(hole.clone()).normalised());
                continue;
            }
            if in_a >= in_b { &mut pa } else { &mut pb }.push(hole.clone());
        }
        let mut a = Boundary(vec![pa]);
        a.0.extend(
            b.0.iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, p)| p.clone()),
        );
        let (mut a, mut b) = (a.normalised(), Boundary(vec![pb]).normalised());
        // A hole the line crosses is cut out of both pieces: each keeps its side of the hole as a
        // notch (or, where the hole reaches across, as separate parts).
        for hole in &crossed {
            a = a.difference(hole);
            b = b.difference(hole);
        }
        a.validate().map_err(EditError::Invalid)?;
        b.validate().map_err(EditError::Invalid)?;
        return Ok((a, b));
    }
    Err(last)
}

/// Merges two grids into one boundary: where a part of each shares one stretch of boundary the two
/// parts become one (as [`merge_rings`] does, holes kept); grids that do not touch at all become
/// one grid of several parts (a community and its exclave).
pub fn merge_boundaries(a: &Boundary, b: &Boundary) -> Result<Boundary, EditError> {
    for (i, pa) in a.0.iter().enumerate() {
        for (j, pb) in b.0.iter().enumerate() {
            let Ok(outer) = merge_rings(&pa[0], &pb[0]) else {
                continue;
            };
            let mut part = vec![outer];
            part.extend(pa[1..].iter().cloned());
            part.extend(pb[1..].iter().cloned());
            let mut parts = vec![part];
            parts.extend(
                a.0.iter()
                    .enumerate()
                    .filter(|(k, _)| *k != i)
                    .map(|(_, p)| p.clone()),
            );
            parts.extend(
                b.0.iter()
                    .enumerate()
                    .filter(|(k, _)| *k != j)
                    .map(|(_, p)| p.clone()),
            );
            let out = Boundary(parts).normalised();
            out.validate().map_err(EditError::Invalid)?;
            return Ok(out);
        }
    }
    // No part shares a stretch with the other grid's: several parts, if they do not touch.
    let out = Boundary(a.0.iter().chain(b.0.iter()).cloned().collect()).normalised();
    match out.validate() {
        Ok(()) => Ok(out),
        Err(_) => Err(EditError::NotAdjacent),
    }
}

fn shared_in(ring: &[Point], p: Point) -> bool {
    ring.iter().any(|&q| same(p, q))
}

/// The nearest vertex within `tol` of `p`, else the nearest point on an edge within `tol`, measured
/// in a frame where a degree of longitude is shortened by cos(latitude). Returns the snapped point
/// and, for an edge, the edge's ends (so the vertex can be inserted in every ring sharing it).
pub fn snap<'r>(
    rings: impl Iterator<Item = &'r Ring> + Clone,
    p: Point,
    tol_deg: f64,
    exclude: Option<Point>,
) -> Option<(Point, Option<(Point, Point)>)> {
    let excluded = |q: Point| exclude.is_some_and(|x| same(x, q));
    let kx = p[1].to_radians().cos();
    let d2 = |a: Point, b: Point| ((a[0] - b[0]) * kx).powi(2) + (a[1] - b[1]).powi(2);
    let tol2 = tol_deg * tol_deg;
    let mut best: Option<(f64, Point)> = None;
    for r in rings.clone() {
        for &q in r {
            if excluded(q) {
                continue;
            }
            let d = d2(p, q);
            if d <= tol2 && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, q));
            }
        }
    }
    if let Some((_, q)) = best {
        return Some((q, None));
    }
    let mut best: Option<(f64, Point, Point, Point)> = None;
    for r in rings {
        for w in r.windows(2) {
            let (a, b) = (w[0], w[1]);
            if excluded(a) || excluded(b) {
                continue;
            }
            let (ax, ay, bx, by) = (a[0] * kx, a[1], b[0] * kx, b[1]);
            let (px, py) = (p[0] * kx, p[1]);
            let (dx, dy) = (bx - ax, by - ay);
            let len2 = dx * dx + dy * dy;
            if len2 == 0.0 {
                continue;
            }
            let t = (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0);
            let q = [(ax + t * dx) / kx, ay + t * dy];
            let d = d2(p, q);
            if d <= tol2 && best.is_none_or(|(bd, ..)| d < bd) {
                best = Some((d, q, a, b));
            }
        }
    }
    best.map(|(_, q, a, b)| (q, Some((a, b))))
}

/// The line with the vertices that stray less than `epsilon` from it dropped (Ramer–Douglas–Peucker,

#[cfg(test)]
mod tests {
    use crate::geometry::testing::*;
    use crate::geometry::*;

    #[test]
    fn moving_a_shared_vertex_moves_it_everywhere_and_keeps_the_coverage() {
        let shapes = two_halves();
        let mut rings: Vec<Ring> = shapes.iter().map(|s| s.ring().clone()).collect();
        let shared = rings[1][1]; // bottom middle: in the parent and both children
        let to = [shared[0] + 0.002, shared[1]];
        let changed = move_vertex(&mut rings, shared, to);
        assert_eq!(changed, vec![0, 1, 2]);
        let moved: Vec<Shape> = shapes
            .iter()
            .zip(&rings)
            .map(|(s, r)| Shape {
                boundary: Boundary::from(r.clone()),
                ..s.clone()
            })
            .collect();
        let report = Index::new(&moved).check_all();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
    }

    #[test]
    fn inserting_and_removing_a_vertex_on_a_shared_edge_touches_both_neighbours() {
        let shapes = two_halves();
        let mut rings: Vec<Ring> = shapes.iter().map(|s| s.ring().clone()).collect();
        let (a, b) = (rings[1][1], rings[1][2]); // the shared middle edge
        let mid = [a[0] + 0.001, (a[1] + b[1]) / 2.0];
        assert_eq!(insert_vertex(&mut rings, a, b, mid), vec![1, 2]);
        let moved: Vec<Shape> = shapes
            .iter()
            .zip(&rings)
            .map(|(s, r)| Shape {
                boundary: Boundary::from(r.clone()),
                ..s.clone()
            })
            .collect();
        assert!(Index::new(&moved).check_all().problems.is_empty());
        assert_eq!(remove_vertex(&mut rings, mid), Ok(vec![1, 2]));
        assert_eq!(&rings[1], shapes[1].ring());
        // A triangle cannot lose a vertex.
        let mut tri = vec![vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]];
        assert_eq!(
            remove_vertex(&mut tri, [1.0, 0.0]),
            Err(Invalid::TooFewPoints)
        );
        assert_eq!(tri[0].len(), 4, "nothing changed");
    }

    #[test]
    fn split_then_merge_gives_back_the_grid() {
        let shapes = two_halves();
        let parent = &shapes[0].ring();
        let (a, b) = split_ring(parent, &[parent[1], parent[4]]).unwrap();
        let total = area_m2(parent);
        assert!((area_m2(&a) + area_m2(&b) - total).abs() < total * 1e-3);
        let merged = merge_rings(&a, &b).unwrap();
        assert!((area_m2(&merged) - total).abs() < total * 1e-3);
        assert_eq!(open(&merged).len(), open(parent).len(), "every vertex kept");
        // Split with a bent line through an inner point.
        let inner = [118.011, 32.005];
        let (a, b) = split_ring(parent, &[parent[1], inner, parent[4]]).unwrap();
        assert!((area_m2(&a) + area_m2(&b) - total).abs() < total * 1e-3);
        // Ends that are not vertices, or a line leaving the grid, are refused.
        assert_eq!(
            split_ring(parent, &[[0.0, 0.0], parent[4]]),
            Err(EditError::SplitEnds)
        );
        assert!(split_ring(parent, &[parent[1], [118.05, 32.005], parent[4]]).is_err());
    }

    #[test]
    fn merging_grids_that_do_not_touch_is_refused() {
        assert_eq!(
            merge_rings(&square(0., 0., 1.), &square(3., 0., 1.)),
            Err(EditError::NotAdjacent)
        );
        let shapes = two_halves();
        let merged = merge_rings(&shapes[1].ring(), &shapes[2].ring()).unwrap();
        let total = area_m2(&shapes[0].ring());
        assert!((area_m2(&merged) - total).abs() < total * 1e-3);
    }

    #[test]
    fn snapping_prefers_vertices_then_edges() {
        let rings = vec![square(0., 0., 1.)];
        let near_corner = [118.0 + 0.00001, 32.0 + 0.00001];
        assert_eq!(
            snap(rings.iter(), near_corner, 0.0001, None),
            Some((rings[0][0], None))
        );
        let near_edge = [118.005, 32.00002];
        let (q, edge) = snap(rings.iter(), near_edge, 0.0001, None).unwrap();
        assert!((q[1] - 32.0).abs() < 1e-12 && edge.is_some());
        assert_eq!(snap(rings.iter(), [118.005, 32.005], 0.0001, None), None);
    }

    /// A 4×2 community with a 1×1 hole where a school (a dedicated grid) sits, sharing the hole's
    /// vertices, and a 1×1 exclave.
    fn community_school() -> Vec<Boundary> {
        let mut hole = square(1., 0.5, 1.);
        hole.reverse();
        vec![
            Boundary(vec![
                vec![
                    vec![
                        square(0., 0., 0.)[0],
                        [118.03, 32.0],
                        [118.04, 32.0],
                        [118.04, 32.02],
                        [118.03, 32.02],
                        [118.0, 32.02],
                        [118.0, 32.0],
                    ],
                    hole,
                ],
                vec![square(6., 0., 1.)],
            ])
            .normalised(),
            Boundary::from(square(1., 0.5, 1.)).normalised(),
        ]
    }

    #[test]
    fn hole_vertices_move_insert_and_remove_with_the_grid_inside() {
        let mut bs = community_school();
        let corner = bs[1].outer()[0];
        let to = [corner[0] - 0.001, corner[1]];
        assert_eq!(move_boundary_vertex(&mut bs, corner, to), vec![0, 1]);
        assert!(bs[0].0[0][1].contains(&to) && bs[1].outer().contains(&to));
        assert_eq!(bs[0].validate(), Ok(()));
        let (a, b) = (bs[1].outer()[0], bs[1].outer()[1]);
        let mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
        assert_eq!(insert_boundary_vertex(&mut bs, a, b, mid), vec![0, 1]);
        assert_eq!(remove_boundary_vertex(&mut bs, mid), Ok(vec![0, 1]));
        // The exclave's corners are its own; a triangle cannot lose one.
        let mut tri = vec![Boundary::from(vec![
            [118.0, 32.0],
            [118.01, 32.0],
            [118.0, 32.01],
            [118.0, 32.0],
        ])];
        assert_eq!(
            remove_boundary_vertex(&mut tri, [118.0, 32.0]),
            Err(Invalid::TooFewPoints)
        );
    }

    #[test]
    fn split_and_merge_work_on_parts_and_keep_holes() {
        let bs = community_school();
        let community = &bs[0];
        // Cut the main part at x = 0.03°: the hole (x 0.01..0.02) lies in the western piece,
        // the exclave stays with the first piece.
        let line = [[118.03, 32.0], [118.03, 32.02]];
        let (a, b) = split_boundary(community, &line).unwrap();
        assert_eq!(a.ring_count() + b.ring_count(), 4, "{a:?} {b:?}");
        assert_eq!(a.hole_count() + b.hole_count(), 1);
        let total = community.area_m2();
        assert!((a.area_m2() + b.area_m2() - total).abs() < total * 1e-3);
        // Merging the pieces gives the community back (same area, same hole, same exclave).
        let m = merge_boundaries(&a, &b).unwrap();
        assert!((m.area_m2() - total).abs() < total * 1e-3);
        assert_eq!((m.parts().len(), m.hole_count()), (2, 1));
        // A line through the hole cuts the hole out of both pieces: no hole left, no area lost.
        let through = [[118.015, 32.0], [118.015, 32.02]];
        let mut bs2 = bs.clone();
        insert_boundary_vertex(&mut bs2, [118.0, 32.0], [118.03, 32.0], through[0]);
        insert_boundary_vertex(&mut bs2, [118.03, 32.02], [118.0, 32.02], through[1]);
        let (a, b) = split_boundary(&bs2[0], &through).unwrap();
        assert_eq!((a.hole_count(), b.hole_count()), (0, 0), "{a:?} {b:?}");
        let area = |x: &Boundary| geo::Area::unsigned_area(&x.to_geo(&Frame::at(32.0)));
        let whole = area(&bs2[0]);
        assert!((area(&a) + area(&b) - whole).abs() < whole * 1e-6 + 1.0);
        assert!(a.overlap_m2(&b) < AREA_EPSILON_M2);
        // Two grids that do not touch merge into one grid of two parts.
        let far = merge_boundaries(
            &Boundary::from(square(0., 0., 1.)),
            &Boundary::from(square(3., 0., 1.)),
        )
        .unwrap();
        assert_eq!(far.parts().len(), 2);
        // Touching at a corner only: parts may not touch along a line, but at a point is fine; two
        // overlapping grids are refused.
        assert_eq!(
            merge_boundaries(
                &Boundary::from(square(0., 0., 2.)),
                &Boundary::from(square(1., 1., 2.))
            ),
            Err(EditError::NotAdjacent)
        );
    }
}
