//! Events: the calendar, one occurrence with the caller's RSVP, publishing, attendees and check-in.

use super::AppError;
use domain::rsvp::RsvpStatus;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::*;

/// One occurrence in the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OccurrenceView {
    pub event_id: i64,
    /// The start the series gives this occurrence: its key in links and answers.
    pub recurrence_id: String,
    pub moved: bool,
    pub title: String,
    pub category: domain::event::Category,
    pub unit_name: String,
    pub location: String,
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: i64,
    pub taken: i64,
    pub cancelled: bool,
    pub recurring: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RsvpView {
    pub status: RsvpStatus,
    pub position: Option<i64>,
    pub seats: i64,
    pub checkin_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OccurrenceDetail {
    pub occurrence: OccurrenceView,
    pub description: String,
    pub unit_code: String,
    pub rrule: Option<String>,
    pub guests_allowed: i64,
    pub rsvp_deadline_minutes: i64,
    pub visibility: domain::event::Visibility,
    pub rsvp_open: bool,
    pub mine: Option<RsvpView>,
    /// The caller may see attendees, check people in, edit and cancel.
    pub can_manage: bool,
    /// The event's version, sent back with an edit so concurrent edits are detected.
    pub version: i64,
    /// The grid it takes place in (links to the map) and its point `lon,lat`.
    pub grid_code: Option<String>,
    pub point: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeView {
    pub display_name: String,
    pub status: RsvpStatus,
    pub seats: i64,
    pub position: i64,
    pub checked_in: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckInView {
    Done { display_name: String, seats: i64 },
    AlreadyCheckedIn { display_name: String },
    NotGoing,
    Unknown,
}

/// A community to filter the calendar by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityOption {
    pub code: String,
    pub name: String,
}

/// The longest calendar window one request may ask for, in days.
pub const MAX_WINDOW_DAYS: i64 = 62;

#[cfg(feature = "ssr")]
pub(crate) mod ssr_events {
    use super::*;
    use domain::event::LocalDateTime;
    use domain::Principal;

    pub fn time(s: &str) -> Result<LocalDateTime, AppError> {
        LocalDateTime::parse(s).map_err(|_| AppError::Invalid("err.date".into()))
    }

    pub fn now_local() -> LocalDateTime {
        LocalDateTime::from_unix(store::now())
    }

    /// Who may see an event (`domain::event::Visibility::visible_to`); unknown values: nobody.
    /// The event `id` if the caller may see it; an event they may not see does not exist for them.
    pub async fn visible_event(
        db: &store::Db,
        p: &Principal,
        id: i64,
    ) -> Result<store::events::Event, AppError> {
        let e = db.event(id).await?;
        if e.visibility.visible_to(p) {
            Ok(e)
        } else {
            Err(AppError::NotFound)
        }
    }

    pub fn may_manage(p: &Principal, unit_code: &str) -> bool {
        domain::Code::parse(unit_code).is_ok_and(|c| p.can_publish_event(&c))
    }

    pub fn view(e: &store::events::Event, o: &store::events::Occurrence) -> OccurrenceView {
        OccurrenceView {
            event_id: e.id,
            recurrence_id: o.recurrence_id.to_string(),
            moved: o.moved,
            title: o.title.clone().unwrap_or_else(|| e.title.clone()),
            category: e.category,
            unit_name: e.unit_name.clone(),
            location: o.location.clone().unwrap_or_else(|| e.location.clone()),
            starts_at: o.starts_at.to_string(),
            ends_at: o.ends_at.to_string(),
            capacity: o.capacity,
            taken: o.taken,
            cancelled: o.cancelled,
            recurring: e.rrule.is_some(),
        }
    }

    pub fn rsvp_view(o: store::rsvp::Rsvp) -> RsvpView {
        RsvpView {
            status: o.status,
            position: o.position,
            seats: o.seats,
            checkin_code: o.checkin_code,
        }
    }

    /// The organisation unit `code` names, if the caller may publish events for it (else 403, audited
    /// as `action`).
    pub async fn publishing_unit(
        p: &Principal,
        code: &str,
        action: AuditAction,
    ) -> Result<domain::Code, AppError> {
        let unit = domain::Code::parse(code).map_err(|_| AppError::Invalid("err.code".into()))?;
        if !p.can_publish_event(&unit) {
            return Err(deny(p, action, AuditObject::OrgUnit(unit.as_str())).await);
        }
        Ok(unit)
    }

    /// The draft with its place. The grid must exist and be of the caller's own area
    /// (`Principal::can_link_grid`: 403 and audited otherwise); a point must lie inside that grid,
    /// or, without a grid, inside some grid of the caller's area (the smallest one holding it
    /// becomes the event's grid); without a point, the grid's centre is used.
    pub async fn place(
        p: &Principal,
        draft: domain::event::EventDraft,
        grid: Option<String>,
        point: Option<String>,
    ) -> Result<domain::event::EventDraft, AppError> {
        use domain::geometry::quantise;
        let mut draft = draft
            .with_place(
                grid.as_deref().unwrap_or(""),
                point.as_deref().unwrap_or(""),
            )
            .map_err(|e| AppError::Invalid(e.key().into()))?;
        let db = &state()?.db;
        let outside = || AppError::Invalid("err.event_point_outside".into());
        match (draft.grid_code.clone(), draft.lon_lat()) {
            (Some(code), point) => {
                let boundary = db
                    .grid_boundary(&code)
                    .await
                    .map_err(internal)?
                    .ok_or_else(|| AppError::Invalid("err.event_grid".into()))?;
                let linkable = domain::Code::parse(&code).is_ok_and(|c| p.can_link_grid(&c));
                if !linkable {
                    return Err(deny(p, AuditAction::EventPlace, AuditObject::Grids(&code)).await);
                }
                match point {
                    Some(at) if !boundary.contains(at) => return Err(outside()),
                    Some(_) => {}
                    None => {
                        let [lon, lat] = quantise(boundary.label_point());
                        draft.point = Some(format!("{lon},{lat}"));
                    }
                }
            }
            (None, Some(at)) => {
                let grids = db.list_grids(None).await.map_err(internal)?;
                let holder = grids
                    .iter()
                    .filter(|g| {
                        domain::Code::parse(&g.state.code).is_ok_and(|c| p.can_link_grid(&c))
                            && g.state.boundary.contains(at)
                    })
                    .max_by_key(|g| g.state.code.len())
                    .ok_or_else(outside)?;
                draft.grid_code = Some(holder.state.code.clone());
            }
            (None, None) => {}
        }
        Ok(draft)
    }
}
#[cfg(feature = "ssr")]
use ssr_events::*;

/// The occurrences in `[from, to)` (local times), optionally of one category, soonest first.
#[server(prefix = "/api", endpoint = "events_calendar")]
pub async fn events_calendar(
    from: String,
    to: String,
    category: String,
    community: String,
) -> Result<Vec<OccurrenceView>, AppError> {
    let p = require_user().await?;
    let (from, to) = (time(&from)?, time(&to)?);
    if to <= from || to.minutes() - from.minutes() > MAX_WINDOW_DAYS * 1440 {
        return Err(AppError::Invalid("err.window".into()));
    }
    let category = category.trim();
    if !category.is_empty() && domain::event::Category::parse(category).is_none() {
        return Err(AppError::Invalid("err.event_category".into()));
    }
    let community = match community.trim() {
        "" => None,
        c => Some(domain::Code::parse(c).map_err(|_| AppError::Invalid("err.code".into()))?),
    };
    let db = state()?.db;
    let events = db
        .events_in_window(from.as_str(), to.as_str())
        .await
        .map_err(internal)?;
    let events: Vec<_> = events
        .into_iter()
        .filter(|e| {
            e.visibility.visible_to(&p)
                && (category.is_empty() || e.category.as_str() == category)
                && community.as_ref().is_none_or(|c| {
                    domain::Code::parse(&e.unit_code).is_ok_and(|u| u.is_related(c))
                })
        })
        .collect();
    // One query for the occurrence rows of all these events (not one per event).
    let occurrences = db
        .occurrences_of(&events, &from, &to)
        .await
        .map_err(internal)?;
    let mut out = Vec::new();
    for (e, list) in events.iter().zip(occurrences) {
        out.extend(list.iter().map(|o| view(e, o)));
    }
    out.sort_by(|a, b| {
        a.starts_at
            .cmp(&b.starts_at)
            .then(a.event_id.cmp(&b.event_id))
    });
    Ok(out)
}

/// One occurrence of an event, with the caller's own RSVP.
#[server(prefix = "/api", endpoint = "event_detail")]
pub async fn event_detail(id: i64, at: String) -> Result<OccurrenceDetail, AppError> {
    let p = require_user().await?;
    let at = time(&at)?;
    let db = state()?.db;
    let e = visible_event(&db, &p, id).await?;
    let o = db
        .occurrence_at(&e, &at)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let mine = db
        .my_rsvp(id, &at, p.user_id)
        .await
        .map_err(internal)?
        .map(rsvp_view);
    Ok(OccurrenceDetail {
        occurrence: view(&e, &o),
        rsvp_open: !o.cancelled
            && domain::rsvp::is_open(
                now_local().minutes(),
                o.starts_at.minutes(),
                e.rsvp_deadline_minutes,
            ),
        description: e.description,
        can_manage: may_manage(&p, &e.unit_code),
        unit_code: e.unit_code,
        rrule: e.rrule,
        guests_allowed: e.guests_allowed,
        rsvp_deadline_minutes: e.rsvp_deadline_minutes,
        visibility: e.visibility,
        version: e.version,
        grid_code: e.grid_code,
        point: e.point,
        mine,
    })
}

/// Going (with `guests`) or not going. When full, "going" joins the waitlist.
#[server(prefix = "/api", endpoint = "event_rsvp")]
pub async fn event_rsvp(
    id: i64,
    at: String,
    going: bool,
    guests: i64,
) -> Result<RsvpView, AppError> {
    let p = require_user().await?;
    let at = time(&at)?;
    let db = state()?.db;
    let event = visible_event(&db, &p, id).await?;
    // The answer and its audit entry are one write (issue 22: one commit, not two).
    let who = store::audit::Actor {
        user_id: p.user_id,
        username: p.username.clone(),
        ip: request().client_ip,
    };
    let r = db
        .rsvp_audited(
            &event,
            &at,
            p.user_id,
            going,
            guests,
            &now_local(),
            Some(who),
        )
        .await?;
    Ok(rsvp_view(r))
}

/// What the event form sends, for a new event and for a change (sent as `input[title]=…`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventInput {
    pub title: String,
    pub description: String,
    /// A `domain::event::Category` word.
    pub category: String,
    pub location: String,
    /// Asia/Shanghai wall time `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    pub ends_at: String,
    /// An RRULE, empty for a single event.
    pub rrule: String,
    pub capacity: i64,
    pub guests_allowed: i64,
    pub rsvp_deadline_minutes: i64,
    /// A `domain::event::Visibility` word.
    pub visibility: String,
    pub grid_code: Option<String>,
    /// `lon,lat`.
    pub point: Option<String>,
}

#[cfg(feature = "ssr")]
impl EventInput {
    /// The checked draft (without its place, which `place` checks against the caller's area).
    fn draft(&self) -> Result<domain::event::EventDraft, AppError> {
        domain::event::EventDraft::parse(domain::event::RawEvent {
            title: &self.title,
            description: &self.description,
            category: &self.category,
            location: &self.location,
            starts_at: &self.starts_at,
            ends_at: &self.ends_at,
            rrule: &self.rrule,
            capacity: self.capacity,
            guests_allowed: self.guests_allowed,
            rsvp_deadline_minutes: self.rsvp_deadline_minutes,
            visibility: &self.visibility,
        })
        .map_err(|e| AppError::Invalid(e.key().into()))
    }
}

/// Publishes an event for an organisation unit in the caller's scope.
#[server(prefix = "/api", endpoint = "event_create")]
pub async fn event_create(unit_code: String, input: EventInput) -> Result<i64, AppError> {
    let p = require_user().await?;
    let unit = publishing_unit(&p, &unit_code, AuditAction::EventCreate).await?;
    let draft = place(&p, input.draft()?, input.grid_code, input.point).await?;
    let id = state()?.db.create_event(unit.as_str(), &draft).await?;
    audit(
        Some(&p),
        AuditAction::EventCreate,
        AuditObject::Event(id),
        AuditResult::Ok,
        &draft.title,
    )
    .await;
    Ok(id)
}

/// Who answered for an occurrence, in arrival order. Names only: no contact details.
#[server(prefix = "/api", endpoint = "event_attendees")]
pub async fn event_attendees(id: i64, at: String) -> Result<Vec<AttendeeView>, AppError> {
    let p = require_user().await?;
    let at = time(&at)?;
    let db = state()?.db;
    let e = db.event(id).await?;
    if !may_manage(&p, &e.unit_code) {
        return Err(deny(&p, AuditAction::EventAttendees, AuditObject::Event(id)).await);
    }
    let list: Vec<_> = db
        .attendees(id, &at)
        .await
        .map_err(internal)?
        .into_iter()
        .filter_map(|a| Some((RsvpStatus::parse(&a.status)?, a)))
        .collect();
    let positions = domain::rsvp::waitlist_positions(list.iter().map(|(s, _)| *s));
    Ok(list
        .into_iter()
        .zip(positions)
        .filter(|((status, _), _)| *status != RsvpStatus::NotGoing)
        .map(|((status, a), position)| AttendeeView {
            display_name: a.display_name,
            status,
            seats: a.seats,
            position: position.unwrap_or(0),
            checked_in: a.checked_in_at.is_some(),
        })
        .collect())
}

/// Checks in the holder of a scanned or typed code.
#[server(prefix = "/api", endpoint = "event_check_in")]
pub async fn event_check_in(id: i64, at: String, code: String) -> Result<CheckInView, AppError> {
    let p = require_user().await?;
    let at = time(&at)?;
    let db = state()?.db;
    let e = db.event(id).await?;
    if !may_manage(&p, &e.unit_code) {
        return Err(deny(&p, AuditAction::EventCheckIn, AuditObject::Event(id)).await);
    }
    let r = db
        .check_in(id, &at, &code, &p.username)
        .await
        .map_err(internal)?;
    let (view, result) = match r {
        store::rsvp::CheckIn::Done {
            display_name,
            seats,
        } => (
            CheckInView::Done {
                display_name,
                seats,
            },
            AuditResult::Ok,
        ),
        store::rsvp::CheckIn::AlreadyCheckedIn { display_name, .. } => (
            CheckInView::AlreadyCheckedIn { display_name },
            AuditResult::Repeat,
        ),
        store::rsvp::CheckIn::NotGoing => (CheckInView::NotGoing, AuditResult::Refused),
        store::rsvp::CheckIn::Unknown => (CheckInView::Unknown, AuditResult::Refused),
    };
    audit(
        Some(&p),
        AuditAction::EventCheckIn,
        AuditObject::Occurrence(id, at.as_str()),
        result,
        "",
    )
    .await;
    Ok(view)
}

/// Cancels one occurrence; the rest of the series goes on. Subscribers see it cancelled.
#[server(prefix = "/api", endpoint = "event_cancel_occurrence")]
pub async fn event_cancel_occurrence(id: i64, at: String) -> Result<(), AppError> {
    let p = require_user().await?;
    let at = time(&at)?;
    let db = state()?.db;
    let e = db.event(id).await?;
    if !may_manage(&p, &e.unit_code) {
        return Err(deny(
            &p,
            AuditAction::EventCancelOccurrence,
            AuditObject::Event(id),
        )
        .await);
    }
    db.cancel_occurrence(id, &at).await?;
    audit(
        Some(&p),
        AuditAction::EventCancelOccurrence,
        AuditObject::Occurrence(id, at.as_str()),
        AuditResult::Ok,
        "",
    )
    .await;
    Ok(())
}

/// Issues (or re-issues, invalidating the old one) the caller's private calendar feed token.
#[server(prefix = "/api", endpoint = "events_feed_token")]
pub async fn events_feed_token() -> Result<String, AppError> {
    let p = require_user().await?;
    let token = state()?
        .db
        .rotate_feed_token(p.user_id)
        .await
        .map_err(internal)?;
    audit(
        Some(&p),
        AuditAction::EventsFeedToken,
        AuditObject::User(&p.username),
        AuditResult::Ok,
        "",
    )
    .await;
    Ok(token)
}

/// Changes an event. `mode` is `series` (every occurrence: the change made to the occurrence at `at`
/// applies to all of them) or `following` (this occurrence and the ones after it become a new
/// series). `version` is the one the editor started from. Returns the id of the changed event.
#[server(prefix = "/api", endpoint = "event_update")]
pub async fn event_update(
    id: i64,
    version: i64,
    mode: domain::event::EditScope,
    at: String,
    input: EventInput,
) -> Result<i64, AppError> {
    let p = require_user().await?;
    let at = time(&at)?;
    let db = state()?.db;
    let e = db.event(id).await?;
    if !may_manage(&p, &e.unit_code) {
        return Err(deny(&p, AuditAction::EventUpdate, AuditObject::Event(id)).await);
    }
    let mut draft = place(&p, input.draft()?, input.grid_code, input.point).await?;
    let conflict = |e: store::StoreError| match e {
        store::StoreError::Conflict(_) => AppError::Conflict("err.event_conflict".into()),
        e => e.into(),
    };
    use domain::event::EditScope;
    let result = match mode {
        EditScope::Series => {
            let start = e.start().map_err(internal)?;
            draft = draft.for_series(&at, &start);
            db.update_event(id, version, &draft)
                .await
                .map_err(conflict)?;
            id
        }
        EditScope::Following if e.rrule.is_some() => db
            .split_event(id, version, &at, &draft)
            .await
            .map_err(conflict)?,
        // This occurrence only: its time changes; the rest of the form is the series' own.
        EditScope::This if e.rrule.is_some() => {
            db.move_occurrence(id, version, &at, &draft.starts_at, &draft.ends_at)
                .await
                .map_err(conflict)?;
            id
        }
        _ => return Err(AppError::Invalid("err.edit_mode".into())),
    };
    audit(
        Some(&p),
        AuditAction::EventUpdate,
        AuditObject::Event(id),
        AuditResult::Ok,
        mode.as_str(),
    )
    .await;
    Ok(result)
}

/// The communities (level-1 grids) the calendar can be filtered by.
#[server(prefix = "/api", endpoint = "events_communities")]
pub async fn events_communities() -> Result<Vec<CommunityOption>, AppError> {
    require_user().await?;
    let grids = state()?.db.list_grids(Some(1)).await.map_err(internal)?;
    Ok(grids
        .into_iter()
        .map(|g| CommunityOption {
            code: g.state.code,
            name: g.state.name,
        })
        .collect())
}

/// Participation statistics for occurrences in `[from, to)`: administrators see everything,
/// organisers their own subtree.
#[server(prefix = "/api", endpoint = "events_stats")]
pub async fn events_stats(
    from: String,
    to: String,
) -> Result<domain::stats::Participation, AppError> {
    let p = require_user().await?;
    let Some(prefix) = p.statistics_scope() else {
        return Err(deny(&p, AuditAction::EventsStats, AuditObject::Statistics).await);
    };
    let (from, to) = (time(&from)?, time(&to)?);
    if to <= from || to.minutes() - from.minutes() > 366 * 1440 {
        return Err(AppError::Invalid("err.window".into()));
    }
    let rows = state()?
        .db
        .participation_rows(from.as_str(), to.as_str(), &prefix)
        .await
        .map_err(internal)?;
    Ok(domain::stats::aggregate(&rows))
}

/// What importing an iCalendar file does: one row per VEVENT of the file, and how many events were
/// published (0 for a preview).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcsImportReport {
    pub rows: Vec<domain::ics_import::IcsRow>,
    pub imported: usize,
}

/// Reads an `.ics` file into the calendar of the organisation unit `unit_code` (within the caller's
/// scope). With `commit = false` it only reports what would happen; with `commit = true` it
/// publishes every importable row in one transaction (rows with a problem, including events already
/// in the calendar, are left out and named). `category`, `capacity` and `visibility` apply to every
/// event (the file's CATEGORIES refine the category).
#[server(prefix = "/api", endpoint = "events_import_ics")]
pub async fn events_import_ics(
    unit_code: String,
    ics: String,
    category: String,
    capacity: i64,
    visibility: String,
    commit: bool,
) -> Result<IcsImportReport, AppError> {
    use domain::event::{Category, Visibility, CAPACITY_MAX};
    use domain::ics_import::{read_ics, IcsDefaults, IcsFileError};
    let p = require_user().await?;
    let unit = publishing_unit(&p, &unit_code, AuditAction::EventsImportIcs).await?;
    if Category::parse(&category).is_none() {
        return Err(AppError::Invalid("err.event_category".into()));
    }
    if Visibility::parse(&visibility).is_none() {
        return Err(AppError::Invalid("err.event_visibility".into()));
    }
    if !(1..=CAPACITY_MAX).contains(&capacity) {
        return Err(AppError::Invalid("err.event_capacity".into()));
    }
    let defaults = IcsDefaults {
        category,
        capacity,
        visibility,
    };
    let mut rows = read_ics(&ics, &defaults).map_err(|e| {
        let detail = match &e {
            IcsFileError::Malformed(m) => m.clone(),
            _ => String::new(),
        };
        AppError::Refused {
            status: 400,
            key: e.key().into(),
            args: vec![("detail".into(), detail)],
        }
    })?;
    let db = &state()?.db;
    let known: std::collections::HashSet<(String, String)> =
        db.event_keys(unit.as_str()).await?.into_iter().collect();
    domain::ics_import::mark_known(&mut rows, &known);
    if !commit {
        return Ok(IcsImportReport { rows, imported: 0 });
    }
    let events: Vec<_> = rows
        .iter()
        .filter_map(|r| {
            let d = r.draft.clone()?;
            let cancelled = r
                .cancelled
                .iter()
                .filter_map(|at| domain::event::LocalDateTime::parse(at).ok())
                .collect();
            Some((d, cancelled, r.changed.clone()))
        })
        .collect();
    if events.is_empty() {
        return Err(AppError::Invalid("ics.nothing".into()));
    }
    let ids = db.import_events(unit.as_str(), &events).await?;
    audit(
        Some(&p),
        AuditAction::EventsImportIcs,
        AuditObject::OrgUnit(unit.as_str()),
        AuditResult::Ok,
        &format!("{} events", ids.len()),
    )
    .await;
    Ok(IcsImportReport {
        rows,
        imported: ids.len(),
    })
}
