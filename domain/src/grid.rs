//! A grid's attributes as an editor submits them, checked before anything is stored, and the codes
//! of new grids (parent code + sequence, in the spirit of CJ/T 349).

use crate::code::Code;
use crate::event::clean_text;
use crate::geometry::{Boundary, Invalid};
use serde::{Deserialize, Serialize};

/// 基础网格 or 专属网格: dedicated grids (a school, a hospital) may overlap basic ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GridKind {
    /// 基础网格
    Basic,
    /// 专属网格 (a school, a hospital, an industrial park)
    Dedicated,
}

impl GridKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GridKind::Basic => "basic",
            GridKind::Dedicated => "dedicated",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "basic" => Some(GridKind::Basic),
            "dedicated" => Some(GridKind::Dedicated),
            _ => None,
        }
    }
}

pub const MAX_NAME: usize = 60;
pub const MAX_WORKERS: usize = 200;
/// The longest source code kept (an old system's grid code).
pub const MAX_SOURCE_CODE: usize = 64;
pub const MAX_COUNT: i64 = 1_000_000;
/// The default household load a grid is drawn for (Qixia: about 300 households per grid).
pub const DEFAULT_TARGET_HOUSEHOLDS: i64 = 300;

/// Grid attributes and boundary as typed and drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridDraft {
    pub code: String,
    pub parent_code: Option<String>,
    pub level: i64,
    pub name: String,
    pub kind: String,
    pub households: i64,
    pub population: i64,
    pub workers: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// One or more parts, each an outer ring and its holes. Older clients and stored revisions
    /// call it `ring` (one part, no holes), which still reads.
    #[serde(alias = "ring")]
    pub boundary: Boundary,
    /// The grid's code in the system it came from ("SQ-3-2", "WG0102"): any text, kept beside
    /// Linli's hierarchical `code` so the old system's lists still find it. Empty when none.
    #[serde(default)]
    pub source_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GridError {
    #[error("name")]
    Name,
    #[error("code")]
    Code,
    #[error("code outside parent")]
    CodeParent,
    #[error("level")]
    Level,
    #[error("kind")]
    Kind,
    #[error("count")]
    Count,
    #[error("workers")]
    Workers,
    #[error("dates")]
    Dates,
    #[error("source code")]
    SourceCode,
    #[error("geometry: {0:?}")]
    Geometry(Invalid),
}

impl GridError {
    pub fn key(&self) -> &'static str {
        match self {
            GridError::Name => "err.grid_name",
            GridError::Code => "err.grid_code",
            GridError::CodeParent => "err.grid_code_parent",
            GridError::Level => "err.grid_level",
            GridError::Kind => "err.grid_kind",
            GridError::Count => "err.grid_count",
            GridError::Workers => "err.grid_workers",
            GridError::Dates => "err.grid_dates",
            GridError::SourceCode => "err.grid_source_code",
            GridError::Geometry(i) => i.key(),
        }
    }
}

fn date_ok(s: &str) -> bool {
    crate::date::parse_ymd(s).is_some()
}

fn opt_date(s: &Option<String>) -> Result<Option<String>, GridError> {
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(d) if date_ok(d) => Ok(Some(d.to_owned())),
        Some(_) => Err(GridError::Dates),
    }
}

/// A draft checked and cleaned: trimmed text, a valid boundary wound as RFC 7946 says, a code beneath
/// the parent's, the level one below the parent's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckedGrid {
    pub code: Code,
    pub parent_code: Option<Code>,
    pub level: i64,
    pub name: String,
    pub kind: GridKind,
    pub households: i64,
    pub population: i64,
    pub workers: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub boundary: Boundary,
    pub source_code: String,
}

impl GridDraft {
    pub fn check(&self) -> Result<CheckedGrid, GridError> {
        let name = clean_text(&self.name, MAX_NAME, false)
            .filter(|n| !n.is_empty())
            .ok_or(GridError::Name)?;
        let code = Code::parse(&self.code).map_err(|_| GridError::Code)?;
        let parent_code = match self.parent_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => Some(Code::parse(p).map_err(|_| GridError::Code)?),
        };
        if let Some(p) = &parent_code {
            if !code.is_within(p) || code == *p {
                return Err(GridError::CodeParent);
            }
        }
        if !(1..=9).contains(&self.level) {
            return Err(GridError::Level);
        }
        let kind = GridKind::parse(&self.kind).ok_or(GridError::Kind)?;
        if !(0..=MAX_COUNT).contains(&self.households)
            || !(0..=MAX_COUNT).contains(&self.population)
        {
            return Err(GridError::Count);
        }
        let workers = clean_text(&self.workers, MAX_WORKERS, false).ok_or(GridError::Workers)?;
        let source_code =
            clean_text(&self.source_code, MAX_SOURCE_CODE, false).ok_or(GridError::SourceCode)?;
        let (valid_from, valid_to) = (opt_date(&self.valid_from)?, opt_date(&self.valid_to)?);
        if let (Some(a), Some(b)) = (&valid_from, &valid_to) {
            if a > b {
                return Err(GridError::Dates);
            }
        }
        if self.boundary.vertex_count() > crate::geometry::MAX_VERTICES + self.boundary.ring_count()
        {
            return Err(GridError::Geometry(Invalid::TooManyPoints));
        }
        let boundary = self.boundary.normalised();
        boundary.validate().map_err(GridError::Geometry)?;
        Ok(CheckedGrid {
            code,
            parent_code,
            level: self.level,
            name,
            kind,
            households: self.households,
            population: self.population,
            workers,
            valid_from,
            valid_to,
            boundary,
            source_code,
        })
    }
}

/// A part of a grid that an edit can change (what a conflict message says someone else changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GridField {
    Name,
    Code,
    Kind,
    Households,
    Population,
    Workers,
    ValidFrom,
    ValidTo,
    Boundary,
    SourceCode,
}

impl GridField {
    /// The translation key of the field's label.
    pub fn key(self) -> &'static str {
        match self {
            GridField::Name => "grid.name",
            GridField::Code => "grid.code",
            GridField::Kind => "grid.kind",
            GridField::Households => "grid.households",
            GridField::Population => "grid.population",
            GridField::Workers => "grid.workers",
            GridField::ValidFrom => "grid.valid_from",
            GridField::ValidTo => "grid.valid_to",
            GridField::Boundary => "grid.boundary",
            GridField::SourceCode => "grid.source_code",
        }
    }
}

/// One edit in a save; a save is all or nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum GridEdit {
    Update {
        id: i64,
        version: i64,
        draft: GridDraft,
    },
    Create {
        draft: GridDraft,
    },
    Delete {
        id: i64,
        version: i64,
    },
}

/// What the editing rules need to know of a grid, whichever type carries it (the map's view of a
/// grid in the browser, `Placed` on the server).
pub trait GridNode {
    fn code(&self) -> &str;
    fn parent_code(&self) -> Option<&str>;
    fn level(&self) -> i64;
    fn boundary(&self) -> &Boundary;
}

/// A grid as stored: its identity and version beside the fields a draft has (what an import
/// needs to turn a feature with a known code into an update).
pub trait StoredGrid: GridNode {
    fn id(&self) -> i64;
    fn version(&self) -> i64;
    fn dedicated(&self) -> bool;
    fn draft(&self) -> GridDraft;
    /// The old system's code (`GridDraft::source_code`), without copying the draft.
    fn source_code(&self) -> &str;
}

/// Whether any grid of `grids` lies directly under the grid `code` (such a grid cannot be deleted
/// or merged away until its children are).
pub fn has_children<G: GridNode>(grids: &[G], code: &str) -> bool {
    grids.iter().any(|g| g.parent_code() == Some(code))
}

/// Why two grids cannot be merged into the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeRefusal {
    /// Not siblings (same level, same parent), or the second is not the editor's.
    NotSiblings,
    /// The second still has children.
    HasChildren,
}

/// Whether `b` may be merged into `a` (geometry aside: `geometry::merge_rings` decides whether
/// they touch).
pub fn can_merge<G: GridNode>(
    grids: &[G],
    a: &impl GridNode,
    b: &impl GridNode,
    b_editable: bool,
) -> Result<(), MergeRefusal> {
    if a.level() != b.level() || a.parent_code() != b.parent_code() || !b_editable {
        return Err(MergeRefusal::NotSiblings);
    }
    if has_children(grids, b.code()) {
        return Err(MergeRefusal::HasChildren);
    }
    Ok(())
}

/// The parent for a grid drawn or imported at `level` with `boundary`: the grid one level up that
/// shares the most area with it (a point such as the mean of a concave grid's vertices can lie in
/// the neighbour); a boundary that cannot be measured falls back to the grid holding its first
/// vertex's label point. `None` for level 1, or when no grid of the level above meets it.
pub fn parent_for<'a, G: GridNode>(
    grids: &'a [G],
    level: i64,
    boundary: &Boundary,
) -> Option<&'a G> {
    use crate::geometry::{boxes_meet, AREA_EPSILON_M2};
    if level <= 1 {
        return None;
    }
    let above = || grids.iter().filter(|g| g.level() == level - 1);
    let bounds = boundary.bbox();
    let by_area = above()
        .filter(|g| boxes_meet(bounds, g.boundary().bbox()))
        .map(|g| (boundary.overlap_m2(g.boundary()), g))
        .filter(|(a, _)| *a > AREA_EPSILON_M2)
        .max_by(|x, y| x.0.total_cmp(&y.0))
        .map(|(_, g)| g);
    by_area.or_else(|| {
        let c = crate::geometry::mean_point(boundary.outer());
        above().find(|g| g.boundary().contains(c))
    })
}

/// Where a new top-level grid's code starts, and the width of its sequence: the existing
/// top-level grids' prefix; else the district's code (`Code::district`, GB/T 2260) with
/// three-digit sequences, as a street's code (GB/T 10114) continues its district's; else `1`
/// (no district set yet: the map and the import say so).
pub fn top_level_prefix<'a>(
    top_level_codes: impl IntoIterator<Item = &'a str>,
    district: Option<&Code>,
) -> (String, Option<usize>) {
    match (top_level_codes.into_iter().next(), district) {
        // A street's code: its district's and three digits.
        (Some(c), _) if c.len() > 3 => (c[..c.len() - 3].to_owned(), None),
        (None, Some(d)) => (d.as_str().to_owned(), Some(3)),
        // None yet, or numbered before a district was set: "101", "102", …
        _ => ("1".into(), None),
    }
}

/// The code of a new child of `parent` (`None`: a new top-level grid, whose code starts at
/// `top_level_prefix`) among `siblings`, the parent's direct children (`Code::next_child`). The
/// one rule for the editor (a grid drawn or split off) and the import. Refused with
/// [`CODE_FULL`] when the sequence would outgrow its siblings' width: …10 and …100 would put the
/// new grid's code inside a sibling's prefix, and with it inside that sibling's scope.
pub fn child_code<'a>(
    parent: Option<&str>,
    siblings: impl IntoIterator<Item = &'a str> + Clone,
    district: Option<&Code>,
) -> Result<String, &'static str> {
    let (prefix, width) = match parent {
        Some(p) => (p.to_owned(), None),
        None => top_level_prefix(siblings.clone(), district),
    };
    let Ok(pc) = Code::parse(&prefix) else {
        return Ok(prefix);
    };
    let code = pc.next_child(siblings.clone(), width);
    let seq_width = |c: &str| c.len() - prefix.len();
    if siblings
        .into_iter()
        .any(|s| s.starts_with(&prefix) && seq_width(s) < seq_width(code.as_str()))
    {
        return Err(CODE_FULL);
    }
    Ok(code.as_str().to_owned())
}

/// Why [`child_code`] found no code: the parent's codes at its children's width are used up.
pub const CODE_FULL: &str = "import.code_full";

/// [`child_code`] for a new grid at `level` under `parent`, its siblings taken from `grids`.
pub fn new_code<G: GridNode>(
    grids: &[G],
    parent: Option<&str>,
    level: i64,
    district: Option<&Code>,
) -> Result<String, &'static str> {
    let siblings: Vec<&str> = grids
        .iter()
        .filter(|g| g.level() == level && g.parent_code() == parent)
        .map(|g| g.code())
        .collect();
    child_code(parent, siblings.iter().copied(), district)
}

impl<T: GridNode> GridNode for std::sync::Arc<T> {
    fn code(&self) -> &str {
        (**self).code()
    }
    fn parent_code(&self) -> Option<&str> {
        (**self).parent_code()
    }
    fn level(&self) -> i64 {
        (**self).level()
    }
    fn boundary(&self) -> &Boundary {
        (**self).boundary()
    }
}

impl<T: StoredGrid> StoredGrid for std::sync::Arc<T> {
    fn id(&self) -> i64 {
        (**self).id()
    }
    fn version(&self) -> i64 {
        (**self).version()
    }
    fn dedicated(&self) -> bool {
        (**self).dedicated()
    }
    fn draft(&self) -> GridDraft {
        (**self).draft()
    }
    fn source_code(&self) -> &str {
        (**self).source_code()
    }
}

impl GridNode for Placed {
    fn code(&self) -> &str {
        &self.code
    }
    fn parent_code(&self) -> Option<&str> {
        self.parent.as_deref()
    }
    fn level(&self) -> i64 {
        self.level
    }
    fn boundary(&self) -> &Boundary {
        &self.boundary
    }
}

/// A grid as the save rules see it: where it sits in the hierarchy and its boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// The stored grid's id (a code may change in a save; the id does not).
    pub id: i64,
    pub code: String,
    pub parent: Option<String>,
    pub level: i64,
    pub name: String,
    pub kind: GridKind,
    pub boundary: Boundary,
}

impl Placed {
    pub fn label(&self) -> String {
        format!("{}（{}）", self.name, self.code)
    }

    fn shape(&self) -> crate::geometry::Shape {
        crate::geometry::Shape {
            code: self.code.clone(),
            parent: self.parent.clone(),
            dedicated: self.kind == GridKind::Dedicated,
            boundary: self.boundary.clone(),
        }
    }
}

/// Why a save is refused: a translation key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveRefusal {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl SaveRefusal {
    fn of(key: &'static str, grid: &Placed) -> SaveRefusal {
        SaveRefusal {
            key,
            args: vec![("grid", grid.label())],
        }
    }
}

/// The rules a save must keep, over the whole map as it would be after the save (`after`) and as
/// it was (`before`), for the grids whose codes are in `changed`: levels and codes nest (a child's
/// code is its parent's plus a sequence, one level down; only level 1 has no parent), and no
/// changed grid becomes invalid, overlaps a sibling or spills out of its parent where it did not
/// before (problems that were already there do not block an unrelated edit; gaps never block).
pub fn check_save(
    changed: &[String],
    before: &[Placed],
    after: &[Placed],
) -> Result<(), SaveRefusal> {
    use crate::geometry::{Index, Problem};
    let find = |map: &[Placed], code: &str| map.iter().position(|g| g.code == code);
    let name_of = |code: &str| {
        find(after, code)
            .map(|i| after[i].label())
            .or_else(|| find(before, code).map(|i| before[i].label()))
            .unwrap_or_else(|| code.to_owned())
    };
    for g in after {
        match &g.parent {
            Some(pc) => {
                let Some(i) = find(after, pc) else {
                    return Err(SaveRefusal {
                        key: "err.grid_parent_missing",
                        args: Vec::new(),
                    });
                };
                let parent = &after[i];
                if parent.level + 1 != g.level {
                    return Err(SaveRefusal::of("err.grid_level", g));
                }
                if !g.code.starts_with(&parent.code) || g.code == parent.code {
                    return Err(SaveRefusal::of("err.grid_code_parent", g));
                }
            }
            None if g.level != 1 => return Err(SaveRefusal::of("err.grid_level", g)),
            None => {}
        }
    }
    let shapes = |map: &[Placed]| map.iter().map(Placed::shape).collect::<Vec<_>>();
    let around = |map: &[Placed]| {
        let idx: Vec<usize> = changed.iter().filter_map(|c| find(map, c)).collect();
        Index::new(&shapes(map)).check_around(&idx)
    };
    let key = |p: &Problem| -> String {
        match p {
            Problem::Invalid { code, .. } => format!("i{code}"),
            Problem::Overlap { code, other, .. } => {
                let (a, b) = if code < other {
                    (code, other)
                } else {
                    (other, code)
                };
                format!("o{a}/{b}")
            }
            Problem::Spill { code, .. } => format!("s{code}"),
            Problem::Gap { parent, .. } => format!("g{parent}"),
        }
    };
    let old: std::collections::HashSet<String> = around(before).iter().map(key).collect();
    let problems = around(after);
    let new = problems.iter().find(|p| {
        p.blocks_save() && (matches!(p, Problem::Invalid { .. }) || !old.contains(&key(p)))
    });
    match new {
        None => Ok(()),
        Some(p) => {
            let (key, args) = p.message(name_of);
            Err(SaveRefusal { key, args })
        }
    }
}

/// A grid that still has children cannot be deleted: the first child left under a grid of
/// `before` that `after` no longer has (by id), as (deleted grid, child).
pub fn orphaned<'a>(before: &'a [Placed], after: &'a [Placed]) -> Option<(&'a Placed, &'a Placed)> {
    before
        .iter()
        .filter(|g| !after.iter().any(|a| a.id == g.id))
        .find_map(|g| {
            after
                .iter()
                .find(|a| a.parent.as_deref() == Some(g.code.as_str()))
                .map(|kid| (g, kid))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> GridDraft {
        GridDraft {
            code: "32011300100101".into(),
            parent_code: Some("320113001001".into()),
            level: 2,
            name: "  <b>第一网格</b> ".into(),
            kind: "basic".into(),
            households: 300,
            population: 800,
            workers: "王五".into(),
            valid_from: Some("2026-01-01".into()),
            valid_to: None,
            boundary: Boundary::from(vec![
                [118.0, 32.0],
                [118.0, 32.01],
                [118.01, 32.01],
                [118.01, 32.0],
            ]),
            source_code: String::new(),
        }
    }

    #[test]
    fn a_good_draft_is_cleaned() {
        let g = draft().check().unwrap();
        assert_eq!(g.name, "<b>第一网格</b>", "markup stays text, trimmed");
        assert_eq!(g.boundary.outer().len(), 5, "closed");
        let r = g.boundary.outer();
        assert!(r[1][0] > r[0][0], "turned counter-clockwise");
    }

    #[test]
    fn bad_fields_each_say_which() {
        let cases: Vec<(fn(&mut GridDraft), GridError)> = vec![
            (|d| d.name = " ".into(), GridError::Name),
            (|d| d.name = "x".repeat(10_000), GridError::Name),
            (|d| d.name = "a\u{0}b".into(), GridError::Name),
            (|d| d.code = "3201A".into(), GridError::Code),
            (|d| d.code = "32011300200101".into(), GridError::CodeParent),
            (|d| d.level = 0, GridError::Level),
            (|d| d.kind = "school".into(), GridError::Kind),
            (|d| d.households = -1, GridError::Count),
            (|d| d.valid_to = Some("2025-01-01".into()), GridError::Dates),
            (
                |d| d.valid_from = Some("01/01/2026".into()),
                GridError::Dates,
            ),
            (
                |d| d.boundary.0[0][0].truncate(2),
                GridError::Geometry(Invalid::TooFewPoints),
            ),
            (
                |d| {
                    d.boundary.0[0][0] = vec![
                        [118.0, 32.0],
                        [118.01, 32.01],
                        [118.01, 32.0],
                        [118.0, 32.01],
                    ]
                },
                GridError::Geometry(Invalid::SelfIntersection),
            ),
            (
                |d| d.boundary.0[0][0][0] = [200.0, 32.0],
                GridError::Geometry(Invalid::OutOfRange),
            ),
        ];
        for (edit, want) in cases {
            let mut d = draft();
            edit(&mut d);
            assert_eq!(d.check(), Err(want.clone()), "{want:?}");
        }
    }

    fn square(code: &str, parent: Option<&str>, level: i64, x: f64, y: f64, size: f64) -> Placed {
        Placed {
            id: code.parse().unwrap_or(0),
            code: code.into(),
            parent: parent.map(Into::into),
            level,
            name: format!("网格{code}"),
            kind: GridKind::Basic,
            boundary: Boundary::from(vec![
                [x, y],
                [x + size, y],
                [x + size, y + size],
                [x, y + size],
                [x, y],
            ]),
        }
    }

    fn map() -> Vec<Placed> {
        vec![
            square("1", None, 1, 118.0, 32.0, 0.02),
            square("101", Some("1"), 2, 118.0, 32.0, 0.01),
            square("102", Some("1"), 2, 118.01, 32.0, 0.01),
        ]
    }

    #[test]
    fn saves_keep_levels_codes_and_boundaries() {
        let before = map();
        let changed = |c: &str| vec![c.to_owned()];
        // A harmless edit.
        let mut after = before.clone();
        after[1].name = "改名".into();
        assert_eq!(check_save(&changed("101"), &before, &after), Ok(()));
        // A child one level too deep, a code that does not extend its parent's, a parentless level 2.
        let mut after = before.clone();
        after[2].level = 3;
        assert_eq!(
            check_save(&changed("102"), &before, &after)
                .unwrap_err()
                .key,
            "err.grid_level"
        );
        let mut after = before.clone();
        after.push(square("201", Some("1"), 2, 118.0, 32.01, 0.01));
        assert_eq!(
            check_save(&changed("201"), &before, &after)
                .unwrap_err()
                .key,
            "err.grid_code_parent"
        );
        let mut after = before.clone();
        after.push(square("2", None, 2, 119.0, 32.0, 0.01));
        assert_eq!(
            check_save(&changed("2"), &before, &after).unwrap_err().key,
            "err.grid_level"
        );
        let mut after = before.clone();
        after.push(square("901", Some("9"), 2, 119.0, 32.0, 0.01));
        assert_eq!(
            check_save(&changed("901"), &before, &after)
                .unwrap_err()
                .key,
            "err.grid_parent_missing"
        );
        // Moving 102 onto 101 overlaps it; moving it out of 1 spills; both name the grid.
        let mut after = before.clone();
        after[2] = square("102", Some("1"), 2, 118.005, 32.0, 0.01);
        let r = check_save(&changed("102"), &before, &after).unwrap_err();
        assert!(r.key.contains("overlap"), "{r:?}");
        let mut after = before.clone();
        after[2] = square("102", Some("1"), 2, 118.015, 32.0, 0.01);
        let r = check_save(&changed("102"), &before, &after).unwrap_err();
        assert!(r.key.contains("spill"), "{r:?}");
        // A gap (102 shrinks) does not block.
        let mut after = before.clone();
        after[2] = square("102", Some("1"), 2, 118.01, 32.0, 0.005);
        assert_eq!(check_save(&changed("102"), &before, &after), Ok(()));
    }

    #[test]
    fn a_grid_with_children_is_not_deleted_alone() {
        let before = map();
        let after: Vec<Placed> = before.iter().filter(|g| g.code != "1").cloned().collect();
        let (gone, kid) = orphaned(&before, &after).unwrap();
        assert_eq!((gone.code.as_str(), kid.code.as_str()), ("1", "101"));
        let after: Vec<Placed> = before.iter().filter(|g| g.code != "102").cloned().collect();
        assert!(orphaned(&before, &after).is_none());
    }

    #[test]
    fn editing_rules_over_any_grid() {
        let grids = map();
        assert!(has_children(&grids, "1"));
        assert!(!has_children(&grids, "101"));
        assert_eq!(can_merge(&grids, &grids[1], &grids[2], true), Ok(()));
        assert_eq!(
            can_merge(&grids, &grids[1], &grids[2], false),
            Err(MergeRefusal::NotSiblings)
        );
        assert_eq!(
            can_merge(&grids, &grids[1], &grids[0], true),
            Err(MergeRefusal::NotSiblings)
        );
        let mut with_kid = grids.clone();
        with_kid.push(square("102001", Some("102"), 3, 118.01, 32.0, 0.005));
        assert_eq!(
            can_merge(&with_kid, &with_kid[1], &with_kid[2], true),
            Err(MergeRefusal::HasChildren)
        );
        let inner = square("x", None, 2, 118.012, 32.002, 0.001);
        assert_eq!(
            parent_for(&grids, 2, &inner.boundary).map(|g| g.code.as_str()),
            Some("1")
        );
        assert_eq!(
            parent_for(&grids, 3, &inner.boundary).map(|g| g.code.as_str()),
            Some("102")
        );
        assert!(parent_for(
            &grids,
            2,
            &square("y", None, 2, 120.0, 30.0, 0.001).boundary
        )
        .is_none());
        assert!(parent_for(&grids, 1, &inner.boundary).is_none());
        assert_eq!(new_code(&grids, Some("1"), 2, None).unwrap(), "103");
        assert_eq!(new_code(&grids, Some("101"), 3, None).unwrap(), "10101");
    }

    #[test]
    fn the_first_top_level_grid_is_numbered_under_the_district() {
        let none: Vec<Placed> = Vec::new();
        let district = Code::district("320113").unwrap();
        assert_eq!(
            new_code(&none, None, 1, Some(&district)).unwrap(),
            "320113001"
        );
        assert_eq!(
            new_code(&none, None, 1, None).unwrap(),
            "101",
            "no district: the fallback prefix"
        );
        let first = vec![square("320113001", None, 1, 118.0, 32.0, 0.01)];
        assert_eq!(
            new_code(&first, None, 1, Some(&district)).unwrap(),
            "320113002"
        );
        assert_eq!(
            new_code(&first, None, 1, None).unwrap(),
            "320113002",
            "existing top-level grids lead, set or not"
        );
        let unset = vec![square("101", None, 1, 118.0, 32.0, 0.01)];
        assert_eq!(
            new_code(&unset, None, 1, None).unwrap(),
            "102",
            "numbered before a district was set: on from there"
        );
    }
}
