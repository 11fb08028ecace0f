//! Downloads that spreadsheets open: `GET /export/attendees.csv?event=ID&at=…` with phone numbers
//! masked, and `POST /export/attendees.csv` (form: `event`, `at`, `reason`) with them revealed.
//! A reveal is a same-site POST (the cross-site filter refuses others, so a link on another site
//! cannot make an organiser's browser reveal anything) with a stated reason, recorded in the
//! audit log. Cells that a spreadsheet would run as a formula are neutralised.

use crate::caller::Caller;
use crate::Shared;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::audit::{AuditAction, AuditObject, AuditResult};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct AttendeesQuery {
    event: i64,
    at: String,
    /// Revealing is a POST with a reason; a GET asking for it is refused rather than served.
    #[serde(default)]
    reveal: Option<String>,
}

#[derive(Deserialize)]
pub struct RevealForm {
    event: i64,
    at: String,
    #[serde(default)]
    reason: String,
}

/// The longest reason for a reveal kept in the audit log.
pub const REVEAL_REASON_MAX: usize = 200;

/// The list with phone numbers revealed, for a same-site POST with a reason.
pub(crate) async fn attendees_csv_revealed(
    State(sh): State<Shared>,
    caller: Caller,
    axum::Form(f): axum::Form<RevealForm>,
) -> Response {
    let reason = f.reason.trim();
    if reason.is_empty()
        || reason.chars().count() > REVEAL_REASON_MAX
        || reason.chars().any(char::is_control)
    {
        return (
            StatusCode::BAD_REQUEST,
            "显示手机号需要填写用途（最多 200 字）。A reason (up to 200 characters) is required to reveal phone numbers.",
        )
            .into_response();
    }
    attendees(sh, caller, f.event, f.at, Some(reason.to_owned())).await
}

/// The list with phone numbers masked.
pub(crate) async fn attendees_csv(
    State(sh): State<Shared>,
    caller: Caller,
    Query(q): Query<AttendeesQuery>,
) -> Response {
    if q.reveal.is_some() {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            "显示手机号请在活动页填写用途后导出。Revealing phone numbers needs the form on the event page.",
        )
            .into_response();
    }
    attendees(sh, caller, q.event, q.at, None).await
}

/// One CSV field: quoted, quotes doubled, and a leading `= + - @` (or tab/CR) defused with `'`
/// so spreadsheets show it as text (OWASP CSV injection).
pub fn csv_field(s: &str) -> String {
    let defused = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

async fn attendees(
    sh: Shared,
    caller: Caller,
    event: i64,
    at: String,
    reveal_reason: Option<String>,
) -> Response {
    let state = &sh.cfg.state;
    let Ok(at) = domain::event::LocalDateTime::parse(&at) else {
        return (StatusCode::BAD_REQUEST, "at must be YYYY-MM-DDTHH:MM").into_response();
    };
    let e = match state.db.event(event).await {
        Ok(e) => e,
        Err(store::StoreError::NotFound) => {
            return (StatusCode::NOT_FOUND, "not found").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "export failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "export failed").into_response();
        }
    };
    let object = AuditObject::Occurrence(event, at.as_str());
    let allowed =
        domain::Code::parse(&e.unit_code).is_ok_and(|c| caller.principal.can_publish_event(&c));
    if !allowed {
        return caller.refuse(AuditAction::ExportAttendees, object).await;
    }
    let rows = match state.db.attendees(event, &at).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "export failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "export failed").into_response();
        }
    };
    let reveal = reveal_reason.is_some();
    // UTF-8 with a byte-order mark, so spreadsheet programs in China open it as UTF-8.
    let mut out = String::from("\u{feff}姓名,状态,人数,候补位次,已签到,手机号\r\n");
    use domain::rsvp::RsvpStatus;
    let statuses: Vec<Option<RsvpStatus>> =
        rows.iter().map(|a| RsvpStatus::parse(&a.status)).collect();
    let positions = domain::rsvp::waitlist_positions(
        statuses.iter().map(|s| s.unwrap_or(RsvpStatus::NotGoing)),
    );
    for ((a, status), position) in rows.iter().zip(&statuses).zip(positions) {
        let status = match status {
            Some(RsvpStatus::Going) => "已报名",
            Some(RsvpStatus::Waitlisted) => "候补",
            Some(RsvpStatus::NotGoing) | None => continue,
        };
        let position = position.map(|n| n.to_string()).unwrap_or_default();
        let phone = if reveal {
            a.phone.clone()
        } else {
            domain::mask::phone(&a.phone)
        };
        out.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            csv_field(&a.display_name),
            csv_field(status),
            a.seats,
            position,
            if a.checked_in_at.is_some() {
                "是"
            } else {
                "否"
            },
            csv_field(&phone)
        ));
    }
    let recorded = match &reveal_reason {
        Some(reason) => {
            let detail = format!("{} attendees; reason: {reason}", rows.len());
            caller
                .audit(AuditAction::RevealPhone, object, AuditResult::Ok, &detail)
                .await
        }
        None => {
            caller
                .audit(AuditAction::ExportAttendees, object, AuditResult::Ok, "")
                .await
        }
    };
    if let Err(refusal) = recorded {
        return refusal;
    }
    download(
        out,
        "text/csv; charset=utf-8",
        &format!("attendees-{event}-{}.csv", at.as_str().replace(':', "")),
    )
}

#[derive(Deserialize)]
pub struct OrgsQuery {
    #[serde(default)]
    root: Option<String>,
}

/// The rows of the subtree at `root` (the caller's scope by default) in the importer's layout, for
/// administrators and organisers within their scope; the refusal as a response otherwise.
async fn org_rows(
    sh: &Shared,
    caller: &Caller,
    q: &OrgsQuery,
    format: &str,
) -> Result<(Vec<[String; 7]>, String), Response> {
    let state = &sh.cfg.state;
    let p = &caller.principal;
    let root = match q.root.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => match domain::Code::parse(r) {
            Ok(c) => Some(c),
            Err(_) => {
                return Err((StatusCode::BAD_REQUEST, "root must be a unit code").into_response())
            }
        },
        None => p.scope.clone().filter(|_| !p.is_admin()),
    };
    let allowed = match &root {
        Some(r) => p.can_edit_unit(r),
        None => p.is_admin(),
    };
    let stem = root
        .as_ref()
        .map(|r| r.as_str())
        .unwrap_or("all")
        .to_owned();
    let file = format!("{stem}.{format}");
    let object = AuditObject::OrgUnitFile(&file);
    if !allowed {
        return Err(caller.refuse(AuditAction::ExportOrgs, object).await);
    }
    let (units, levels) = match (state.db.org_units().await, state.db.org_levels().await) {
        (Ok(u), Ok(l)) => (u, l),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "export failed");
            return Err((StatusCode::INTERNAL_SERVER_ERROR, "export failed").into_response());
        }
    };
    let tree = domain::org::Tree::new(units);
    let ids: Vec<i64> = match &root {
        Some(r) => match tree.by_code(r.as_str()) {
            Some(u) => tree.subtree(u.id),
            None => return Err((StatusCode::NOT_FOUND, "no such unit").into_response()),
        },
        None => tree.roots().iter().flat_map(|&r| tree.subtree(r)).collect(),
    };
    let rows = ids
        .iter()
        .filter_map(|&id| tree.get(id))
        .map(|u| {
            let parent = tree
                .parent(u.id)
                .and_then(|p| tree.get(p))
                .map(|p| p.code.clone());
            [
                u.code.clone(),
                u.name.clone(),
                levels.name(&u.level, true),
                parent.unwrap_or_default(),
                u.secretary.clone().unwrap_or_default(),
                u.term_start.clone().unwrap_or_default(),
                u.grid.clone().unwrap_or_default(),
            ]
        })
        .collect();
    caller
        .audit(AuditAction::ExportOrgs, object, AuditResult::Ok, "")
        .await?;
    Ok((rows, stem))
}

fn download(body: impl IntoResponse, mime: &'static str, file: &str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// `GET /export/orgs.csv?root=CODE`: UTF-8 with a BOM, formula-like cells defused.
pub(crate) async fn orgs_csv(
    State(sh): State<Shared>,
    caller: Caller,
    Query(q): Query<OrgsQuery>,
) -> Response {
    let (rows, stem) = match org_rows(&sh, &caller, &q, "csv").await {
        Ok(r) => r,
        Err(res) => return res,
    };
    csv_download(
        &domain::org::import::header(),
        &rows,
        &format!("orgs-{stem}.csv"),
    )
}

/// A CSV download: UTF-8 with a BOM (Excel reads it as such), formula-like cells defused.
fn csv_download<R: AsRef<[String]>>(header: &[&str], rows: &[R], file: &str) -> Response {
    let mut out = String::from("\u{feff}");
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for r in rows {
        let line: Vec<String> = r.as_ref().iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    download(out, "text/csv; charset=utf-8", file)
}

/// An XLSX download: one worksheet `sheet`, a bold frozen header, every cell text (codes keep
/// their digits), columns `widths` wide.
fn xlsx_download<R: AsRef<[String]>>(
    sheet_name: &str,
    header: &[&str],
    rows: &[R],
    widths: &[f64],
    file: &str,
) -> Response {
    let built = (|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name)?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (c, h) in header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.as_ref().iter().enumerate() {
                if !v.is_empty() {
                    sheet.write_string(r as u32 + 1, c as u16, v)?;
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            sheet.set_column_width(c as u16, *w)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        book.save_to_buffer()
    })();
    match built {
        Ok(bytes) => download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            file,
        ),
        Err(e) => {
            tracing::error!(error = %e, "xlsx export failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "export failed").into_response()
        }
    }
}

/// `GET /export/orgs.xlsx?root=CODE`: one worksheet, every cell text (codes keep their digits).
pub(crate) async fn orgs_xlsx(
    State(sh): State<Shared>,
    caller: Caller,
    Query(q): Query<OrgsQuery>,
) -> Response {
    let (rows, stem) = match org_rows(&sh, &caller, &q, "xlsx").await {
        Ok(r) => r,
        Err(res) => return res,
    };
    xlsx_download(
        "党组织",
        &domain::org::import::header(),
        &rows,
        &[18.0, 30.0, 14.0, 18.0, 10.0, 12.0, 18.0],
        &format!("orgs-{stem}.xlsx"),
    )
}

#[derive(Deserialize)]
pub struct HoursQuery {
    /// A unit code: every record of units under it (its organisers, administrators); empty or
    /// absent: the caller's own records (the certificate's).
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    year: Option<i32>,
}

/// Service hours records as 民政部令第67号 lists them, for the caller or for a unit's organiser.
async fn hours_rows(
    sh: &Shared,
    caller: &Caller,
    q: &HoursQuery,
    format: &str,
) -> Result<(Vec<[String; 7]>, String), Response> {
    use domain::service::hours;
    let db = &sh.cfg.state.db;
    let p = &caller.principal;
    let unit = q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let year = q.year.filter(|y| (2000..=2100).contains(y));
    let stem = format!(
        "{}-{}",
        unit.unwrap_or(&caller.user.username),
        year.map_or("all".to_owned(), |y| y.to_string())
    );
    let file = format!("hours-{stem}.{format}");
    let records = match unit {
        Some(u) => {
            let Ok(code) = domain::Code::parse(u) else {
                return Err((StatusCode::BAD_REQUEST, "unit must be a unit code").into_response());
            };
            if !p.can_see_unit_people(&code) {
                return Err(caller
                    .refuse(AuditAction::ExportHours, AuditObject::OrgUnitFile(&file))
                    .await);
            }
            db.hours_in(code.as_str(), "0000", "9999").await
        }
        None => db.hours_of(p.user_id).await,
    };
    let mut records = match records {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "hours export failed");
            return Err((StatusCode::INTERNAL_SERVER_ERROR, "export failed").into_response());
        }
    };
    if let Some(y) = year {
        let prefix = format!("{y:04}-");
        records.retain(|r| r.served_on.starts_with(&prefix));
    }
    records.sort_by(|a, b| a.served_on.cmp(&b.served_on).then(a.id.cmp(&b.id)));
    let rows = records
        .into_iter()
        .map(|r| {
            [
                r.person,
                r.served_on,
                r.what,
                r.organiser,
                hours::hours_text(r.minutes),
                r.confirmed_by,
                hours::source_label(&r.source).to_owned(),
            ]
        })
        .collect();
    caller
        .audit(
            AuditAction::ExportHours,
            AuditObject::OrgUnitFile(&file),
            AuditResult::Ok,
            "",
        )
        .await?;
    Ok((rows, stem))
}

/// `GET /export/hours.csv?unit=CODE&year=YYYY`.
pub(crate) async fn hours_csv(
    State(sh): State<Shared>,
    caller: Caller,
    Query(q): Query<HoursQuery>,
) -> Response {
    match hours_rows(&sh, &caller, &q, "csv").await {
        Ok((rows, stem)) => csv_download(
            &domain::service::hours::RECORD_HEADER,
            &rows,
            &format!("hours-{stem}.csv"),
        ),
        Err(res) => res,
    }
}

/// `GET /export/hours.xlsx?unit=CODE&year=YYYY`.
pub(crate) async fn hours_xlsx(
    State(sh): State<Shared>,
    caller: Caller,
    Query(q): Query<HoursQuery>,
) -> Response {
    match hours_rows(&sh, &caller, &q, "xlsx").await {
        Ok((rows, stem)) => xlsx_download(
            "志愿服务时长",
            &domain::service::hours::RECORD_HEADER,
            &rows,
            &[12.0, 12.0, 30.0, 24.0, 16.0, 12.0, 10.0],
            &format!("hours-{stem}.xlsx"),
        ),
        Err(res) => res,
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn formulas_are_defused_and_quotes_doubled() {
        assert_eq!(csv_field("张伟"), "\"张伟\"");
        assert_eq!(csv_field("=cmd|' /C calc'!A0"), "\"'=cmd|' /C calc'!A0\"");
        assert_eq!(csv_field("+1"), "\"'+1\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}

/// `GET /export/me.json`: everything Linli holds about the caller (PIPL right of access), as
/// JSON: the account, the contact phone in full (it is the caller's own), every answer with its
/// check-in, and what the audit log recorded the account doing. Audited as `export_self`.
pub(crate) async fn my_data_json(State(sh): State<Shared>, caller: Caller) -> Response {
    let state = &sh.cfg.state;
    let user = &caller.user;
    let data = match state.db.personal_data(user.id).await {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "personal data export failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "export failed").into_response();
        }
    };
    if let Err(refusal) = caller
        .audit(
            AuditAction::ExportSelf,
            AuditObject::User(&user.username),
            AuditResult::Ok,
            "",
        )
        .await
    {
        return refusal;
    }
    let body = serde_json::json!({
        "exported_at": domain::date::shanghai_datetime(store::now()),
        "account": data.account,
        "phone": data.phone,
        "private_feed": data.has_feed_token,
        "sessions": data.sessions,
        "answers": data.answers,
        "claims": data.claims,
        "wishes": data.wishes,
        "hours": data.hours,
        "reports": data.reports,
        "photos": data.photos,
        "audit": data.audit,
    });
    download(
        body.to_string(),
        "application/json; charset=utf-8",
        "linli-my-data.json",
    )
}
