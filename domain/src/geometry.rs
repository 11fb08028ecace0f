//! Grid geometry: the coverage rules and the topological edits, one implementation used by the map
//! editor in the browser (while editing) and by the server (on save).
//!
//! Rings are WGS84 `[lon, lat]`, closed (first point = last point) and counter-clockwise (RFC 7946).
//! Neighbouring grids share boundaries by having *identical* vertices along them, at every level: a
//! child's edge on its parent's boundary is also an edge of the parent. The edits below keep that true
//! (moving, inserting or removing a vertex does so in every ring that has it), and the checks work in
//! a local metric frame so areas are in m².

use geo::{
    Area, BooleanOps, BoundingRect, Centroid, Coord, LineString, MultiPolygon, Polygon, Validation,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub type Point = [f64; 2];
pub type Ring = Vec<Point>;

/// The most vertices one grid boundary may have; real grids have tens to a few hundred.
pub const MAX_VERTICES: usize = 10_000;
/// Overlaps, spills and gaps smaller than this (m²) are rounding noise, not problems.
pub const AREA_EPSILON_M2: f64 = 1.0;
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
    if !poly.is_valid() {
        return Err(Invalid::SelfIntersection);
    }
    if poly.unsigned_area() < 1e-6 {
        return Err(Invalid::ZeroArea);
    }
    Ok(())
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shape {
    pub code: String,
    pub parent: Option<String>,
    /// 专属网格 (schools, hospitals…) may overlap basic grids; basic grids may not overlap each other.
    pub dedicated: bool,
    pub ring: Ring,
}

/// A problem found by the checks, with a point to zoom to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Problem {
    Invalid {
        code: String,
        reason: Invalid,
        at: Point,
    },
    Overlap {
        code: String,
        other: String,
        area_m2: f64,
        at: Point,
    },
    /// A child reaching outside its parent.
    Spill {
        code: String,
        parent: String,
        area_m2: f64,
        at: Point,
    },
    /// Part of a parent that none of its children covers.
    Gap {
        parent: String,
        area_m2: f64,
        at: Point,
        ring: Ring,
    },
}

impl Problem {
    pub fn at(&self) -> Point {
        match self {
            Problem::Invalid { at, .. }
            | Problem::Overlap { at, .. }
            | Problem::Spill { at, .. }
            | Problem::Gap { at, .. } => *at,
        }
    }

    /// The grids this problem concerns.
    pub fn codes(&self) -> Vec<&str> {
        match self {
            Problem::Invalid { code, .. } => vec![code],
            Problem::Overlap { code, other, .. } => vec![code, other],
            Problem::Spill { code, parent, .. } => vec![code, parent],
            Problem::Gap { parent, .. } => vec![parent],
        }
    }

    /// The translation key of this problem's message and its `{grid}`, `{other}`, `{area}`
    /// arguments, naming grids with `name` (one wording for the editor and the server's refusals).
    pub fn message(
        &self,
        name: impl Fn(&str) -> String,
    ) -> (&'static str, Vec<(&'static str, String)>) {
        let area = |a: &f64| format!("{a:.0}");
        match self {
            Problem::Invalid { code, reason, .. } => (reason.key(), vec![("grid", name(code))]),
            Problem::Overlap {
                code,
                other,
                area_m2,
                ..
            } => (
                "err.grid_overlap",
                vec![
                    ("grid", name(code)),
                    ("other", name(other)),
                    ("area", area(area_m2)),
                ],
            ),
            Problem::Spill {
                code,
                parent,
                area_m2,
                ..
            } => (
                "err.grid_spill",
                vec![
                    ("grid", name(code)),
                    ("other", name(parent)),
                    ("area", area(area_m2)),
                ],
            ),
            Problem::Gap {
                parent, area_m2, ..
            } => (
                "map.gap",
                vec![("grid", name(parent)), ("area", area(area_m2))],
            ),
        }
    }

    /// Whether a save that produces this problem is refused (gaps are reported, not refused).
    pub fn blocks_save(&self) -> bool {
        !matches!(self, Problem::Gap { .. })
    }
}

/// How completely one parent is covered by its children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub parent: String,
    pub children: usize,
    pub covered_pct: f64,
    pub gap_m2: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub problems: Vec<Problem>,
    pub coverage: Vec<Coverage>,
}

/// The shapes prepared once for any number of checks.
pub struct Index<'a> {
    shapes: &'a [Shape],
    frame: Frame,
    polys: Vec<Option<Polygon>>,
    boxes: Vec<[f64; 4]>,
    by_code: BTreeMap<&'a str, usize>,
    children: BTreeMap<Option<&'a str>, Vec<usize>>,
}

fn interior_point(frame: &Frame, mp: &MultiPolygon) -> Point {
    let c = mp
        .centroid()
        .map(|p| p.0)
        .unwrap_or(Coord { x: 0.0, y: 0.0 });
    frame.to_deg(c)
}

impl<'a> Index<'a> {
    pub fn new(shapes: &'a [Shape]) -> Index<'a> {
        let lat0 = shapes
            .iter()
            .find_map(|s| s.ring.first().map(|p| p[1]))
            .unwrap_or(0.0);
        let frame = Frame::at(lat0);
        let polys: Vec<Option<Polygon>> = shapes
            .iter()
            .map(|s| validate_ring(&s.ring).ok().map(|_| frame.polygon(&s.ring)))
            .collect();
        let boxes = polys
            .iter()
            .map(|p| {
                p.as_ref()
                    .and_then(|p| p.bounding_rect())
                    .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
                    .unwrap_or([f64::NAN; 4])
            })
            .collect();
        let by_code = shapes
            .iter()
            .enumerate()
            .map(|(i, s)| (s.code.as_str(), i))
            .collect();
        let mut children: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
        for (i, s) in shapes.iter().enumerate() {
            children.entry(s.parent.as_deref()).or_default().push(i);
        }
        Index {
            shapes,
            frame,
            polys,
            boxes,
            by_code,
            children,
        }
    }

    fn boxes_meet(&self, i: usize, j: usize) -> bool {
        let (a, b) = (self.boxes[i], self.boxes[j]);
        a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
    }

    fn invalid(&self, i: usize) -> Option<Problem> {
        let s = &self.shapes[i];
        validate_ring(&s.ring).err().map(|reason| Problem::Invalid {
            code: s.code.clone(),
            reason,
            at: s.ring.first().copied().unwrap_or([0.0, 0.0]),
        })
    }

    fn overlap(&self, i: usize, j: usize) -> Option<Problem> {
        let (a, b) = (&self.shapes[i], &self.shapes[j]);
        if a.dedicated || b.dedicated || !self.boxes_meet(i, j) {
            return None;
        }
        let (pa, pb) = (self.polys[i].as_ref()?, self.polys[j].as_ref()?);
        let common = pa.intersection(pb);
        let area = common.unsigned_area();
        (area > AREA_EPSILON_M2).then(|| Problem::Overlap {
            code: a.code.clone(),
            other: b.code.clone(),
            area_m2: area,
            at: interior_point(&self.frame, &common),
        })
    }

    fn spill(&self, child: usize) -> Option<Problem> {
        let c = &self.shapes[child];
        let p = *self.by_code.get(c.parent.as_deref()?)?;
        let outside = self.polys[child]
            .as_ref()?
            .difference(self.polys[p].as_ref()?);
        let area = outside.unsigned_area();
        (area > AREA_EPSILON_M2).then(|| Problem::Spill {
            code: c.code.clone(),
            parent: self.shapes[p].code.clone(),
            area_m2: area,
            at: interior_point(&self.frame, &outside),
        })
    }

    fn siblings(&self, i: usize) -> &[usize] {
        self.children
            .get(&self.shapes[i].parent.as_deref())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Gaps inside one parent and its coverage.
    fn gaps(&self, parent: usize, out: &mut Vec<Problem>) -> Option<Coverage> {
        let code = self.shapes[parent].code.as_str();
        let kids = self.children.get(&Some(code))?;
        let pp = self.polys[parent].as_ref()?;
        let polys: Vec<&Polygon> = kids
            .iter()
            .filter_map(|&k| self.polys[k].as_ref())
            .collect();
        let union = geo::unary_union(polys);
        let missing = pp.difference(&union);
        let parent_area = pp.unsigned_area().max(1e-9);
        let mut gap_m2 = 0.0;
        for g in missing.0 {
            let a = g.unsigned_area();
            if a <= AREA_EPSILON_M2 {
                continue;
            }
            gap_m2 += a;
            let mp = MultiPolygon(vec![g.clone()]);
            out.push(Problem::Gap {
                parent: code.to_owned(),
                area_m2: a,
                at: interior_point(&self.frame, &mp),
                ring: g
                    .exterior()
                    .coords()
                    .map(|&c| self.frame.to_deg(c))
                    .collect(),
            });
        }
        Some(Coverage {
            parent: code.to_owned(),
            children: kids.len(),
            covered_pct: ((1.0 - gap_m2 / parent_area) * 100.0).clamp(0.0, 100.0),
            gap_m2,
        })
    }

    /// Every rule over every grid: validity, overlaps among siblings, spills, gaps and coverage.
    pub fn check_all(&self) -> Report {
        let mut report = Report::default();
        for i in 0..self.shapes.len() {
            report.problems.extend(self.invalid(i));
        }
        for group in self.children.values() {
            // Sweep along x so only pairs whose boxes meet are intersected.
            let mut order: Vec<usize> = group
                .iter()
                .copied()
                .filter(|&i| self.polys[i].is_some())
                .collect();
            order.sort_by(|&a, &b| self.boxes[a][0].total_cmp(&self.boxes[b][0]));
            for (n, &i) in order.iter().enumerate() {
                for &j in &order[n + 1..] {
                    if self.boxes[j][0] > self.boxes[i][2] {
                        break;
                    }
                    report.problems.extend(self.overlap(i, j));
                }
            }
        }
        for i in 0..self.shapes.len() {
            report.problems.extend(self.spill(i));
        }
        for i in 0..self.shapes.len() {
            if let Some(c) = self.gaps(i, &mut report.problems) {
                report.coverage.push(c);
            }
        }
        report
    }

    /// The rules that an edit of `changed` can break, checked only around them: validity of the
    /// changed grids, their overlaps with siblings, their spills out of their parents and their
    /// children's spills out of them. Cheap enough to run on every pointer move.
    pub fn check_around(&self, changed: &[usize]) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut pairs = BTreeSet::new();
        let mut spills = BTreeSet::new();
        for &c in changed {
            if c >= self.shapes.len() {
                continue;
            }
            out.extend(self.invalid(c));
            for &s in self.siblings(c) {
                if s != c && pairs.insert((c.min(s), c.max(s))) {
                    out.extend(self.overlap(c.min(s), c.max(s)));
                }
            }
            spills.insert(c);
            if let Some(kids) = self.children.get(&Some(self.shapes[c].code.as_str())) {
                spills.extend(kids.iter().copied());
            }
        }
        for c in spills {
            out.extend(self.spill(c));
        }
        out
    }

    /// Gaps and coverage of the given parents only.
    pub fn coverage_of(&self, parents: &[usize]) -> (Vec<Problem>, Vec<Coverage>) {
        let mut problems = Vec::new();
        let coverage = parents
            .iter()
            .filter_map(|&p| self.gaps(p, &mut problems))
            .collect();
        (problems, coverage)
    }

    pub fn position(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }
}

// ---------------------------------------------------------------------------------------------
// Topological edits. Each returns the indices of the rings it changed.

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

/// Inserts `p` on the edge `a`–`b` of every ring that has that edge.
pub fn insert_vertex(rings: &mut [Ring], a: Point, b: Point, p: Point) -> Vec<usize> {
    let mut changed = Vec::new();
    for (i, ring) in rings.iter_mut().enumerate() {
        let at = ring
            .windows(2)
            .position(|w| (same(w[0], a) && same(w[1], b)) || (same(w[0], b) && same(w[1], a)));
        if let Some(k) = at {
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
/// `geo::Simplify`); the first and last points stay. Works in whatever planar units it is given
/// (the map simplifies in screen-proportional units, for drawing only).
pub fn simplified(points: &[Point], epsilon: f64) -> Vec<Point> {
    use geo::Simplify;
    if epsilon <= 0.0 || points.len() < 4 {
        return points.to_vec();
    }
    let line: LineString = points.iter().map(|p| Coord { x: p[0], y: p[1] }).collect();
    line.simplify(epsilon)
        .0
        .into_iter()
        .map(|c| [c.x, c.y])
        .collect()
}

/// A compact, lossless form of a ring for the wire: the Encoded Polyline format (`polyline` crate)
/// at [`COORD_DECIMALS`] when every vertex lies on the stored step (5–8 bytes a vertex instead of
/// about 38 as JSON numbers), otherwise the plain `[[lon, lat], …]` array. Reading accepts both.
/// Use as `#[serde(with = "domain::geometry::compact_ring")]`.
pub mod compact_ring {
    use super::{quantise, Point, Ring, COORD_DECIMALS};
    use serde::de::{self, SeqAccess, Visitor};
    use serde::{Deserializer, Serialize, Serializer};

    /// The encoded form, when it represents `ring` exactly.
    pub fn encode(ring: &[Point]) -> Option<String> {
        let exact = ring.iter().all(|&p| {
            quantise(p) == p && (-180.0..=180.0).contains(&p[0]) && (-90.0..=90.0).contains(&p[1])
        });
        if !exact {
            return None;
        }
        let coords = ring.iter().map(|p| geo::Coord { x: p[0], y: p[1] });
        polyline::encode_coordinates(coords, COORD_DECIMALS).ok()
    }

    pub fn decode(s: &str) -> Option<Ring> {
        let line = polyline::decode_polyline(s, COORD_DECIMALS).ok()?;
        Some(line.0.into_iter().map(|c| [c.x, c.y]).collect())
    }

    pub fn serialize<S: Serializer>(ring: &Ring, s: S) -> Result<S::Ok, S::Error> {
        match encode(ring) {
            Some(e) => s.serialize_str(&e),
            None => ring.serialize(s),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Ring, D::Error> {
        struct RingVisitor;
        impl<'de> Visitor<'de> for RingVisitor {
            type Value = Ring;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an encoded polyline or a list of [lon, lat] pairs")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Ring, E> {
                decode(v).ok_or_else(|| E::custom("invalid encoded ring"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ring, A::Error> {
                let mut out =
                    Vec::with_capacity(seq.size_hint().unwrap_or(0).min(super::MAX_VERTICES + 1));
                while let Some(p) = seq.next_element::<Point>()? {
                    out.push(p);
                }
                Ok(out)
            }
        }
        d.deserialize_any(RingVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square of `s` hundredths of a degree with its lower-left corner at (x, y), walking
    /// `n` extra points along each side so neighbours share vertices.
    fn square(x: f64, y: f64, s: f64) -> Ring {
        let (x0, y0, x1, y1) = (
            118.0 + x * 0.01,
            32.0 + y * 0.01,
            118.0 + (x + s) * 0.01,
            32.0 + (y + s) * 0.01,
        );
        vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    }

    fn shape(code: &str, parent: Option<&str>, ring: Ring) -> Shape {
        Shape {
            code: code.into(),
            parent: parent.map(Into::into),
            dedicated: false,
            ring,
        }
    }

    /// A parent 2×1 split into two children that share the middle edge; the parent's boundary
    /// carries the children's corner vertices.
    fn two_halves() -> Vec<Shape> {
        let p = |x: f64, y: f64| [118.0 + x * 0.01, 32.0 + y * 0.01];
        vec![
            shape(
                "1",
                None,
                vec![
                    p(0., 0.),
                    p(1., 0.),
                    p(2., 0.),
                    p(2., 1.),
                    p(1., 1.),
                    p(0., 1.),
                    p(0., 0.),
                ],
            ),
            shape(
                "101",
                Some("1"),
                vec![p(0., 0.), p(1., 0.), p(1., 1.), p(0., 1.), p(0., 0.)],
            ),
            shape(
                "102",
                Some("1"),
                vec![p(1., 0.), p(2., 0.), p(2., 1.), p(1., 1.), p(1., 0.)],
            ),
        ]
    }

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
    fn normalise_closes_and_turns_counter_clockwise() {
        let mut cw = square(0., 0., 1.);
        cw.reverse();
        cw.pop();
        let n = normalise(&cw);
        assert!(same(n[0], n[n.len() - 1]));
        assert!(shoelace(&n) > 0.0);
        assert_eq!(validate_ring(&n), Ok(()));
    }

    #[test]
    fn a_clean_tiling_has_no_problems_and_full_coverage() {
        let shapes = two_halves();
        let report = Index::new(&shapes).check_all();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.coverage.len(), 1);
        assert!((report.coverage[0].covered_pct - 100.0).abs() < 1e-6);
    }

    #[test]
    fn pushing_a_shared_vertex_one_way_overlaps_the_other_way_leaves_a_gap() {
        let base = two_halves();
        let mid_bottom = base[1].ring[1];
        // Move only child 101's copy (breaking topology on purpose) 10 m into 102: overlap.
        let mut shapes = base.clone();
        shapes[1].ring[1] = [mid_bottom[0] + 0.0001, mid_bottom[1] + 0.002];
        shapes[1].ring = normalise(&shapes[1].ring);
        let problems = Index::new(&shapes).check_around(&[1]);
        assert!(
            problems.iter().any(|p| matches!(p, Problem::Overlap { code, other, .. } if code == "101" && other == "102")),
            "{problems:?}"
        );
        // The other way: a gap, and the coverage drops below 100 %.
        let mut shapes = base.clone();
        shapes[1].ring[2] = [mid_bottom[0] - 0.001, base[1].ring[2][1]];
        let report = Index::new(&shapes).check_all();
        let gap = report
            .problems
            .iter()
            .find_map(|p| match p {
                Problem::Gap {
                    parent, area_m2, ..
                } => Some((parent.clone(), *area_m2)),
                _ => None,
            })
            .expect("a gap");
        assert_eq!(gap.0, "1");
        // Triangle 0.001° wide × 0.01° high ≈ 94 m × 1112 m / 2.
        assert!((gap.1 - 52_000.0).abs() < 2_000.0, "{}", gap.1);
        assert!(report.coverage[0].covered_pct < 100.0);
        assert!(
            !report.problems.iter().any(|p| p.blocks_save()),
            "{:?}",
            report.problems
        );
    }

    #[test]
    fn a_child_outside_its_parent_spills() {
        let mut shapes = two_halves();
        let p = shapes[2].ring[1];
        shapes[2].ring[1] = [p[0] + 0.001, p[1]];
        let problems = Index::new(&shapes).check_around(&[2]);
        assert!(problems.iter().any(
            |p| matches!(p, Problem::Spill { code, parent, .. } if code == "102" && parent == "1")
        ));
        assert!(problems.iter().all(|p| p.blocks_save()));
    }

    #[test]
    fn dedicated_grids_may_overlap_basic_ones() {
        let mut shapes = two_halves();
        shapes.push(Shape {
            dedicated: true,
            ..shape("190", Some("1"), square(0.5, 0.2, 0.5))
        });
        let problems = Index::new(&shapes).check_all().problems;
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn moving_a_shared_vertex_moves_it_everywhere_and_keeps_the_coverage() {
        let shapes = two_halves();
        let mut rings: Vec<Ring> = shapes.iter().map(|s| s.ring.clone()).collect();
        let shared = rings[1][1]; // bottom middle: in the parent and both children
        let to = [shared[0] + 0.002, shared[1]];
        let changed = move_vertex(&mut rings, shared, to);
        assert_eq!(changed, vec![0, 1, 2]);
        let moved: Vec<Shape> = shapes
            .iter()
            .zip(&rings)
            .map(|(s, r)| Shape {
                ring: r.clone(),
                ..s.clone()
            })
            .collect();
        let report = Index::new(&moved).check_all();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
    }

    #[test]
    fn inserting_and_removing_a_vertex_on_a_shared_edge_touches_both_neighbours() {
        let shapes = two_halves();
        let mut rings: Vec<Ring> = shapes.iter().map(|s| s.ring.clone()).collect();
        let (a, b) = (rings[1][1], rings[1][2]); // the shared middle edge
        let mid = [a[0] + 0.001, (a[1] + b[1]) / 2.0];
        assert_eq!(insert_vertex(&mut rings, a, b, mid), vec![1, 2]);
        let moved: Vec<Shape> = shapes
            .iter()
            .zip(&rings)
            .map(|(s, r)| Shape {
                ring: r.clone(),
                ..s.clone()
            })
            .collect();
        assert!(Index::new(&moved).check_all().problems.is_empty());
        assert_eq!(remove_vertex(&mut rings, mid), Ok(vec![1, 2]));
        assert_eq!(rings[1], shapes[1].ring);
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
        let parent = &shapes[0].ring;
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
        let merged = merge_rings(&shapes[1].ring, &shapes[2].ring).unwrap();
        let total = area_m2(&shapes[0].ring);
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

    #[test]
    fn the_demo_district_is_a_clean_coverage() {
        for scale in [crate::demo::Scale::Small, crate::demo::Scale::Medium] {
            assert_clean_coverage(scale);
        }
    }

    fn assert_clean_coverage(scale: crate::demo::Scale) {
        let d = crate::demo::generate(scale, 0);
        let shapes: Vec<Shape> = d
            .grids
            .iter()
            .map(|g| Shape {
                code: g.code.as_str().to_owned(),
                parent: g.parent.as_ref().map(|c| c.as_str().to_owned()),
                dedicated: g.kind == crate::grid::GridKind::Dedicated,
                ring: g.ring.clone(),
            })
            .collect();
        let report = Index::new(&shapes).check_all();
        assert!(
            report.problems.is_empty(),
            "{:?}",
            &report.problems[..report.problems.len().min(3)]
        );
        assert!(report.coverage.iter().all(|c| c.covered_pct > 99.999));
    }

    /// A small deterministic generator for the randomised tests below.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() * n as f64) as usize % n
        }
    }

    /// A parent rectangle tiled by `nx × ny` jittered quadrilaterals sharing their corners; the
    /// parent's ring walks every lattice point on its border.
    fn tiling(rng: &mut Lcg, nx: usize, ny: usize) -> (Vec<Shape>, Vec<Point>) {
        let d = 0.002;
        let mut pts = vec![[0.0, 0.0]; (nx + 1) * (ny + 1)];
        for j in 0..=ny {
            for i in 0..=nx {
                let inner = i > 0 && i < nx && j > 0 && j < ny;
                let (jx, jy) = if inner {
                    (rng.next() - 0.5, rng.next() - 0.5)
                } else {
                    (0.0, 0.0)
                };
                let x = 118.8 + (i as f64 + 0.3 * jx) * d;
                let y = 32.1 + (j as f64 + 0.3 * jy) * d;
                pts[j * (nx + 1) + i] = [(x * 1e7).round() / 1e7, (y * 1e7).round() / 1e7];
            }
        }
        let at = |i: usize, j: usize| pts[j * (nx + 1) + i];
        let mut border = Vec::new();
        border.extend((0..nx).map(|i| at(i, 0)));
        border.extend((0..ny).map(|j| at(nx, j)));
        border.extend((1..=nx).rev().map(|i| at(i, ny)));
        border.extend((1..=ny).rev().map(|j| at(0, j)));
        border.push(at(0, 0));
        let mut shapes = vec![shape("9", None, border)];
        for j in 0..ny {
            for i in 0..nx {
                let r = vec![
                    at(i, j),
                    at(i + 1, j),
                    at(i + 1, j + 1),
                    at(i, j + 1),
                    at(i, j),
                ];
                shapes.push(shape(&format!("9{:02}{:02}", j, i), Some("9"), r));
            }
        }
        let inner: Vec<Point> = (1..ny)
            .flat_map(|j| (1..nx).map(move |i| (i, j)))
            .map(|(i, j)| at(i, j))
            .collect();
        (shapes, inner)
    }

    fn clean(shapes: &[Shape]) -> Report {
        let r = Index::new(shapes).check_all();
        assert!(
            r.problems.is_empty(),
            "{:?}",
            &r.problems[..r.problems.len().min(3)]
        );
        assert!(
            r.coverage.iter().all(|c| c.covered_pct > 99.9999),
            "{:?}",
            r.coverage
        );
        r
    }

    #[test]
    fn random_tilings_stay_valid_through_moves_splits_and_merges() {
        for seed in 1..=40u64 {
            let mut rng = Lcg(seed);
            let (nx, ny) = (2 + rng.below(4), 2 + rng.below(4));
            let (mut shapes, inner) = tiling(&mut rng, nx, ny);
            clean(&shapes);
            // Shared-vertex moves: every copy moves, so the coverage stays exact.
            for _ in 0..5 {
                let v = inner[rng.below(inner.len())];
                let to = [
                    v[0] + (rng.next() - 0.5) * 0.0004,
                    v[1] + (rng.next() - 0.5) * 0.0004,
                ];
                let mut rings: Vec<Ring> = shapes.iter().map(|s| s.ring.clone()).collect();
                let changed = move_vertex(&mut rings, v, to);
                assert_eq!(
                    changed.len(),
                    4,
                    "an inner lattice point: 4 cells and not the parent"
                );
                for (s, r) in shapes.iter_mut().zip(rings) {
                    s.ring = r;
                }
                clean(&shapes);
                // Moving it back restores the original rings exactly.
                let mut rings: Vec<Ring> = shapes.iter().map(|s| s.ring.clone()).collect();
                move_vertex(&mut rings, to, v);
                for (s, r) in shapes.iter_mut().zip(rings) {
                    s.ring = r;
                }
            }
            // Split a random cell along a diagonal, then merge the halves back.
            let k = 1 + rng.below(shapes.len() - 1);
            let cell = shapes[k].clone();
            let (a, b) = split_ring(&cell.ring, &[cell.ring[0], cell.ring[2]]).unwrap();
            let mut split = shapes.clone();
            split[k].ring = a.clone();
            split.push(Shape {
                code: format!("{}x", cell.code),
                ring: b.clone(),
                ..cell.clone()
            });
            clean(&split);
            let merged = merge_rings(&a, &b).unwrap();
            assert!((area_m2(&merged) - area_m2(&cell.ring)).abs() < 1.0);
            // Merge two horizontal neighbours.
            let (j, i) = (rng.below(ny), rng.below(nx - 1));
            let (p, q) = (1 + j * nx + i, 1 + j * nx + i + 1);
            let m = merge_rings(&shapes[p].ring, &shapes[q].ring).unwrap();
            let mut merged = shapes.clone();
            merged[p].ring = m;
            merged.remove(q);
            clean(&merged);
        }
    }

    #[test]
    fn planted_gaps_and_overlaps_are_found() {
        for seed in 1..=40u64 {
            let mut rng = Lcg(seed * 7919);
            let (nx, ny) = (2 + rng.below(4), 2 + rng.below(4));
            let (shapes, inner) = tiling(&mut rng, nx, ny);
            let v = inner[rng.below(inner.len())];
            // Move the vertex in one cell only: that tears the coverage.
            let owner = shapes
                .iter()
                .skip(1)
                .position(|s| s.ring.iter().any(|q| same(*q, v)))
                .unwrap()
                + 1;
            let mut broken = shapes.clone();
            let to = [
                v[0] + 0.0003 * (rng.next() + 0.5),
                v[1] + 0.0003 * (rng.next() + 0.5),
            ];
            for p in broken[owner].ring.iter_mut() {
                if same(*p, v) {
                    *p = to;
                }
            }
            let r = Index::new(&broken).check_all();
            let overlaps = r
                .problems
                .iter()
                .filter(|p| matches!(p, Problem::Overlap { .. }))
                .count();
            let gaps = r
                .problems
                .iter()
                .filter(|p| matches!(p, Problem::Gap { .. }))
                .count();
            assert!(overlaps + gaps >= 1, "seed {seed}: {:?}", r.problems);
            // The local check around the edited cell sees the same overlaps.
            let local = Index::new(&broken).check_around(&[owner]);
            assert_eq!(
                local
                    .iter()
                    .filter(|p| matches!(p, Problem::Overlap { .. }))
                    .count(),
                overlaps,
                "seed {seed}"
            );
        }
    }

    #[test]
    fn simplifying_drops_only_what_lies_within_the_tolerance() {
        // A square densified with exact midpoints, plus one point bulging out by 0.5.
        let ring = vec![
            [0.0, 0.0],
            [5.0, 0.0],
            [10.0, 0.0],
            [10.0, 5.0],
            [10.5, 7.0],
            [10.0, 10.0],
            [5.0, 10.0],
            [0.0, 10.0],
            [0.0, 5.0],
            [0.0, 0.0],
        ];
        assert_eq!(
            simplified(&ring, 0.1),
            vec![
                [0.0, 0.0],
                [10.0, 0.0],
                [10.0, 5.0],
                [10.5, 7.0],
                [10.0, 10.0],
                [0.0, 10.0],
                [0.0, 0.0]
            ]
        );
        assert_eq!(
            simplified(&ring, 1.0),
            vec![
                [0.0, 0.0],
                [10.0, 0.0],
                [10.0, 10.0],
                [0.0, 10.0],
                [0.0, 0.0]
            ]
        );
        assert_eq!(simplified(&ring, 0.0), ring);
    }

    #[test]
    fn stored_rings_travel_compactly_and_exactly() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct G {
            #[serde(with = "compact_ring")]
            ring: Ring,
        }
        // Normalised rings lie on the 1e-7° step and travel as an encoded polyline, exactly.
        let raw = vec![
            [118.781_234_567_891, 32.041_111_111_111],
            [118.791_234_567_891, 32.041_111_111_111],
            [118.791_234_567_891, 32.051_999_999_999],
            [118.781_234_567_891, 32.041_111_111_111],
        ];
        let g = G {
            ring: normalise(&raw),
        };
        assert_eq!(g.ring[0], [118.781_234_6, 32.041_111_1]);
        let json = serde_json::to_string(&g).unwrap();
        assert!(json.starts_with("{\"ring\":\""), "{json}");
        assert!(json.len() < 60, "{json}");
        assert_eq!(serde_json::from_str::<G>(&json).unwrap(), g);
        // Vertices off the step (older data) travel as numbers, also exactly.
        let off = G { ring: raw.clone() };
        let json = serde_json::to_string(&off).unwrap();
        assert!(json.starts_with("{\"ring\":[["), "{json}");
        assert_eq!(serde_json::from_str::<G>(&json).unwrap(), off);
        // Garbage is refused, not misread.
        assert!(serde_json::from_str::<G>("{\"ring\":\"  \"}").is_err());
        assert!(serde_json::from_str::<G>("{\"ring\":7}").is_err());
        // A jittered tiling keeps its shared vertices shared through rounding: still no problems.
        let (mut shapes, _) = tiling(&mut Lcg(7), 4, 4);
        for s in &mut shapes {
            s.ring = normalise(&s.ring);
        }
        assert_eq!(Index::new(&shapes).check_all().problems, vec![]);
    }
}
