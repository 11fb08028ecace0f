//! Writes the demo's year of service matching (`domain::demo_service`) as the app would have: the
//! members' accounts, the community service day with its past occurrences, answers and check-ins,
//! the lists with their claims, the wishes, and the hours each confirmed thing credited.

use crate::services::{credit, Credit};
use crate::{Db, Result, StoreError};
use domain::demo_service::DemoService;
use domain::event::LocalDateTime;

fn unix(date: &str, hm: &str) -> i64 {
    LocalDateTime::parse(&format!("{date}T{hm}"))
        .map(|t| t.to_unix())
        .unwrap_or(0)
}

impl Db {
    pub(crate) async fn load_demo_service(&self, s: &DemoService, hash: &str) -> Result<()> {
        let mut member_ids = Vec::new();
        for m in &s.members {
            let username = domain::Username::parse(&m.username)
                .map_err(|e| StoreError::Other(e.to_string()))?;
            let id = match self.user_by_name(username.as_str()).await? {
                Some(u) => u.id,
                None => {
                    self.insert_user(
                        &username,
                        &m.display_name,
                        hash,
                        domain::Role::Resident,
                        Some(&s.community),
                    )
                    .await?
                    .id
                }
            };
            self.set_party_member(id, true).await?;
            member_ids.push(id);
        }
        let unit_id = self.unit_id(s.community.as_str()).await?;
        let unit_name: String = sqlx::query_scalar("SELECT name FROM org_unit WHERE id = $1")
            .bind(unit_id)
            .fetch_one(self.pool())
            .await?;
        let now = crate::now();
        // The community's finest grids: listings and wishes are spread over them, so the map's
        // service layer has something to show.
        let grids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM grid WHERE code LIKE $1 AND level = (SELECT MAX(level) FROM grid WHERE code LIKE $1) ORDER BY code",
        )
        .bind(format!("{}%", s.community.as_str()))
        .fetch_all(self.pool())
        .await?;
        let grid_of = |k: usize| (!grids.is_empty()).then(|| grids[k % grids.len()]);
        let mut tx = self.begin_write().await?;
        let event: i64 = sqlx::query_scalar(
            "INSERT INTO event (unit_id, title, category, location, starts_at, ends_at, rrule, capacity, updated_at) \
             VALUES ($1, '社区志愿服务日', 'service-day', $2, $3, $4, 'FREQ=MONTHLY;BYMONTHDAY=15,25', 30, $5) RETURNING id",
        )
        .bind(unit_id)
        .bind(format!("{unit_name}党群服务站"))
        .bind(&s.series_start)
        .bind(&s.series_end)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let minutes =
            domain::service::hours::check_in_minutes(&s.series_start, &s.series_end, None);
        for day in &s.days {
            let at = format!("{}T14:00", day.date);
            let n = day.present.len() as i64;
            let occurrence: i64 = sqlx::query_scalar(
                "INSERT INTO occurrence (event_id, starts_at, capacity, taken, next_seq) VALUES ($1, $2, 30, $3, $3) RETURNING id",
            )
            .bind(event)
            .bind(&at)
            .bind(n)
            .fetch_one(&mut *tx)
            .await?;
            for (seq, &m) in day.present.iter().enumerate() {
                let answered = unix(&day.date, "09:00") - 3 * 86_400;
                let rsvp: i64 = sqlx::query_scalar(
                    "INSERT INTO rsvp (occurrence_id, user_id, status, seats, seq, checkin_code, checked_in_at, created_at, updated_at) \
                     VALUES ($1, $2, 'going', 1, $3, $4, $5, $6, $6) RETURNING id",
                )
                .bind(occurrence)
                .bind(member_ids[m])
                .bind(seq as i64)
                .bind(crate::rsvp::new_code())
                .bind(unix(&day.date, "14:05"))
                .bind(answered)
                .fetch_one(&mut *tx)
                .await?;
                credit(
                    &mut tx,
                    Credit {
                        user_id: member_ids[m],
                        unit_id,
                        served_on: &day.date,
                        minutes,
                        what: "社区志愿服务日",
                        organiser: &unit_name,
                        confirmed_by: "shuji",
                        source: "check-in",
                        source_id: rsvp,
                    },
                )
                .await?;
            }
        }
        for (k, l) in s.listings.iter().enumerate() {
            let listing: i64 = sqlx::query_scalar(
                "INSERT INTO service_listing (kind, unit_id, title, description, category, amount, measure, deadline, status, created_at, created_by, event_id, milestones, grid_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'shuji', $11, $12, $13) RETURNING id",
            )
            .bind(&l.kind)
            .bind(unit_id)
            .bind(&l.title)
            .bind(&l.description)
            .bind(&l.category)
            .bind(l.amount)
            .bind(&l.measure)
            .bind(&l.deadline)
            .bind(&l.status)
            .bind(now)
            // Open needs are what the community service day takes on.
            .bind((l.kind == "need" && l.status == "open").then_some(event))
            .bind(serde_json::to_string(&l.milestones).map_err(|e| StoreError::Other(e.to_string()))?)
            .bind(grid_of(k))
            .fetch_one(&mut *tx)
            .await?;
            for c in &l.claims {
                let at = unix(&c.date, "17:00");
                let claim: i64 = sqlx::query_scalar(
                    "INSERT INTO service_claim (listing_id, claimant_id, amount, state, created_at, updated_at, updated_by) \
                     VALUES ($1, $2, $3, $4, $5, $5, 'shuji') RETURNING id",
                )
                .bind(listing)
                .bind(member_ids[c.member])
                .bind(c.amount)
                .bind(&c.state)
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                if c.state == "confirmed" {
                    credit(
                        &mut tx,
                        Credit {
                            user_id: member_ids[c.member],
                            unit_id,
                            served_on: &c.date,
                            minutes: c.minutes,
                            what: &l.title,
                            organiser: &unit_name,
                            confirmed_by: "shuji",
                            source: "claim",
                            source_id: claim,
                        },
                    )
                    .await?;
                }
            }
        }
        for (k, w) in s.wishes.iter().enumerate() {
            let posted = unix(&w.posted, "10:00");
            let wish: i64 = sqlx::query_scalar(
                "INSERT INTO service_wish (unit_id, beneficiary, title, category, state, claimant_id, note, minutes, created_at, updated_at, updated_by, grid_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'shuji', $11) RETURNING id",
            )
            .bind(unit_id)
            .bind(&w.beneficiary)
            .bind(&w.title)
            .bind(&w.category)
            .bind(&w.state)
            .bind(w.claimant.map(|m| member_ids[m]))
            .bind(&w.note)
            .bind(w.minutes)
            .bind(posted)
            .bind(posted + 7 * 86_400)
            .bind(grid_of(k * 7 + 3))
            .fetch_one(&mut *tx)
            .await?;
            if let (Some(m), "confirmed") = (w.claimant, w.state.as_str()) {
                let done = LocalDateTime::from_unix(posted + 7 * 86_400);
                credit(
                    &mut tx,
                    Credit {
                        user_id: member_ids[m],
                        unit_id,
                        served_on: done.date(),
                        minutes: w.minutes,
                        what: &format!("微心愿：{}", w.title),
                        organiser: &unit_name,
                        confirmed_by: "shuji",
                        source: "wish",
                        source_id: wish,
                    },
                )
                .await?;
            }
        }
        let mut report_ids: Vec<i64> = Vec::new();
        for r in &s.reports {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO service_report (kind, user_id, unit_id, org_name, unit_name, contact, phone, offers, grid_code, member_of, state, created_at, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'accepted', $11, $11, 'shuji') RETURNING id",
            )
            .bind(&r.kind)
            .bind(member_ids[r.member])
            .bind(unit_id)
            .bind(&r.org_name)
            .bind(&r.unit_name)
            .bind(&r.contact)
            .bind(&r.phone)
            .bind(&r.offers)
            .bind(&r.grid)
            .bind(r.member_of.map(|u| report_ids[u]))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            report_ids.push(id);
        }
        tx.commit().await?;
        Ok(())
    }
}
