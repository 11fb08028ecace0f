//! Service matching (服务): the community's lists and claims on them, micro-wishes, service hours
//! and the organiser's desk. Residents see the public lists and the wish wall (names masked) and
//! their own wishes; party members claim; organisers act within their scope, administrators
//! everywhere. Every decision is `domain::service`'s, taken again by the store in the transaction
//! that writes.

use super::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::*;

/// A need, resource or project as the lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingView {
    pub id: i64,
    pub kind: String,
    pub unit_code: String,
    pub unit_name: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub amount: i64,
    pub measure: String,
    pub deadline: Option<String>,
    pub status: String,
    pub grid_code: Option<String>,
    pub version: i64,
    /// What is left to claim.
    pub left: i64,
    /// The caller organises the listing's unit (dispatch, close, confirm).
    pub can_manage: bool,
    /// The caller may claim it now (a party member, an open need with something left).
    pub can_claim: bool,
    /// The caller's resident unit (its 双报到 report id and name) that may claim this as a unit.
    #[serde(default)]
    pub claim_as_unit: Option<(i64, String)>,
    /// The event (a service day) it serves, and its next occurrence (`YYYY-MM-DDTHH:MM`, the
    /// event page's `at`) within the coming two months.
    pub event_id: Option<i64>,
    pub event_title: Option<String>,
    pub event_at: Option<String>,
    /// A project's milestones.
    pub milestones: Vec<domain::service::listing::Milestone>,
}

/// A claim as its claimant or the organiser sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimView {
    pub id: i64,
    pub listing_id: i64,
    pub listing_title: String,
    pub claimant_name: String,
    pub amount: i64,
    pub state: String,
    pub reason: String,
}

/// A wish as the wall, its owner, its claimant or the organiser sees it. `who` is masked
/// everywhere but in `service_wish_reveal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishView {
    pub id: i64,
    pub version: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub who: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub state: String,
    pub reason: String,
    pub claimant_name: Option<String>,
    pub note: String,
    pub minutes: i64,
    pub mine: bool,
    pub claimed_by_me: bool,
    pub can_manage: bool,
    /// The photos the viewer may see (the wish's, its fulfilment's).
    pub photos: Vec<crate::api::photos::PhotoRef>,
    /// The grid the wish is in, when its maker named one.
    pub grid_code: Option<String>,
    /// The caller's resident unit that may take this wish on as a unit (report id, name).
    #[serde(default)]
    pub claim_as_unit: Option<(i64, String)>,
}

/// A grid's service marks on the map: open needs with places left, wishes waiting on the wall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceMark {
    pub grid_code: String,
    pub needs: i64,
    pub wishes: i64,
}

/// One record of service hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursView {
    pub served_on: String,
    pub what: String,
    pub organiser: String,
    pub minutes: i64,
    pub confirmed_by: String,
    pub source: String,
}

/// "My claims and hours".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyService {
    pub display_name: String,
    pub party_member: bool,
    pub claims: Vec<ClaimView>,
    pub wishes: Vec<WishView>,
    pub hours: Vec<HoursView>,
    /// Minutes this year and the yearly target.
    pub year: i32,
    pub year_minutes: i64,
    pub target_minutes: i64,
}

/// What waits for the organiser: wishes to verify, wishes to confirm for residents without an
/// account, claims done and waiting for confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Desk {
    pub to_verify: Vec<WishView>,
    pub to_confirm_wishes: Vec<WishView>,
    pub to_confirm_claims: Vec<ClaimView>,
    /// Units the caller may publish for (code, name).
    pub units: Vec<(String, String)>,
}

/// A wish-maker's name and phone, for the organiser who has to reach them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishContact {
    pub name: String,
    pub phone: String,
}

/// Statistics of a scope and a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceFigures {
    pub year: i32,
    /// Wishes confirmed and wishes published (on the wall at some time).
    pub wishes_done: usize,
    pub wishes_published: usize,
    /// Claims per state.
    pub claims: Vec<(String, i64)>,
    /// Minutes per month (1–12).
    pub minutes_by_month: Vec<i64>,
    /// Minutes per organising unit, most first.
    pub minutes_by_unit: Vec<(String, i64)>,
    /// Party members below the yearly target, fewest minutes first.
    pub below_target: Vec<(String, i64)>,
    pub members: usize,
    pub target_minutes: i64,
    /// Completion per unit party organisation of the reported members, lowest first.
    pub units: Vec<domain::service::hours::UnitCompletion>,
    /// The completion a unit is asked for (percent).
    pub unit_percent: i64,
}

/// The yearly hours a member is asked to give unless the deployment says otherwise (50 hours).
pub const DEFAULT_TARGET_MINUTES: i64 = 50 * 60;

#[cfg(feature = "ssr")]
pub(crate) mod ssr_services {
    use super::*;
    use domain::service::ServiceError;
    use domain::{Code, Principal};

    pub fn today() -> String {
        super::super::events::ssr_events::now_local()
            .date()
            .to_owned()
    }

    pub fn may_manage(p: &Principal, unit_code: &str) -> bool {
        Code::parse(unit_code).is_ok_and(|c| p.can_edit_unit(&c))
    }

    /// A rule's refusal as the browser shows it.
    pub fn refused(e: ServiceError) -> AppError {
        let (status, args) = match &e {
            ServiceError::OverFilled { left } => (409, vec![("left".into(), left.to_string())]),
            ServiceError::Closed | ServiceError::PastDeadline | ServiceError::State => {
                (409, vec![])
            }
            ServiceError::NotYours | ServiceError::MembersOnly => (403, vec![]),
            _ => (400, vec![]),
        };
        AppError::Refused {
            status,
            key: e.key().into(),
            args,
        }
    }

    pub fn conflict(e: store::StoreError) -> AppError {
        match e {
            store::StoreError::Conflict(_) => AppError::Conflict("service.err.conflict".into()),
            e => e.into(),
        }
    }

    pub fn listing_view(p: &Principal, l: store::services::Listing, today: &str) -> ListingView {
        let left = (l.amount - l.held).max(0);
        let can_claim = p.party_member
            && l.kind == "need"
            && l.status == "open"
            && left > 0
            && l.deadline.as_deref().is_none_or(|d| today <= d);
        ListingView {
            can_manage: may_manage(p, &l.unit_code),
            can_claim,
            claim_as_unit: None,
            left,
            id: l.id,
            kind: l.kind,
            unit_code: l.unit_code,
            unit_name: l.unit_name,
            title: l.title,
            description: l.description,
            category: l.category,
            amount: l.amount,
            measure: l.measure,
            deadline: l.deadline,
            status: l.status,
            grid_code: l.grid_code,
            version: l.version,
            event_id: l.event_id,
            event_title: l.event_title,
            event_at: None,
            milestones: serde_json::from_str(&l.milestones).unwrap_or_default(),
        }
    }

    pub fn claim_view(c: store::services::Claim) -> ClaimView {
        ClaimView {
            id: c.id,
            listing_id: c.listing_id,
            listing_title: c.listing_title,
            claimant_name: c.claimant_name,
            amount: c.amount,
            state: c.state,
            reason: c.reason,
        }
    }

    /// The wish as `p` may see it: the wish-maker's name masked (the beneficiary the organiser
    /// wrote, or the account's name).
    pub fn wish_view(p: &Principal, w: store::services::Wish) -> WishView {
        let who = if w.beneficiary.is_empty() {
            &w.owner_name
        } else {
            &w.beneficiary
        };
        WishView {
            who: domain::mask::name(who),
            mine: w.owner_id == Some(p.user_id),
            claimed_by_me: w.claimant_id == Some(p.user_id),
            can_manage: may_manage(p, &w.unit_code),
            id: w.id,
            version: w.version,
            unit_code: w.unit_code,
            unit_name: w.unit_name,
            title: w.title,
            description: w.description,
            category: w.category,
            state: w.state,
            reason: w.reason,
            claimant_name: w.claimant_name,
            note: w.note,
            minutes: w.minutes,
            photos: Vec::new(),
            grid_code: w.grid_code,
            claim_as_unit: None,
        }
    }

    /// The resident units `p` acts for: their accepted unit reports (report id, community code,
    /// unit name).
    pub async fn my_units(
        db: &store::Db,
        p: &Principal,
    ) -> Result<Vec<(i64, String, String)>, AppError> {
        Ok(db
            .reports_of(p.user_id)
            .await?
            .into_iter()
            .filter(|r| r.kind == "unit" && r.state == "accepted")
            .map(|r| (r.id, r.community_code, r.org_name))
            .collect())
    }

    /// Of `units` (from `my_units`), the one reported to `community`: (report id, name).
    pub fn unit_in(units: &[(i64, String, String)], community: &str) -> Option<(i64, String)> {
        units
            .iter()
            .find(|(_, c, _)| c == community)
            .map(|(id, _, name)| (*id, name.clone()))
    }

    /// The unit report `report` if `p` may act for it in community `unit_id` (as
    /// `domain::service::report::may_act_for_unit` says); refused otherwise.
    pub async fn acting_unit(
        db: &store::Db,
        p: &Principal,
        report: i64,
        unit_id: i64,
        action: AuditAction,
        object: AuditObject<'_>,
    ) -> Result<i64, AppError> {
        use domain::service::report::{may_act_for_unit, ReportKind, ReportState, UnitStanding};
        let r = db.report(report).await?;
        let standing = match (ReportKind::parse(&r.kind), ReportState::parse(&r.state)) {
            (Some(kind), Some(state)) => Some(UnitStanding {
                kind,
                state,
                filed_by: r.user_id,
                community: r.unit_id,
            }),
            _ => None,
        };
        if !standing.is_some_and(|s| may_act_for_unit(s, p.user_id, unit_id)) {
            return Err(deny(p, action, object).await);
        }
        Ok(report)
    }

    /// Wishes as `p` sees them, with the photos `p` may see.
    pub async fn wish_views(
        db: &store::Db,
        p: &Principal,
        rows: Vec<store::services::Wish>,
    ) -> Result<Vec<WishView>, AppError> {
        let views = rows.into_iter().map(|w| wish_view(p, w)).collect();
        crate::api::photos::ssr_photos::with_photos(db, p, views).await
    }

    /// The caller's own community's committee: the unit whose code is the longest prefix of
    /// their scope.
    pub async fn home_unit(p: &Principal) -> Result<(i64, String, String), AppError> {
        let scope = p
            .scope
            .as_ref()
            .ok_or_else(|| AppError::Invalid("service.err.no_community".into()))?;
        state()?
            .db
            .unit_for_scope(scope.as_str())
            .await?
            .ok_or_else(|| AppError::Invalid("service.err.no_community".into()))
    }

    /// Fills each listing's `event_at`: the next occurrence of the event it serves.
    pub async fn next_occurrences(
        db: &store::Db,
        views: &mut [ListingView],
    ) -> Result<(), AppError> {
        use domain::event::LocalDateTime;
        let now = super::super::events::ssr_events::now_local();
        let until = LocalDateTime::from_minutes(now.minutes() + 62 * 1440);
        let mut seen: std::collections::HashMap<i64, Option<String>> = Default::default();
        for v in views.iter_mut() {
            let Some(id) = v.event_id else { continue };
            if !seen.contains_key(&id) {
                let next = match db.event(id).await {
                    Ok(e) => db
                        .occurrences(&e, &now, &until)
                        .await?
                        .into_iter()
                        .find(|o| !o.cancelled)
                        .map(|o| o.recurrence_id.to_string()),
                    Err(_) => None,
                };
                seen.insert(id, next);
            }
            v.event_at = seen[&id].clone();
        }
        Ok(())
    }

    pub async fn target_minutes(db: &store::Db) -> i64 {
        db.setting("service_target_minutes")
            .await
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_TARGET_MINUTES)
    }

    pub async fn unit_percent(db: &store::Db) -> i64 {
        db.setting("service_unit_percent")
            .await
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(domain::service::hours::DEFAULT_UNIT_PERCENT)
    }
}

#[cfg(feature = "ssr")]
use ssr_services::*;

/// The lists, newest first: `kind`, `status`, `category` and `community` (a unit code prefix)
/// filter when not empty; with `event`, the listings that serve that event instead. Every logged-in user sees them: they are the community's public lists.
#[server(prefix = "/api", endpoint = "service_lists")]
pub async fn service_lists(
    kind: String,
    status: String,
    category: String,
    community: String,
    event: Option<i64>,
    #[server(default)] grid: String,
) -> Result<Vec<ListingView>, AppError> {
    use domain::service::listing::ListingKind;
    let p = require_user().await?;
    let (community, grid) = (community.trim(), grid.trim());
    if [community, grid]
        .iter()
        .any(|c| !c.is_empty() && Code::parse(c).is_err())
    {
        return Err(AppError::Invalid("err.code".into()));
    }
    let (kind, status, category) = (kind.trim(), status.trim(), category.trim());
    if !(kind.is_empty() || ListingKind::parse(kind).is_some())
        || !["", "open", "closed", "draft"].contains(&status)
        || !(category.is_empty() || domain::service::CATEGORIES.contains(&category))
    {
        return Err(AppError::Invalid("service.err.filter".into()));
    }
    let db = state()?.db;
    let rows = match event {
        // The needs an event serves, for its page: as visible as the event.
        Some(id) => {
            super::events::ssr_events::visible_event(&db, &p, id).await?;
            db.listings_for_event(id).await?
        }
        None => {
            db.listings(community, grid, kind, status, category, 300)
                .await?
        }
    };
    let today = today();
    let mut views: Vec<ListingView> = rows
        .into_iter()
        .map(|l| listing_view(&p, l, &today))
        .collect();
    next_occurrences(&db, &mut views).await?;
    let units = my_units(&db, &p).await?;
    for v in views
        .iter_mut()
        .filter(|v| v.kind == "need" && v.status == "open" && v.left > 0)
    {
        v.claim_as_unit = unit_in(&units, &v.unit_code);
    }
    Ok(views)
}

#[cfg(feature = "ssr")]
use domain::Code;

/// Publishes a need, resource or project for `unit_code` (an organiser within scope). A grid,
/// when named, must be of the caller's area.
#[server(prefix = "/api", endpoint = "service_create_listing")]
#[allow(clippy::too_many_arguments)]
pub async fn service_create_listing(
    unit_code: String,
    kind: String,
    title: String,
    description: String,
    category: String,
    amount: i64,
    measure: String,
    deadline: String,
    grid_code: String,
    event_id: Option<i64>,
) -> Result<i64, AppError> {
    use domain::service::listing::ListingDraft;
    let p = require_user().await?;
    let code = Code::parse(unit_code.trim()).map_err(|_| AppError::Invalid("err.code".into()))?;
    if !p.can_edit_unit(&code) {
        return Err(deny(
            &p,
            AuditAction::ServiceCreateListing,
            AuditObject::OrgUnit(code.as_str()),
        )
        .await);
    }
    let draft = ListingDraft::parse(
        &kind,
        &title,
        &description,
        &category,
        amount,
        &measure,
        &deadline,
        &today(),
    )
    .map_err(|e| AppError::Invalid(e.key().into()))?;
    let db = state()?.db;
    let unit = db.unit_id(code.as_str()).await?;
    let grid_id = match grid_code.trim() {
        "" => None,
        g => {
            let gc = Code::parse(g).map_err(|_| AppError::Invalid("err.code".into()))?;
            if !p.can_link_grid(&gc) {
                return Err(deny(
                    &p,
                    AuditAction::ServiceCreateListing,
                    AuditObject::Grids(gc.as_str()),
                )
                .await);
            }
            Some(db.grid_id(gc.as_str()).await?)
        }
    };
    if let Some(e) = event_id {
        super::events::ssr_events::visible_event(&db, &p, e)
            .await
            .map_err(|_| AppError::Invalid("service.err.event".into()))?;
    }
    let id = db
        .create_listing(unit, &draft, grid_id, event_id, &p.username, store::now())
        .await?;
    audit(
        Some(&p),
        AuditAction::ServiceCreateListing,
        AuditObject::Listing(id),
        AuditResult::Ok,
        &draft.title,
    )
    .await;
    Ok(id)
}

/// Opens or closes a listing (its organiser), at the version the caller saw.
#[server(prefix = "/api", endpoint = "service_set_listing_status")]
pub async fn service_set_listing_status(id: i64, version: i64, open: bool) -> Result<(), AppError> {
    let p = require_user().await?;
    let db = state()?.db;
    let l = db.listing(id).await?;
    if !may_manage(&p, &l.unit_code) {
        return Err(deny(
            &p,
            AuditAction::ServiceSetListingStatus,
            AuditObject::Listing(id),
        )
        .await);
    }
    let status = if open { "open" } else { "closed" };
    db.set_listing_status(id, version, status)
        .await
        .map_err(conflict)?;
    audit(
        Some(&p),
        AuditAction::ServiceSetListingStatus,
        AuditObject::Listing(id),
        AuditResult::Ok,
        status,
    )
    .await;
    Ok(())
}

/// Sets a project's milestones (JSON `[{"title":…,"done":…}]`) at the version the caller saw:
/// its organiser only.
#[server(prefix = "/api", endpoint = "service_set_milestones")]
pub async fn service_set_milestones(
    id: i64,
    version: i64,
    milestones: String,
) -> Result<(), AppError> {
    let p = require_user().await?;
    let db = state()?.db;
    let l = db.listing(id).await?;
    if !may_manage(&p, &l.unit_code) {
        return Err(deny(
            &p,
            AuditAction::ServiceSetMilestones,
            AuditObject::Listing(id),
        )
        .await);
    }
    if l.kind != "project" {
        return Err(AppError::Invalid("service.err.not_project".into()));
    }
    let list = domain::service::listing::parse_milestones(&milestones)
        .ok_or_else(|| AppError::Invalid("service.err.milestones".into()))?;
    let json = serde_json::to_string(&list).map_err(internal)?;
    db.set_milestones(id, version, &json)
        .await
        .map_err(conflict)?;
    let (done, all) = domain::service::listing::progress(&list);
    audit(
        Some(&p),
        AuditAction::ServiceSetMilestones,
        AuditObject::Listing(id),
        AuditResult::Ok,
        &format!("{done}/{all}"),
    )
    .await;
    Ok(())
}

/// The claims on a listing, with claimants' names: its organiser only.
#[server(prefix = "/api", endpoint = "service_listing_claims")]
pub async fn service_listing_claims(id: i64) -> Result<Vec<ClaimView>, AppError> {
    let p = require_user().await?;
    let db = state()?.db;
    let l = db.listing(id).await?;
    if !may_manage(&p, &l.unit_code) {
        return Err(deny(
            &p,
            AuditAction::ServiceListingClaims,
            AuditObject::Listing(id),
        )
        .await);
    }
    Ok(db.claims(id).await?.into_iter().map(claim_view).collect())
}

/// Claims `amount` of a need: party members only; never more than is left.
#[server(prefix = "/api", endpoint = "service_claim")]
pub async fn service_claim(
    id: i64,
    amount: i64,
    #[server(default)] for_unit: Option<i64>,
) -> Result<i64, AppError> {
    let p = require_user().await?;
    let db = state()?.db;
    let l = db.listing(id).await?;
    // As a resident unit: its contact claims for it, party member or not.
    let unit_report = match for_unit {
        Some(r) => Some(
            acting_unit(
                &db,
                &p,
                r,
                l.unit_id,
                AuditAction::ServiceClaim,
                AuditObject::Listing(id),
            )
            .await?,
        ),
        None => None,
    };
    if unit_report.is_none() && !p.party_member {
        audit(
            Some(&p),
            AuditAction::ServiceClaim,
            AuditObject::Listing(id),
            AuditResult::Refused,
            "not a party member",
        )
        .await;
        return Err(refused(domain::service::ServiceError::MembersOnly));
    }
    let claim = db
        .claim(
            id,
            p.user_id,
            amount,
            false,
            &p.username,
            &today(),
            store::now(),
            unit_report,
        )
        .await?
        .map_err(refused)?;
    audit(
        Some(&p),
        AuditAction::ServiceClaim,
        AuditObject::Claim(claim),
        AuditResult::Ok,
        &amount.to_string(),
    )
    .await;
    Ok(claim)
}

/// Dispatches `amount` of a need to the party member `username` (派单), who accepts or declines:
/// the need's organiser only.
#[server(prefix = "/api", endpoint = "service_dispatch")]
pub async fn service_dispatch(id: i64, username: String, amount: i64) -> Result<i64, AppError> {
    let p = require_user().await?;
    let db = state()?.db;
    let l = db.listing(id).await?;
    if !may_manage(&p, &l.unit_code) {
        return Err(deny(&p, AuditAction::ServiceDispatch, AuditObject::Listing(id)).await);
    }
    let member = db
        .user_by_name(username.trim())
        .await?
        .filter(|u| u.party_member && !u.disabled)
        .ok_or_else(|| AppError::Invalid("service.err.no_member".into()))?;
    let claim = db
        .claim(
            id,
            member.id,
            amount,
            true,
            &p.username,
            &today(),
            store::now(),
            None,
        )
        .await?
        .map_err(refused)?;
    audit(
        Some(&p),
        AuditAction::ServiceDispatch,
        AuditObject::Claim(claim),
        AuditResult::Ok,
        &member.username,
    )
    .await;
    Ok(claim)
}

/// Moves a claim on. `accept`, `decline`, `start`, `finish` and `withdraw` are the claimant's;
/// `confirm` (crediting `minutes`) and `send-back` the organiser's. `reason` goes with a decline
/// or a sending back.
#[server(prefix = "/api", endpoint = "service_claim_action")]
pub async fn service_claim_action(
    id: i64,
    action: String,
    reason: String,
    minutes: i64,
) -> Result<String, AppError> {
    use domain::service::claims::ClaimAction as A;
    use domain::service::Actor;
    let p = require_user().await?;
    let action = match action.trim() {
        "accept" => A::Accept,
        "decline" => A::Decline { reason },
        "start" => A::Start,
        "finish" => A::Finish,
        "withdraw" => A::Withdraw,
        "confirm" => A::Confirm,
        "send-back" => A::SendBack { reason },
        _ => return Err(AppError::Invalid("service.err.action".into())),
    };
    let db = state()?.db;
    let c = db.claim_row(id).await?;
    let actor = if matches!(action, A::Confirm | A::SendBack { .. }) {
        if !may_manage(&p, &c.unit_code) {
            return Err(deny(&p, AuditAction::ServiceClaimAction, AuditObject::Claim(id)).await);
        }
        Actor::Organiser
    } else {
        if c.claimant_id != p.user_id {
            return Err(deny(&p, AuditAction::ServiceClaimAction, AuditObject::Claim(id)).await);
        }
        Actor::Claimant
    };
    let minutes = if matches!(action, A::Confirm) {
        domain::service::hours::check_minutes(minutes).map_err(refused)?
    } else {
        0
    };
    let to = db
        .claim_action(
            id,
            p.user_id,
            actor,
            &action,
            minutes,
            &p.username,
            &today(),
            store::now(),
        )
        .await?
        .map_err(refused)?;
    audit(
        Some(&p),
        AuditAction::ServiceClaimAction,
        AuditObject::Claim(id),
        AuditResult::Ok,
        to.as_str(),
    )
    .await;
    Ok(to.as_str().to_owned())
}

/// The wish wall: wishes on the wall (verified, claimed, fulfilled, confirmed) of `community`
/// (a unit code prefix; all when empty), names masked.
#[server(prefix = "/api", endpoint = "service_wishes")]
pub async fn service_wishes(
    community: String,
    #[server(default)] grid: String,
) -> Result<Vec<WishView>, AppError> {
    use domain::service::wish::WishState as S;
    let p = require_user().await?;
    let (community, grid) = (community.trim(), grid.trim());
    if [community, grid]
        .iter()
        .any(|c| !c.is_empty() && Code::parse(c).is_err())
    {
        return Err(AppError::Invalid("err.code".into()));
    }
    let db = state()?.db;
    let rows = db
        .wishes(
            community,
            grid,
            &[S::Verified, S::Claimed, S::Fulfilled, S::Confirmed],
            300,
        )
        .await?;
    let mut views = wish_views(&db, &p, rows).await?;
    let units = my_units(&db, &p).await?;
    for v in views.iter_mut().filter(|v| v.state == "verified") {
        v.claim_as_unit = unit_in(&units, &v.unit_code);
    }
    Ok(views)
}

/// The map's service layer: per grid of the district, the open needs with something left and
/// the wishes waiting for a claimant. Public to every logged-in user, like the lists and the wall.
#[server(prefix = "/api", endpoint = "service_map_marks")]
pub async fn service_map_marks() -> Result<Vec<ServiceMark>, AppError> {
    require_user().await?;
    Ok(state()?
        .db
        .service_marks("")
        .await?
        .into_iter()
        .map(|(grid_code, needs, wishes)| ServiceMark {
            grid_code,
            needs,
            wishes,
        })
        .collect())
}

/// Posts a wish. A resident posts their own in their community; an organiser records one for a
/// resident without an account (`unit_code` in scope, `beneficiary` named). The public text may not
/// carry a phone or an identity number.
#[server(prefix = "/api", endpoint = "service_post_wish")]
pub async fn service_post_wish(
    unit_code: String,
    title: String,
    description: String,
    category: String,
    beneficiary: String,
    #[server(default)] grid_code: String,
) -> Result<i64, AppError> {
    use domain::service::ServiceError;
    let p = require_user().await?;
    let (title, description) =
        domain::service::wish::clean_public(&title, &description).map_err(refused)?;
    let category = category.trim();
    if !domain::service::CATEGORIES.contains(&category) {
        return Err(AppError::Invalid("service.err.category".into()));
    }
    let db = state()?.db;
    let (unit_id, owner_id, beneficiary) = match unit_code.trim() {
        "" => (home_unit(&p).await?.0, Some(p.user_id), String::new()),
        code => {
            let c = Code::parse(code).map_err(|_| AppError::Invalid("err.code".into()))?;
            if !p.can_edit_unit(&c) {
                return Err(deny(
                    &p,
                    AuditAction::ServicePostWish,
                    AuditObject::OrgUnit(c.as_str()),
                )
                .await);
            }
            let name = domain::service::clean(&beneficiary, 40, false)
                .filter(|n| !n.is_empty())
                .ok_or_else(|| refused(ServiceError::Text))?;
            if domain::service::wish::has_personal_data(&name) {
                return Err(refused(ServiceError::PersonalData));
            }
            (db.unit_id(c.as_str()).await?, None, name)
        }
    };
    // A grid, when named, is one of the wish's community's.
    let grid_id = match grid_code.trim() {
        "" => None,
        g => {
            let community = db.unit_code(unit_id).await?;
            let inside = db
                .grid_names_under(&community)
                .await?
                .iter()
                .any(|(c, _)| c == g);
            if !inside {
                return Err(AppError::Invalid("service.err.grid".into()));
            }
            Some(db.grid_id(g).await?)
        }
    };
    let id = db
        .post_wish(
            &store::services::NewWish {
                unit_id,
                owner_id,
                beneficiary,
                title: title.clone(),
                description,
                category: category.to_owned(),
                grid_id,
            },
            &p.username,
            store::now(),
        )
        .await?;
    audit(
        Some(&p),
        AuditAction::ServicePostWish,
        AuditObject::Wish(id),
        AuditResult::Ok,
        &title,
    )
    .await;
    Ok(id)
}

/// Moves a wish on at the version the caller saw. `verify` and `reject` are the organiser's;
/// `claim` (party members), `release` and `fulfil` (with a `note` and the `minutes` it took) the
/// claimant's; `confirm` the wish-maker's, or the organiser's for a resident without an account;
/// `withdraw` the wish-maker's.
#[server(prefix = "/api", endpoint = "service_wish_action")]
pub async fn service_wish_action(
    id: i64,
    version: i64,
    action: String,
    reason: String,
    note: String,
    minutes: i64,
    #[server(default)] for_unit: Option<i64>,
) -> Result<String, AppError> {
    use domain::service::wish::WishAction as A;
    use domain::service::{Actor, ServiceError};
    let p = require_user().await?;
    let action = match action.trim() {
        "verify" => A::Verify,
        "reject" => A::Reject { reason },
        "claim" => A::Claim,
        "release" => A::Release,
        "fulfil" => A::Fulfil,
        "confirm" => A::Confirm,
        "withdraw" => A::Withdraw,
        _ => return Err(AppError::Invalid("service.err.action".into())),
    };
    let db = state()?.db;
    let w = db.wish(id).await?;
    let manages = may_manage(&p, &w.unit_code);
    // A resident unit takes a wish on through its contact.
    let unit_report = match (for_unit, &action) {
        (Some(r), A::Claim) => Some(
            acting_unit(
                &db,
                &p,
                r,
                w.unit_id,
                AuditAction::ServiceWishAction,
                AuditObject::Wish(id),
            )
            .await?,
        ),
        _ => None,
    };
    let actor = match &action {
        A::Verify | A::Reject { .. } => Actor::Organiser,
        A::Claim | A::Release | A::Fulfil => Actor::Claimant,
        A::Confirm if w.owner_id.is_none() => Actor::Organiser,
        A::Confirm | A::Withdraw => Actor::Owner,
    };
    let allowed = match actor {
        Actor::Organiser => manages,
        Actor::Claimant => {
            if matches!(action, A::Claim) {
                p.party_member || unit_report.is_some()
            } else {
                w.claimant_id == Some(p.user_id)
            }
        }
        Actor::Owner => w.owner_id == Some(p.user_id),
    };
    if !allowed {
        if matches!(action, A::Claim) && !p.party_member {
            return Err(refused(ServiceError::MembersOnly));
        }
        return Err(deny(&p, AuditAction::ServiceWishAction, AuditObject::Wish(id)).await);
    }
    let (note, minutes) = if matches!(action, A::Fulfil) {
        let note = domain::service::clean(&note, domain::service::MAX_TEXT, true)
            .ok_or_else(|| refused(ServiceError::Text))?;
        if domain::service::wish::has_personal_data(&note) {
            return Err(refused(ServiceError::PersonalData));
        }
        (
            note,
            domain::service::hours::check_minutes(minutes).map_err(refused)?,
        )
    } else {
        (String::new(), 0)
    };
    let to = db
        .wish_action(
            id,
            version,
            p.user_id,
            actor,
            &action,
            &note,
            minutes,
            &p.username,
            &today(),
            store::now(),
            unit_report,
        )
        .await
        .map_err(conflict)?
        .map_err(refused)?;
    audit(
        Some(&p),
        AuditAction::ServiceWishAction,
        AuditObject::Wish(id),
        AuditResult::Ok,
        to.as_str(),
    )
    .await;
    Ok(to.as_str().to_owned())
}

/// The caller's claims, wishes (posted or claimed) and service hours.
#[server(prefix = "/api", endpoint = "service_mine")]
pub async fn service_mine() -> Result<MyService, AppError> {
    let p = require_user().await?;
    let db = state()?.db;
    let me = db.user(p.user_id).await?;
    let claims = db
        .claims_of(p.user_id)
        .await?
        .into_iter()
        .map(claim_view)
        .collect();
    let wishes = wish_views(&db, &p, db.wishes_of(p.user_id).await?).await?;
    let records = db.hours_of(p.user_id).await?;
    let today = today();
    let year: i32 = today[..4].parse().unwrap_or(2026);
    let year_minutes = records
        .iter()
        .filter(|h| h.served_on.starts_with(&today[..4]))
        .map(|h| h.minutes)
        .sum();
    Ok(MyService {
        display_name: me.display_name,
        party_member: me.party_member,
        claims,
        wishes,
        hours: records
            .into_iter()
            .map(|h| HoursView {
                served_on: h.served_on,
                what: h.what,
                organiser: h.organiser,
                minutes: h.minutes,
                confirmed_by: h.confirmed_by,
                source: h.source,
            })
            .collect(),
        year,
        year_minutes,
        target_minutes: target_minutes(&db).await,
    })
}

/// What waits for an organiser (administrators: everywhere), names masked.
#[server(prefix = "/api", endpoint = "service_desk")]
pub async fn service_desk() -> Result<Desk, AppError> {
    use domain::service::wish::WishState as S;
    let p = require_user().await?;
    let Some(prefix) = p.statistics_scope() else {
        return Err(deny(&p, AuditAction::ServiceDesk, AuditObject::None).await);
    };
    let db = state()?.db;
    let to_verify =
        wish_views(&db, &p, db.wishes(&prefix, "", &[S::Submitted], 300).await?).await?;
    let mut fulfilled = db.wishes(&prefix, "", &[S::Fulfilled], 300).await?;
    fulfilled.retain(|w| w.owner_id.is_none());
    let to_confirm_wishes = wish_views(&db, &p, fulfilled).await?;
    let to_confirm_claims = db
        .claims_to_confirm(&prefix)
        .await?
        .into_iter()
        .map(claim_view)
        .collect();
    let units = db
        .org_units()
        .await?
        .into_iter()
        .filter(|u| u.code.starts_with(&prefix) && u.code.len() <= 12)
        .map(|u| (u.code, u.name))
        .take(200)
        .collect();
    Ok(Desk {
        to_verify,
        to_confirm_wishes,
        to_confirm_claims,
        units,
    })
}

/// The wish-maker's name and phone, for the organiser of the wish's community; every reveal is
/// audited.
#[server(prefix = "/api", endpoint = "service_wish_reveal")]
pub async fn service_wish_reveal(id: i64) -> Result<WishContact, AppError> {
    let p = require_user().await?;
    let db = state()?.db;
    let w = db.wish(id).await?;
    if !may_manage(&p, &w.unit_code) {
        return Err(deny(&p, AuditAction::ServiceWishReveal, AuditObject::Wish(id)).await);
    }
    audit(
        Some(&p),
        AuditAction::ServiceWishReveal,
        AuditObject::Wish(id),
        AuditResult::Ok,
        "",
    )
    .await;
    Ok(WishContact {
        name: if w.beneficiary.is_empty() {
            w.owner_name
        } else {
            w.beneficiary
        },
        phone: w.owner_phone,
    })
}

/// Statistics of the caller's scope (organisers) or the district (administrators) for `year`.
#[server(prefix = "/api", endpoint = "service_stats")]
pub async fn service_stats(year: i32) -> Result<ServiceFigures, AppError> {
    use domain::service::{hours, wish};
    let p = require_user().await?;
    let Some(prefix) = p.statistics_scope() else {
        return Err(deny(&p, AuditAction::ServiceStats, AuditObject::Statistics).await);
    };
    if !(2000..=2100).contains(&year) {
        return Err(AppError::Invalid("err.date".into()));
    }
    let db = state()?.db;
    let (from, to) = (format!("{year:04}-01-01"), format!("{:04}-01-01", year + 1));
    let wishes = db.wishes(&prefix, "", &[], 100_000).await?;
    let in_year: Vec<_> = wishes
        .iter()
        .filter(|w| {
            let d = domain::event::LocalDateTime::from_unix(w.created_at);
            d.date() >= from.as_str() && d.date() < to.as_str()
        })
        .filter_map(|w| wish::WishState::parse(&w.state))
        .collect();
    let (wishes_done, wishes_published) = wish::fulfilment(in_year);
    let claims = db.claim_counts(&prefix).await?;
    let records = db.hours_in(&prefix, &from, &to).await?;
    let mut minutes_by_month = vec![0; 12];
    let mut by_unit: std::collections::BTreeMap<String, i64> = Default::default();
    let mut by_person: std::collections::BTreeMap<String, i64> = Default::default();
    for h in &records {
        let m: usize = h.served_on[5..7].parse().unwrap_or(1);
        minutes_by_month[m.clamp(1, 12) - 1] += h.minutes;
        *by_unit.entry(h.unit_name.clone()).or_insert(0) += h.minutes;
        *by_person.entry(h.user_id.to_string()).or_insert(0) += h.minutes;
    }
    let mut minutes_by_unit: Vec<_> = by_unit.into_iter().collect();
    minutes_by_unit.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let members = db.members_in(&prefix).await?;
    let target = target_minutes(&db).await;
    let ids: Vec<String> = members.iter().map(|(id, _)| id.to_string()).collect();
    let names: std::collections::HashMap<String, String> = members
        .iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect();
    let units = hours::unit_completion(&db.member_units(&prefix, &from, &to).await?, target);
    let unit_percent = unit_percent(&db).await;
    let below_target = hours::below(&by_person, ids.iter().map(String::as_str), target)
        .into_iter()
        .map(|(id, m)| (names.get(&id).cloned().unwrap_or(id), m))
        .collect();
    audit(
        Some(&p),
        AuditAction::ServiceStats,
        AuditObject::Statistics,
        AuditResult::Ok,
        &year.to_string(),
    )
    .await;
    Ok(ServiceFigures {
        year,
        wishes_done,
        wishes_published,
        claims,
        minutes_by_month,
        minutes_by_unit,
        below_target,
        members: members.len(),
        target_minutes: target,
        units,
        unit_percent,
    })
}
