//! What a grid import would do: parents, levels and codes resolved, existing grids matched by code
//! (an update), and the coverage rules run over the map as it would be — the twin of
//! `org::import::plan`. The browser previews the plan; the server checks every edit again on save.

use super::Issue;
use crate::code::Code;
use crate::geometry::{self as geo, Index, Problem, Shape};
use crate::grid::{GridDraft, GridEdit, StoredGrid};
use std::collections::{HashMap, HashSet};

/// What an import would do, and what stands in its way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub edits: Vec<GridEdit>,
    /// Problems per feature (0-based), as translation keys; any one blocks the import.
    pub issues: Vec<Issue>,
    /// What the user should know but need not fix (a source code used twice); never blocks.
    pub warnings: Vec<Issue>,
    pub created: usize,
    pub updated: usize,
    /// The features the user chose to leave out (0-based, ascending): neither stored nor checked.
    pub skipped: Vec<usize>,
}

/// What the user chose in the import panel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// Starts the codes of new top-level grids when the map has none (`Code::district`).
    pub district: Option<Code>,
    /// The features to leave out, as the user decided (0-based).
    pub skip: HashSet<usize>,
    /// Vertices within this many metres of the parent's boundary or a neighbour's are snapped
    /// onto it (`geometry::snap`), each feature's snapping a note in the report; 0 turns it off.
    pub tolerance_m: f64,
}

/// Resolves parents (by code, else by the largest overlap with a grid of the level above), levels and codes
/// (generated from the parent when missing), matches existing grids by code (an update), and runs
/// the coverage rules over the map as it would be after the import.
/// Before the checks each boundary is snapped within `options.tolerance_m` onto its parent and
/// onto its neighbours (stored ones of its level, and the file's features before it). The
/// features in `options.skip` are left out with whatever problems they had; the import then
/// stores exactly the rest. (`Planner` does the same a slice at a time.)
pub fn plan<G: StoredGrid>(
    drafts: Vec<GridDraft>,
    issues: Vec<Issue>,
    work: &[G],
    options: &Options,
) -> Plan {
    let mut planner = Planner::new(drafts, issues, work, options);
    while !planner.step(usize::MAX) {}
    planner.finish()
}

/// `plan`, a slice of features at a time, so that a page planning a level of a thousand grids
/// can show progress and be cancelled between slices.
pub struct Planner<'a, G: StoredGrid> {
    work: &'a [G],
    options: &'a Options,
    drafts: std::iter::Enumerate<std::vec::IntoIter<GridDraft>>,
    total: usize,
    done: usize,
    issues: Vec<Issue>,
    broken: HashSet<usize>,
    by_code: HashMap<&'a str, &'a G>,
    /// Grids by their old system's code; a source code two grids share finds neither.
    by_source: HashMap<String, Option<&'a G>>,
    sources_in_file: HashSet<String>,
    /// The codes of each grid's direct children (`""`: the top level), stored and planned.
    children: HashMap<String, Vec<String>>,
    in_file: HashSet<String>,
    out: Plan,
    changed_codes: Vec<(usize, String)>,
    /// The boundaries planned so far, with their level and bounding box (snapping targets).
    planned: Vec<(i64, [f64; 4], geo::Ring)>,
}

impl<'a, G: StoredGrid> Planner<'a, G> {
    pub fn new(
        drafts: Vec<GridDraft>,
        mut issues: Vec<Issue>,
        work: &'a [G],
        options: &'a Options,
    ) -> Self {
        issues.retain(|i| !options.skip.contains(&i.feature));
        // A feature without area (a line drawn as a polygon, a leftover of an edit) is dropped
        // with a note: there is nothing of it to store.
        let zero_area: HashSet<usize> = issues
            .iter()
            .filter(|i| i.key == geo::Invalid::ZeroArea.key())
            .map(|i| i.feature)
            .collect();
        let broken: HashSet<usize> = issues.iter().map(|i| i.feature).collect();
        issues.retain(|i| !zero_area.contains(&i.feature));
        let mut dropped: Vec<usize> = zero_area.into_iter().collect();
        dropped.sort_unstable();
        let warnings = dropped
            .into_iter()
            .map(|feature| Issue {
                feature,
                key: "import.dropped_zero_area".into(),
                args: Vec::new(),
            })
            .collect();
        let mut by_source: HashMap<String, Option<&G>> = HashMap::new();
        for g in work {
            let s = g.source_code();
            if !s.is_empty() {
                by_source
                    .entry(s.to_owned())
                    .and_modify(|found| *found = None)
                    .or_insert(Some(g));
            }
        }
        let mut skipped: Vec<usize> = options
            .skip
            .iter()
            .copied()
            .filter(|&i| i < drafts.len())
            .collect();
        skipped.sort_unstable();
        Planner {
            work,
            options,
            total: drafts.len(),
            done: 0,
            drafts: drafts.into_iter().enumerate(),
            broken,
            issues,
            by_code: work.iter().map(|g| (g.code(), g)).collect(),
            by_source,
            sources_in_file: HashSet::new(),
            children: {
                let mut c: HashMap<String, Vec<String>> = HashMap::new();
                for g in work {
                    let parent = g.parent_code().unwrap_or_default().to_owned();
                    c.entry(parent).or_default().push(g.code().to_owned());
                }
                c
            },
            in_file: HashSet::new(),
            out: Plan {
                skipped,
                warnings,
                ..Plan::default()
            },
            changed_codes: Vec::new(),
            planned: Vec::new(),
        }
    }

    /// Features planned so far, of how many.
    pub fn progress(&self) -> (usize, usize) {
        (self.done, self.total)
    }

    /// Plans up to `n` more features; true once every feature is planned.
    pub fn step(&mut self, n: usize) -> bool {
        for _ in 0..n {
            let Some((i, d)) = self.drafts.next() else {
                return true;
            };
            self.done += 1;
            if !self.broken.contains(&i) && !self.options.skip.contains(&i) {
                self.feature(i, d);
            }
        }
        self.done == self.total
    }

    fn bad(&mut self, feature: usize, key: &str) {
        self.issues.push(Issue {
            feature,
            key: key.into(),
            args: Vec::new(),
        });
    }

    fn find_source(&self, s: &str) -> Option<&'a G> {
        self.by_source.get(s).copied().flatten()
    }

    fn feature(&mut self, i: usize, mut d: GridDraft) {
        // The grid this feature updates: by Linli's code, else by the old system's.
        let existing = if d.code.is_empty() {
            (!d.source_code.is_empty())
                .then(|| self.find_source(&d.source_code))
                .flatten()
        } else {
            self.by_code.get(d.code.as_str()).copied()
        };
        if let Some(e) = existing {
            d.code = e.code().to_owned();
        }
        let parent: Option<&G> = match (&d.parent_code, existing) {
            (_, Some(e)) => e.parent_code().and_then(|p| self.by_code.get(p).copied()),
            (Some(p), None) => match self
                .by_code
                .get(p.as_str())
                .copied()
                .or_else(|| self.find_source(p))
            {
                Some(p) => Some(p),
                None => {
                    return self.bad(i, "err.grid_parent_missing");
                }
            },
            // The grid of the level above that shares the most area with the feature (the mean
            // of a concave feature's vertices can lie in the neighbour); a feature whose ring
            // cannot be measured falls back to the grid holding that mean point.
            (None, None) if d.level > 1 => {
                let c = geo::mean_point(&d.ring);
                let above = || self.work.iter().filter(|g| g.level() == d.level - 1);
                let bounds = bbox(&d.ring);
                let by_area = above()
                    .filter(|g| meet(bounds, bbox(g.ring())))
                    .map(|g| (geo::overlap_m2(&d.ring, g.ring()), g))
                    .filter(|(a, _)| *a > geo::AREA_EPSILON_M2)
                    .max_by(|x, y| x.0.total_cmp(&y.0))
                    .map(|(_, g)| g);
                match by_area.or_else(|| above().find(|g| geo::contains(g.ring(), c))) {
                    Some(p) => Some(p),
                    None => {
                        return self.bad(i, "map.no_parent");
                    }
                }
            }
            (None, None) => None,
        };
        d.parent_code = parent.map(|p| p.code().to_owned());
        d.level = parent.map(|p| p.level() + 1).unwrap_or(1);
        // A new feature's digits that do not continue its parent's code are the old system's
        // numbering: kept as the source code, and Linli numbers the grid.
        if existing.is_none()
            && !d.code.is_empty()
            && parent.is_some_and(|p| !d.code.starts_with(p.code()) || d.code == p.code())
        {
            if d.source_code.is_empty() {
                d.source_code = std::mem::take(&mut d.code);
            } else {
                d.code.clear();
            }
        }
        if !d.source_code.is_empty() && !self.sources_in_file.insert(d.source_code.clone()) {
            self.out.warnings.push(Issue {
                feature: i,
                key: "import.duplicate_source_code".into(),
                args: Vec::new(),
            });
        }
        if d.code.is_empty() {
            // One more than the highest of the parent's direct children (stored, and planned
            // from this file so far), as wide as they are.
            let key = parent.map(|p| p.code().to_owned()).unwrap_or_default();
            let siblings: &[String] = self.children.get(&key).map_or(&[], Vec::as_slice);
            let (prefix, width) = match parent {
                Some(p) => (p.code().to_owned(), None),
                None => crate::grid::top_level_prefix(
                    siblings.iter().map(String::as_str),
                    self.options.district.as_ref(),
                ),
            };
            if let Ok(pc) = Code::parse(&prefix) {
                let code = pc.next_child(siblings.iter().map(String::as_str), width);
                // A sequence one digit wider than its siblings' would put the new grid's code
                // inside a sibling's prefix (…10 and …100), and with it inside that sibling's
                // scope: refuse rather than widen.
                let seq_width = |c: &str| c.len() - prefix.len();
                if siblings
                    .iter()
                    .any(|s| s.starts_with(&prefix) && seq_width(s) < seq_width(code.as_str()))
                {
                    return self.bad(i, "import.code_full");
                }
                d.code = code.as_str().to_owned();
            }
        }
        if !self.in_file.insert(d.code.clone()) {
            return self.bad(i, "import.duplicate_code");
        }
        if self.options.tolerance_m > 0.0 && d.ring.len() >= 4 {
            let own = existing.map(|e| e.code());
            let near = bbox(&d.ring);
            // Degrees, generously: a metre is under 1e-5° in either direction below 60° N.
            let grow = self.options.tolerance_m * 2e-5;
            let near = [
                near[0] - grow,
                near[1] - grow,
                near[2] + grow,
                near[3] + grow,
            ];
            let mut targets: Vec<&[geo::Point]> = Vec::new();
            if let Some(p) = parent {
                targets.push(p.ring());
            }
            targets.extend(
                self.work
                    .iter()
                    .filter(|g| g.level() == d.level && Some(g.code()) != own)
                    .filter(|g| meet(near, bbox(g.ring())))
                    .map(|g| g.ring()),
            );
            targets.extend(
                self.planned
                    .iter()
                    .filter(|(level, b, _)| *level == d.level && meet(near, *b))
                    .map(|(_, _, r)| r.as_slice()),
            );
            let (ring, r) = geo::snap::snap_ring(&d.ring, &targets, self.options.tolerance_m);
            if r.changed() && geo::validate_ring(&ring).is_ok() {
                d.ring = ring;
                self.out.warnings.push(Issue {
                    feature: i,
                    key: "import.snapped".into(),
                    args: vec![
                        ("n".into(), (r.moved + r.inserted).to_string()),
                        ("m".into(), format!("{:.2}", r.max_shift_m)),
                    ],
                });
            }
        }
        if let Err(e) = d.check() {
            return self.bad(i, e.key());
        }
        self.planned.push((d.level, bbox(&d.ring), d.ring.clone()));
        self.children
            .entry(d.parent_code.clone().unwrap_or_default())
            .or_default()
            .push(d.code.clone());
        self.changed_codes.push((i, d.code.clone()));
        match existing {
            Some(e) => {
                if e.level() != d.level || e.parent_code() != d.parent_code.as_deref() {
                    return self.bad(i, "err.grid_reparent");
                }
                let kept = e.draft();
                let source_code = if d.source_code.is_empty() {
                    kept.source_code
                } else {
                    std::mem::take(&mut d.source_code)
                };
                let draft = GridDraft {
                    workers: kept.workers,
                    valid_from: kept.valid_from,
                    valid_to: kept.valid_to,
                    source_code,
                    ..d
                };
                self.out.updated += 1;
                self.out.edits.push(GridEdit::Update {
                    id: e.id(),
                    version: e.version(),
                    draft,
                });
            }
            None => {
                self.out.created += 1;
                self.out.edits.push(GridEdit::Create { draft: d });
            }
        }
    }

    /// Runs the coverage rules over the map as it would be after the import, and returns the plan.
    pub fn finish(mut self) -> Plan {
        let work = self.work;
        let mut issues = std::mem::take(&mut self.issues);
        let mut out = std::mem::take(&mut self.out);
        let changed_codes = std::mem::take(&mut self.changed_codes);
        // The coverage rules over the map as it would be.
        let mut after: Vec<Shape> = work
            .iter()
            .map(|g| Shape {
                code: g.code().to_owned(),
                parent: g.parent_code().map(str::to_owned),
                dedicated: g.dedicated(),
                ring: g.ring().to_vec(),
            })
            .collect();
        let mut at: HashMap<String, usize> = after
            .iter()
            .enumerate()
            .map(|(k, s)| (s.code.clone(), k))
            .collect();
        for e in &out.edits {
            let d = match e {
                GridEdit::Update { draft, .. } | GridEdit::Create { draft } => draft,
                GridEdit::Delete { .. } => continue,
            };
            let shape = Shape {
                code: d.code.clone(),
                parent: d.parent_code.clone(),
                dedicated: d.kind == "dedicated",
                ring: geo::normalise(&d.ring),
            };
            match at.get(&d.code) {
                Some(&k) => after[k] = shape,
                None => {
                    at.insert(d.code.clone(), after.len());
                    after.push(shape);
                }
            }
        }
        let index = Index::new(&after);
        let positions: Vec<usize> = changed_codes
            .iter()
            .filter_map(|(_, c)| index.position(c))
            .collect();
        for p in index
            .check_around(&positions)
            .into_iter()
            .filter(Problem::blocks_save)
        {
            let feature = p
                .codes()
                .iter()
                .find_map(|c| {
                    changed_codes
                        .iter()
                        .find(|(_, cc)| cc == c)
                        .map(|(i, _)| *i)
                })
                .unwrap_or(0);
            let key = match p {
                Problem::Invalid { reason, .. } => reason.key(),
                Problem::Overlap { .. } => "import.overlap",
                Problem::Spill { .. } => "import.spill",
                Problem::Gap { .. } => continue,
            };
            issues.push(Issue {
                feature,
                key: key.into(),
                args: Vec::new(),
            });
        }
        issues.sort_by_key(|i| i.feature);
        out.issues = issues;
        out
    }
}

/// The bounding box of a ring: (min lon, min lat, max lon, max lat).
fn bbox(ring: &[geo::Point]) -> [f64; 4] {
    ring.iter().fold(
        [f64::MAX, f64::MAX, f64::MIN, f64::MIN],
        |[a, b, c, d], p| [a.min(p[0]), b.min(p[1]), c.max(p[0]), d.max(p[1])],
    )
}

/// Whether two bounding boxes overlap (only then can the rings share area).
fn meet(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
