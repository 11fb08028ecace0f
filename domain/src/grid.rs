//! A grid's attributes as an editor submits them, checked before anything is stored, and the codes
//! of new grids (parent code + sequence, in the spirit of CJ/T 349).

use crate::code::Code;
use crate::demo::GridKind;
use crate::event::clean_text;
use crate::geometry::{normalise, validate_ring, Invalid, Ring};
use serde::{Deserialize, Serialize};

pub const MAX_NAME: usize = 60;
pub const MAX_WORKERS: usize = 200;
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
    pub ring: Ring,
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

/// A draft checked and cleaned: trimmed text, a valid counter-clockwise ring, a code beneath
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
    pub ring: Ring,
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
        let (valid_from, valid_to) = (opt_date(&self.valid_from)?, opt_date(&self.valid_to)?);
        if let (Some(a), Some(b)) = (&valid_from, &valid_to) {
            if a > b {
                return Err(GridError::Dates);
            }
        }
        if self.ring.len() > crate::geometry::MAX_VERTICES + 1 {
            return Err(GridError::Geometry(Invalid::TooManyPoints));
        }
        let ring = normalise(&self.ring);
        validate_ring(&ring).map_err(GridError::Geometry)?;
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
            ring,
        })
    }
}

/// The code for a new child of `parent`: one more than the highest sibling sequence, as wide as
/// the siblings' sequences (2 digits when there are none).
pub fn next_child_code<'a>(parent: &Code, siblings: impl Iterator<Item = &'a str>) -> Code {
    let p = parent.as_str();
    let mut width = 2;
    let mut max = 0u64;
    for s in siblings {
        if let Some(seq) = s.strip_prefix(p) {
            if let Ok(n) = seq.parse::<u64>() {
                width = seq.len();
                max = max.max(n);
            }
        }
    }
    let next = max + 1;
    let width = width.max(next.to_string().len());
    Code::parse(&format!("{p}{next:0width$}")).unwrap_or_else(|_| parent.clone())
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
            ring: vec![
                [118.0, 32.0],
                [118.0, 32.01],
                [118.01, 32.01],
                [118.01, 32.0],
            ],
        }
    }

    #[test]
    fn a_good_draft_is_cleaned() {
        let g = draft().check().unwrap();
        assert_eq!(g.name, "<b>第一网格</b>", "markup stays text, trimmed");
        assert_eq!(g.ring.len(), 5, "closed");
        assert!(g.ring[1][0] > g.ring[0][0], "turned counter-clockwise");
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
                |d| d.ring.truncate(2),
                GridError::Geometry(Invalid::TooFewPoints),
            ),
            (
                |d| {
                    d.ring = vec![
                        [118.0, 32.0],
                        [118.01, 32.01],
                        [118.01, 32.0],
                        [118.0, 32.01],
                    ]
                },
                GridError::Geometry(Invalid::SelfIntersection),
            ),
            (
                |d| d.ring[0] = [200.0, 32.0],
                GridError::Geometry(Invalid::OutOfRange),
            ),
        ];
        for (edit, want) in cases {
            let mut d = draft();
            edit(&mut d);
            assert_eq!(d.check(), Err(want.clone()), "{want:?}");
        }
    }

    #[test]
    fn new_codes_follow_the_siblings() {
        let p = Code::parse("320113001001").unwrap();
        assert_eq!(
            next_child_code(&p, ["32011300100101", "32011300100107"].into_iter()).as_str(),
            "32011300100108"
        );
        assert_eq!(
            next_child_code(&p, std::iter::empty()).as_str(),
            "32011300100101"
        );
        assert_eq!(
            next_child_code(&p, ["320113001001099"].into_iter()).as_str(),
            "320113001001100"
        );
    }
}
