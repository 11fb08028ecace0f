//! Changing events: the whole series, or this occurrence and the following ones (the series is
//! split). Every change checks the version the editor started from, so two organisers never
//! silently overwrite each other, and bumps SEQUENCE for calendar subscribers. Answers people gave
//! follow their occurrence when it moves; occurrences that no longer exist are shown cancelled.

use crate::{Db, Result, StoreError};
use domain::event::{EventDraft, LocalDateTime};
use sqlx::{Any, Transaction};

fn rule_err(e: domain::recurrence::RecurrenceError) -> StoreError {
    StoreError::Invalid(e.key().into())
}

/// The rule with its COUNT and UNTIL removed.
fn open_ended(rule: &str) -> String {
    rule.split(';')
        .filter(|p| {
            let k = p.split('=').next().unwrap_or("").to_ascii_uppercase();
            !p.is_empty() && k != "COUNT" && k != "UNTIL"
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// `UNTIL` for a series that must end just before `at` (local): RFC 5545 wants UTC with a TZID start.
fn until_before(at: &LocalDateTime) -> String {
    let utc_minutes = at.minutes() - 1 - crate::now_offset_minutes();
    let t = LocalDateTime::from_minutes(utc_minutes);
    format!("{}00Z", t.as_str().replace(['-', ':'], ""))
}

impl Db {
    async fn lock_event(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: i64,
        expected_version: i64,
    ) -> Result<(String, Option<String>)> {
        let row: Option<(i64, String, Option<String>)> = sqlx::query_as(&format!(
            "SELECT version, starts_at, rrule FROM event WHERE id = $1{}",
            self.for_update()
        ))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        let (version, start, rule) = row.ok_or(StoreError::NotFound)?;
        if version != expected_version {
            return Err(StoreError::Conflict(version));
        }
        Ok((start, rule))
    }

    /// Re-keys the occurrence rows of `from_event` at or after `since` onto `to_event`'s series:
    /// shifted by `delta` minutes, new capacity applied (refused if fewer places than taken),
    /// the waitlist promoted into new places; rows that are no longer occurrences become cancelled.
    #[allow(clippy::too_many_arguments)]
    async fn carry_occurrences(
        &self,
        tx: &mut Transaction<'static, Any>,
        from_event: i64,
        to_event: i64,
        since: &str,
        delta: i64,
        start: &LocalDateTime,
        rule: Option<&str>,
        capacity: i64,
    ) -> Result<()> {
        let mut rows: Vec<(i64, String, i64)> =
            sqlx::query_as("SELECT id, starts_at, taken FROM occurrence WHERE event_id = $1 AND starts_at >= $2 ORDER BY starts_at")
                .bind(from_event)
                .bind(since)
                .fetch_all(&mut **tx)
                .await?;
        // Move in an order that never collides with a row not yet moved.
        if delta > 0 {
            rows.reverse();
        }
        for (id, at, taken) in rows {
            let old = LocalDateTime::parse(&at).map_err(|e| StoreError::Other(e.to_string()))?;
            let new_at = LocalDateTime::from_minutes(old.minutes() + delta);
            let exists =
                domain::recurrence::is_occurrence(start, rule, &new_at).map_err(rule_err)?;
            if taken > capacity {
                return Err(StoreError::Invalid("err.event_capacity_below_taken".into()));
            }
            sqlx::query(
                "UPDATE occurrence SET event_id = $1, starts_at = $2, capacity = $3, \
                 status = CASE WHEN $4 = 1 THEN status ELSE 'cancelled' END WHERE id = $5",
            )
            .bind(to_event)
            .bind(if exists {
                new_at.as_str().to_owned()
            } else {
                at.clone()
            })
            .bind(capacity)
            .bind(i64::from(exists))
            .bind(id)
            .execute(&mut **tx)
            .await?;
            if exists {
                self.promote(tx, id).await?;
            }
        }
        Ok(())
    }

    /// Changes the whole series.
    pub async fn update_event(&self, id: i64, expected_version: i64, d: &EventDraft) -> Result<()> {
        if let Some(rule) = &d.rrule {
            domain::recurrence::parse(rule, &d.starts_at).map_err(rule_err)?;
        }
        let mut tx = self.begin_write().await?;
        let (old_start, old_rule) = self.lock_event(&mut tx, id, expected_version).await?;
        let old_start =
            LocalDateTime::parse(&old_start).map_err(|e| StoreError::Other(e.to_string()))?;
        // Same rule: occurrences move with the start. New rule: they stay where they were.
        let delta = if old_rule == d.rrule {
            d.starts_at.minutes() - old_start.minutes()
        } else {
            0
        };
        self.write_event(&mut tx, id, d).await?;
        self.carry_occurrences(
            &mut tx,
            id,
            id,
            "",
            delta,
            &d.starts_at,
            d.rrule.as_deref(),
            d.capacity,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes this occurrence and the following ones: the old series ends before `at`, a new series
    /// with the new details starts at `d.starts_at`, and answers for the moved occurrences follow.
    /// Returns the new event's id.
    pub async fn split_event(
        &self,
        id: i64,
        expected_version: i64,
        at: &LocalDateTime,
        d: &EventDraft,
    ) -> Result<i64> {
        let e = self.event(id).await?;
        if e.version != expected_version {
            // Checked again under the lock below; this early answer tells a stale editor the real reason.
            return Err(StoreError::Conflict(e.version));
        }
        let old_rule = e
            .rrule
            .clone()
            .ok_or_else(|| StoreError::Invalid("err.rrule_invalid".into()))?;
        if !domain::recurrence::is_occurrence(&e.start()?, Some(&old_rule), at).map_err(rule_err)? {
            return Err(StoreError::Invalid("err.rsvp_not_occurrence".into()));
        }
        // A series of N split after its k-th occurrence continues with N - k, not N more.
        let mut d = d.clone();
        if let Some(rule) = &d.rrule {
            let count = rule
                .split(';')
                .find_map(|p| p.strip_prefix("COUNT="))
                .and_then(|n| n.parse::<usize>().ok());
            if let (Some(n), true) = (count, d.rrule == e.rrule) {
                let before = domain::recurrence::occurrences(
                    &e.start()?,
                    Some(&old_rule),
                    &[],
                    &e.start()?,
                    at,
                )
                .map_err(rule_err)?
                .len();
                d.rrule = Some(format!(
                    "{};COUNT={}",
                    open_ended(rule),
                    n.saturating_sub(before).max(1)
                ));
            }
        }
        let d = &d;
        let rule = d
            .rrule
            .as_ref()
            .ok_or_else(|| StoreError::Invalid("err.rrule_invalid".into()))?;
        domain::recurrence::parse(rule, &d.starts_at).map_err(rule_err)?;
        if at.as_str() == e.starts_at {
            // "This and following" from the first occurrence is the whole series.
            self.update_event(id, expected_version, d).await?;
            return Ok(id);
        }
        let mut tx = self.begin_write().await?;
        self.lock_event(&mut tx, id, expected_version).await?;
        let ended = format!("{};UNTIL={}", open_ended(&old_rule), until_before(at));
        sqlx::query("UPDATE event SET rrule = $1, version = version + 1, sequence = sequence + 1, updated_at = $2 WHERE id = $3")
            .bind(&ended)
            .bind(crate::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let unit: i64 = sqlx::query_scalar("SELECT unit_id FROM event WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let new_id = crate::events::insert_event(&mut *tx, unit, d).await?;
        let delta = d.starts_at.minutes() - at.minutes();
        self.carry_occurrences(
            &mut tx,
            id,
            new_id,
            at.as_str(),
            delta,
            &d.starts_at,
            d.rrule.as_deref(),
            d.capacity,
        )
        .await?;
        tx.commit().await?;
        Ok(new_id)
    }

    /// Moves one occurrence to a new time; answers stay with it. Moving it back to where the series
    /// puts it clears the move.
    pub async fn move_occurrence(
        &self,
        id: i64,
        expected_version: i64,
        at: &LocalDateTime,
        starts_at: &LocalDateTime,
        ends_at: &LocalDateTime,
    ) -> Result<()> {
        if ends_at < starts_at {
            return Err(StoreError::Invalid("err.event_end_before_start".into()));
        }
        if ends_at.minutes() - starts_at.minutes() > 7 * 1440 {
            return Err(StoreError::Invalid("err.event_too_long".into()));
        }
        let e = self.event(id).await?;
        if e.version != expected_version {
            return Err(StoreError::Conflict(e.version));
        }
        if !domain::recurrence::is_occurrence(&e.start()?, e.rrule.as_deref(), at)
            .map_err(rule_err)?
        {
            return Err(StoreError::Invalid("err.rsvp_not_occurrence".into()));
        }
        let back =
            starts_at == at && ends_at.minutes() - starts_at.minutes() == e.duration_minutes();
        let mut tx = self.begin_write().await?;
        self.lock_event(&mut tx, id, expected_version).await?;
        sqlx::query(
            "INSERT INTO occurrence (event_id, starts_at, capacity, taken, next_seq, status) VALUES ($1, $2, $3, 0, 0, 'scheduled') \
             ON CONFLICT (event_id, starts_at) DO NOTHING",
        )
        .bind(id)
        .bind(at.as_str())
        .bind(e.capacity)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE occurrence SET moved_starts_at = $1, moved_ends_at = $2 WHERE event_id = $3 AND starts_at = $4")
            .bind((!back).then(|| starts_at.as_str().to_owned()))
            .bind((!back).then(|| ends_at.as_str().to_owned()))
            .bind(id)
            .bind(at.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE event SET version = version + 1, sequence = sequence + 1, updated_at = $1 WHERE id = $2")
            .bind(crate::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn write_event(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: i64,
        d: &EventDraft,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE event SET title = $1, description = $2, category = $3, location = $4, starts_at = $5, ends_at = $6, \
             rrule = $7, capacity = $8, guests_allowed = $9, rsvp_deadline_minutes = $10, visibility = $11, \
             version = version + 1, sequence = sequence + 1, updated_at = $12, grid_code = $14, point = $15 WHERE id = $13",
        )
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
        .bind(id)
        .bind(&d.grid_code)
        .bind(&d.point)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_lose_their_end() {
        assert_eq!(open_ended("FREQ=WEEKLY;COUNT=12"), "FREQ=WEEKLY");
        assert_eq!(
            open_ended("FREQ=MONTHLY;UNTIL=20300101T000000Z;BYMONTHDAY=15,25"),
            "FREQ=MONTHLY;BYMONTHDAY=15,25"
        );
    }

    #[test]
    fn until_is_utc_just_before() {
        let at = LocalDateTime::parse("2030-03-15T09:00").unwrap();
        assert_eq!(until_before(&at), "20300315T005900Z");
    }
}
