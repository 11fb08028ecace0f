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
    /// Repairs the cleaner proposes but does not make on its own (a bow-tie into two parts, an
    /// overlap or spill larger than a sliver cut away): the user accepts one (`Options::accept`)
    /// or skips the feature.
    pub proposals: Vec<Proposal>,
}

/// A repair proposed for one feature: what it does (a translation key and its arguments) and the
/// boundary after it (drawn on the preview map beside the feature as the file has it).
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub feature: usize,
    pub key: String,
    pub args: Vec<(String, String)>,
    pub boundary: geo::Boundary,
}

/// Overlaps with neighbours and spills out of the parent up to this area (m²) are cut away by the
/// cleaner, with a note; larger ones are proposed. Loops of a self-crossing ring up to this area
/// are dropped.
pub const SLIVER_M2: f64 = 10.0;

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
    /// The features whose proposed repair (`Plan::proposals`) the user accepted (0-based).
    pub accept: HashSet<usize>,
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
    /// Stored grids that a feature of the file updates: their stored boundary is on its way out,
    /// so nothing is snapped onto it or cut against it (the file's own version counts instead).
    replaced: HashSet<&'a str>,
    /// The codes of each grid's direct children (`""`: the top level), stored and planned.
    children: HashMap<String, Vec<String>>,
    in_file: HashSet<String>,
    out: Plan,
    changed_codes: Vec<(usize, String)>,
    /// The boundaries planned so far (snapping targets, neighbours to cut overlaps from).
    planned: Vec<Planned>,
}

struct Planned {
    level: i64,
    parent: Option<String>,
    dedicated: bool,
    bbox: [f64; 4],
    boundary: geo::Boundary,
}

impl<'a, G: StoredGrid> Planner<'a, G> {
    pub fn new(
        mut drafts: Vec<GridDraft>,
        mut issues: Vec<Issue>,
        work: &'a [G],
        options: &'a Options,
    ) -> Self {
        issues.retain(|i| !options.skip.contains(&i.feature));
        let (mut warnings, proposals) = repair_crossings(&mut drafts, &mut issues, options);
        warnings.extend(join_parts(&mut drafts, &mut issues));
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
        warnings.extend(dropped.into_iter().map(|feature| Issue {
            feature,
            key: "import.dropped_zero_area".into(),
            args: Vec::new(),
        }));
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
        let stored: HashSet<&str> = work.iter().map(|g| g.code()).collect();
        let replaced: HashSet<&str> = drafts
            .iter()
            .enumerate()
            .filter(|(i, _)| !options.skip.contains(i))
            .filter_map(|(_, d)| match by_source.get(&d.source_code) {
                _ if !d.code.is_empty() => stored.get(d.code.as_str()).copied(),
                Some(Some(g)) if !d.source_code.is_empty() => Some(g.code()),
                _ => None,
            })
            .collect();
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
            replaced,
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
                proposals,
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
            (None, None) if d.level > 1 => {
                match crate::grid::parent_for(self.work, d.level, &d.boundary) {
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
            match crate::grid::child_code(
                parent.map(|p| p.code()),
                siblings.iter().map(String::as_str),
                self.options.district.as_ref(),
            ) {
                Ok(code) => d.code = code,
                Err(key) => return self.bad(i, key),
            }
        }
        if !self.in_file.insert(d.code.clone()) {
            return self.bad(i, "import.duplicate_code");
        }
        if self.options.tolerance_m > 0.0 && d.boundary.vertex_count() >= 4 {
            let near = d.boundary.bbox();
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
                targets.extend(p.boundary().rings().map(Vec::as_slice));
            }
            targets.extend(
                self.work
                    .iter()
                    .filter(|g| g.level() == d.level && !self.replaced.contains(g.code()))
                    .filter(|g| geo::boxes_meet(near, g.boundary().bbox()))
                    .flat_map(|g| g.boundary().rings().map(Vec::as_slice)),
            );
            targets.extend(
                self.planned
                    .iter()
                    .filter(|p| p.level == d.level && geo::boxes_meet(near, p.bbox))
                    .flat_map(|p| p.boundary.rings().map(Vec::as_slice)),
            );
            let (boundary, r) =
                geo::snap::snap_boundary(&d.boundary, &targets, self.options.tolerance_m);
            if r.changed() && boundary.validate().is_ok() {
                d.boundary = boundary;
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
        self.cut_overlaps(i, &mut d, parent);
        if let Err(e) = d.check() {
            return self.bad(i, e.key());
        }
        self.planned.push(Planned {
            level: d.level,
            parent: d.parent_code.clone(),
            dedicated: d.kind == "dedicated",
            bbox: d.boundary.bbox(),
            boundary: d.boundary.clone(),
        });
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

    /// Cuts away what the feature spills out of its parent and, for a basic grid, what it shares
    /// with its siblings (stored ones it does not replace, and the file's features before it):
    /// at once when it is a sliver ([`SLIVER_M2`]) or the user accepted it, else as a proposal.
    fn cut_overlaps(&mut self, i: usize, d: &mut GridDraft, parent: Option<&G>) {
        if d.boundary.validate().is_err() {
            return;
        }
        let mut fixed = d.boundary.clone();
        let perimeter = d.boundary.perimeter_m();
        // What is cut, measured piece by piece (each in one frame: areas of the whole boundary
        // measured in frames around different latitudes differ by more than a sliver).
        let mut cut = 0.0;
        if let Some(p) = parent {
            let spill = fixed.area_m2() - fixed.overlap_m2(p.boundary());
            if spill > geo::noise_m2(perimeter) {
                cut += spill;
                fixed = fixed.intersection(p.boundary());
            }
        }
        if d.kind != "dedicated" {
            let bbox = d.boundary.bbox();
            let stored = self
                .work
                .iter()
                .filter(|g| {
                    g.level() == d.level
                        && g.parent_code() == d.parent_code.as_deref()
                        && !self.replaced.contains(g.code())
                        && !g.dedicated()
                })
                .map(|g| g.boundary());
            let planned = self
                .planned
                .iter()
                .filter(|p| p.level == d.level && p.parent == d.parent_code && !p.dedicated)
                .map(|p| &p.boundary);
            for n in stored.chain(planned) {
                if !geo::boxes_meet(bbox, n.bbox()) {
                    continue;
                }
                let shared = fixed.overlap_m2(n);
                if shared > geo::noise_m2(perimeter.min(n.perimeter_m())) {
                    cut += shared;
                    fixed = fixed.difference(n);
                }
            }
        }
        if cut <= geo::AREA_EPSILON_M2 || fixed.validate().is_err() {
            return;
        }
        let args = vec![("area".to_owned(), format!("{cut:.1}"))];
        if cut <= SLIVER_M2 || self.options.accept.contains(&i) {
            d.boundary = fixed;
            self.out.warnings.push(Issue {
                feature: i,
                key: "import.cut".into(),
                args,
            });
        } else {
            self.out.proposals.push(Proposal {
                feature: i,
                key: "import.propose_cut".into(),
                args,
                boundary: fixed,
            });
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
                boundary: g.boundary().clone(),
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
                boundary: d.boundary.normalised(),
            };
            match at.get(&d.code) {
                Some(&k) => after[k] = shape,
                None => {
                    at.insert(d.code.clone(), after.len());
                    after.push(shape);
                }
            }
        }
        fill_slivers(&mut after, &at, &changed_codes, &mut out);
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

/// Slivers of gap ([`SLIVER_M2`] or less) that the file's grids leave inside their parent (two
/// neighbours digitised a little apart, beyond the snapping tolerance) go to a grid of the file
/// that borders the sliver (the union stays as many parts as the grid had), with a note.
fn fill_slivers(
    after: &mut [Shape],
    at: &HashMap<String, usize>,
    changed: &[(usize, String)],
    out: &mut Plan,
) {
    let gaps: Vec<(String, geo::Boundary)> = {
        let index = Index::new(after);
        let parents: HashSet<usize> = changed
            .iter()
            .filter_map(|(_, c)| at.get(c))
            .filter_map(|&k| after[k].parent.as_deref())
            .filter_map(|p| index.position(p))
            .collect();
        let parents: Vec<usize> = parents.into_iter().collect();
        index
            .coverage_of(&parents)
            .0
            .into_iter()
            .filter_map(|p| match p {
                Problem::Gap {
                    parent,
                    area_m2,
                    ring,
                    ..
                } if area_m2 <= SLIVER_M2 => Some((parent, geo::Boundary::from(ring).normalised())),
                _ => None,
            })
            .collect()
    };
    for (parent, gap) in gaps {
        let area = gap.area_m2();
        for (feature, code) in changed {
            let Some(&k) = at.get(code) else { continue };
            let s = &after[k];
            if s.parent.as_deref() != Some(parent.as_str()) || s.dedicated {
                continue;
            }
            let grown = s.boundary.union(&gap);
            if grown.parts().len() != s.boundary.parts().len() || grown.validate().is_err() {
                continue;
            }
            after[k].boundary = grown.clone();
            for e in out.edits.iter_mut() {
                if let GridEdit::Update { draft, .. } | GridEdit::Create { draft } = e {
                    if &draft.code == code {
                        draft.boundary = grown.clone();
                    }
                }
            }
            out.warnings.push(Issue {
                feature: *feature,
                key: "import.gap_filled".into(),
                args: vec![("area".into(), format!("{area:.1}"))],
            });
            break;
        }
    }
}

/// The features (in order, each once) that have an issue `key`.
fn features_with(issues: &[Issue], key: &str) -> Vec<usize> {
    let mut features: Vec<usize> = issues
        .iter()
        .filter(|x| x.key == key)
        .map(|x| x.feature)
        .collect();
    features.dedup();
    features
}

/// Joins the parts of features whose parts overlap or meet along a line (`geometry::join_parts`:
/// the same ground, one valid boundary), each with a note.
fn join_parts(drafts: &mut [GridDraft], issues: &mut Vec<Issue>) -> Vec<Issue> {
    let key = geo::Invalid::PartsOverlap.key();
    let features = features_with(issues, key);
    let mut notes = Vec::new();
    for f in features {
        let Some((boundary, shared)) = drafts.get(f).and_then(|d| geo::join_parts(&d.boundary))
        else {
            continue;
        };
        drafts[f].boundary = boundary;
        issues.retain(|x| !(x.feature == f && x.key == key));
        notes.push(Issue {
            feature: f,
            key: "import.parts_joined".into(),
            args: vec![("area".into(), format!("{shared:.1}"))],
        });
    }
    notes
}

/// Repairs the features whose ring crosses itself (`geometry::repair_boundary`): loops under
/// [`SLIVER_M2`] are dropped with a note; a repair into several parts is made only when the user
/// accepted it, else proposed (and the feature stays listed as `import.bowtie`).
fn repair_crossings(
    drafts: &mut [GridDraft],
    issues: &mut Vec<Issue>,
    options: &Options,
) -> (Vec<Issue>, Vec<Proposal>) {
    let crossing = geo::Invalid::SelfIntersection.key();
    let features = features_with(issues, crossing);
    let (mut notes, mut proposals) = (Vec::new(), Vec::new());
    for f in features {
        let Some(r) = drafts
            .get(f)
            .and_then(|d| geo::repair_boundary(&d.boundary, SLIVER_M2))
        else {
            continue;
        };
        let args = vec![
            ("parts".to_owned(), (r.parts_added + 1).to_string()),
            ("loops".to_owned(), r.loops_dropped.to_string()),
            ("area".to_owned(), format!("{:.1}", r.dropped_m2)),
        ];
        if r.parts_added == 0 || options.accept.contains(&f) {
            drafts[f].boundary = r.boundary;
            issues.retain(|x| !(x.feature == f && x.key == crossing));
            notes.push(Issue {
                feature: f,
                key: "import.repaired".into(),
                args,
            });
        } else {
            for x in issues
                .iter_mut()
                .filter(|x| x.feature == f && x.key == crossing)
            {
                x.key = "import.bowtie".into();
                x.args = args.clone();
            }
            proposals.push(Proposal {
                feature: f,
                key: "import.propose_parts".into(),
                args,
                boundary: r.boundary,
            });
        }
    }
    (notes, proposals)
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
