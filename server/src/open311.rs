//! Open311 GeoReport v2 (JSON) over the field reports, so city systems and apps can read and file
//! them (http://wiki.open311.org/GeoReport_v2): `GET /open311/v2/services.json` (the category
//! catalogue), `GET /open311/v2/requests.json` (with `service_request_id`, `service_code`,
//! `start_date`, `end_date`, `status`), `GET /open311/v2/requests/{id}.json`, and
//! `POST /open311/v2/requests.json` (a logged-in session, or an `api_key` made with
//! `linli api-key add`).
//!
//! What is read is public: no reporter, no photos, phone and identity numbers in descriptions
//! masked (`domain::mask::text`). Filing goes through the same checks as the app's own form
//! (`app::api::field::ssr_field::file`). Errors are GeoReport's `[{"code", "description"}]`.

use crate::caller::Caller;
use crate::Shared;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The most requests one `GET requests.json` answers (GeoReport suggests 90 days or 1,000).
const MAX_LIST: i64 = 1000;

fn error(status: StatusCode, description: &str) -> Response {
    (
        status,
        Json(json!([{ "code": status.as_u16(), "description": description }])),
    )
        .into_response()
}

/// Unix seconds as ISO 8601 in Beijing time (`2026-12-05T09:30:00+08:00`).
fn w3c(t: i64) -> String {
    format!(
        "{}+08:00",
        domain::date::shanghai_datetime(t).replacen(' ', "T", 1)
    )
}

/// An ISO 8601 date-time (`…Z`, `…+08:00`, or no zone: Beijing time) as unix seconds.
fn parse_w3c(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, rest) = s.split_once('T').unwrap_or((s, "00:00:00"));
    let (y, m, d) = domain::date::parse_ymd(date)?;
    let (clock, offset) = if let Some(c) = rest.strip_suffix('Z') {
        (c, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (c, z) = rest.split_at(i);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let (h, mi) = z[1..].split_once(':').unwrap_or((&z[1..], "0"));
        (
            c,
            sign * (h.parse::<i64>().ok()? * 3600 + mi.parse::<i64>().ok()? * 60),
        )
    } else {
        (rest, 8 * 3600)
    };
    let mut parts = clock.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let mi: i64 = parts.next().unwrap_or("0").parse().ok()?;
    let sec: i64 = parts
        .next()
        .unwrap_or("0")
        .split('.')
        .next()?
        .parse()
        .ok()?;
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    Some(domain::date::days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

/// `GET /open311/v2/services.json`.
pub(crate) async fn services(State(sh): State<Shared>) -> Response {
    match sh.cfg.state.db.field_categories().await {
        Ok(cats) => Json(
            cats.into_iter()
                .filter(|c| c.active)
                .map(|c| {
                    json!({
                        "service_code": c.id.to_string(),
                        "service_name": c.name,
                        "description": c.name,
                        "metadata": false,
                        "type": "realtime",
                        "keywords": "",
                        "group": "事件",
                    })
                })
                .collect::<Vec<Value>>(),
        )
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "open311 services failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

fn request_json(r: &store::field::PublicReport, names: &HashMap<i64, String>) -> Value {
    let open = domain::field::FieldState::parse(&r.state).is_some_and(|s| s.open());
    let departments: Vec<(i64, bool)> = serde_json::from_str(&r.departments).unwrap_or_default();
    let agency = if departments.is_empty() {
        r.level.clone()
    } else {
        departments
            .iter()
            .filter_map(|(d, _)| names.get(d).cloned())
            .collect::<Vec<_>>()
            .join("、")
    };
    json!({
        "service_request_id": r.id.to_string(),
        "status": if open { "open" } else { "closed" },
        "status_notes": format!("{} ({})", r.state, r.level),
        "service_name": r.category,
        "service_code": r.category_id.to_string(),
        "description": domain::mask::text(&r.description),
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": w3c(r.made_at),
        "updated_datetime": w3c(r.updated_at),
        "expected_datetime": r.resolve_by.map(w3c),
        "address": "",
        "address_id": r.grid_code.clone().unwrap_or_default(),
        "zipcode": "",
        "lat": r.lat,
        "long": r.lon,
        "media_url": "",
    })
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    service_request_id: Option<String>,
    service_code: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    status: Option<String>,
}

async fn answer(sh: &Shared, filter: store::field::PublicFilter) -> Response {
    let db = &sh.cfg.state.db;
    let names: HashMap<i64, String> = match db.departments().await {
        Ok(d) => d.into_iter().collect(),
        Err(_) => HashMap::new(),
    };
    match db.field_public(&filter).await {
        Ok(list) => Json(
            list.iter()
                .map(|r| request_json(r, &names))
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "open311 requests failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

/// `GET /open311/v2/requests.json`: newest first; by default the last 90 days.
pub(crate) async fn requests(State(sh): State<Shared>, Query(q): Query<ListQuery>) -> Response {
    let ids = match q.service_request_id.as_deref() {
        Some(list) => {
            match list
                .split(',')
                .map(|s| s.trim().parse::<i64>())
                .collect::<Result<Vec<_>, _>>()
            {
                Ok(ids) if ids.len() <= 100 => Some(ids),
                _ => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "service_request_id: up to 100 numbers separated by commas",
                    )
                }
            }
        }
        None => None,
    };
    let code = match q.service_code.as_deref().map(|s| s.trim().parse::<i64>()) {
        Some(Ok(c)) => Some(c),
        Some(Err(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "service_code: not a service of services.json",
            )
        }
        None => None,
    };
    let date = |s: &Option<String>, what: &str| match s.as_deref() {
        None | Some("") => Ok(None),
        Some(t) => parse_w3c(t).map(Some).ok_or_else(|| {
            error(
                StatusCode::BAD_REQUEST,
                &format!("{what}: not a w3c date-time"),
            )
        }),
    };
    let (from, to) = match (
        date(&q.start_date, "start_date"),
        date(&q.end_date, "end_date"),
    ) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let open = match q.status.as_deref() {
        None | Some("") => None,
        Some("open") => Some(true),
        Some("closed") => Some(false),
        Some(_) => return error(StatusCode::BAD_REQUEST, "status: open or closed"),
    };
    let now = store::now();
    let filter = store::field::PublicFilter {
        from: if ids.is_some() {
            from
        } else {
            Some(from.unwrap_or(now - 90 * 86_400))
        },
        to,
        ids,
        category: code,
        open,
        limit: MAX_LIST,
    };
    answer(&sh, filter).await
}

/// `GET /open311/v2/requests/{id}.json`.
pub(crate) async fn request(State(sh): State<Shared>, Path(file): Path<String>) -> Response {
    let Some(id) = file
        .strip_suffix(".json")
        .and_then(|s| s.parse::<i64>().ok())
    else {
        return error(StatusCode::NOT_FOUND, "no such request");
    };
    let filter = store::field::PublicFilter {
        ids: Some(vec![id]),
        limit: 1,
        ..Default::default()
    };
    answer(&sh, filter).await
}

#[derive(Deserialize)]
pub(crate) struct NewRequest {
    api_key: Option<String>,
    service_code: Option<String>,
    lat: Option<f64>,
    long: Option<f64>,
    description: Option<String>,
}

/// `POST /open311/v2/requests.json` (form-encoded, as GeoReport sends it).
pub(crate) async fn create(
    State(sh): State<Shared>,
    caller: Option<Caller>,
    Form(f): Form<NewRequest>,
) -> Response {
    let db = &sh.cfg.state.db;
    let (user, ip) = match (caller, f.api_key.as_deref().filter(|k| !k.is_empty())) {
        (c, Some(key)) => match db.api_key_user(key).await {
            Ok(Some(u)) if !u.disabled => (u, c.map(|c| c.ip).unwrap_or_default()),
            Ok(_) => return error(StatusCode::FORBIDDEN, "api_key not valid"),
            Err(e) => {
                tracing::error!(error = %e, "open311 api key lookup failed");
                return error(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
            }
        },
        (Some(c), None) => (c.user, c.ip),
        (None, None) => return error(StatusCode::FORBIDDEN, "api_key required (or log in)"),
    };
    let principal = user.principal();
    let Some(code) = f
        .service_code
        .as_deref()
        .and_then(|s| s.trim().parse::<i64>().ok())
    else {
        return error(StatusCode::BAD_REQUEST, "service_code required");
    };
    let (Some(lat), Some(lon)) = (f.lat, f.long) else {
        return error(
            StatusCode::BAD_REQUEST,
            "lat and long required (address_string is not read)",
        );
    };
    let key = format!("open311-{:x}{:x}", store::now(), rand_u64());
    let input = app::api::field::ssr_field::Filing {
        key,
        category: code,
        description: f.description.unwrap_or_default(),
        lon,
        lat,
        made_at: store::now(),
        fixed: false,
        photo: String::new(),
    };
    match app::api::field::ssr_field::file(db, &principal, input).await {
        Ok(filed) => {
            let written = db
                .audit(store::audit::Audit {
                    actor_user_id: Some(user.id),
                    actor: &user.username,
                    ip: &ip,
                    action: domain::audit::AuditAction::FieldReportIn,
                    object: domain::audit::AuditObject::FieldReport(filed.id),
                    result: domain::audit::AuditResult::Ok,
                    detail: "open311",
                })
                .await;
            if let Err(e) = written {
                tracing::error!(error = %e, "audit write failed");
            }
            Json(json!([{
                "service_request_id": filed.id.to_string(),
                "service_notice": "",
                "account_id": null,
            }]))
            .into_response()
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            error(status, e.message_key())
        }
    }
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(store::now() as u64);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_georeport_writes_them() {
        let t = parse_w3c("2026-12-05T09:30:00+08:00").unwrap();
        assert_eq!(w3c(t), "2026-12-05T09:30:00+08:00");
        assert_eq!(parse_w3c("2026-12-05T01:30:00Z"), Some(t));
        assert_eq!(
            parse_w3c("2026-12-05T09:30:00"),
            Some(t),
            "Beijing time when no zone"
        );
        assert_eq!(
            parse_w3c("2026-12-05"),
            parse_w3c("2026-12-05T00:00:00+08:00")
        );
        assert_eq!(parse_w3c("2026-12-05T25:00:00Z"), None);
        assert_eq!(parse_w3c("yesterday"), None);
    }
}
