//! The coverage rules: validity, overlaps, spills, gaps and coverage per parent.

use super::*;
use geo::{Area, BooleanOps, BoundingRect, Centroid, Coord, MultiPolygon, Polygon};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shape {
    pub code: String,
    pub parent: Option<String>,
    /// 专属网格 (schools, hospitals…) may overlap basic grids; basic grids may not overlap each other.
    pub dedicated: bool,
    pub boundary: Boundary,
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
    polys: Vec<Option<MultiPolygon>>,
    boxes: Vec<[f64; 4]>,
    /// Each shape's perimeter in metres (what counts as rounding scales with it: `noise_m2`).
    perimeters: Vec<f64>,
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
            .find_map(|s| s.boundary.outer().first().map(|p| p[1]))
            .unwrap_or(0.0);
        let frame = Frame::at(lat0);
        let polys: Vec<Option<MultiPolygon>> = shapes
            .iter()
            .map(|s| {
                s.boundary
                    .validate()
                    .ok()
                    .map(|_| s.boundary.to_geo(&frame))
            })
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
        let perimeters = polys
            .iter()
            .map(|p| p.as_ref().map_or(0.0, perimeter_of))
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
            perimeters,
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
        s.boundary.validate().err().map(|reason| Problem::Invalid {
            code: s.code.clone(),
            reason,
            at: s.boundary.outer().first().copied().unwrap_or([0.0, 0.0]),
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
        let noise = noise_m2(self.perimeters[i].min(self.perimeters[j]));
        (area > noise).then(|| Problem::Overlap {
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
        (area > noise_m2(self.perimeters[child])).then(|| Problem::Spill {
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
            .flat_map(|mp| mp.0.iter())
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

#[cfg(test)]
mod tests {
    use crate::geometry::testing::*;
    use crate::geometry::*;

    #[test]
    fn a_clean_tiling_has_no_problems_and_full_coverage() {
        let shapes = two_halves();
        let report = Index::new(&shapes).check_all();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.coverage.len(), 1);
        assert!((report.coverage[0].covered_pct - 100.0).abs() < 1e-6);
    }

    /// A 4×4 parent with a 2×2 hole (a school) and a 1×1 exclave, covered by two children: the
    /// ring around the hole cut in two halves, and the exclave as the right half's second part.
    fn holed_parent() -> Vec<Shape> {
        let p = |x: f64, y: f64| [118.0 + x * 0.01, 32.0 + y * 0.01];
        let hole = |x0: f64, y0: f64, x1: f64, y1: f64| {
            vec![p(x0, y0), p(x0, y1), p(x1, y1), p(x1, y0), p(x0, y0)]
        };
        let parent = Boundary(vec![
            vec![
                vec![
                    p(0., 0.),
                    p(2., 0.),
                    p(4., 0.),
                    p(4., 4.),
                    p(2., 4.),
                    p(0., 4.),
                    p(0., 0.),
                ],
                hole(1., 1., 3., 3.),
            ],
            vec![square(6., 0., 1.)],
        ]);
        // Left child: x 0..2 minus the hole's left half (a concave "C").
        let left = vec![
            p(0., 0.),
            p(2., 0.),
            p(2., 1.),
            p(1., 1.),
            p(1., 3.),
            p(2., 3.),
            p(2., 4.),
            p(0., 4.),
            p(0., 0.),
        ];
        let right = vec![
            p(2., 0.),
            p(4., 0.),
            p(4., 4.),
            p(2., 4.),
            p(2., 3.),
            p(3., 3.),
            p(3., 1.),
            p(2., 1.),
            p(2., 0.),
        ];
        let mk = |code: &str, parent: Option<&str>, b: Boundary| Shape {
            code: code.into(),
            parent: parent.map(Into::into),
            dedicated: false,
            boundary: b.normalised(),
        };
        vec![
            mk("1", None, parent),
            mk("101", Some("1"), left.into()),
            mk(
                "102",
                Some("1"),
                Boundary(vec![vec![right], vec![square(6., 0., 1.)]]),
            ),
        ]
    }

    #[test]
    fn holes_and_parts_count_in_coverage() {
        let shapes = holed_parent();
        let report = Index::new(&shapes).check_all();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert!((report.coverage[0].covered_pct - 100.0).abs() < 1e-6);
        // A child drawn in the hole spills out of its parent.
        let mut in_hole = shapes.clone();
        in_hole.push(shape("103", Some("1"), square(1.5, 1.5, 1.)));
        let report = Index::new(&in_hole).check_all();
        assert!(
            matches!(&report.problems[..], [Problem::Spill { code, area_m2, .. }] if code == "103" && *area_m2 > 1e5),
            "{:?}",
            report.problems
        );
        // Without the exclave the right child leaves a gap the size of the exclave.
        let mut no_exclave = shapes.clone();
        no_exclave[2].boundary.0.pop();
        let report = Index::new(&no_exclave).check_all();
        let gap = area_m2(&square(6., 0., 1.));
        assert!(
            matches!(&report.problems[..], [Problem::Gap { area_m2, .. }] if (area_m2 / gap - 1.0).abs() < 1e-3),
            "{:?}",
            report.problems
        );
    }

    #[test]
    fn pushing_a_shared_vertex_one_way_overlaps_the_other_way_leaves_a_gap() {
        let base = two_halves();
        let mid_bottom = base[1].ring()[1];
        // Move only child 101's copy (breaking topology on purpose) 10 m into 102: overlap.
        let mut shapes = base.clone();
        shapes[1].ring_mut()[1] = [mid_bottom[0] + 0.0001, mid_bottom[1] + 0.002];
        *shapes[1].ring_mut() = normalise(&shapes[1].ring());
        let problems = Index::new(&shapes).check_around(&[1]);
        assert!(
            problems.iter().any(|p| matches!(p, Problem::Overlap { code, other, .. } if code == "101" && other == "102")),
            "{problems:?}"
        );
        // The other way: a gap, and the coverage drops below 100 %.
        let mut shapes = base.clone();
        shapes[1].ring_mut()[2] = [mid_bottom[0] - 0.001, base[1].ring()[2][1]];
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
        let p = shapes[2].ring_mut()[1];
        shapes[2].ring_mut()[1] = [p[0] + 0.001, p[1]];
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
                boundary: g.ring.clone().into(),
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
                let mut rings: Vec<Ring> = shapes.iter().map(|s| s.ring().clone()).collect();
                let changed = move_vertex(&mut rings, v, to);
                assert_eq!(
                    changed.len(),
                    4,
                    "an inner lattice point: 4 cells and not the parent"
                );
                for (s, r) in shapes.iter_mut().zip(rings) {
                    *s.ring_mut() = r;
                }
                clean(&shapes);
                // Moving it back restores the original rings exactly.
                let mut rings: Vec<Ring> = shapes.iter().map(|s| s.ring().clone()).collect();
                move_vertex(&mut rings, to, v);
                for (s, r) in shapes.iter_mut().zip(rings) {
                    *s.ring_mut() = r;
                }
            }
            // Split a random cell along a diagonal, then merge the halves back.
            let k = 1 + rng.below(shapes.len() - 1);
            let cell = shapes[k].clone();
            let (a, b) = split_ring(&cell.ring(), &[cell.ring()[0], cell.ring()[2]]).unwrap();
            let mut split = shapes.clone();
            *split[k].ring_mut() = a.clone();
            split.push(Shape {
                code: format!("{}x", cell.code),
                boundary: Boundary::from(b.clone()),
                ..cell.clone()
            });
            clean(&split);
            let merged = merge_rings(&a, &b).unwrap();
            assert!((area_m2(&merged) - area_m2(&cell.ring())).abs() < 1.0);
            // Merge two horizontal neighbours.
            let (j, i) = (rng.below(ny), rng.below(nx - 1));
            let (p, q) = (1 + j * nx + i, 1 + j * nx + i + 1);
            let m = merge_rings(&shapes[p].ring(), &shapes[q].ring()).unwrap();
            let mut merged = shapes.clone();
            *merged[p].ring_mut() = m;
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
                .position(|s| s.ring().iter().any(|q| same(*q, v)))
                .unwrap()
                + 1;
            let mut broken = shapes.clone();
            let to = [
                v[0] + 0.0003 * (rng.next() + 0.5),
                v[1] + 0.0003 * (rng.next() + 0.5),
            ];
            for p in broken[owner].ring_mut().iter_mut() {
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
}
