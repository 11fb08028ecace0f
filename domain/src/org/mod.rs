//! The party organisation tree: levels, units, and the rules every edit must pass. The level set is
//! deployment configuration (Qixia uses five levels, Tongchuan four), so rules ask the `LevelSet`
//! rather than naming levels in code. Nothing here does IO: the tree editor in the browser checks a
//! drop with the same functions the server runs before it writes.

use crate::event::clean_text;
use serde::{Deserialize, Serialize};

mod commands;
mod fields;
pub mod import;
mod levels;
mod terms;
#[cfg(test)]
mod testing;
mod tree;
pub mod wire;

pub use commands::*;
pub use fields::*;
pub use levels::*;
pub use terms::*;
pub use tree::*;

/// One live (not dissolved) organisation unit as the tree editor and the server's checks see it.
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
