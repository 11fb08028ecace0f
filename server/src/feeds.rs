//! iCalendar feeds (plain GET routes, not server functions: calendar apps fetch them):
//! - `/feeds/events.ics[?community=CODE]` public events, all or one community's (its own units'
//!   events and those of the street above it);
//! - `/feeds/events/{id}.ics` one event (public, or any visible event with a session);
//! - `/feeds/me/{token}.ics` the occurrences a user RSVP'd for, behind an unguessable token.

use crate::caller::Caller;
use crate::Shared;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::event::{EventStatus, LocalDateTime, Visibility};
use domain::ics::{calendar, IcsEvent};
use serde::Deserialize;
use store::events::Event;

#[derive(Deserialize)]
pub struct FeedQuery {
    community: Option<String>,
}

fn ics(body: String, filename: &str, private: bool) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if private {
            "private, no-store"
        } else {
            "public, max-age=300"
        }),
    );
    res
}

fn failed(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "feed failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "feed unavailable").into_response()
}

fn parse(s: &str) -> Option<LocalDateTime> {
    LocalDateTime::parse(s).ok()
}

fn place(e: &Event) -> Option<[f64; 2]> {
    domain::event::parse_point(e.point.as_deref()?)
        .ok()
        .flatten()
}

/// The series (with RRULE) and one RECURRENCE-ID override per moved or cancelled occurrence.
async fn series(db: &store::Db, e: &Event) -> store::Result<Vec<IcsEvent>> {
    let (Some(start), Some(end)) = (parse(&e.starts_at), parse(&e.ends_at)) else {
        return Ok(vec![]);
    };
    let changed = db.changed_occurrences(e).await?;
    let uid = format!("event-{}@linli", e.id);
    let base = IcsEvent {
        uid: uid.clone(),
        sequence: e.sequence,
        summary: e.title.clone(),
        description: e.description.clone(),
        location: format!("{} · {}", e.location, e.unit_name),
        category: e.category.as_str().into(),
        start,
        end,
        rrule: e.rrule.clone(),
        exdates: vec![],
        recurrence_id: None,
        cancelled: e.status == EventStatus::Cancelled
            || (e.rrule.is_none() && changed.iter().any(|o| o.cancelled)),
        stamp: store::now(),
        geo: place(e),
    };
    let mut out = Vec::new();
    if e.rrule.is_some() {
        for o in &changed {
            out.push(IcsEvent {
                uid: uid.clone(),
                recurrence_id: Some(o.recurrence_id.clone()),
                start: o.starts_at.clone(),
                end: o.ends_at.clone(),
                rrule: None,
                cancelled: o.cancelled,
                summary: o.title.clone().unwrap_or_else(|| base.summary.clone()),
                description: base.description.clone(),
                location: o.location.clone().unwrap_or_else(|| base.location.clone()),
                category: base.category.clone(),
                sequence: base.sequence,
                exdates: vec![],
                stamp: base.stamp,
                geo: base.geo,
            });
        }
    }
    out.insert(0, base);
    Ok(out)
}

pub(crate) async fn public_feed(State(sh): State<Shared>, Query(q): Query<FeedQuery>) -> Response {
    let db = &sh.cfg.state.db;
    let community = match q
        .community
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(c) => match domain::Code::parse(c) {
            Ok(code) => Some(code),
            Err(_) => {
                return (StatusCode::BAD_REQUEST, "community must be a numeric code")
                    .into_response()
            }
        },
    };
    let events = match db.events_with_visibility(Visibility::Public).await {
        Ok(e) => e,
        Err(e) => return failed(e),
    };
    let mut out = Vec::new();
    for e in events.iter().filter(|e| match &community {
        None => true,
        // The community's own units, and units above it (the street's service days).
        Some(c) => domain::Code::parse(&e.unit_code).is_ok_and(|u| u.is_related(c)),
    }) {
        match series(db, e).await {
            Ok(v) => out.extend(v),
            Err(e) => return failed(e),
        }
    }
    let name = match &community {
        Some(c) => format!("邻里活动 {c}"),
        None => "邻里活动".to_owned(),
    };
    ics(calendar(&name, &out), "linli-events.ics", false)
}

pub(crate) async fn event_file(
    State(sh): State<Shared>,
    Path(file): Path<String>,
    caller: Option<Caller>,
) -> Response {
    let Some(id) = file
        .strip_suffix(".ics")
        .and_then(|s| s.parse::<i64>().ok())
    else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let state = &sh.cfg.state;
    let e = match state.db.event(id).await {
        Ok(e) => e,
        Err(store::StoreError::NotFound) => {
            return (StatusCode::NOT_FOUND, "not found").into_response()
        }
        Err(e) => return failed(e),
    };
    // An unreadable visibility is treated as the narrowest.
    let visibility = e.visibility;
    if visibility != Visibility::Public
        && !caller.is_some_and(|c| visibility.visible_to(&c.principal))
    {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match series(&state.db, &e).await {
        Ok(v) => ics(
            calendar(&e.title, &v),
            &format!("event-{id}.ics"),
            visibility != Visibility::Public,
        ),
        Err(e) => failed(e),
    }
}

pub(crate) async fn personal_feed(State(sh): State<Shared>, Path(file): Path<String>) -> Response {
    let db = &sh.cfg.state.db;
    let Some(token) = file.strip_suffix(".ics") else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let user = match db.feed_token_user(token).await {
        Ok(Some(u)) => u,
        Ok(None) => return (StatusCode::NOT_FOUND, "not found").into_response(),
        Err(e) => return failed(e),
    };
    let rows = match db.user_rsvps(user).await {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    let mut out = Vec::new();
    for (event_id, at, status) in rows {
        let (Ok(e), Some(at)) = (db.event(event_id).await, parse(&at)) else {
            continue;
        };
        let Ok(Some(o)) = db.occurrence_at(&e, &at).await else {
            continue;
        };
        let waiting =
            domain::rsvp::RsvpStatus::parse(&status) == Some(domain::rsvp::RsvpStatus::Waitlisted);
        out.push(IcsEvent {
            uid: format!(
                "rsvp-{event_id}-{}@linli",
                at.as_str().replace(['-', ':'], "")
            ),
            sequence: e.sequence,
            summary: {
                let title = o.title.as_deref().unwrap_or(&e.title);
                if waiting {
                    format!("[候补] {title}")
                } else {
                    title.to_owned()
                }
            },
            description: e.description.clone(),
            location: format!(
                "{} · {}",
                o.location.as_deref().unwrap_or(&e.location),
                e.unit_name
            ),
            category: e.category.as_str().into(),
            start: o.starts_at,
            end: o.ends_at,
            rrule: None,
            exdates: vec![],
            recurrence_id: None,
            cancelled: o.cancelled,
            stamp: store::now(),
            geo: place(&e),
        });
    }
    ics(calendar("我的邻里活动", &out), "linli-me.ics", true)
}

#[derive(Deserialize)]
pub struct GridFeedQuery {
    level: Option<String>,
    root: Option<String>,
    token: Option<String>,
}

/// `/feeds/grids.geojson[?level=N][&root=CODE][&token=T]`: the grids (of one level, under one
/// code) as an RFC 7946 FeatureCollection (WGS84, counter-clockwise exterior rings), for QGIS and
/// the like. Authorised by the session cookie or the caller's personal feed token; no personal data.
pub(crate) async fn grids_geojson(
    State(sh): State<Shared>,
    Query(q): Query<GridFeedQuery>,
    caller: Option<Caller>,
) -> Response {
    let state = &sh.cfg.state;
    let level = match q.level.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(l) => match l.parse::<i64>() {
            Ok(n) if (1..=9).contains(&n) => Some(n),
            _ => {
                return (
                    StatusCode::BAD_REQUEST,
                    "level must be a number from 1 to 9",
                )
                    .into_response()
            }
        },
    };
    let allowed = match q.token.as_deref() {
        Some(t) => matches!(state.db.feed_token_user(t).await, Ok(Some(_))),
        None => caller.is_some(),
    };
    if !allowed {
        return (
            StatusCode::UNAUTHORIZED,
            "log in or use your personal feed link",
        )
            .into_response();
    }
    let grids = match state.db.list_grids(level).await {
        Ok(g) => g,
        Err(e) => return failed(e),
    };
    let root = q.root.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let features: Vec<serde_json::Value> = grids
        .into_iter()
        .filter(|g| root.is_none_or(|r| g.state.code.starts_with(r)))
        .map(|g| {
            let s = g.state;
            serde_json::json!({
                "type": "Feature",
                "id": s.code,
                "geometry": s.boundary.normalised().to_geojson(),
                "properties": {
                    "code": s.code,
                    "parent_code": s.parent_code,
                    "level": s.level,
                    "name": s.name,
                    "kind": s.kind.as_str(),
                    "households": s.households,
                    "population": s.population,
                    "valid_from": s.valid_from,
                    "valid_to": s.valid_to,
                    "source_code": s.source_code,
                    "version": g.version,
                },
            })
        })
        .collect();
    let body = serde_json::json!({ "type": "FeatureCollection", "features": features }).to_string();
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline; filename=\"grids.geojson\""),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}
