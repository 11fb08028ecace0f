//! RSVPs (报名), the waitlist (候补) and check-in (签到). Each answer is one write (`Db::write`)
//! that first takes the occurrence's row (PostgreSQL row lock; on SQLite the one writer runs it in
//! its own savepoint of a group commit), so arrivals are serialised per occurrence: capacity is
//! never exceeded and the waitlist keeps arrival order. The decisions themselves are
//! `domain::rsvp`.

use crate::{Db, Result, StoreError};
use domain::event::LocalDateTime;
use domain::rsvp::{self, RsvpStatus};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rsvp {
    pub status: RsvpStatus,
    /// Place in the waitlist (1 = next), when waitlisted.
    pub position: Option<i64>,
    pub seats: i64,
    /// One-time check-in code, shown as a QR code; only for the person who RSVP'd.
    pub checkin_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Attendee {
    pub rsvp_id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub status: String,
    pub seats: i64,
    pub seq: i64,
    pub checked_in_at: Option<i64>,
    /// Full number: callers mask it (`domain::mask::phone`) unless a reveal is permitted and audited.
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckIn {
    Done { display_name: String, seats: i64 },
    AlreadyCheckedIn { display_name: String, at: i64 },
    NotGoing,
    Unknown,
}

fn invalid(key: &str) -> StoreError {
    StoreError::Invalid(key.to_owned())
}

pub(crate) fn new_code() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

pub(crate) struct Line {
    id: i64,
    capacity: i64,
    taken: i64,
    status: String,
    /// Where the occurrence was moved to, if it was (`LocalDateTime` text).
    moved_starts_at: Option<String>,
}

impl Db {
    /// Takes the occurrence row for this transaction (creating it on first use) and hands out the
    /// next arrival number.
    pub(crate) async fn take_occurrence(
        &self,
        tx: &mut AnyConnection,
        event_id: i64,
        at: &str,
        capacity: i64,
    ) -> Result<(Line, i64)> {
        // One statement: the row is created on first use, or its arrival counter moves on (and,
        // on PostgreSQL, the row is locked for the rest of the transaction).
        let (id, seq, capacity, taken, status, moved_starts_at): (
            i64,
            i64,
            i64,
            i64,
            String,
            Option<String>,
        ) = sqlx::query_as(
            "INSERT INTO occurrence (event_id, starts_at, capacity, taken, next_seq, status) \
             VALUES ($1, $2, $3, 0, 1, 'scheduled') \
             ON CONFLICT (event_id, starts_at) DO UPDATE SET next_seq = occurrence.next_seq + 1 \
             RETURNING id, next_seq, capacity, taken, status, moved_starts_at",
        )
        .bind(event_id)
        .bind(at)
        .bind(capacity)
        .fetch_one(&mut *tx)
        .await?;
        Ok((
            Line {
                id,
                capacity,
                taken,
                status,
                moved_starts_at,
            },
            seq,
        ))
    }

    /// Moves people up from the waitlist while places are free, first come first served.
    pub(crate) async fn promote(
        &self,
        tx: &mut AnyConnection,
        occurrence_id: i64,
    ) -> Result<Vec<i64>> {
        let (capacity, taken): (i64, i64) =
            sqlx::query_as("SELECT capacity, taken FROM occurrence WHERE id = $1")
                .bind(occurrence_id)
                .fetch_one(&mut *tx)
                .await?;
        let line: Vec<(i64, i64)> =
            sqlx::query_as("SELECT id, seats FROM rsvp WHERE occurrence_id = $1 AND status = 'waitlisted' ORDER BY seq")
                .bind(occurrence_id)
                .fetch_all(&mut *tx)
                .await?;
        let up = rsvp::promotions(capacity - taken, &line);
        for id in &up {
            let seats = line
                .iter()
                .find(|(i, _)| i == id)
                .map(|(_, s)| *s)
                .unwrap_or(1);
            let n = sqlx::query(
                "UPDATE occurrence SET taken = taken + $1 WHERE id = $2 AND taken + $1 <= capacity",
            )
            .bind(seats)
            .bind(occurrence_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                return Err(StoreError::Other("waitlist promotion found no room".into()));
            }
            sqlx::query("UPDATE rsvp SET status = 'going', updated_at = $1 WHERE id = $2")
                .bind(crate::now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        Ok(up)
    }

    async fn position(&self, tx: &mut AnyConnection, occurrence_id: i64, seq: i64) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM rsvp WHERE occurrence_id = $1 AND status = 'waitlisted' AND seq <= $2")
            .bind(occurrence_id)
            .bind(seq)
            .fetch_one(&mut *tx)
            .await?)
    }

    /// Answers "going" (with `guests`) or "not going" for the occurrence of `event_id` starting `at`.
    /// `now` is the local time, for the RSVP deadline.
    pub async fn rsvp(
        &self,
        event_id: i64,
        at: &LocalDateTime,
        user_id: i64,
        going: bool,
        guests: i64,
        now: &LocalDateTime,
    ) -> Result<Rsvp> {
        let event = self.event(event_id).await?;
        self.rsvp_audited(&event, at, user_id, going, guests, now, None)
            .await
    }

    /// `rsvp` for `event` as the caller has read it, with the audit entry of `audit` written in
    /// the same transaction (one commit: the answer and its record are kept together or not at
    /// all). The checks (the date, the deadline) come first; the write goes through `Db::write`
    /// (one writer with group commit on SQLite), where the occurrence row is taken and checked
    /// again.
    #[allow(clippy::too_many_arguments)]
    pub async fn rsvp_audited(
        &self,
        event: &crate::events::Event,
        at: &LocalDateTime,
        user_id: i64,
        going: bool,
        guests: i64,
        now: &LocalDateTime,
        audit: Option<crate::audit::Actor>,
    ) -> Result<Rsvp> {
        let event_id = event.id;
        let start = event.start()?;
        let real = domain::recurrence::is_occurrence(&start, event.rrule.as_deref(), at)
            .map_err(|e| StoreError::Other(e.to_string()))?;
        if !real {
            return Err(invalid("err.rsvp_not_occurrence"));
        }
        if event.status == domain::event::EventStatus::Cancelled {
            return Err(invalid("err.rsvp_cancelled"));
        }
        if !(0..=event.guests_allowed).contains(&guests) {
            return Err(invalid("err.rsvp_guests"));
        }
        let seats = rsvp::seats(guests);
        let (db, at, capacity) = (self.clone(), at.as_str().to_owned(), event.capacity);
        let deadline = (now.minutes(), event.rsvp_deadline_minutes);
        self.write(occurrence_lane(event_id, &at), move |tx| {
            Box::pin(async move {
                let outcome = db
                    .rsvp_in(tx, event_id, &at, capacity, deadline, user_id, going, seats)
                    .await?;
                if let Some(who) = audit {
                    crate::audit::audit_in(
                        tx,
                        &crate::audit::Audit {
                            actor_user_id: Some(who.user_id),
                            actor: &who.username,
                            ip: &who.ip,
                            action: domain::audit::AuditAction::EventRsvp,
                            object: domain::audit::AuditObject::Occurrence(event_id, &at),
                            result: domain::audit::AuditResult::Ok,
                            detail: outcome.status.as_str(),
                        },
                    )
                    .await?;
                }
                Ok(outcome)
            })
        })
        .await
    }

    /// The RSVP's writes inside the write transaction `tx` (its checks done by the caller).
    #[allow(clippy::too_many_arguments)]
    async fn rsvp_in(
        &self,
        tx: &mut AnyConnection,
        event_id: i64,
        at: &str,
        capacity: i64,
        (now, deadline): (i64, i64),
        user_id: i64,
        going: bool,
        seats: i64,
    ) -> Result<Rsvp> {
        let (line, seq) = self.take_occurrence(tx, event_id, at, capacity).await?;
        if line.status == "cancelled" {
            return Err(invalid("err.rsvp_cancelled"));
        }
        // The deadline counts from when the occurrence actually happens (it may have been moved).
        let starts = LocalDateTime::parse(line.moved_starts_at.as_deref().unwrap_or(at))
            .map_err(|e| StoreError::Other(format!("occurrence {}: {e:?}", line.id)))?;
        if !rsvp::is_open(now, starts.minutes(), deadline) {
            return Err(invalid("err.rsvp_closed"));
        }
        // The caller's answer so far (if any) and whether anyone waits, in one statement.
        let (waiting, id, status, old_seats, old_seq, old_code): (
            i64,
            Option<i64>,
            Option<String>,
            Option<i64>,
            Option<i64>,
            Option<String>,
        ) = sqlx::query_as(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM rsvp WHERE occurrence_id = $1 AND status = 'waitlisted') THEN 1 ELSE 0 END, \
             r.id, r.status, r.seats, r.seq, r.checkin_code \
             FROM (SELECT 1 AS one) o LEFT JOIN rsvp r ON r.occurrence_id = $1 AND r.user_id = $2",
        )
        .bind(line.id)
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        let existing = match (id, status, old_seats, old_seq, old_code) {
            (Some(id), Some(status), Some(seats), Some(seq), Some(code)) => {
                Some((id, status, seats, seq, code))
            }
            _ => None,
        };
        let now_ts = crate::now();
        let previous = existing.as_ref().and_then(|e| RsvpStatus::parse(&e.1));
        let outcome = match (going, previous) {
            // Already going: only the party size can change.
            (true, Some(RsvpStatus::Going)) => {
                let (id, _, old, _, code) = existing.clone().expect("exists");
                if seats > old {
                    let n = sqlx::query("UPDATE occurrence SET taken = taken + $1 WHERE id = $2 AND taken + $1 <= capacity")
                        .bind(seats - old)
                        .bind(line.id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if n != 1 {
                        return Err(invalid("err.rsvp_no_room_for_guests"));
                    }
                } else if seats < old {
                    sqlx::query("UPDATE occurrence SET taken = taken - $1 WHERE id = $2")
                        .bind(old - seats)
                        .bind(line.id)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("UPDATE rsvp SET seats = $1, updated_at = $2 WHERE id = $3")
                    .bind(seats)
                    .bind(now_ts)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                if seats < old {
                    self.promote(tx, line.id).await?;
                }
                Rsvp {
                    status: RsvpStatus::Going,
                    position: None,
                    seats,
                    checkin_code: code,
                }
            }
            // Already waiting: keep the place in line, update the party size.
            (true, Some(RsvpStatus::Waitlisted)) => {
                let (id, _, _, old_seq, code) = existing.clone().expect("exists");
                sqlx::query("UPDATE rsvp SET seats = $1, updated_at = $2 WHERE id = $3")
                    .bind(seats)
                    .bind(now_ts)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let position = self.position(tx, line.id, old_seq).await?;
                Rsvp {
                    status: RsvpStatus::Waitlisted,
                    position: Some(position),
                    seats,
                    checkin_code: code,
                }
            }
            // A new "going": a place if one is free, else the end of the line.
            (true, None | Some(RsvpStatus::NotGoing)) => {
                let status = rsvp::decide(line.taken, line.capacity, seats, waiting == 1);
                if status == RsvpStatus::Going {
                    let n = sqlx::query("UPDATE occurrence SET taken = taken + $1 WHERE id = $2 AND taken + $1 <= capacity")
                        .bind(seats)
                        .bind(line.id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if n != 1 {
                        return Err(StoreError::Other(
                            "capacity counter disagrees with its row".into(),
                        ));
                    }
                }
                let code = match &existing {
                    Some((id, _, _, _, code)) => {
                        sqlx::query("UPDATE rsvp SET status = $1, seats = $2, seq = $3, checked_in_at = NULL, updated_at = $4 WHERE id = $5")
                            .bind(status.as_str())
                            .bind(seats)
                            .bind(seq)
                            .bind(now_ts)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        code.clone()
                    }
                    None => {
                        let code = new_code();
                        sqlx::query(
                            "INSERT INTO rsvp (occurrence_id, user_id, status, seats, seq, checkin_code, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                        )
                        .bind(line.id)
                        .bind(user_id)
                        .bind(status.as_str())
                        .bind(seats)
                        .bind(seq)
                        .bind(&code)
                        .bind(now_ts)
                        .execute(&mut *tx)
                        .await?;
                        code
                    }
                };
                let position = if status == RsvpStatus::Waitlisted {
                    Some(self.position(tx, line.id, seq).await?)
                } else {
                    None
                };
                Rsvp {
                    status,
                    position,
                    seats,
                    checkin_code: code,
                }
            }
            // Not going: give back the place (and move the line up), or leave the line.
            (false, prev) => {
                let code = match &existing {
                    Some((id, _, old, _, code)) => {
                        sqlx::query(
                            "UPDATE rsvp SET status = 'not-going', updated_at = $1 WHERE id = $2",
                        )
                        .bind(now_ts)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        if prev == Some(RsvpStatus::Going) {
                            sqlx::query("UPDATE occurrence SET taken = taken - $1 WHERE id = $2")
                                .bind(old)
                                .bind(line.id)
                                .execute(&mut *tx)
                                .await?;
                            self.promote(tx, line.id).await?;
                        }
                        code.clone()
                    }
                    None => {
                        let code = new_code();
                        sqlx::query(
                            "INSERT INTO rsvp (occurrence_id, user_id, status, seats, seq, checkin_code, created_at, updated_at) \
                             VALUES ($1, $2, 'not-going', 1, $3, $4, $5, $5)",
                        )
                        .bind(line.id)
                        .bind(user_id)
                        .bind(seq)
                        .bind(&code)
                        .bind(now_ts)
                        .execute(&mut *tx)
                        .await?;
                        code
                    }
                };
                Rsvp {
                    status: RsvpStatus::NotGoing,
                    position: None,
                    seats: 0,
                    checkin_code: code,
                }
            }
        };
        Ok(outcome)
    }

    /// The caller's own answer for one occurrence, with their current place in line.
    pub async fn my_rsvp(
        &self,
        event_id: i64,
        at: &LocalDateTime,
        user_id: i64,
    ) -> Result<Option<Rsvp>> {
        let row: Option<(i64, String, i64, i64, String)> = sqlx::query_as(
            "SELECT o.id, r.status, r.seats, r.seq, r.checkin_code FROM rsvp r JOIN occurrence o ON o.id = r.occurrence_id \
             WHERE o.event_id = $1 AND o.starts_at = $2 AND r.user_id = $3",
        )
        .bind(event_id)
        .bind(at.as_str())
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        let Some((occ, status, seats, seq, code)) = row else {
            return Ok(None);
        };
        let status = RsvpStatus::parse(&status)
            .ok_or_else(|| StoreError::Other(format!("bad rsvp status {status}")))?;
        let position = if status == RsvpStatus::Waitlisted {
            Some(
                sqlx::query_scalar("SELECT COUNT(*) FROM rsvp WHERE occurrence_id = $1 AND status = 'waitlisted' AND seq <= $2")
                    .bind(occ)
                    .bind(seq)
                    .fetch_one(self.pool())
                    .await?,
            )
        } else {
            None
        };
        Ok(Some(Rsvp {
            status,
            position,
            seats,
            checkin_code: code,
        }))
    }

    /// Everyone who answered for an occurrence, in arrival order.
    pub async fn attendees(&self, event_id: i64, at: &LocalDateTime) -> Result<Vec<Attendee>> {
        Ok(sqlx::query_as(
            "SELECT r.id AS rsvp_id, u.id AS user_id, u.username, u.display_name, r.status, r.seats, r.seq, r.checked_in_at, u.phone \
             FROM rsvp r JOIN occurrence o ON o.id = r.occurrence_id JOIN app_user u ON u.id = r.user_id \
             WHERE o.event_id = $1 AND o.starts_at = $2 ORDER BY r.seq",
        )
        .bind(event_id)
        .bind(at.as_str())
        .fetch_all(self.pool())
        .await?)
    }

    /// Checks in the holder of `code` at the occurrence of `event_id` starting `at`. A code works once.
    pub async fn check_in(
        &self,
        event_id: i64,
        at: &LocalDateTime,
        code: &str,
        confirmed_by: &str,
    ) -> Result<CheckIn> {
        let code = code.trim().to_ascii_lowercase();
        if code.len() != 32 || !code.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(CheckIn::Unknown);
        }
        // A crowd at the door checks in at once: through the writer, like the answers.
        let (db, at, by) = (self.clone(), at.clone(), confirmed_by.to_owned());
        self.write(occurrence_lane(event_id, at.as_str()), move |tx| {
            Box::pin(async move {
                let row: Option<(i64, String, i64, Option<i64>, String)> = sqlx::query_as(
                    "SELECT r.id, r.status, r.seats, r.checked_in_at, u.display_name FROM rsvp r \
                     JOIN occurrence o ON o.id = r.occurrence_id JOIN app_user u ON u.id = r.user_id \
                     WHERE r.checkin_code = $1 AND o.event_id = $2 AND o.starts_at = $3",
                )
                .bind(&code)
                .bind(event_id)
                .bind(at.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                Ok(match row {
                    None => CheckIn::Unknown,
                    Some((_, status, _, _, _)) if status != "going" => CheckIn::NotGoing,
                    Some((_, _, _, Some(ts), name)) => CheckIn::AlreadyCheckedIn {
                        display_name: name,
                        at: ts,
                    },
                    Some((id, _, seats, None, name)) => {
                        sqlx::query(
                            "UPDATE rsvp SET checked_in_at = $1 WHERE id = $2 AND checked_in_at IS NULL",
                        )
                        .bind(crate::now())
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        db.credit_check_in(tx, id, event_id, &at, &by).await?;
                        CheckIn::Done {
                            display_name: name,
                            seats,
                        }
                    }
                })
            })
        })
        .await
    }
}

/// The writer's lane for writes to the occurrence of `event_id` at `at` (`Db::write`): answers
/// and check-ins for one occurrence share a lane, and so a batch.
fn occurrence_lane(event_id: i64, at: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (event_id, at).hash(&mut h);
    h.finish()
}

impl Db {
    /// Service hours for a check-in at a service day or a volunteer activity
    /// (`domain::service::hours::credits_check_in`): the event's length, once per answer.
    async fn credit_check_in(
        &self,
        tx: &mut AnyConnection,
        rsvp_id: i64,
        event_id: i64,
        at: &LocalDateTime,
        confirmed_by: &str,
    ) -> Result<()> {
        use domain::service::hours;
        let (user_id, unit_id, unit_name, title, category, starts, ends): (i64, i64, String, String, String, String, String) =
            sqlx::query_as(
                "SELECT r.user_id, e.unit_id, u.name, e.title, e.category, e.starts_at, e.ends_at FROM rsvp r \
                 JOIN occurrence o ON o.id = r.occurrence_id JOIN event e ON e.id = o.event_id \
                 JOIN org_unit u ON u.id = e.unit_id WHERE r.id = $1 AND e.id = $2",
            )
            .bind(rsvp_id)
            .bind(event_id)
            .fetch_one(&mut *tx)
            .await?;
        if !hours::credits_check_in(&category) {
            return Ok(());
        }
        crate::services::credit(
            tx,
            crate::services::Credit {
                user_id,
                unit_id,
                served_on: at.date(),
                minutes: hours::check_in_minutes(&starts, &ends, None),
                what: &title,
                organiser: &unit_name,
                confirmed_by,
                source: "check-in",
                source_id: rsvp_id,
            },
        )
        .await
    }
}

impl Db {
    /// Every RSVP (going, waitlisted or not) of occurrences in `[from, to)` organised by units
    /// under `unit_prefix` (all when empty), for `domain::stats::aggregate`.
    pub async fn participation_rows(
        &self,
        from: &str,
        to: &str,
        unit_prefix: &str,
    ) -> Result<Vec<domain::stats::ParticipationRow>> {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(i64, String, String, String, String, String, String, i64, i64, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT e.id, e.title, u.code, u.name, o.starts_at, e.starts_at, e.ends_at, o.capacity, o.taken, usr.display_name, \
             r.status, r.checked_in_at FROM rsvp r JOIN occurrence o ON o.id = r.occurrence_id JOIN event e ON e.id = o.event_id \
             JOIN org_unit u ON u.id = e.unit_id JOIN app_user usr ON usr.id = r.user_id \
             WHERE o.starts_at >= $1 AND o.starts_at < $2 AND u.code LIKE $3 ORDER BY o.starts_at, e.id, r.seq",
        )
        .bind(from)
        .bind(to)
        .bind(format!("{}%", unit_prefix.replace(['%', '_'], "")))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    event_id,
                    title,
                    unit_code,
                    unit_name,
                    starts_at,
                    s,
                    e,
                    capacity,
                    taken,
                    person,
                    status,
                    checked,
                )| {
                    let minutes = match (LocalDateTime::parse(&s), LocalDateTime::parse(&e)) {
                        (Ok(s), Ok(e)) => (e.minutes() - s.minutes()).max(0),
                        _ => 0,
                    };
                    domain::stats::ParticipationRow {
                        event_id,
                        title,
                        unit_code,
                        unit_name,
                        starts_at,
                        minutes,
                        capacity,
                        taken,
                        person,
                        going: status == "going",
                        checked_in: checked.is_some(),
                    }
                },
            )
            .collect())
    }
}
