//! A read-only list of upcoming events for logged-in users (the calendar has its own functions).

use super::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub id: i64,
    pub title: String,
    pub category: domain::event::Category,
    pub unit_name: String,
    pub location: String,
    pub starts_at: String,
    pub ends_at: String,
    pub rrule: Option<String>,
    pub capacity: i64,
    pub status: domain::event::EventStatus,
}

/// Upcoming and recurring events, soonest first.
#[server(prefix = "/api", endpoint = "events_upcoming")]
pub async fn events_upcoming(from: String) -> Result<Vec<EventView>, AppError> {
    use super::events::ssr_events::time;
    let p = require_user().await?;
    let from = time(&from)?;
    let events = state()?
        .db
        .upcoming_events(from.as_str(), 500)
        .await
        .map_err(internal)?;
    // The same rule as the calendar, the event page and the feeds: party-member events
    // only for staff and party members.
    let events: Vec<_> = events
        .into_iter()
        .filter(|e| e.visibility.visible_to(&p))
        .take(200)
        .collect();
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
}
