//! The party organisation tree: levels, units, and the rules every edit must pass. The level set is
//! deployment configuration (Qixia uses five levels, Tongchuan four), so rules ask the `LevelSet`
//! rather than naming levels in code. Nothing here does IO: the tree editor in the browser checks a
//! drop with the same functions the server runs before it writes.

use crate::code::Code;
use crate::event::clean_text;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    /// Stable key stored in the database, e.g. `committee`.
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// Keys of the levels allowed directly beneath this one.
    pub children: Vec<String>,
    /// Default term length in years (换届): 5 for community level, 3 otherwise.
    pub term_years: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelSet {
    pub levels: Vec<Level>,
}

fn level(key: &str, zh: &str, en: &str, children: &[&str], term_years: u8) -> Level {
    Level {
        key: key.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        children: children.iter().map(|s| s.to_string()).collect(),
        term_years,
    }
}

impl LevelSet {
    /// Qixia / Leshan: 街道党工委 → 社区党委 → 小区党支部 → 楼栋党小组 → 党员中心户.
    pub fn five_level() -> Self {
        LevelSet {
            levels: vec![
                level(
                    "working-committee",
                    "街道党工委",
                    "Street working committee",
                    &["committee"],
                    5,
                ),
                level(
                    "committee",
                    "社区党委",
                    "Community committee",
                    &["branch"],
                    5,
                ),
                level("branch", "小区党支部", "Compound branch", &["group"], 3),
                level(
                    "group",
                    "楼栋党小组",
                    "Building group",
                    &["central-household"],
                    3,
                ),
                level(
                    "central-household",
                    "党员中心户",
                    "Central household",
                    &[],
                    3,
                ),
            ],
        }
    }

    /// Tongchuan: 社区党组织 → 网格党支部 → 楼栋党小组 → 党员中心户.
    pub fn four_level() -> Self {
        LevelSet {
            levels: vec![
                level(
                    "committee",
                    "社区党组织",
                    "Community party organisation",
                    &["branch"],
                    5,
                ),
                level("branch", "网格党支部", "Grid branch", &["group"], 3),
                level(
                    "group",
                    "楼栋党小组",
                    "Building group",
                    &["central-household"],
                    3,
                ),
                level(
                    "central-household",
                    "党员中心户",
                    "Central household",
                    &[],
                    3,
                ),
            ],
        }
    }

    pub fn get(&self, key: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.key == key)
    }

    /// The level a tree's root must have.
    pub fn root(&self) -> &Level {
        &self.levels[0]
    }

    pub fn allows_child(&self, parent: &str, child: &str) -> bool {
        self.get(parent)
            .is_some_and(|p| p.children.iter().any(|c| c == child))
    }

    /// The level set stored in the `org_levels` setting: `five`, `four`, or a JSON `LevelSet`.
    pub fn from_setting(value: &str) -> Option<LevelSet> {
        match value.trim() {
            "" | "five" => Some(LevelSet::five_level()),
            "four" => Some(LevelSet::four_level()),
            json => serde_json::from_str::<LevelSet>(json)
                .ok()
                .filter(|s| s.is_consistent()),
        }
    }

    /// Non-empty, unique keys, children naming known levels, no level beneath itself.
    pub fn is_consistent(&self) -> bool {
        let keys: HashSet<&str> = self.levels.iter().map(|l| l.key.as_str()).collect();
        !self.levels.is_empty()
            && keys.len() == self.levels.len()
            && self.levels.iter().all(|l| {
                !l.key.is_empty()
                    && (1..=10).contains(&l.term_years)
                    && l.children
                        .iter()
                        .all(|c| keys.contains(c.as_str()) && c != &l.key)
            })
    }

    /// The name of a level in the UI's language, or the key itself for an unknown level.
    pub fn name(&self, key: &str, zh: bool) -> String {
        self.get(key)
            .map(|l| {
                if zh {
                    l.name_zh.clone()
                } else {
                    l.name_en.clone()
                }
            })
            .unwrap_or_else(|| key.to_owned())
    }

    /// Default term length for a level (3 years when the level is unknown).
    pub fn term_years(&self, key: &str) -> u8 {
        self.get(key).map(|l| l.term_years).unwrap_or(3)
    }

    /// Depth of a level key (0 for the root level).
    pub fn depth(&self, key: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.key == key)
    }
}

/// Longest unit name (characters). Names are plain text: markup is kept as typed and shown escaped.
pub const MAX_NAME: usize = 60;
/// Longest person name, role holder's resident unit, move/dissolve reason and document number.
pub const MAX_PERSON: usize = 40;
pub const MAX_REASON: usize = 200;
pub const MAX_DOC_NO: usize = 60;
/// The most units one import may carry.
pub const MAX_IMPORT_ROWS: usize = 20_000;

/// One live (not dissolved) party unit as the tree editor and the server's checks see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgUnit {
    pub id: i64,
    pub parent: Option<i64>,
    pub code: String,
    pub level: String,
    pub name: String,
    /// The secretary's (书记) name; residents see this and the unit's name only.
    pub secretary: Option<String>,
    pub grid: Option<String>,
    pub term_start: Option<String>,
    pub term_years: u8,
    /// Party members recorded on this unit itself (not beneath it).
    pub members: i64,
    pub version: i64,
}

/// Why an edit of the tree is refused. `key()` is the translation key; the UI fills in names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    #[error("unit name")]
    Name,
    #[error("person name")]
    Person,
    #[error("reason")]
    Reason,
    #[error("document number")]
    DocNo,
    #[error("date")]
    Date,
    #[error("term years")]
    TermYears,
    #[error("role")]
    Role,
    #[error("level {child} not allowed under {parent}")]
    LevelNotAllowed { child: String, parent: String },
    #[error("{unit} would lie beneath itself")]
    Cycle { unit: String },
    #[error("{unit} is outside your scope")]
    OutOfScope { unit: String },
    #[error("{unit} still has units beneath it")]
    HasChildren { unit: String },
    #[error("unknown unit")]
    UnknownUnit,
    #[error("already there")]
    SameParent { unit: String },
}

impl OrgError {
    pub fn key(&self) -> &'static str {
        match self {
            OrgError::Name => "err.org_name",
            OrgError::Person => "err.org_person",
            OrgError::Reason => "err.org_reason",
            OrgError::DocNo => "err.org_doc_no",
            OrgError::Date => "err.date",
            OrgError::TermYears => "err.org_term_years",
            OrgError::Role => "err.org_role",
            OrgError::LevelNotAllowed { .. } => "err.org_level",
            OrgError::Cycle { .. } => "err.org_cycle",
            OrgError::OutOfScope { .. } => "err.org_scope",
            OrgError::HasChildren { .. } => "err.org_has_children",
            OrgError::UnknownUnit => "err.not_found",
            OrgError::SameParent { .. } => "err.org_same_parent",
        }
    }

    /// Values for the `{placeholders}` of the message.
    pub fn args(&self) -> Vec<(String, String)> {
        match self {
            OrgError::LevelNotAllowed { child, parent } => vec![
                ("child".into(), child.clone()),
                ("parent".into(), parent.clone()),
            ],
            OrgError::Cycle { unit }
            | OrgError::OutOfScope { unit }
            | OrgError::HasChildren { unit }
            | OrgError::SameParent { unit } => vec![("unit".into(), unit.clone())],
            _ => vec![],
        }
    }
}

/// A unit name as typed: trimmed, 1–60 characters, no control characters.
pub fn clean_name(s: &str) -> Result<String, OrgError> {
    clean_text(s, MAX_NAME, false)
        .filter(|n| !n.is_empty())
        .ok_or(OrgError::Name)
}

/// A move or dissolution reason: required, up to 200 characters.
pub fn clean_reason(s: &str) -> Result<String, OrgError> {
    clean_text(s, MAX_REASON, false)
        .filter(|n| !n.is_empty())
        .ok_or(OrgError::Reason)
}

/// A document number (文号), e.g. `栖委组〔2026〕12号`; may be empty.
pub fn clean_doc_no(s: &str) -> Result<String, OrgError> {
    clean_text(s, MAX_DOC_NO, false).ok_or(OrgError::DocNo)
}

/// A `YYYY-MM-DD` date that exists (`date::parse_ymd`).
pub fn parse_date(s: &str) -> Result<(i64, u32, u32), OrgError> {
    crate::date::parse_ymd(s).ok_or(OrgError::Date)
}

/// The roles people hold on a unit (a part-time member comes from a resident unit).
pub const ROLES: [&str; 8] = [
    "secretary",
    "deputy-secretary",
    "organisation",
    "propaganda",
    "discipline",
    "committee",
    "part-time",
    "member",
];

/// Someone holding a role on a unit, as the details form submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleHolder {
    /// The stored row this edits; `None` for a new one.
    pub id: Option<i64>,
    pub role: String,
    pub person_name: String,
    /// Full number for a new or changed phone; the masked form shown in the form keeps the stored one.
    pub phone: String,
    /// The resident unit (驻区单位) a part-time member comes from.
    pub resident_unit: String,
}

impl RoleHolder {
    pub fn check(&self) -> Result<RoleHolder, OrgError> {
        if !ROLES.contains(&self.role.as_str()) {
            return Err(OrgError::Role);
        }
        let person_name = clean_text(&self.person_name, MAX_PERSON, false)
            .filter(|n| !n.is_empty())
            .ok_or(OrgError::Person)?;
        let resident_unit =
            clean_text(&self.resident_unit, MAX_PERSON, false).ok_or(OrgError::Person)?;
        let phone = self.phone.trim().to_owned();
        if phone.chars().count() > 20
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || "+-* ".contains(c))
        {
            return Err(OrgError::Person);
        }
        Ok(RoleHolder {
            id: self.id,
            role: self.role.clone(),
            person_name,
            phone,
            resident_unit,
        })
    }
}

/// Details of a unit the organiser edits in its panel (name and place in the tree have their own commands).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitDetails {
    pub term_start: Option<String>,
    pub term_years: u8,
    pub grid: Option<String>,
    pub roles: Vec<RoleHolder>,
}

impl UnitDetails {
    pub fn check(&self) -> Result<UnitDetails, OrgError> {
        let term_start = match self.term_start.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => {
                parse_date(d)?;
                Some(d.to_owned())
            }
        };
        if !(1..=10).contains(&self.term_years) {
            return Err(OrgError::TermYears);
        }
        let grid = match self.grid.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(g) => Some(
                Code::parse(g)
                    .map_err(|_| OrgError::UnknownUnit)?
                    .to_string(),
            ),
        };
        if self.roles.len() > 500 {
            return Err(OrgError::Role);
        }
        let roles = self
            .roles
            .iter()
            .map(RoleHolder::check)
            .collect::<Result<_, _>>()?;
        Ok(UnitDetails {
            term_start,
            term_years: self.term_years,
            grid,
            roles,
        })
    }
}

/// One edit of the tree. Units are named by id (codes change when a unit moves) and carry the
/// version the editor saw, so an edit based on an old version is refused, never merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum OrgCommand {
    Add {
        parent: i64,
        level: String,
        name: String,
    },
    Rename {
        id: i64,
        version: i64,
        name: String,
    },
    /// Re-parent; the unit and everything beneath it get codes under the new parent.
    Move {
        id: i64,
        version: i64,
        parent: i64,
        reason: String,
        doc_no: String,
    },
    /// Kept in history with reason and 文号; refused while units remain beneath it.
    Dissolve {
        id: i64,
        version: i64,
        reason: String,
        doc_no: String,
    },
    /// Brings a dissolved unit back (the undo of a dissolution).
    Reinstate {
        id: i64,
        version: i64,
    },
    Details {
        id: i64,
        version: i64,
        details: UnitDetails,
    },
}

impl OrgCommand {
    /// The unit the command changes (the parent for `Add`).
    pub fn unit(&self) -> i64 {
        match self {
            OrgCommand::Add { parent, .. } => *parent,
            OrgCommand::Rename { id, .. }
            | OrgCommand::Move { id, .. }
            | OrgCommand::Dissolve { id, .. }
            | OrgCommand::Reinstate { id, .. }
            | OrgCommand::Details { id, .. } => *id,
        }
    }

    /// Checks the free-text fields; tree rules are `Tree::check`.
    pub fn clean(&self) -> Result<OrgCommand, OrgError> {
        Ok(match self {
            OrgCommand::Add {
                parent,
                level,
                name,
            } => OrgCommand::Add {
                parent: *parent,
                level: level.clone(),
                name: clean_name(name)?,
            },
            OrgCommand::Rename { id, version, name } => OrgCommand::Rename {
                id: *id,
                version: *version,
                name: clean_name(name)?,
            },
            OrgCommand::Move {
                id,
                version,
                parent,
                reason,
                doc_no,
            } => OrgCommand::Move {
                id: *id,
                version: *version,
                parent: *parent,
                reason: clean_reason(reason)?,
                doc_no: clean_doc_no(doc_no)?,
            },
            OrgCommand::Dissolve {
                id,
                version,
                reason,
                doc_no,
            } => OrgCommand::Dissolve {
                id: *id,
                version: *version,
                reason: clean_reason(reason)?,
                doc_no: clean_doc_no(doc_no)?,
            },
            OrgCommand::Reinstate { id, version } => OrgCommand::Reinstate {
                id: *id,
                version: *version,
            },
            OrgCommand::Details {
                id,
                version,
                details,
            } => OrgCommand::Details {
                id: *id,
                version: *version,
                details: details.check()?,
            },
        })
    }
}

/// One row of the flattened, visible tree: what a virtualised tree renders, with the ARIA
/// position every rendered item must carry (not all items are in the DOM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VisibleRow {
    pub id: i64,
    /// 1-based (`aria-level`).
    pub depth: usize,
    pub setsize: usize,
    pub posinset: usize,
    pub has_children: bool,
    pub expanded: bool,
}

/// The live units, indexed for the editor's and the server's questions.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    units: Vec<OrgUnit>,
    index: HashMap<i64, usize>,
    children: HashMap<i64, Vec<i64>>,
    roots: Vec<i64>,
}

impl Tree {
    pub fn new(mut units: Vec<OrgUnit>) -> Tree {
        units.sort_by(|a, b| a.code.cmp(&b.code));
        let index: HashMap<i64, usize> = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut roots = Vec::new();
        for u in &units {
            match u.parent.filter(|p| index.contains_key(p)) {
                Some(p) => children.entry(p).or_default().push(u.id),
                None => roots.push(u.id),
            }
        }
        Tree {
            units,
            index,
            children,
            roots,
        }
    }

    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    pub fn units(&self) -> &[OrgUnit] {
        &self.units
    }

    pub fn get(&self, id: i64) -> Option<&OrgUnit> {
        self.index.get(&id).map(|&i| &self.units[i])
    }

    pub fn by_code(&self, code: &str) -> Option<&OrgUnit> {
        self.units
            .binary_search_by(|u| u.code.as_str().cmp(code))
            .ok()
            .map(|i| &self.units[i])
    }

    pub fn roots(&self) -> &[i64] {
        &self.roots
    }

    pub fn children(&self, id: i64) -> &[i64] {
        self.children.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn parent(&self, id: i64) -> Option<i64> {
        self.get(id)
            .and_then(|u| u.parent)
            .filter(|p| self.index.contains_key(p))
    }

    /// The unit's ancestors, nearest first.
    pub fn ancestors(&self, id: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut at = self.parent(id);
        while let Some(p) = at {
            if out.contains(&p) || out.len() > self.units.len() {
                break;
            }
            out.push(p);
            at = self.parent(p);
        }
        out
    }

    /// True when `id` is `of` or lies beneath it.
    pub fn is_within(&self, id: i64, of: i64) -> bool {
        id == of || self.ancestors(id).contains(&of)
    }

    /// The unit and everything beneath it, in tree order.
    pub fn subtree(&self, id: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            out.push(n);
            stack.extend(self.children(n).iter().rev());
        }
        out
    }

    /// The rows to render: roots, then the children of every expanded unit. With `only`, just those
    /// units are shown (search results and their ancestors), all opened.
    pub fn visible(&self, expanded: &HashSet<i64>, only: Option<&HashSet<i64>>) -> Vec<VisibleRow> {
        let keep = |id: &i64| only.is_none_or(|o| o.contains(id));
        let mut out = Vec::new();
        let mut stack: Vec<(i64, usize, usize, usize)> = Vec::new();
        let push_level =
            |stack: &mut Vec<(i64, usize, usize, usize)>, ids: &[i64], depth: usize| {
                let shown: Vec<i64> = ids.iter().copied().filter(keep).collect();
                let n = shown.len();
                for (i, id) in shown.into_iter().enumerate().rev() {
                    stack.push((id, depth, n, i + 1));
                }
            };
        push_level(&mut stack, &self.roots, 1);
        while let Some((id, depth, setsize, posinset)) = stack.pop() {
            let kids = self.children(id);
            let has_children = if only.is_some() {
                kids.iter().any(keep)
            } else {
                !kids.is_empty()
            };
            let open = has_children && (only.is_some() || expanded.contains(&id));
            out.push(VisibleRow {
                id,
                depth,
                setsize,
                posinset,
                has_children,
                expanded: open,
            });
            if open {
                push_level(&mut stack, kids, depth + 1);
            }
        }
        out
    }

    /// Units whose name contains `query` (ignoring case) or whose code starts with it, in tree order.
    pub fn search(&self, query: &str) -> Vec<i64> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        self.units
            .iter()
            .filter(|u| u.code.starts_with(&q) || u.name.to_lowercase().contains(&q))
            .map(|u| u.id)
            .collect()
    }

    /// The matches and every ancestor of a match: what a filtered tree shows.
    pub fn reveal(&self, matches: &[i64]) -> HashSet<i64> {
        let mut keep = HashSet::new();
        for &m in matches {
            if keep.insert(m) {
                for a in self.ancestors(m) {
                    if !keep.insert(a) {
                        break;
                    }
                }
            }
        }
        keep
    }

    /// Every unit that has children (expand all).
    pub fn parents(&self) -> HashSet<i64> {
        self.children.keys().copied().collect()
    }

    /// Number of units per level key.
    pub fn count_by_level(&self) -> HashMap<String, usize> {
        let mut m = HashMap::new();
        for u in &self.units {
            *m.entry(u.level.clone()).or_insert(0) += 1;
        }
        m
    }

    /// Party members recorded on each unit and everything beneath it.
    pub fn members_under(&self) -> HashMap<i64, i64> {
        let mut total: HashMap<i64, i64> = self.units.iter().map(|u| (u.id, u.members)).collect();
        // Deepest first, adding each unit's total into its parent.
        let mut order: Vec<(usize, i64)> = Vec::with_capacity(self.units.len());
        let mut stack: Vec<(i64, usize)> = self.roots.iter().map(|&r| (r, 0)).collect();
        while let Some((id, d)) = stack.pop() {
            order.push((d, id));
            stack.extend(self.children(id).iter().map(|&c| (c, d + 1)));
        }
        order.sort_by(|a, b| b.0.cmp(&a.0));
        for (_, id) in order {
            if let Some(p) = self.parent(id) {
                let own = total[&id];
                *total.entry(p).or_insert(0) += own;
            }
        }
        total
    }

    /// May `ids` move beneath `target`? Every rule the server applies, in the order a user can fix
    /// them: the target's level must allow each unit's level, no unit may go beneath itself, and
    /// the caller must be allowed to edit each unit and the target (`editable` by code).
    pub fn can_move(
        &self,
        levels: &LevelSet,
        ids: &[i64],
        target: i64,
        editable: impl Fn(&str) -> bool,
    ) -> Result<(), OrgError> {
        let t = self.get(target).ok_or(OrgError::UnknownUnit)?;
        if !editable(&t.code) {
            return Err(OrgError::OutOfScope {
                unit: t.name.clone(),
            });
        }
        for &id in ids {
            let u = self.get(id).ok_or(OrgError::UnknownUnit)?;
            if self.is_within(target, id) {
                return Err(OrgError::Cycle {
                    unit: u.name.clone(),
                });
            }
            if !levels.allows_child(&t.level, &u.level) {
                return Err(OrgError::LevelNotAllowed {
                    child: levels.name(&u.level, true),
                    parent: levels.name(&t.level, true),
                });
            }
            if !editable(&u.code) {
                return Err(OrgError::OutOfScope {
                    unit: u.name.clone(),
                });
            }
            if u.parent == Some(target) {
                return Err(OrgError::SameParent {
                    unit: u.name.clone(),
                });
            }
        }
        Ok(())
    }

    /// May a unit of `level` be added beneath `parent`?
    pub fn can_add(
        &self,
        levels: &LevelSet,
        parent: i64,
        level: &str,
        editable: impl Fn(&str) -> bool,
    ) -> Result<(), OrgError> {
        let p = self.get(parent).ok_or(OrgError::UnknownUnit)?;
        if !editable(&p.code) {
            return Err(OrgError::OutOfScope {
                unit: p.name.clone(),
            });
        }
        if !levels.allows_child(&p.level, level) {
            return Err(OrgError::LevelNotAllowed {
                child: levels.name(level, true),
                parent: levels.name(&p.level, true),
            });
        }
        Ok(())
    }

    /// May the unit be dissolved? Not while live units remain beneath it.
    pub fn can_dissolve(&self, id: i64, editable: impl Fn(&str) -> bool) -> Result<(), OrgError> {
        let u = self.get(id).ok_or(OrgError::UnknownUnit)?;
        if !editable(&u.code) {
            return Err(OrgError::OutOfScope {
                unit: u.name.clone(),
            });
        }
        if !self.children(id).is_empty() {
            return Err(OrgError::HasChildren {
                unit: u.name.clone(),
            });
        }
        Ok(())
    }

    /// The codes a move gives: the unit becomes the next child of `target` (its old code is never
    /// reused by a sibling because codes of dissolved units stay taken: pass them in `taken`), and
    /// everything beneath it keeps its suffix under the new prefix. Returns `(id, old, new)`.
    pub fn recode(&self, id: i64, target: i64, taken: &[String]) -> Vec<(i64, String, String)> {
        let (Some(u), Some(t)) = (self.get(id), self.get(target)) else {
            return Vec::new();
        };
        let Ok(tcode) = Code::parse(&t.code) else {
            return Vec::new();
        };
        let siblings = self
            .children(target)
            .iter()
            .filter_map(|c| self.get(*c))
            .map(|c| c.code.as_str())
            .chain(taken.iter().map(String::as_str));
        let width = u.code.len()
            - self
                .parent(id)
                .and_then(|p| self.get(p))
                .map_or(0, |p| p.code.len());
        let new_code = tcode.next_child(siblings, Some(width)).to_string();
        let old = u.code.clone();
        self.subtree(id)
            .into_iter()
            .filter_map(|n| self.get(n))
            .map(|n| {
                (
                    n.id,
                    n.code.clone(),
                    format!("{new_code}{}", &n.code[old.len()..]),
                )
            })
            .collect()
    }

    /// The code of a new child of `parent`, after its children and the `taken` codes.
    pub fn new_child_code(&self, parent: i64, level: &str, taken: &[String]) -> Option<String> {
        let p = self.get(parent)?;
        let pcode = Code::parse(&p.code).ok()?;
        let width = self
            .children(parent)
            .first()
            .and_then(|c| self.get(*c))
            .map(|c| c.code.len() - p.code.len())
            .unwrap_or(if level == "committee" { 3 } else { 2 });
        let siblings = self
            .children(parent)
            .iter()
            .filter_map(|c| self.get(*c))
            .map(|c| c.code.as_str())
            .chain(taken.iter().map(String::as_str));
        Some(pcode.next_child(siblings, Some(width)).to_string())
    }
}

/// Where a unit's term (届期) stands: real systems remind 6 months and 1 month before it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TermStatus {
    Overdue,
    EndsWithinMonth,
    EndsWithinSixMonths,
    Current,
    Unknown,
}

impl TermStatus {
    pub fn key(self) -> &'static str {
        match self {
            TermStatus::Overdue => "orgs.term.overdue",
            TermStatus::EndsWithinMonth => "orgs.term.month",
            TermStatus::EndsWithinSixMonths => "orgs.term.six_months",
            TermStatus::Current => "orgs.term.current",
            TermStatus::Unknown => "orgs.term.unknown",
        }
    }

    /// Needs the organiser's attention.
    pub fn is_due(self) -> bool {
        matches!(
            self,
            TermStatus::Overdue | TermStatus::EndsWithinMonth | TermStatus::EndsWithinSixMonths
        )
    }
}

/// `date` plus `months` calendar months, clamped to the month's last day (29 Feb + 1 year = 28 Feb).
pub fn add_months((y, m, d): (i64, u32, u32), months: i64) -> (i64, u32, u32) {
    let total = y * 12 + (m as i64 - 1) + months;
    let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    (ny, nm, d.min(crate::date::days_in_month(ny, nm)))
}

fn ymd((y, m, d): (i64, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day a term that started on `start` ends, after `years`.
pub fn term_end(start: &str, years: u8) -> Option<String> {
    parse_date(start)
        .ok()
        .map(|s| ymd(add_months(s, years as i64 * 12)))
}

/// The term's status on `today` (`YYYY-MM-DD`).
pub fn term_status(start: Option<&str>, years: u8, today: &str) -> TermStatus {
    let (Some(end), Ok(t)) = (start.and_then(|s| term_end(s, years)), parse_date(today)) else {
        return TermStatus::Unknown;
    };
    let Ok(e) = parse_date(&end) else {
        return TermStatus::Unknown;
    };
    if e <= t {
        TermStatus::Overdue
    } else if e <= add_months(t, 1) {
        TermStatus::EndsWithinMonth
    } else if e <= add_months(t, 6) {
        TermStatus::EndsWithinSixMonths
    } else {
        TermStatus::Current
    }
}

/// One undoable edit: what was sent, and the commands that take it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub forward: Vec<OrgCommand>,
    pub inverse: Vec<OrgCommand>,
}

/// Undo and redo over committed edits. Versions in stored commands are refreshed from the tree
/// when they are replayed (`with_versions`), so an undo after someone else's change is refused
/// as a conflict only when that person touched the same unit.
#[derive(Debug, Clone, Default)]
pub struct Undo {
    done: Vec<Edit>,
    undone: Vec<Edit>,
}

impl Undo {
    pub fn push(&mut self, e: Edit) {
        self.done.push(e);
        if self.done.len() > 100 {
            self.done.remove(0);
        }
        self.undone.clear();
    }
    pub fn take_undo(&mut self) -> Option<Edit> {
        self.done.pop()
    }
    pub fn take_redo(&mut self) -> Option<Edit> {
        self.undone.pop()
    }
    /// Puts an edit that was undone (and succeeded) on the redo stack.
    pub fn undone(&mut self, e: Edit) {
        self.undone.push(e);
    }
    /// Puts an edit that was redone (and succeeded) back on the undo stack without clearing redo.
    pub fn redone(&mut self, e: Edit) {
        self.done.push(e);
    }
    pub fn can_undo(&self) -> bool {
        !self.done.is_empty()
    }
    pub fn can_redo(&self) -> bool {
        !self.undone.is_empty()
    }
}

impl OrgCommand {
    /// The command that takes this one back, given the tree before it ran (its unit's version
    /// one higher, as the command raised it); `reason` is written for moves and dissolutions.
    /// `None` for an addition (its inverse needs the id the server gives the new unit) and for
    /// details (they carry their own "before": the panel keeps it).
    pub fn inverse(&self, before: &Tree, reason: &str) -> Option<OrgCommand> {
        Some(match self {
            OrgCommand::Add { .. } | OrgCommand::Details { .. } => return None,
            OrgCommand::Rename { id, version, .. } => OrgCommand::Rename {
                id: *id,
                version: version + 1,
                name: before.get(*id)?.name.clone(),
            },
            OrgCommand::Move {
                id,
                version,
                doc_no,
                ..
            } => OrgCommand::Move {
                id: *id,
                version: version + 1,
                parent: before.parent(*id)?,
                reason: reason.to_owned(),
                doc_no: doc_no.clone(),
            },
            OrgCommand::Dissolve { id, version, .. } => OrgCommand::Reinstate {
                id: *id,
                version: version + 1,
            },
            OrgCommand::Reinstate { id, version } => OrgCommand::Dissolve {
                id: *id,
                version: version + 1,
                reason: reason.to_owned(),
                doc_no: String::new(),
            },
        })
    }
}

/// The command with the unit's version as the tree has it now (for replaying undo/redo).
pub fn with_version(c: &OrgCommand, version: i64) -> OrgCommand {
    let mut c = c.clone();
    match &mut c {
        OrgCommand::Add { .. } => {}
        OrgCommand::Rename { version: v, .. }
        | OrgCommand::Move { version: v, .. }
        | OrgCommand::Dissolve { version: v, .. }
        | OrgCommand::Reinstate { version: v, .. }
        | OrgCommand::Details { version: v, .. } => *v = version,
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_level_chain() {
        let s = LevelSet::five_level();
        assert_eq!(s.root().name_zh, "街道党工委");
        assert!(s.allows_child("working-committee", "committee"));
        assert!(s.allows_child("group", "central-household"));
        assert!(
            !s.allows_child("committee", "group"),
            "levels cannot be skipped"
        );
        assert!(!s.allows_child("central-household", "group"));
        assert!(!s.allows_child("nonsense", "group"));
        assert_eq!(s.get("committee").unwrap().term_years, 5);
        assert_eq!(s.get("branch").unwrap().term_years, 3);
    }

    #[test]
    fn four_level_chain_is_just_configuration() {
        let s = LevelSet::four_level();
        assert_eq!(s.levels.len(), 4);
        assert_eq!(s.depth("central-household"), Some(3));
        assert!(s.allows_child("committee", "branch"));
        assert!(s.get("working-committee").is_none());
    }
    fn u(id: i64, parent: Option<i64>, code: &str, level: &str, name: &str) -> OrgUnit {
        OrgUnit {
            id,
            parent,
            code: code.into(),
            level: level.into(),
            name: name.into(),
            secretary: None,
            grid: None,
            term_start: None,
            term_years: 3,
            members: 1,
            version: 1,
        }
    }

    /// 街道 1 → 社区 2, 3 → 支部 4 (under 2), 5 (under 3) → 小组 6 (under 4).
    fn tree() -> Tree {
        Tree::new(vec![
            u(6, Some(4), "3201130010101", "group", "1号楼党小组"),
            u(1, None, "320113", "working-committee", "栖霞街道党工委"),
            u(2, Some(1), "320113001", "committee", "甲社区党委"),
            u(3, Some(1), "320113002", "committee", "乙社区党委"),
            u(4, Some(2), "32011300101", "branch", "甲一支部"),
            u(5, Some(3), "32011300201", "branch", "乙一支部"),
        ])
    }

    #[test]
    fn every_edit_but_additions_and_details_has_an_inverse() {
        let t = tree();
        let rename = OrgCommand::Rename {
            id: 4,
            version: 1,
            name: "新名".into(),
        };
        assert_eq!(
            rename.inverse(&t, "撤销"),
            Some(OrgCommand::Rename {
                id: 4,
                version: 2,
                name: "甲一支部".into()
            })
        );
        let moved = OrgCommand::Move {
            id: 4,
            version: 1,
            parent: 3,
            reason: "调整".into(),
            doc_no: "栖委〔2026〕1号".into(),
        };
        assert_eq!(
            moved.inverse(&t, "撤销"),
            Some(OrgCommand::Move {
                id: 4,
                version: 2,
                parent: 2,
                reason: "撤销".into(),
                doc_no: "栖委〔2026〕1号".into(),
            })
        );
        let dissolve = OrgCommand::Dissolve {
            id: 6,
            version: 1,
            reason: "x".into(),
            doc_no: String::new(),
        };
        assert_eq!(
            dissolve.inverse(&t, "撤销"),
            Some(OrgCommand::Reinstate { id: 6, version: 2 })
        );
        let back = OrgCommand::Reinstate { id: 6, version: 2 };
        assert!(matches!(
            back.inverse(&t, "撤销"),
            Some(OrgCommand::Dissolve {
                id: 6,
                version: 3,
                ..
            })
        ));
        let add = OrgCommand::Add {
            parent: 4,
            level: "group".into(),
            name: "x".into(),
        };
        assert_eq!(add.inverse(&t, ""), None);
        let unknown = OrgCommand::Rename {
            id: 99,
            version: 1,
            name: "x".into(),
        };
        assert_eq!(unknown.inverse(&t, ""), None);
    }

    #[test]
    fn level_sets_come_from_the_setting() {
        assert_eq!(LevelSet::from_setting(""), Some(LevelSet::five_level()));
        assert_eq!(LevelSet::from_setting("four"), Some(LevelSet::four_level()));
        let json = serde_json::to_string(&LevelSet::four_level()).unwrap();
        assert_eq!(LevelSet::from_setting(&json), Some(LevelSet::four_level()));
        let mut broken = LevelSet::four_level();
        broken.levels[0].children = vec!["nowhere".into()];
        let json = serde_json::to_string(&broken).unwrap();
        assert_eq!(
            LevelSet::from_setting(&json),
            None,
            "children must name levels"
        );
        assert_eq!(LevelSet::from_setting("{"), None);
    }

    #[test]
    fn visible_rows_carry_aria_positions() {
        let t = tree();
        let rows = t.visible(&HashSet::new(), None);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].depth, rows[0].setsize, rows[0].posinset),
            (1, 1, 1)
        );
        assert!(rows[0].has_children && !rows[0].expanded);
        let rows = t.visible(&HashSet::from([1, 2]), None);
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(
            ids,
            vec![1, 2, 4, 3],
            "tree order, children after their parent"
        );
        let r3 = rows.iter().find(|r| r.id == 3).unwrap();
        assert_eq!((r3.depth, r3.setsize, r3.posinset), (2, 2, 2));
        let r4 = rows.iter().find(|r| r.id == 4).unwrap();
        assert_eq!((r4.depth, r4.setsize, r4.posinset), (3, 1, 1));
        assert!(r4.has_children && !r4.expanded);
        let all = t.visible(&t.parents(), None);
        assert_eq!(all.len(), 6);
        assert!(all.iter().filter(|r| !r.has_children).all(|r| !r.expanded));
    }

    #[test]
    fn search_reveals_ancestors_only() {
        let t = tree();
        let m = t.search("小组");
        assert_eq!(m, vec![6]);
        let keep = t.reveal(&m);
        assert_eq!(keep, HashSet::from([6, 4, 2, 1]));
        let rows = t.visible(&HashSet::new(), Some(&keep));
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(
            ids,
            vec![1, 2, 4, 6],
            "opened along the path, siblings hidden"
        );
        assert_eq!(rows[1].setsize, 1, "set size counts shown siblings");
        assert_eq!(t.search("3201130020"), vec![5], "code prefix matches");
        assert!(t.search("  ").is_empty());
    }

    #[test]
    fn moves_check_level_cycle_scope_before_the_drop() {
        let t = tree();
        let l = LevelSet::five_level();
        let all = |_: &str| true;
        assert_eq!(t.can_move(&l, &[4], 3, all), Ok(()));
        assert!(matches!(
            t.can_move(&l, &[4], 1, all),
            Err(OrgError::LevelNotAllowed { .. })
        ));
        assert!(matches!(
            t.can_move(&l, &[2], 6, all),
            Err(OrgError::Cycle { .. })
        ));
        assert!(matches!(
            t.can_move(&l, &[2], 2, all),
            Err(OrgError::Cycle { .. })
        ));
        assert!(matches!(
            t.can_move(&l, &[4], 2, all),
            Err(OrgError::SameParent { .. })
        ));
        let only_a = |c: &str| c.starts_with("320113001");
        assert!(matches!(
            t.can_move(&l, &[4], 3, only_a),
            Err(OrgError::OutOfScope { unit }) if unit == "乙社区党委"
        ));
        assert_eq!(t.can_move(&l, &[4, 99], 3, all), Err(OrgError::UnknownUnit));
        assert!(matches!(t.can_add(&l, 4, "group", all), Ok(())));
        assert!(matches!(
            t.can_add(&l, 4, "committee", all),
            Err(OrgError::LevelNotAllowed { .. })
        ));
        assert!(matches!(
            t.can_dissolve(4, all),
            Err(OrgError::HasChildren { .. })
        ));
        assert_eq!(t.can_dissolve(6, all), Ok(()));
    }

    #[test]
    fn a_move_recodes_the_subtree_under_the_new_parent() {
        let t = tree();
        let codes = t.recode(4, 3, &[]);
        assert_eq!(
            codes,
            vec![
                (4, "32011300101".to_string(), "32011300202".to_string()),
                (6, "3201130010101".to_string(), "3201130020201".to_string()),
            ]
        );
        let codes = t.recode(4, 3, &["32011300202".to_string()]);
        assert_eq!(
            codes[0].2, "32011300203",
            "codes of dissolved units stay taken"
        );
        assert_eq!(
            t.new_child_code(4, "group", &[]).as_deref(),
            Some("3201130010102")
        );
        assert_eq!(
            t.new_child_code(5, "group", &[]).as_deref(),
            Some("3201130020101")
        );
    }

    #[test]
    fn counts_per_level_and_members_beneath() {
        let t = tree();
        assert_eq!(t.count_by_level()["committee"], 2);
        let m = t.members_under();
        assert_eq!(m[&1], 6);
        assert_eq!(m[&2], 3);
        assert_eq!(m[&6], 1);
    }

    #[test]
    fn term_status_reminds_six_and_one_month_ahead() {
        assert_eq!(term_end("2021-03-15", 5).as_deref(), Some("2026-03-15"));
        assert_eq!(term_end("2024-02-29", 3).as_deref(), Some("2027-02-28"));
        assert_eq!(
            term_status(Some("2021-12-01"), 5, "2026-11-22"),
            TermStatus::EndsWithinMonth
        );
        assert_eq!(
            term_status(Some("2021-12-22"), 5, "2026-11-22"),
            TermStatus::EndsWithinMonth
        );
        assert_eq!(
            term_status(Some("2021-12-23"), 5, "2026-11-22"),
            TermStatus::EndsWithinSixMonths
        );
        assert_eq!(
            term_status(Some("2022-05-22"), 5, "2026-11-22"),
            TermStatus::EndsWithinSixMonths
        );
        assert_eq!(
            term_status(Some("2022-05-23"), 5, "2026-11-22"),
            TermStatus::Current
        );
        assert_eq!(
            term_status(Some("2023-11-22"), 3, "2026-11-22"),
            TermStatus::Overdue
        );
        assert_eq!(term_status(None, 3, "2026-11-22"), TermStatus::Unknown);
        assert_eq!(
            term_status(Some("2023-02-30"), 3, "2026-11-22"),
            TermStatus::Unknown
        );
    }

    #[test]
    fn commands_clean_their_text() {
        let long = "党".repeat(MAX_NAME + 1);
        let c = OrgCommand::Rename {
            id: 1,
            version: 1,
            name: long,
        };
        assert_eq!(c.clean(), Err(OrgError::Name));
        let c = OrgCommand::Rename {
            id: 1,
            version: 1,
            name: "  <b>x</b>  ".into(),
        };
        assert_eq!(
            c.clean(),
            Ok(OrgCommand::Rename {
                id: 1,
                version: 1,
                name: "<b>x</b>".into()
            }),
            "markup is kept as text and escaped when shown"
        );
        let c = OrgCommand::Dissolve {
            id: 1,
            version: 1,
            reason: " ".into(),
            doc_no: "".into(),
        };
        assert_eq!(c.clean(), Err(OrgError::Reason));
        let d = UnitDetails {
            term_start: Some("2026-02-30".into()),
            term_years: 5,
            grid: None,
            roles: vec![],
        };
        assert_eq!(d.check(), Err(OrgError::Date));
        let d = UnitDetails {
            term_start: None,
            term_years: 3,
            grid: None,
            roles: vec![RoleHolder {
                id: None,
                role: "boss".into(),
                person_name: "王".into(),
                phone: String::new(),
                resident_unit: String::new(),
            }],
        };
        assert_eq!(d.check(), Err(OrgError::Role));
        let json = serde_json::to_string(&OrgCommand::Reinstate { id: 3, version: 2 }).unwrap();
        assert_eq!(json, r#"{"op":"reinstate","id":3,"version":2}"#);
    }

    #[test]
    fn undo_stack_moves_edits_between_done_and_undone() {
        let e = Edit {
            forward: vec![OrgCommand::Reinstate { id: 1, version: 1 }],
            inverse: vec![],
        };
        let mut h = Undo::default();
        h.push(e.clone());
        let x = h.take_undo().unwrap();
        h.undone(x);
        assert!(h.can_redo() && !h.can_undo());
        let y = h.take_redo().unwrap();
        h.redone(y);
        assert!(h.can_undo() && !h.can_redo());
        assert_eq!(
            with_version(&e.forward[0], 7),
            OrgCommand::Reinstate { id: 1, version: 7 }
        );
    }
}
