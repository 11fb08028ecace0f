//! The community's three lists (需求清单、资源清单、项目清单): what an organiser publishes, checked
//! before it is stored. A need asks for people or hours until a date; a resource is what a member or
//! a resident unit offers; a project matches a need with resources.

use super::{ServiceError, CATEGORIES, MAX_TEXT, MAX_TITLE};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListingKind {
    Need,
    Resource,
    Project,
}

impl ListingKind {
    pub const ALL: [ListingKind; 3] = [
        ListingKind::Need,
        ListingKind::Resource,
        ListingKind::Project,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ListingKind::Need => "need",
            ListingKind::Resource => "resource",
            ListingKind::Project => "project",
        }
    }

    pub fn parse(s: &str) -> Option<ListingKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a listing's amount counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    People,
    Hours,
}

impl Measure {
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::People => "people",
            Measure::Hours => "hours",
        }
    }

    pub fn parse(s: &str) -> Option<Measure> {
        [Measure::People, Measure::Hours]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// The most a listing asks for (people or hours).
pub const MAX_AMOUNT: i64 = 10_000;

/// A listing as the organiser wrote it, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingDraft {
    pub kind: ListingKind,
    pub title: String,
    pub description: String,
    pub category: String,
    pub amount: i64,
    pub measure: Measure,
    /// Last day claims are taken, local `YYYY-MM-DD`.
    pub deadline: Option<String>,
}

/// Which field of a draft is wrong; `key()` is the translation key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftError {
    Kind,
    Title,
    Description,
    Category,
    Amount,
    Measure,
    Deadline,
}

impl DraftError {
    pub fn key(self) -> &'static str {
        match self {
            DraftError::Kind => "service.err.kind",
            DraftError::Title => "service.err.title",
            DraftError::Description => "service.err.text",
            DraftError::Category => "service.err.category",
            DraftError::Amount => "service.err.amount",
            DraftError::Measure => "service.err.measure",
            DraftError::Deadline => "service.err.deadline_date",
        }
    }
}

impl ListingDraft {
    /// Checks what a form sent. A deadline before `today` is refused (nobody could claim it).
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        kind: &str,
        title: &str,
        description: &str,
        category: &str,
        amount: i64,
        measure: &str,
        deadline: &str,
        today: &str,
    ) -> Result<ListingDraft, DraftError> {
        let kind = ListingKind::parse(kind.trim()).ok_or(DraftError::Kind)?;
        let title = crate::event::clean_text(title, MAX_TITLE, false)
            .filter(|t| !t.is_empty())
            .ok_or(DraftError::Title)?;
        let description =
            crate::event::clean_text(description, MAX_TEXT, true).ok_or(DraftError::Description)?;
        let category = category.trim();
        if !CATEGORIES.contains(&category) {
            return Err(DraftError::Category);
        }
        if !(1..=MAX_AMOUNT).contains(&amount) {
            return Err(DraftError::Amount);
        }
        let measure = Measure::parse(measure.trim()).ok_or(DraftError::Measure)?;
        let deadline = match deadline.trim() {
            "" => None,
            d => {
                crate::date::parse_ymd(d).ok_or(DraftError::Deadline)?;
                if d < today {
                    return Err(DraftError::Deadline);
                }
                Some(d.to_owned())
            }
        };
        Ok(ListingDraft {
            kind,
            title,
            description,
            category: category.to_owned(),
            amount,
            measure,
            deadline,
        })
    }

    /// Minutes a confirmed claim of `amount` on this listing credits unless the organiser says
    /// otherwise: the hours claimed, or two hours a person.
    pub fn default_minutes(measure: Measure, amount: i64) -> i64 {
        match measure {
            Measure::Hours => (amount * 60).min(super::hours::MAX_MINUTES),
            Measure::People => 120,
        }
    }
}

/// One step of a project (意见征集, 方案公示, 施工, 验收 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub title: String,
    pub done: bool,
}

/// The most milestones a project has.
pub const MAX_MILESTONES: usize = 12;

/// A project's milestones as sent (JSON `[{"title":…,"done":…}]`), checked: at most
/// `MAX_MILESTONES`, each title 1–60 characters without control characters. `None` when broken.
pub fn parse_milestones(json: &str) -> Option<Vec<Milestone>> {
    if json.len() > 16 * 1024 {
        return None;
    }
    let list: Vec<Milestone> = serde_json::from_str(json).ok()?;
    if list.len() > MAX_MILESTONES {
        return None;
    }
    list.into_iter()
        .map(|m| {
            let title =
                crate::event::clean_text(&m.title, MAX_TITLE, false).filter(|t| !t.is_empty())?;
            Some(Milestone {
                title,
                done: m.done,
            })
        })
        .collect()
}

/// Milestones done and in all.
pub fn progress(milestones: &[Milestone]) -> (usize, usize) {
    (
        milestones.iter().filter(|m| m.done).count(),
        milestones.len(),
    )
}

/// Refuses a claim or a wish on a grid that is not of the listing's kind: only needs are claimed.
pub fn claimable(kind: ListingKind) -> Result<(), ServiceError> {
    if kind == ListingKind::Need {
        Ok(())
    } else {
        Err(ServiceError::Closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_is_checked_field_by_field() {
        let ok = ListingDraft::parse(
            "need",
            " 助老陪诊 ",
            "每周二陪同",
            "elderly",
            20,
            "people",
            "2026-12-31",
            "2026-12-05",
        )
        .unwrap();
        assert_eq!(ok.title, "助老陪诊");
        assert_eq!(ok.deadline.as_deref(), Some("2026-12-31"));
        let bad = |kind, title: &str, cat, amount, measure, deadline| {
            ListingDraft::parse(
                kind,
                title,
                "",
                cat,
                amount,
                measure,
                deadline,
                "2026-12-05",
            )
            .unwrap_err()
        };
        assert_eq!(
            bad("wish", "t", "elderly", 1, "people", ""),
            DraftError::Kind
        );
        assert_eq!(
            bad("need", " ", "elderly", 1, "people", ""),
            DraftError::Title
        );
        assert_eq!(
            bad("need", &"长".repeat(61), "elderly", 1, "people", ""),
            DraftError::Title
        );
        assert_eq!(
            bad("need", "t", "gold", 1, "people", ""),
            DraftError::Category
        );
        assert_eq!(
            bad("need", "t", "elderly", 0, "people", ""),
            DraftError::Amount
        );
        assert_eq!(
            bad("need", "t", "elderly", 10_001, "people", ""),
            DraftError::Amount
        );
        assert_eq!(
            bad("need", "t", "elderly", 1, "kg", ""),
            DraftError::Measure
        );
        assert_eq!(
            bad("need", "t", "elderly", 1, "people", "2026-12-04"),
            DraftError::Deadline
        );
        assert_eq!(
            bad("need", "t", "elderly", 1, "people", "2026-02-30"),
            DraftError::Deadline
        );
        assert_eq!(ListingDraft::default_minutes(Measure::Hours, 3), 180);
        assert_eq!(ListingDraft::default_minutes(Measure::Hours, 300), 1440);
        assert!(claimable(ListingKind::Resource).is_err());
    }

    #[test]
    fn milestones_are_checked_and_counted() {
        let m = parse_milestones(
            r#"[{"title":" 意见征集 ","done":true},{"title":"施工","done":false}]"#,
        )
        .unwrap();
        assert_eq!(m[0].title, "意见征集");
        assert_eq!(progress(&m), (1, 2));
        assert!(parse_milestones(r#"[{"title":"","done":true}]"#).is_none());
        assert!(parse_milestones("not json").is_none());
        let many = format!("[{}]", vec![r#"{"title":"a","done":false}"#; 13].join(","));
        assert!(parse_milestones(&many).is_none());
        assert_eq!(parse_milestones("[]"), Some(vec![]));
    }
}
