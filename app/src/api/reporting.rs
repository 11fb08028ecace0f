//! 双报到 (reporting in): party members and resident units report to the community; its organiser
//! accepts or declines; the roster by grid; a resident unit's contact sees its own members.

use super::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::*;

/// A report as the reporter, the organiser or the roster shows it. The unit's phone is masked
/// outside the organiser's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub id: i64,
    pub version: i64,
    pub kind: String,
    pub person: String,
    pub community_name: String,
    pub org_name: String,
    pub unit_name: String,
    pub contact: String,
    pub phone: String,
    pub offers: String,
    pub grid_code: Option<String>,
    pub grid_name: Option<String>,
    pub member_of_name: Option<String>,
    pub state: String,
    pub reason: String,
}

/// What the reporting form offers: the grids of the caller's community and the resident units
/// accepted there (a member's workplace can be one of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportOptions {
    pub community_name: String,
    pub grids: Vec<(String, String)>,
    pub units: Vec<(i64, String)>,
    pub party_member: bool,
    /// The caller's own reports, newest first.
    pub mine: Vec<ReportView>,
    /// Members of the caller's accepted resident unit, with the hours they served this year.
    pub my_unit_members: Vec<(String, i64)>,
}

/// The organiser's view: reports waiting for a decision and the accepted roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub pending: Vec<ReportView>,
    pub accepted: Vec<ReportView>,
}

#[cfg(feature = "ssr")]
mod ssr_reporting {
    use super::*;

    pub fn view(r: store::reports::Report, full: bool, grids: &[(String, String)]) -> ReportView {
        let grid_name = r
            .grid_code
            .as_ref()
            .and_then(|g| grids.iter().find(|(c, _)| c == g).map(|(_, n)| n.clone()));
        ReportView {
            id: r.id,
            version: r.version,
            kind: r.kind,
            person: r.person,
            community_name: r.community_name,
            org_name: r.org_name,
            unit_name: r.unit_name,
            contact: r.contact,
            phone: if full {
                r.phone
            } else {
                domain::mask::phone(&r.phone)
            },
            offers: r.offers,
            grid_code: r.grid_code,
            grid_name,
            member_of_name: r.member_of_name,
            state: r.state,
            reason: r.reason,
        }
    }

    /// The grids (code, name) under `code` (the whole district when empty).
    pub async fn grids_under(code: &str) -> Result<Vec<(String, String)>, AppError> {
        Ok(state()?.db.grid_names_under(code).await?)
    }
}

#[cfg(feature = "ssr")]
use ssr_reporting::*;

/// The reporting form's choices and the caller's own reports.
#[server(prefix = "/api", endpoint = "service_report_options")]
pub async fn service_report_options() -> Result<ReportOptions, AppError> {
    use domain::service::report::ReportState;
    let p = require_user().await?;
    let db = state()?.db;
    let (unit_id, code, name) = super::services::ssr_services::home_unit(&p).await?;
    let grids = grids_under(&code).await?;
    let units = db
        .reports(&code, &[ReportState::Accepted])
        .await?
        .into_iter()
        .filter(|r| r.kind == "unit" && r.unit_id == unit_id)
        .map(|r| (r.id, r.org_name))
        .collect();
    let mine: Vec<_> = db.reports_of(p.user_id).await?;
    let year = &super::services::ssr_services::today()[..4];
    let next = year.parse::<i32>().unwrap_or(2026) + 1;
    let mut my_unit_members = Vec::new();
    for r in mine
        .iter()
        .filter(|r| r.kind == "unit" && r.state == "accepted")
    {
        my_unit_members.extend(
            db.unit_members(r.id, &format!("{year}-01-01"), &format!("{next}-01-01"))
                .await?,
        );
    }
    Ok(ReportOptions {
        community_name: name,
        party_member: p.party_member,
        mine: mine.into_iter().map(|r| view(r, true, &grids)).collect(),
        grids,
        units,
        my_unit_members,
    })
}

/// Reports the caller to their own community: as a party member (`member`: the party
/// organisation of their workplace, or `member_of` an accepted resident unit there) or for a
/// resident unit (`unit`: its name, party organisation, contact, phone and what it offers).
#[server(prefix = "/api", endpoint = "service_report_in")]
#[allow(clippy::too_many_arguments)]
pub async fn service_report_in(
    kind: String,
    org_name: String,
    unit_name: String,
    contact: String,
    phone: String,
    offers: String,
    grid_code: String,
    member_of: Option<i64>,
) -> Result<i64, AppError> {
    use domain::service::report::ReportDraft;
    let p = require_user().await?;
    let (unit_id, code, _) = super::services::ssr_services::home_unit(&p).await?;
    let db = state()?.db;
    // A member naming a resident unit takes its party organisation's name.
    let org_name = match member_of {
        Some(m) => db.report(m).await.map(|r| r.org_name).unwrap_or(org_name),
        None => org_name,
    };
    let draft = ReportDraft::parse(
        &kind,
        &org_name,
        &unit_name,
        &contact,
        &phone,
        &offers,
        p.party_member,
    )
    .map_err(|e| AppError::Invalid(e.key().into()))?;
    let grid = match grid_code.trim() {
        "" => None,
        g => {
            if !grids_under(&code).await?.iter().any(|(c, _)| c == g) {
                return Err(AppError::Invalid("service.err.grid".into()));
            }
            Some(g.to_owned())
        }
    };
    let id = db
        .report_in(
            unit_id,
            p.user_id,
            &draft,
            grid.as_deref(),
            member_of,
            &p.username,
            store::now(),
        )
        .await
        .map_err(|e| match e {
            store::StoreError::Duplicate => AppError::Conflict("service.err.reported".into()),
            e => e.into(),
        })?;
    audit(
        Some(&p),
        AuditAction::ServiceReportIn,
        AuditObject::Report(id),
        AuditResult::Ok,
        draft.kind.as_str(),
    )
    .await;
    Ok(id)
}

/// The organiser accepts or declines (with a reason) a report to a community of their scope; the
/// reporter withdraws their own (`withdraw`).
#[server(prefix = "/api", endpoint = "service_report_action")]
pub async fn service_report_action(
    id: i64,
    version: i64,
    action: String,
    reason: String,
) -> Result<String, AppError> {
    use domain::service::report::ReportAction as A;
    use domain::service::Actor;
    let p = require_user().await?;
    let action = match action.trim() {
        "accept" => A::Accept,
        "decline" => A::Decline { reason },
        "withdraw" => A::Withdraw,
        _ => return Err(AppError::Invalid("service.err.action".into())),
    };
    let db = state()?.db;
    let r = db.report(id).await?;
    let actor = if matches!(action, A::Withdraw) {
        if r.user_id != p.user_id {
            return Err(deny(
                &p,
                AuditAction::ServiceReportAction,
                AuditObject::Report(id),
            )
            .await);
        }
        Actor::Owner
    } else {
        if !super::services::ssr_services::may_manage(&p, &r.community_code) {
            return Err(deny(
                &p,
                AuditAction::ServiceReportAction,
                AuditObject::Report(id),
            )
            .await);
        }
        Actor::Organiser
    };
    let to = db
        .report_action(id, version, actor, &action, &p.username, store::now())
        .await
        .map_err(super::services::ssr_services::conflict)?
        .map_err(super::services::ssr_services::refused)?;
    audit(
        Some(&p),
        AuditAction::ServiceReportAction,
        AuditObject::Report(id),
        AuditResult::Ok,
        to.as_str(),
    )
    .await;
    Ok(to.as_str().to_owned())
}

/// Reports to the communities of the caller's scope (organisers; administrators everywhere):
/// those waiting and the accepted roster, ordered by kind and grid.
#[server(prefix = "/api", endpoint = "service_roster")]
pub async fn service_roster() -> Result<Roster, AppError> {
    use domain::service::report::ReportState;
    let p = require_user().await?;
    let Some(prefix) = p.statistics_scope() else {
        return Err(deny(&p, AuditAction::ServiceRoster, AuditObject::None).await);
    };
    let db = state()?.db;
    let grids = grids_under(&prefix).await?;
    let pending = db.reports(&prefix, &[ReportState::Pending]).await?;
    let accepted = db.reports(&prefix, &[ReportState::Accepted]).await?;
    Ok(Roster {
        pending: pending.into_iter().map(|r| view(r, true, &grids)).collect(),
        accepted: accepted
            .into_iter()
            .map(|r| view(r, true, &grids))
            .collect(),
    })
}
