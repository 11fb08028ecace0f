//! Service matching (服务): needs, resources and projects listed by the community and claimed by
//! party members and resident units (`claims.rs`), residents' micro-wishes (`wish.rs`), and the
//! service hours both earn (`hours.rs`). Pure rules, no IO: the store keeps the rows and calls
//! these to decide every change.

pub mod claims;
pub mod hours;
pub mod listing;
pub mod report;
pub mod wish;

use serde::{Deserialize, Serialize};

/// What a need, resource, project or wish is about; keys are the translation keys'
/// (`service.cat.<key>`).
pub const CATEGORIES: [&str; 9] = [
    "elderly",     // 助老
    "children",    // 助学 / 关爱儿童
    "environment", // 环境整治
    "culture",     // 文体活动
    "legal",       // 法律咨询
    "health",      // 医疗健康
    "employment",  // 就业帮扶
    "safety",      // 平安建设
    "other",
];

/// Who acts on a claim or a wish, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Actor {
    /// The party member or resident unit who claimed (or was dispatched).
    Claimant,
    /// The community's organiser (or an administrator).
    Organiser,
    /// The resident who posted a wish.
    Owner,
}

/// Why a change is refused; `key()` is the translation key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("the item is not open for claims")]
    Closed,
    #[error("the deadline has passed")]
    PastDeadline,
    #[error("more than is left: {left}")]
    OverFilled { left: i64 },
    #[error("the amount must be at least 1")]
    Amount,
    #[error("not allowed in this state")]
    State,
    #[error("not this actor's to do")]
    NotYours,
    #[error("a reason is needed")]
    Reason,
    #[error("personal data in public text")]
    PersonalData,
    #[error("text too long or empty")]
    Text,
    #[error("minutes out of range")]
    Minutes,
    #[error("party members only")]
    MembersOnly,
}

impl ServiceError {
    pub fn key(&self) -> &'static str {
        match self {
            ServiceError::Closed => "service.err.closed",
            ServiceError::PastDeadline => "service.err.deadline",
            ServiceError::OverFilled { .. } => "service.err.over_filled",
            ServiceError::Amount => "service.err.amount",
            ServiceError::State => "service.err.state",
            ServiceError::NotYours => "service.err.not_yours",
            ServiceError::Reason => "service.err.reason",
            ServiceError::PersonalData => "service.err.personal_data",
            ServiceError::Text => "service.err.text",
            ServiceError::Minutes => "service.err.minutes",
            ServiceError::MembersOnly => "service.err.members_only",
        }
    }
}

/// `Ok` when `actor` is `who`, the side whose move it is.
fn by(actor: Actor, who: Actor) -> Result<(), ServiceError> {
    if actor == who {
        Ok(())
    } else {
        Err(ServiceError::NotYours)
    }
}

/// Longest title of a need, resource, project or wish.
pub const MAX_TITLE: usize = 60;
/// Longest description or note.
pub const MAX_TEXT: usize = 1_000;
/// Longest reason for a refusal, a decline or a sending back.
pub const MAX_REASON: usize = 200;

/// Text as stored: trimmed, at most `max` characters, no control characters (newlines only when
/// `allow_newlines`); `None` when it breaks a rule.
pub fn clean(s: &str, max: usize, allow_newlines: bool) -> Option<String> {
    crate::event::clean_text(s, max, allow_newlines)
}

/// A cleaned reason: trimmed, 1 to `MAX_REASON` characters, no control characters.
pub fn clean_reason(s: &str) -> Result<String, ServiceError> {
    crate::event::clean_text(s, MAX_REASON, false)
        .filter(|s| !s.is_empty())
        .ok_or(ServiceError::Reason)
}
