//! The staff overview (数据看板, issue 21 §5): for the caller's scope, open and overdue field
//! reports with this month's three rates, the grids' household load, terms due for renewal, this
//! month's events and participation, open needs and wishes — each a link into its page.

use super::AppError;
use domain::field::rates::Rates;
use domain::overview::{GridLoad, Terms};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewView {
    /// `YYYY-MM`.
    pub month: String,
    pub open_reports: usize,
    pub overdue_reports: usize,
    /// This month's reports.
    pub rates: Rates,
    pub reports_this_month: usize,
    pub grids: GridLoad,
    pub target_households: i64,
    pub terms: Terms,
    /// This month's occurrences, places taken and check-ins.
    pub occurrences: usize,
    pub taken: i64,
    pub checked_in: i64,
    pub open_needs: i64,
    /// Wishes waiting for the organiser (submitted) and on the wall (verified), and being
    /// fulfilled (claimed or fulfilled, not yet confirmed).
    pub wishes_to_check: i64,
    pub wishes_on_wall: i64,
    pub wishes_in_hand: i64,
}

/// The overview of the caller's scope: administrators everything, organisers and grid workers
/// their scope; residents (and departments' accounts) nothing.
#[server(prefix = "/api", endpoint = "staff_overview")]
pub async fn staff_overview() -> Result<OverviewView, AppError> {
    use super::field_rates::{add_months, month_start};
    use domain::field::rates::{rates, By};
    use domain::Role;
    let p = require_user().await?;
    let prefix = match (p.role, &p.scope) {
        (Role::Admin, _) => String::new(),
        (Role::Organiser | Role::GridWorker, Some(s)) => s.to_string(),
        _ => return Err(deny(&p, AuditAction::StaffOverview, AuditObject::Statistics).await),
    };
    let db = state()?.db;
    let now = store::now();
    let today = (now + 8 * 3600).div_euclid(86_400);
    let (y, m, _) = domain::date::civil_from_days(today);
    let (ny, nm) = add_months(y, m, 1);
    let rows = db.overview_rows(&prefix).await?;
    let month_rows = db
        .field_rate_rows(month_start(y, m), month_start(ny, nm), &prefix)
        .await?;
    let records = super::field_rates::ssr_rates::records(&month_rows, By::Street);
    let target = db
        .setting("grid_target_households")
        .await?
        .and_then(|v| v.parse().ok())
        .filter(|&t: &i64| t > 0)
        .unwrap_or(domain::grid::DEFAULT_TARGET_HOUSEHOLDS);
    let today_ymd = domain::date::shanghai_datetime(now)[..10].to_owned();
    let terms = domain::overview::terms(
        rows.terms
            .iter()
            .map(|(s, years)| (s.as_deref(), (*years).clamp(0, 255) as u8)),
        &today_ymd,
    );
    let from = format!("{y:04}-{m:02}-01T00:00");
    let to = format!("{ny:04}-{nm:02}-01T00:00");
    let participation =
        domain::stats::aggregate(&db.participation_rows(&from, &to, &prefix).await?);
    let wishes = |states: &[&str]| -> i64 {
        rows.wishes
            .iter()
            .filter(|(s, _)| states.contains(&s.as_str()))
            .map(|(_, n)| n)
            .sum()
    };
    Ok(OverviewView {
        month: format!("{y:04}-{m:02}"),
        open_reports: rows.open_reports.len(),
        overdue_reports: rows.open_reports.iter().filter(|&&by| by < now).count(),
        rates: rates(records.iter().map(|(_, c, _)| c), now),
        reports_this_month: month_rows.reports.len(),
        grids: domain::overview::grid_load(&rows.households, target),
        target_households: target,
        terms,
        occurrences: participation.occurrences.len(),
        taken: participation.occurrences.iter().map(|o| o.taken).sum(),
        checked_in: participation.occurrences.iter().map(|o| o.checked_in).sum(),
        open_needs: rows.open_needs,
        wishes_to_check: wishes(&["submitted"]),
        wishes_on_wall: wishes(&["verified"]),
        wishes_in_hand: wishes(&["claimed", "fulfilled"]),
    })
}
