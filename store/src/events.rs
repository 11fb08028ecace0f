//! Neighbourhood events (活动): series with an optional RRULE, expanded into occurrences by
//! `domain::recurrence`.

use crate::{Db, Result, StoreError};
use domain::event::{Category, EventDraft, EventStatus, LocalDateTime, Visibility};
use domain::ics_import::ChangedOccurrence;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub title: String,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub category: Category,
    pub unit_code: String,
    pub unit_name: String,
    pub location: String,
    /// Local Asia/Shanghai wall time `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    pub ends_at: String,
    pub rrule: Option<String>,
    pub capacity: i64,
    pub guests_allowed: i64,
    pub rsvp_deadline_minutes: i64,
    #[sqlx(try_from = "String")]
    pub visibility: Visibility,
    #[sqlx(try_from = "String")]
    pub status: EventStatus,
    pub version: i64,
    pub sequence: i64,
    /// The grid it takes place in, and a point `lon,lat`.
    pub grid_code: Option<String>,
    pub point: Option<String>,
}

pub(crate) const COLUMNS: &str = "e.id, e.title, e.description, e.category, u.code AS unit_code, u.name AS unit_name, e.location, \
     e.starts_at, e.ends_at, e.rrule, e.capacity, e.guests_allowed, e.rsvp_deadline_minutes, e.visibility, e.status, \
     e.version, e.sequence, e.grid_code, e.point";

impl Event {
    pub fn start(&self) -> Result<LocalDateTime> {
        LocalDateTime::parse(&self.starts_at)
            .map_err(|e| StoreError::Other(format!("event {}: {e}", self.id)))
    }

    pub fn duration_minutes(&self) -> i64 {
        let end = LocalDateTime::parse(&self.ends_at)
            .map(|e| e.minutes())
            .unwrap_or(0);
        self.start().map(|s| end - s.minutes()).unwrap_or(0).max(0)
    }
}

/// One occurrence of an event, with its places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurrence {
    pub event_id: i64,
    /// The start the series gives it (RFC 5545 RECURRENCE-ID); answers are kept under this key.
    pub recurrence_id: LocalDateTime,
    /// When it actually happens: the same, unless this one occurrence was moved.
    pub starts_at: LocalDateTime,
    pub ends_at: LocalDateTime,
    pub capacity: i64,
    pub taken: i64,
    pub cancelled: bool,
    pub moved: bool,
    /// This occurrence's own title and place, where they differ from the series'.
    pub title: Option<String>,
    pub location: Option<String>,
}

/// starts_at (the recurrence id), capacity, taken, status, moved start, moved end, own title,
/// own place.
/// The start and end of an imported changed occurrence, checked as an event's are.
fn changed_times(c: &ChangedOccurrence) -> Result<(LocalDateTime, LocalDateTime)> {
    let bad = || StoreError::Invalid("ics.bad_time".into());
    LocalDateTime::parse(&c.recurrence_id).map_err(|_| bad())?;
    let from = LocalDateTime::parse(&c.starts_at).map_err(|_| bad())?;
    let to = LocalDateTime::parse(&c.ends_at).map_err(|_| bad())?;
    if to < from || to.minutes() - from.minutes() > 7 * 1440 {
        return Err(StoreError::Invalid("err.event_end_before_start".into()));
    }
    Ok((from, to))
}

type OccurrenceRow = (
    String,
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn build(event: &Event, id: LocalDateTime, row: Option<&OccurrenceRow>) -> Occurrence {
    let dur = event.duration_minutes();
    let moved = row
        .and_then(|r| r.4.as_deref())
        .and_then(|s| LocalDateTime::parse(s).ok());
    let moved_end = row
        .and_then(|r| r.5.as_deref())
        .and_then(|s| LocalDateTime::parse(s).ok());
    let starts_at = moved.clone().unwrap_or_else(|| id.clone());
    Occurrence {
        event_id: event.id,
        ends_at: moved_end
            .unwrap_or_else(|| LocalDateTime::from_minutes(starts_at.minutes() + dur)),
        capacity: row.map(|r| r.1).unwrap_or(event.capacity),
        taken: row.map(|r| r.2).unwrap_or(0),
        cancelled: event.status == EventStatus::Cancelled
            || row.is_some_and(|r| r.3 == "cancelled"),
        moved: moved.is_some(),
        title: row.and_then(|r| r.6.clone()),
        location: row.and_then(|r| r.7.clone()),
        starts_at,
        recurrence_id: id,
    }
}

/// The occurrences of `event` in `[from, to)` from its rule and its occurrence rows in the window
/// (moved in from outside it, or dates an older rule had, kept cancelled).
fn assemble(
    event: &Event,
    rows: &[OccurrenceRow],
    from: &LocalDateTime,
    to: &LocalDateTime,
) -> Result<Vec<Occurrence>> {
    let start = event.start()?;
    let rule = event.rrule.as_deref();
    let err = |e: domain::recurrence::RecurrenceError| {
        StoreError::Other(format!("event {}: {e}", event.id))
    };
    let mut ids = domain::recurrence::occurrences(&start, rule, &[], from, to).map_err(err)?;
    // Occurrences moved into the window from outside it.
    for r in rows.iter().filter(|r| r.4.is_some()) {
        if let Ok(id) = LocalDateTime::parse(&r.0) {
            if !ids.contains(&id)
                && domain::recurrence::is_occurrence(&start, rule, &id).map_err(err)?
            {
                ids.push(id);
            }
        }
    }
    // Dates an older rule had, kept cancelled by the edit (see `Db::occurrence_at`).
    for r in rows.iter().filter(|r| r.3 == "cancelled" && r.4.is_none()) {
        if let Ok(id) = LocalDateTime::parse(&r.0) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    let mut out: Vec<Occurrence> = ids
        .into_iter()
        .map(|id| {
            let row = rows.iter().find(|r| r.0 == id.as_str());
            build(event, id, row)
        })
        .filter(|o| &o.starts_at >= from && &o.starts_at < to)
        .collect();
    out.sort_by(|a, b| a.starts_at.cmp(&b.starts_at));
    Ok(out)
}

/// Inserts a new series for the organisation unit with id `unit_id` (shared by publishing and splitting).
pub(crate) async fn insert_event<'e, E>(exec: E, unit_id: i64, d: &EventDraft) -> Result<i64>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(sqlx::query_scalar(
        "INSERT INTO event (unit_id, title, description, category, location, starts_at, ends_at, rrule, capacity, \
         guests_allowed, rsvp_deadline_minutes, visibility, status, version, sequence, updated_at, grid_code, point) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'scheduled', 1, 0, $13, $14, $15) RETURNING id",
    )
    .bind(unit_id)
    .bind(&d.title)
    .bind(&d.description)
    .bind(d.category.as_str())
    .bind(&d.location)
    .bind(d.starts_at.as_str())
    .bind(d.ends_at.as_str())
    .bind(&d.rrule)
    .bind(d.capacity)
    .bind(d.guests_allowed)
    .bind(d.rsvp_deadline_minutes)
    .bind(d.visibility.as_str())
    .bind(crate::now())
    .bind(&d.grid_code)
    .bind(&d.point)
    .fetch_one(exec)
    .await?)
}

impl Db {
    /// Publishes an event for the organisation unit `unit_code`. The rule is checked before anything is stored.
    pub async fn create_event(&self, unit_code: &str, d: &EventDraft) -> Result<i64> {
        if let Some(rule) = &d.rrule {
            domain::recurrence::parse(rule, &d.starts_at)
                .map_err(|e| StoreError::Invalid(e.key().into()))?;
        }
        let unit: Option<i64> = sqlx::query_scalar("SELECT id FROM org_unit WHERE code = $1")
            .bind(unit_code)
            .fetch_optional(self.pool())
            .await?;
        let unit = unit.ok_or(StoreError::NotFound)?;
        insert_event(self.pool(), unit, d).await
    }

    /// Publishes imported events for the organisation unit `unit_code` in one transaction, all or nothing;
    /// each event's `cancelled` starts become cancelled occurrences, its `changed` ones moved
    /// occurrences or ones with their own title or place. Answers the new ids.
    pub async fn import_events(
        &self,
        unit_code: &str,
        events: &[(EventDraft, Vec<LocalDateTime>, Vec<ChangedOccurrence>)],
    ) -> Result<Vec<i64>> {
        for (d, _, changed) in events {
            for c in changed {
                changed_times(c)?;
            }
            if let Some(rule) = &d.rrule {
                domain::recurrence::parse(rule, &d.starts_at)
                    .map_err(|e| StoreError::Invalid(e.key().into()))?;
            }
        }
        let mut tx = self.begin_write().await?;
        let unit: Option<i64> = sqlx::query_scalar("SELECT id FROM org_unit WHERE code = $1")
            .bind(unit_code)
            .fetch_optional(&mut *tx)
            .await?;
        let unit = unit.ok_or(StoreError::NotFound)?;
        let mut ids = Vec::with_capacity(events.len());
        for (d, cancelled, changed) in events {
            let id = insert_event(&mut *tx, unit, d).await?;
            let series_minutes = d.ends_at.minutes() - d.starts_at.minutes();
            for c in changed {
                let (from, to) = changed_times(c)?;
                // Moved only where the time differs from what the series gives.
                let same_time = c.starts_at == c.recurrence_id
                    && to.minutes() - from.minutes() == series_minutes;
                let (moved_from, moved_to) = if same_time {
                    (None, None)
                } else {
                    (Some(c.starts_at.as_str()), Some(c.ends_at.as_str()))
                };
                sqlx::query(
                    "INSERT INTO occurrence (event_id, starts_at, capacity, taken, next_seq, status, \
                     moved_starts_at, moved_ends_at, title, location) \
                     VALUES ($1, $2, $3, 0, 0, 'scheduled', $4, $5, $6, $7) ON CONFLICT (event_id, starts_at) DO NOTHING",
                )
                .bind(id)
                .bind(c.recurrence_id.as_str())
                .bind(d.capacity)
                .bind(moved_from)
                .bind(moved_to)
                .bind(c.title.as_deref())
                .bind(c.location.as_deref())
                .execute(&mut *tx)
                .await?;
            }
            for at in cancelled {
                sqlx::query(
                    "INSERT INTO occurrence (event_id, starts_at, capacity, taken, next_seq, status) \
                     VALUES ($1, $2, $3, 0, 0, 'cancelled') ON CONFLICT (event_id, starts_at) DO NOTHING",
                )
                .bind(id)
                .bind(at.as_str())
                .bind(d.capacity)
                .execute(&mut *tx)
                .await?;
            }
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// (title, start) of the unit's events, to spot an import of events already published.
    pub async fn event_keys(&self, unit_code: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT e.title, e.starts_at FROM event e JOIN org_unit u ON u.id = e.unit_id WHERE u.code = $1",
        )
        .bind(unit_code)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn event(&self, id: i64) -> Result<Event> {
        let row: Option<Event> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM event e JOIN org_unit u ON u.id = e.unit_id WHERE e.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.ok_or(StoreError::NotFound)
    }

    /// Events that recur, or start at or after `from` (local time text), soonest first.
    pub async fn upcoming_events(&self, from: &str, limit: i64) -> Result<Vec<Event>> {
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM event e JOIN org_unit u ON u.id = e.unit_id \
             WHERE e.rrule IS NOT NULL OR e.starts_at >= $1 ORDER BY e.starts_at, e.id LIMIT $2"
        ))
        .bind(from)
        .bind(limit.clamp(1, 500))
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    /// Events that may have an occurrence in `[from, to)`: recurring ones, and single ones starting there.
    pub async fn events_in_window(&self, from: &str, to: &str) -> Result<Vec<Event>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM event e JOIN org_unit u ON u.id = e.unit_id \
             WHERE (e.rrule IS NOT NULL AND e.starts_at < $2) OR (e.starts_at >= $1 AND e.starts_at < $2) ORDER BY e.starts_at, e.id"
        ))
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?)
    }

    /// The occurrences of `event` happening in `[from, to)` (moved ones where they were moved to),
    /// with the places taken so far, in time order.
    pub async fn occurrences(
        &self,
        event: &Event,
        from: &LocalDateTime,
        to: &LocalDateTime,
    ) -> Result<Vec<Occurrence>> {
        let rows: Vec<OccurrenceRow> = sqlx::query_as(
            "SELECT starts_at, capacity, taken, status, moved_starts_at, moved_ends_at, title, location FROM occurrence WHERE event_id = $1 \
             AND ((starts_at >= $2 AND starts_at < $3) OR (moved_starts_at >= $2 AND moved_starts_at < $3))",
        )
        .bind(event.id)
        .bind(from.as_str())
        .bind(to.as_str())
        .fetch_all(self.pool())
        .await?;
        assemble(event, &rows, from, to)
    }

    /// [`Db::occurrences`] of each of `events` (in the same order), reading the occurrence rows of
    /// the window once for all of them instead of once per event.
    pub async fn occurrences_of(
        &self,
        events: &[Event],
        from: &LocalDateTime,
        to: &LocalDateTime,
    ) -> Result<Vec<Vec<Occurrence>>> {
        type Row = (
            i64,
            String,
            i64,
            i64,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT event_id, starts_at, capacity, taken, status, moved_starts_at, moved_ends_at, title, location FROM occurrence \
             WHERE (starts_at >= $1 AND starts_at < $2) OR (moved_starts_at >= $1 AND moved_starts_at < $2)",
        )
        .bind(from.as_str())
        .bind(to.as_str())
        .fetch_all(self.pool())
        .await?;
        let mut by_event: std::collections::HashMap<i64, Vec<OccurrenceRow>> = Default::default();
        for (event_id, a, b, c, d, e, f, g, h) in rows {
            by_event
                .entry(event_id)
                .or_default()
                .push((a, b, c, d, e, f, g, h));
        }
        events
            .iter()
            .map(|e| {
                assemble(
                    e,
                    by_event.get(&e.id).map_or(&[][..], Vec::as_slice),
                    from,
                    to,
                )
            })
            .collect()
    }

    /// The occurrence of `event` whose series start is `at`, if the series has one there.
    pub async fn occurrence_at(
        &self,
        event: &Event,
        at: &LocalDateTime,
    ) -> Result<Option<Occurrence>> {
        let real = domain::recurrence::is_occurrence(&event.start()?, event.rrule.as_deref(), at)
            .map_err(|e| StoreError::Other(format!("event {}: {e}", event.id)))?;
        let row: Option<OccurrenceRow> = sqlx::query_as(
            "SELECT starts_at, capacity, taken, status, moved_starts_at, moved_ends_at, title, location FROM occurrence WHERE event_id = $1 AND starts_at = $2",
        )
        .bind(event.id)
        .bind(at.as_str())
        .fetch_optional(self.pool())
        .await?;
        if !real {
            // A date an older rule had (a row exists because people answered or it was changed):
            // still reachable, as cancelled, so those who answered learn what became of it.
            return Ok(row
                .filter(|r| r.3 == "cancelled")
                .map(|r| build(event, at.clone(), Some(&r))));
        }
        Ok(Some(build(event, at.clone(), row.as_ref())))
    }

    /// Occurrences that differ from the series: moved or cancelled (for RECURRENCE-ID overrides).
    pub async fn changed_occurrences(&self, event: &Event) -> Result<Vec<Occurrence>> {
        let rows: Vec<OccurrenceRow> = sqlx::query_as(
            "SELECT starts_at, capacity, taken, status, moved_starts_at, moved_ends_at, title, location FROM occurrence WHERE event_id = $1 \
             AND (status = 'cancelled' OR moved_starts_at IS NOT NULL OR title IS NOT NULL OR location IS NOT NULL) ORDER BY starts_at",
        )
        .bind(event.id)
        .fetch_all(self.pool())
        .await?;
        let start = event.start()?;
        let mut out = Vec::new();
        for r in &rows {
            let Ok(id) = LocalDateTime::parse(&r.0) else {
                continue;
            };
            // Rows left over from an older rule are not occurrences any more.
            if domain::recurrence::is_occurrence(&start, event.rrule.as_deref(), &id)
                .unwrap_or(false)
            {
                out.push(build(event, id, Some(r)));
            }
        }
        Ok(out)
    }

    pub async fn count_events(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM event")
            .fetch_one(self.pool())
            .await?)
    }
}
