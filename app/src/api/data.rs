//! Read-only views of the party organisation and the events, for logged-in users.
//! The editors of each area come with their own issues; these keep the pages useful meanwhile.

use super::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitView {
    pub code: String,
    pub level: String,
    pub name: String,
    pub secretary: Option<String>,
    pub grid_code: Option<String>,
    pub term_start: Option<String>,
    pub children: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub unit_name: String,
    pub location: String,
    pub starts_at: String,
    pub ends_at: String,
    pub rrule: Option<String>,
    pub capacity: i64,
    pub status: String,
}

/// The units directly under `parent` (the top when empty). Everyone logged in sees unit names and
/// secretaries' names; contact details are not part of this view.
#[server(prefix = "/api", endpoint = "units_children")]
pub async fn units_children(parent: String) -> Result<Vec<UnitView>, AppError> {
    guard(async move {
        require_user().await?;
        let parent = parent.trim();
        if !parent.is_empty() {
            domain::Code::parse(parent).map_err(|_| AppError::Invalid("err.code".into()))?;
        }
        let units = state()?
            .db
            .child_units((!parent.is_empty()).then_some(parent))
            .await
            .map_err(internal)?;
        Ok(units
            .into_iter()
            .map(|u| UnitView {
                code: u.code,
                level: u.level,
                name: u.name,
                secretary: u.secretary,
                grid_code: u.grid_code,
                term_start: u.term_start,
                children: u.children,
            })
            .collect())
    })
    .await
}

/// Upcoming and recurring events, soonest first.
#[server(prefix = "/api", endpoint = "events_upcoming")]
pub async fn events_upcoming(from: String) -> Result<Vec<EventView>, AppError> {
    guard(async move {
        require_user().await?;
        let ok = from.len() == 16
            && from.as_bytes()[10] == b'T'
            && from
                .chars()
                .all(|c| c.is_ascii_digit() || "-:T".contains(c));
        if !ok {
            return Err(AppError::Invalid("err.date".into()));
        }
        let events = state()?
            .db
            .upcoming_events(&from, 200)
            .await
            .map_err(internal)?;
        Ok(events
            .into_iter()
            .map(|e| EventView {
                id: e.id,
                title: e.title,
                category: e.category,
                unit_name: e.unit_name,
                location: e.location,
                starts_at: e.starts_at,
                ends_at: e.ends_at,
                rrule: e.rrule,
                capacity: e.capacity,
                status: e.status,
            })
            .collect())
    })
    .await
}
