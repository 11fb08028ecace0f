//! Administration: accounts, roles, scopes, settings and the audit log. Administrators only.

use super::AppError;
use domain::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::{account_error_key, ssr::*};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Option<String>,
    pub disabled: bool,
    /// A party member (党员): sees party-member events.
    pub party_member: bool,
}

#[cfg(feature = "ssr")]
impl From<store::users::User> for UserView {
    fn from(u: store::users::User) -> Self {
        UserView {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            scope: u.scope.map(String::from),
            disabled: u.disabled,
            party_member: u.party_member,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub ts: i64,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub object: String,
    pub result: String,
}

#[cfg(feature = "ssr")]
fn parse_role_scope(role: &str, scope: &str) -> Result<(Role, Option<domain::Code>), AppError> {
    let role = Role::parse(role).ok_or_else(|| AppError::Invalid("err.role".into()))?;
    let scope = if role.needs_scope() {
        Some(domain::Code::parse(scope).map_err(|_| AppError::Invalid("err.scope".into()))?)
    } else {
        None
    };
    Ok((role, scope))
}

#[server(prefix = "/api", endpoint = "admin_users")]
pub async fn admin_users() -> Result<Vec<UserView>, AppError> {
    require(AuditAction::AdminUsers, AuditObject::Users, |p| {
        p.can_administer()
    })
    .await?;
    Ok(state()?
        .db
        .list_users()
        .await
        .map_err(internal)?
        .into_iter()
        .map(UserView::from)
        .collect())
}

#[server(prefix = "/api", endpoint = "admin_create_user")]
pub async fn admin_create_user(
    username: String,
    display_name: String,
    password: String,
    role: String,
    scope: String,
) -> Result<UserView, AppError> {
    let p = require(AuditAction::AdminCreateUser, AuditObject::Users, |p| {
        p.can_administer()
    })
    .await?;
    let st = state()?;
    let name = domain::Username::parse(&username)
        .map_err(|e| AppError::Invalid(account_error_key(&e).into()))?;
    let display = domain::account::parse_display_name(&display_name)
        .map_err(|e| AppError::Invalid(account_error_key(&e).into()))?;
    let (role, scope) = parse_role_scope(&role, &scope)?;
    let pw = domain::Password::parse(&password, name.as_str(), password_policy(&st, role))
        .map_err(|e| AppError::Invalid(account_error_key(&e).into()))?;
    let u = st
        .db
        .create_user(store::users::NewUser {
            username: &name,
            display_name: &display,
            password: &pw,
            role,
            scope: scope.as_ref(),
        })
        .await
        .map_err(|e| match e {
            store::StoreError::Duplicate => AppError::Conflict("err.username_taken".into()),
            store::StoreError::Invalid(_) => AppError::Invalid("err.scope".into()),
            e => internal(e),
        })?;
    audit(
        Some(&p),
        AuditAction::AdminCreateUser,
        AuditObject::User(&u.username),
        AuditResult::Ok,
        role.as_str(),
    )
    .await;
    Ok(u.into())
}

#[server(prefix = "/api", endpoint = "admin_set_role")]
pub async fn admin_set_role(id: i64, role: String, scope: String) -> Result<UserView, AppError> {
    let p = require(AuditAction::AdminSetRole, AuditObject::UserId(id), |p| {
        p.can_administer()
    })
    .await?;
    let (role, scope) = parse_role_scope(&role, &scope)?;
    if id == p.user_id && role != Role::Admin {
        return Err(AppError::Invalid("err.demote_self".into()));
    }
    let u = state()?.db.set_role(id, role, scope.as_ref()).await?;
    audit(
        Some(&p),
        AuditAction::AdminSetRole,
        AuditObject::User(&u.username),
        AuditResult::Ok,
        role.as_str(),
    )
    .await;
    Ok(u.into())
}

#[server(prefix = "/api", endpoint = "admin_set_disabled")]
pub async fn admin_set_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    let p = require(
        AuditAction::AdminSetDisabled,
        AuditObject::UserId(id),
        |p| p.can_administer(),
    )
    .await?;
    if id == p.user_id {
        return Err(AppError::Invalid("err.disable_self".into()));
    }
    state()?.db.set_disabled(id, disabled).await?;
    audit(
        Some(&p),
        AuditAction::AdminSetDisabled,
        AuditObject::UserId(id),
        AuditResult::Ok,
        if disabled { "disabled" } else { "enabled" },
    )
    .await;
    Ok(())
}

/// Marks an account as a party member (党员) or not: party members see events published for
/// party members. Administrators only; audited.
#[server(prefix = "/api", endpoint = "admin_set_party_member")]
pub async fn admin_set_party_member(id: i64, party_member: bool) -> Result<(), AppError> {
    let p = require(
        AuditAction::AdminSetPartyMember,
        AuditObject::UserId(id),
        |p| p.can_administer(),
    )
    .await?;
    state()?.db.set_party_member(id, party_member).await?;
    audit(
        Some(&p),
        AuditAction::AdminSetPartyMember,
        AuditObject::UserId(id),
        AuditResult::Ok,
        if party_member {
            "party member"
        } else {
            "not a party member"
        },
    )
    .await;
    Ok(())
}

#[server(prefix = "/api", endpoint = "admin_set_registration")]
pub async fn admin_set_registration(open: bool) -> Result<(), AppError> {
    let p = require(
        AuditAction::AdminSetRegistration,
        AuditObject::Setting("registration"),
        |p| p.can_administer(),
    )
    .await?;
    state()?
        .db
        .set_setting(
            store::settings::REGISTRATION_OPEN,
            if open { "true" } else { "false" },
        )
        .await
        .map_err(internal)?;
    audit(
        Some(&p),
        AuditAction::AdminSetRegistration,
        AuditObject::Setting("registration"),
        AuditResult::Ok,
        if open { "open" } else { "closed" },
    )
    .await;
    Ok(())
}

/// Sets the household load grids are drawn for (the map colours grids against it).
#[server(prefix = "/api", endpoint = "admin_set_grid_target")]
pub async fn admin_set_grid_target(target: i64) -> Result<(), AppError> {
    let p = require(
        AuditAction::AdminSetGridTarget,
        AuditObject::Setting("grid_target"),
        |p| p.can_administer(),
    )
    .await?;
    if !(1..=100_000).contains(&target) {
        return Err(AppError::Invalid("err.grid_target".into()));
    }
    state()?
        .db
        .set_setting("grid_target_households", &target.to_string())
        .await
        .map_err(internal)?;
    audit(
        Some(&p),
        AuditAction::AdminSetGridTarget,
        AuditObject::Setting("grid_target"),
        AuditResult::Ok,
        &target.to_string(),
    )
    .await;
    Ok(())
}

/// Sets the yearly service hours asked of each party member and the share of a unit's reported
/// members asked to reach them (the thresholds the statistics name who is below).
#[server(prefix = "/api", endpoint = "admin_set_service_target")]
pub async fn admin_set_service_target(hours: i64, unit_percent: i64) -> Result<(), AppError> {
    let p = require(
        AuditAction::AdminSetServiceTarget,
        AuditObject::Setting("service_target"),
        |p| p.can_administer(),
    )
    .await?;
    if !(1..=1_000).contains(&hours) {
        return Err(AppError::Invalid("err.service_target".into()));
    }
    if !(1..=100).contains(&unit_percent) {
        return Err(AppError::Invalid("err.unit_percent".into()));
    }
    let db = state()?.db;
    db.set_setting("service_target_minutes", &(hours * 60).to_string())
        .await
        .map_err(internal)?;
    db.set_setting("service_unit_percent", &unit_percent.to_string())
        .await
        .map_err(internal)?;
    audit(
        Some(&p),
        AuditAction::AdminSetServiceTarget,
        AuditObject::Setting("service_target"),
        AuditResult::Ok,
        &format!("{hours} h, {unit_percent}%"),
    )
    .await;
    Ok(())
}

/// Sets the district's administrative division code (GB/T 2260, six digits), which starts the
/// codes of new top-level grids.
#[server(prefix = "/api", endpoint = "admin_set_district")]
pub async fn admin_set_district(code: String) -> Result<(), AppError> {
    let p = require(
        AuditAction::AdminSetDistrict,
        AuditObject::Setting("district_code"),
        |p| p.can_administer(),
    )
    .await?;
    let code = domain::Code::district(&code).map_err(|e| AppError::Invalid(e.key().into()))?;
    state()?
        .db
        .set_setting(store::settings::DISTRICT_CODE, code.as_str())
        .await
        .map_err(internal)?;
    audit(
        Some(&p),
        AuditAction::AdminSetDistrict,
        AuditObject::Setting("district_code"),
        AuditResult::Ok,
        code.as_str(),
    )
    .await;
    Ok(())
}

/// The audit log, newest first (at most 500 rows), filtered by action, actor (username), result
/// (`ok` / `refused`) and local dates `YYYY-MM-DD` (from inclusive, to inclusive).
#[server(prefix = "/api", endpoint = "admin_audit")]
pub async fn admin_audit(
    action: String,
    actor: Option<String>,
    result: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<Vec<AuditView>, AppError> {
    require(AuditAction::AdminAudit, AuditObject::AuditLog, |p| {
        p.can_administer()
    })
    .await?;
    let day = |s: Option<String>, next: i64| -> Result<Option<i64>, AppError> {
        match s.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(d) => {
                let start = domain::event::LocalDateTime::parse(&format!("{d}T00:00"))
                    .map_err(|_| AppError::Invalid("err.date".into()))?;
                Ok(Some(start.to_unix() + next * 86_400))
            }
        }
    };
    let filter = store::audit::AuditFilter {
        action: action.chars().take(64).collect(),
        actor: actor.unwrap_or_default().chars().take(64).collect(),
        result: result.unwrap_or_default().chars().take(16).collect(),
        from_ts: day(from, 0)?,
        to_ts: day(to, 1)?,
    };
    let rows = state()?
        .db
        .audit_search(&filter, 500)
        .await
        .map_err(internal)?;
    Ok(rows
        .into_iter()
        .map(|a| AuditView {
            ts: a.ts,
            actor: a.actor,
            ip: a.ip,
            action: a.action,
            object: a.object,
            result: a.result,
        })
        .collect())
}
