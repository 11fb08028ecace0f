//! Field reports (事件上报) and their way up — the server side of issue 21 (the pages come next):
//! filing a report once per idempotency key with the time it was made on the device, acting on it
//! as `domain::field::apply` allows (the caller's standing worked out here: the levels their role
//! and scope handle for the report's grid, the department their account acts for, whether they
//! made it), reading it with its steps and transitions, the caller's lists, and the
//! administrator's catalogue of categories (with their limits) and departments.

use super::AppError;
use domain::field::clock::Limits;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldCategoryView {
    pub id: i64,
    pub name: String,
    pub limits: Limits,
}

/// One step of a report: its level and clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldStepView {
    pub level: String,
    pub started_at: i64,
    pub acknowledge_by: i64,
    pub resolve_by: i64,
    pub acknowledged_at: Option<i64>,
    pub resolved_at: Option<i64>,
}

/// One transition: when, what, why, by whom (a name; `None` for the clock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldEventView {
    pub at: i64,
    pub by: Option<String>,
    pub action: String,
    pub detail: String,
    pub state: String,
    pub level: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldReportView {
    pub id: i64,
    pub version: i64,
    pub category: String,
    pub description: String,
    pub lon: f64,
    pub lat: f64,
    pub grid_code: Option<String>,
    pub state: String,
    pub level: String,
    pub made_at: i64,
    pub received_at: i64,
    pub satisfaction: Option<String>,
    pub reopened: bool,
    /// The caller made it.
    pub mine: bool,
    /// What the caller may do now (`domain::field::possible`: `acknowledge`, `pass-up`, …).
    pub can: Vec<String>,
    /// The departments whistled (the lead first), each with whether it acknowledged (报到).
    pub departments: Vec<(String, bool)>,
    /// Filled by `field_report_detail`.
    pub steps: Vec<FieldStepView>,
    pub events: Vec<FieldEventView>,
    pub photos: Vec<super::photos::PhotoRef>,
}

/// A department the street can whistle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentView {
    pub id: i64,
    pub name: String,
}

/// The longest description kept.
pub const MAX_DESCRIPTION: usize = 1000;
/// A report made on a device more than this long ago is refused (a wrong clock or a stale
/// outbox); one "made" in the future beyond `CLOCK_SKEW` too.
pub const MAX_AGE_SECS: i64 = 30 * 86_400;
pub const CLOCK_SKEW_SECS: i64 = 300;

#[cfg(feature = "ssr")]
pub mod ssr_field {
    use super::*;
    use domain::field::clock::WorkCalendar;
    use domain::field::Standing;
    use domain::{Code, Principal};

    /// The working calendar the administrator keeps (settings `field_holidays`,
    /// `field_workdays`: dates separated by commas or spaces); plain weekends without them.
    pub async fn calendar(db: &store::Db) -> WorkCalendar {
        let list = |v: Option<String>| v.unwrap_or_default();
        let holidays = list(db.setting("field_holidays").await.ok().flatten());
        let workdays = list(db.setting("field_workdays").await.ok().flatten());
        let split = |s: &str| {
            s.split([',', ' ', '\n'])
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let (h, w) = (split(&holidays), split(&workdays));
        WorkCalendar::parse(h.iter().map(String::as_str), w.iter().map(String::as_str))
            .unwrap_or_default()
    }

    /// Who `p` is to `r`.
    pub async fn standing(
        db: &store::Db,
        p: &Principal,
        r: &store::field::Report,
    ) -> Result<Standing, AppError> {
        Ok(standing_in(p, db.department_of(p.user_id).await?, r))
    }

    /// Who `p` (acting for `department`) is to `r`.
    pub fn standing_in(
        p: &Principal,
        department: Option<i64>,
        r: &store::field::Report,
    ) -> Standing {
        let grid = r.grid_code.as_deref().and_then(|g| Code::parse(g).ok());
        Standing {
            user_id: p.user_id,
            handles: domain::field::levels_handled(p, grid.as_ref()),
            department,
        }
    }

    /// The report a photo's subject names (`field:ID`).
    pub fn report_id(subject: &str) -> Option<i64> {
        subject.strip_prefix("field:")?.parse().ok()
    }

    /// Whether `p` may see `r` at all: its reporter, those who handle a level of its grid, the
    /// departments whistled to it.
    pub fn may_see(p: &Principal, s: &Standing, r: &store::field::Report) -> bool {
        let whistled = s
            .department
            .is_some_and(|d| r.departments.contains(&format!("[{d},")));
        r.reporter_id == p.user_id || !s.handles.is_empty() || whistled
    }

    /// `r` as `p` (standing `who`) sees it; `names` is the department catalogue.
    pub fn view(
        p: &Principal,
        who: &Standing,
        names: &[(i64, String)],
        r: store::field::Report,
    ) -> FieldReportView {
        let case = r.case().ok();
        let can = case
            .as_ref()
            .map(|c| {
                domain::field::possible(c, who)
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let departments = case
            .map(|c| {
                c.departments
                    .iter()
                    .map(|(d, ack)| {
                        let name = names.iter().find(|(i, _)| i == d).map(|(_, n)| n.clone());
                        (name.unwrap_or_else(|| d.to_string()), *ack)
                    })
                    .collect()
            })
            .unwrap_or_default();
        FieldReportView {
            can,
            departments,
            photos: Vec::new(),
            mine: r.reporter_id == p.user_id,
            id: r.id,
            version: r.version,
            category: r.category,
            description: r.description,
            lon: r.lon,
            lat: r.lat,
            grid_code: r.grid_code,
            state: r.state,
            level: r.level,
            made_at: r.made_at,
            received_at: r.received_at,
            satisfaction: r.satisfaction,
            reopened: r.reopened != 0,
            steps: Vec::new(),
            events: Vec::new(),
        }
    }

    /// A report as it arrives, from the app's form (through the outbox) or from Open311.
    pub struct Filing {
        pub key: String,
        pub category: i64,
        pub description: String,
        pub lon: f64,
        pub lat: f64,
        pub made_at: i64,
        pub fixed: bool,
        pub photo: String,
    }

    /// What filing did: the report, whether it is new (not a retry), the photo kept now.
    pub struct Filed {
        pub id: i64,
        pub new: bool,
        pub photo: Option<(i64, String)>,
    }

    /// Checks and keeps a report by `p` (no auditing: the caller writes its own). `Forbidden`:
    /// a fix on the spot outside the caller's grids.
    pub async fn file(db: &store::Db, p: &Principal, f: Filing) -> Result<Filed, AppError> {
        let key = request_key(&f.key)?.ok_or_else(|| AppError::Invalid("field.err.key".into()))?;
        let description = domain::service::clean(&f.description, MAX_DESCRIPTION, true)
            .filter(|d| !d.is_empty())
            .ok_or_else(|| AppError::Invalid("field.err.description".into()))?;
        let now = store::now();
        if f.made_at > now + CLOCK_SKEW_SECS || f.made_at < now - MAX_AGE_SECS {
            return Err(AppError::Invalid("field.err.time".into()));
        }
        let (lon, lat) = (f.lon, f.lat);
        if !(lon.is_finite()
            && lat.is_finite()
            && (73.0..=136.0).contains(&lon)
            && (3.0..=54.0).contains(&lat))
        {
            return Err(AppError::Invalid("field.err.place".into()));
        }
        // The photo is read before anything is kept: one that is not a photo stops the report.
        let photo = match f.photo.trim() {
            "" => None,
            data => Some(super::super::photos::ssr_photos::decode(data)?),
        };
        let grid = grid_at(db, [lon, lat]).await?;
        if f.fixed {
            let code = grid.as_ref().and_then(|(_, c)| Code::parse(c).ok());
            let handles = domain::field::levels_handled(p, code.as_ref());
            if !handles.contains(&domain::field::Level::Grid) {
                return Err(AppError::Forbidden);
            }
        }
        let report = store::field::NewReport {
            key: key.to_owned(),
            category_id: f.category,
            description,
            lon,
            lat,
            grid_id: grid.map(|g| g.0),
            reporter_id: p.user_id,
            made_at: f.made_at,
            fixed_on_spot: f.fixed,
        };
        let (id, new) = db
            .file_field_report(&report, &calendar(db).await, now)
            .await
            .map_err(|e| match e {
                store::StoreError::NotFound => AppError::Invalid("field.err.category".into()),
                store::StoreError::Duplicate => AppError::Conflict("field.err.key_taken".into()),
                e => e.into(),
            })?;
        // Sent with the report, so the outbox's one request carries both; a retry after the
        // report was kept but its photo was not adds it now, and never a second copy.
        let subject = format!("field:{id}");
        let mut kept = None;
        if let Some((bytes, info)) = photo {
            if db
                .photos_of(std::slice::from_ref(&subject))
                .await?
                .is_empty()
            {
                let photo_id = db
                    .add_photo(&subject, "report", Some(p.user_id), info, &bytes, now)
                    .await?;
                kept = Some((
                    photo_id,
                    format!("{subject} {}x{}", info.width, info.height),
                ));
            }
        }
        Ok(Filed {
            id,
            new,
            photo: kept,
        })
    }

    /// The finest grid containing `at` (none outside the district's grids).
    pub async fn grid_at(db: &store::Db, at: [f64; 2]) -> Result<Option<(i64, String)>, AppError> {
        let grids = db.list_grids(None).await?;
        Ok(grids
            .iter()
            .filter(|g| g.state.boundary.contains(at))
            .max_by_key(|g| g.state.code.len())
            .map(|g| (g.id, g.state.code.clone())))
    }
}

#[cfg(feature = "ssr")]
use ssr_field::*;

/// The categories a report may take, with their limits. Every logged-in user.
#[server(prefix = "/api", endpoint = "field_categories")]
pub async fn field_categories() -> Result<Vec<FieldCategoryView>, AppError> {
    require_user().await?;
    Ok(state()?
        .db
        .field_categories()
        .await?
        .into_iter()
        .filter(|c| c.active)
        .map(|c| FieldCategoryView {
            id: c.id,
            name: c.name,
            limits: c.limits,
        })
        .collect())
}

/// Files a report (`key`: made once on the device, so a retry files nothing twice; `made_at`:
/// unix seconds on the device, where the clocks start). A grid worker may record something fixed
/// on the spot (`fixed`) in a grid of theirs. `photo` (base64, shrunk by the browser) travels
/// with it. Returns the report's id (the same on a retry).
#[server(prefix = "/api", endpoint = "field_report_in")]
#[allow(clippy::too_many_arguments)]
pub async fn field_report_in(
    key: String,
    category: i64,
    description: String,
    lon: f64,
    lat: f64,
    made_at: i64,
    #[server(default)] fixed: bool,
    #[server(default)] photo: String,
) -> Result<i64, AppError> {
    let p = require_user().await?;
    let db = state()?.db;
    let filing = Filing {
        key,
        category,
        description,
        lon,
        lat,
        made_at,
        fixed,
        photo,
    };
    match file(&db, &p, filing).await {
        Err(AppError::Forbidden) => {
            Err(deny(&p, AuditAction::FieldReportIn, AuditObject::None).await)
        }
        Err(e) => Err(e),
        Ok(filed) => {
            if let Some((photo, detail)) = &filed.photo {
                audit(
                    Some(&p),
                    AuditAction::FieldReportIn,
                    AuditObject::Photo(*photo),
                    AuditResult::Ok,
                    detail,
                )
                .await;
            }
            if filed.new {
                audit(
                    Some(&p),
                    AuditAction::FieldReportIn,
                    AuditObject::FieldReport(filed.id),
                    AuditResult::Ok,
                    if fixed { "fixed on the spot" } else { "" },
                )
                .await;
            }
            Ok(filed.id)
        }
    }
}

/// Acts on report `id` at `version`: `action` is a `domain::field::FieldAction` as JSON
/// (`{"action":"pass-up","reason":"…"}`). Returns the new state.
#[server(prefix = "/api", endpoint = "field_act")]
pub async fn field_act(
    id: i64,
    version: i64,
    action: String,
    #[server(default)] key: String,
) -> Result<String, AppError> {
    use domain::field::FieldAction as A;
    let p = require_user().await?;
    let mut action: A =
        serde_json::from_str(&action).map_err(|_| AppError::Invalid("field.err.action".into()))?;
    // Reasons and notes are kept as written, cleaned like every public text.
    let text = |s: &mut String| -> Result<(), AppError> {
        *s = domain::service::clean(s, 500, true)
            .ok_or_else(|| AppError::Invalid("field.err.reason".into()))?;
        Ok(())
    };
    match &mut action {
        A::PassUp { reason }
        | A::SendBack { reason }
        | A::Reject { reason }
        | A::Reopen { reason } => text(reason)?,
        A::Resolve { note } => text(note)?,
        _ => {}
    }
    let db = state()?.db;
    let r = db.field_report(id).await?;
    let who = standing(&db, &p, &r).await?;
    if !may_see(&p, &who, &r) && who.department.is_none() {
        return Err(deny(&p, AuditAction::FieldAct, AuditObject::FieldReport(id)).await);
    }
    let to = db
        .field_act(
            id,
            version,
            &action,
            &who,
            &calendar(&db).await,
            store::now(),
            request_key(&key)?,
        )
        .await
        .map_err(|e| match e {
            store::StoreError::Conflict(_) => AppError::Conflict("field.err.conflict".into()),
            e => e.into(),
        })?;
    match to {
        Ok(state) => {
            audit(
                Some(&p),
                AuditAction::FieldAct,
                AuditObject::FieldReport(id),
                AuditResult::Ok,
                action.name(),
            )
            .await;
            Ok(state.as_str().to_owned())
        }
        Err(domain::field::FieldError::NotYours) => {
            Err(deny(&p, AuditAction::FieldAct, AuditObject::FieldReport(id)).await)
        }
        Err(e) => Err(AppError::Conflict(e.key().into())),
    }
}

/// A report with its steps and transitions, for those who may see it.
#[server(prefix = "/api", endpoint = "field_report_detail")]
pub async fn field_report_detail(id: i64) -> Result<FieldReportView, AppError> {
    let p = require_user().await?;
    let db = state()?.db;
    let r = db.field_report(id).await?;
    let who = standing(&db, &p, &r).await?;
    if !may_see(&p, &who, &r) {
        return Err(deny(
            &p,
            AuditAction::FieldReportDetail,
            AuditObject::FieldReport(id),
        )
        .await);
    }
    let departments = db.departments().await?;
    let reporter = r.reporter_id;
    let mut v = view(&p, &who, &departments, r);
    v.photos = db
        .photos_of(&[format!("field:{id}")])
        .await?
        .into_iter()
        .map(|ph| super::photos::PhotoRef {
            id: ph.id,
            purpose: ph.purpose,
            mine: ph.owner_id == Some(p.user_id),
        })
        .collect();
    v.steps = db
        .field_steps(id)
        .await?
        .into_iter()
        .map(|s| FieldStepView {
            level: s.level,
            started_at: s.started_at,
            acknowledge_by: s.acknowledge_by,
            resolve_by: s.resolve_by,
            acknowledged_at: s.acknowledged_at,
            resolved_at: s.resolved_at,
        })
        .collect();
    // The reporter's name is masked for everyone but the reporter (revealed on request, with an
    // audit entry: `field_reporter_contact`); staff and departments act under their own names.
    let names: Vec<(i64, String)> = db
        .field_actor_names(id)
        .await?
        .into_iter()
        .map(|(i, n)| {
            let masked = i == reporter && i != p.user_id;
            (i, if masked { domain::mask::name(&n) } else { n })
        })
        .collect();
    v.events = db
        .field_events(id)
        .await?
        .into_iter()
        .map(|e| FieldEventView {
            at: e.at,
            by: e
                .actor_id
                .and_then(|a| names.iter().find(|(i, _)| *i == a).map(|(_, n)| n.clone())),
            // A whistle is stored with the departments' ids: shown with their names.
            detail: if e.action == "whistle" {
                e.detail
                    .split(|c: char| !c.is_ascii_digit())
                    .filter_map(|n| n.parse::<i64>().ok())
                    .filter_map(|d| departments.iter().find(|(i, _)| *i == d))
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            } else {
                e.detail
            },
            action: e.action,
            state: e.state,
            level: e.level,
        })
        .collect();
    Ok(v)
}

/// The caller's reports and the reports waiting on them (their grids, their scope, their
/// department), newest first.
#[server(prefix = "/api", endpoint = "field_reports")]
pub async fn field_reports() -> Result<Vec<FieldReportView>, AppError> {
    let p = require_user().await?;
    let db = state()?.db;
    let scope = match (p.role, &p.scope) {
        (domain::Role::Admin, _) => Some(String::new()),
        (domain::Role::GridWorker | domain::Role::Organiser, Some(s)) => Some(s.to_string()),
        _ => None,
    };
    let department = db.department_of(p.user_id).await?;
    let names = db.departments().await?;
    Ok(db
        .field_reports_for(p.user_id, scope.as_deref(), department, 500)
        .await?
        .into_iter()
        .map(|r| view(&p, &standing_in(&p, department, &r), &names, r))
        .collect())
}

/// The departments a street may whistle. Every logged-in user (the names are public).
#[server(prefix = "/api", endpoint = "field_departments")]
pub async fn field_departments() -> Result<Vec<DepartmentView>, AppError> {
    require_user().await?;
    Ok(state()?
        .db
        .departments()
        .await?
        .into_iter()
        .map(|(id, name)| DepartmentView { id, name })
        .collect())
}

/// Adds a category or changes its limits (`*_unit`: `hours` or `working-days`).
#[server(prefix = "/api", endpoint = "admin_field_category")]
pub async fn admin_field_category(
    name: String,
    acknowledge_unit: String,
    acknowledge_n: u32,
    resolve_unit: String,
    resolve_n: u32,
) -> Result<i64, AppError> {
    use domain::field::clock::Span;
    let p = require(
        AuditAction::AdminFieldCategory,
        AuditObject::Setting("field_category"),
        |p| p.can_administer(),
    )
    .await?;
    let span = |unit: &str, n: u32| match (unit, n) {
        (_, 0) => None,
        ("hours", 1..=720) => Some(Span::Hours(n)),
        ("working-days", 1..=60) => Some(Span::WorkingDays(n)),
        _ => None,
    };
    let name = domain::service::clean(&name, 20, false)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| AppError::Invalid("field.err.category_name".into()))?;
    let limits = match (
        span(&acknowledge_unit, acknowledge_n),
        span(&resolve_unit, resolve_n),
    ) {
        (Some(acknowledge), Some(resolve)) => Limits {
            acknowledge,
            resolve,
        },
        _ => return Err(AppError::Invalid("field.err.limits".into())),
    };
    let id = state()?.db.put_field_category(&name, limits, 0).await?;
    audit(
        Some(&p),
        AuditAction::AdminFieldCategory,
        AuditObject::Setting("field_category"),
        AuditResult::Ok,
        &name,
    )
    .await;
    Ok(id)
}

/// Adds a department the street can whistle, and (`username` not empty) an account that acts
/// for it.
#[server(prefix = "/api", endpoint = "admin_department")]
pub async fn admin_department(name: String, username: String) -> Result<i64, AppError> {
    let p = require(
        AuditAction::AdminDepartment,
        AuditObject::Setting("department"),
        |p| p.can_administer(),
    )
    .await?;
    let name = domain::service::clean(&name, 40, false)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| AppError::Invalid("field.err.department_name".into()))?;
    let db = state()?.db;
    let id = match db.department_id(&name).await? {
        Some(id) => id,
        None => db.add_department(&name).await?,
    };
    if !username.trim().is_empty() {
        let user = db
            .user_by_name(username.trim())
            .await?
            .ok_or_else(|| AppError::Invalid("field.err.username".into()))?;
        match db.add_department_member(id, user.id).await {
            Ok(()) | Err(store::StoreError::Duplicate) => {}
            Err(e) => return Err(e.into()),
        }
    }
    audit(
        Some(&p),
        AuditAction::AdminDepartment,
        AuditObject::Setting("department"),
        AuditResult::Ok,
        &name,
    )
    .await;
    Ok(id)
}

/// What the administrator's field settings form shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSettingsView {
    /// `YYYY-MM-DD` dates, one per line: days off and the weekend days worked instead (调休).
    pub holidays: String,
    pub workdays: String,
    pub categories: Vec<FieldCategoryView>,
    /// Each department with its accounts' usernames.
    pub departments: Vec<(String, Vec<String>)>,
}

/// The working calendar, the catalogue and the departments, for the administrator's form.
#[server(prefix = "/api", endpoint = "admin_field_settings")]
pub async fn admin_field_settings() -> Result<FieldSettingsView, AppError> {
    require(
        AuditAction::AdminFieldCalendar,
        AuditObject::Setting("field_calendar"),
        |p| p.can_administer(),
    )
    .await?;
    let db = state()?.db;
    let lines = |v: Option<String>| {
        v.unwrap_or_default()
            .split([',', ' ', '\n'])
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut departments: Vec<(String, Vec<String>)> = db
        .departments()
        .await?
        .into_iter()
        .map(|(_, n)| (n, Vec::new()))
        .collect();
    for (d, u) in db.department_members().await? {
        if let Some(e) = departments.iter_mut().find(|(n, _)| *n == d) {
            e.1.push(u);
        }
    }
    Ok(FieldSettingsView {
        holidays: lines(db.setting("field_holidays").await?),
        workdays: lines(db.setting("field_workdays").await?),
        categories: db
            .field_categories()
            .await?
            .into_iter()
            .map(|c| FieldCategoryView {
                id: c.id,
                name: c.name,
                limits: c.limits,
            })
            .collect(),
        departments,
    })
}

/// Sets the working calendar the clocks count in: `holidays` (days off on weekdays) and
/// `workdays` (weekend days worked instead), `YYYY-MM-DD` separated by lines, commas or spaces.
#[server(prefix = "/api", endpoint = "admin_set_field_calendar")]
pub async fn admin_set_field_calendar(holidays: String, workdays: String) -> Result<(), AppError> {
    use domain::field::clock::{CalendarError, WorkCalendar};
    let p = require(
        AuditAction::AdminFieldCalendar,
        AuditObject::Setting("field_calendar"),
        |p| p.can_administer(),
    )
    .await?;
    if holidays.len() + workdays.len() > 20_000 {
        return Err(AppError::Invalid("field.err.calendar_long".into()));
    }
    let split = |s: &str| -> Vec<String> {
        s.split([',', ' ', '\n', '\r', '，', '、'])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (h, w) = (split(&holidays), split(&workdays));
    WorkCalendar::parse(h.iter().map(String::as_str), w.iter().map(String::as_str)).map_err(
        |e| {
            let (key, date) = match e {
                CalendarError::Date(d) => ("field.err.calendar_date", d),
                CalendarError::Both(d) => ("field.err.calendar_both", d),
            };
            AppError::Refused {
                status: 400,
                key: key.into(),
                args: vec![("date".into(), date.chars().take(20).collect())],
            }
        },
    )?;
    let db = state()?.db;
    db.set_setting("field_holidays", &h.join(",")).await?;
    db.set_setting("field_workdays", &w.join(",")).await?;
    audit(
        Some(&p),
        AuditAction::AdminFieldCalendar,
        AuditObject::Setting("field_calendar"),
        AuditResult::Ok,
        &format!("{} holidays, {} workdays", h.len(), w.len()),
    )
    .await;
    Ok(())
}

/// The reporter's name and phone, for those who handle the report (a return visit, 回访);
/// every reveal is audited.
#[server(prefix = "/api", endpoint = "field_reporter_contact")]
pub async fn field_reporter_contact(id: i64) -> Result<super::services::WishContact, AppError> {
    let p = require_user().await?;
    let db = state()?.db;
    let r = db.field_report(id).await?;
    let who = standing(&db, &p, &r).await?;
    let whistled = who
        .department
        .is_some_and(|d| r.departments.contains(&format!("[{d},")));
    if who.handles.is_empty() && !whistled {
        return Err(deny(
            &p,
            AuditAction::FieldReporterContact,
            AuditObject::FieldReport(id),
        )
        .await);
    }
    let (name, phone) = db.contact(r.reporter_id).await?;
    audit(
        Some(&p),
        AuditAction::FieldReporterContact,
        AuditObject::FieldReport(id),
        AuditResult::Ok,
        "",
    )
    .await;
    Ok(super::services::WishContact { name, phone })
}
