//! Logging in and out, registering, the current user, and changing one's password.

use super::AppError;
use domain::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::{account_error_key, ssr::*};

/// The logged-in user as the browser sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Option<String>,
    /// The department this account acts for (field reports whistled to it), if any.
    #[serde(default)]
    pub department: Option<String>,
}

#[cfg(feature = "ssr")]
impl From<store::users::User> for Me {
    fn from(u: store::users::User) -> Me {
        Me {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            scope: u.scope.map(String::from),
            department: None,
        }
    }
}

/// A community a resident can register in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Community {
    pub code: String,
    pub name: String,
}

/// Logs in and sets the session cookie. A new session id is issued at every login and any session
/// the browser already held is ended (ASVS V7.2.4).
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<Me, AppError> {
    let st = state()?;
    let req = request();
    if password.len() > 4 * domain::account::PASSWORD_MAX {
        return Err(AppError::Invalid("err.login_failed".into()));
    }
    let name: String = username.chars().take(40).collect();
    let object = AuditObject::User(&name);
    match st
        .db
        .authenticate(&username, &password, &req.client_ip)
        .await
        .map_err(internal)?
    {
        Ok(user) => {
            if let Some(old) = &req.session_token {
                st.db.delete_session(old).await.map_err(internal)?;
            }
            let token = st.db.create_session(user.id).await.map_err(internal)?;
            set_session_cookie(&token);
            audit(
                Some(&user.principal()),
                AuditAction::Login,
                object,
                AuditResult::Ok,
                "",
            )
            .await;
            Ok(Me::from(user))
        }
        Err(store::users::LoginError::Invalid) => {
            audit(
                None,
                AuditAction::Login,
                object,
                AuditResult::Refused,
                "bad credentials",
            )
            .await;
            Err(AppError::Invalid("err.login_failed".into()))
        }
        Err(store::users::LoginError::Locked(secs)) => {
            audit(
                None,
                AuditAction::Login,
                object,
                AuditResult::Refused,
                "locked",
            )
            .await;
            Err(AppError::Locked(secs))
        }
    }
}

/// Ends the session on the server and clears the cookie.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let st = state()?;
    let who = current_user().await?;
    if let Some(token) = request().session_token {
        st.db.delete_session(&token).await.map_err(internal)?;
    }
    clear_session_cookie();
    if let Some(u) = who {
        audit(
            Some(&u.principal()),
            AuditAction::Logout,
            AuditObject::User(&u.username),
            AuditResult::Ok,
            "",
        )
        .await;
    }
    Ok(())
}

/// The current user, or `None` when not logged in.
#[server(prefix = "/api", endpoint = "me")]
pub async fn whoami() -> Result<Option<Me>, AppError> {
    let Some(u) = current_user().await? else {
        return Ok(None);
    };
    let department = state()?.db.department_name_of(u.id).await?;
    Ok(Some(Me {
        department,
        ..Me::from(u)
    }))
}

/// Whether residents may register themselves, and the communities they can choose.
#[server(prefix = "/api", endpoint = "registration_info")]
pub async fn registration_info() -> Result<(bool, Vec<Community>), AppError> {
    let st = state()?;
    let open = st.db.registration_open().await.map_err(internal)?;
    let communities = if open {
        st.db
            .list_grids(Some(1))
            .await
            .map_err(internal)?
            .into_iter()
            .map(|g| Community {
                code: g.state.code,
                name: g.state.name,
            })
            .collect()
    } else {
        vec![]
    };
    Ok((open, communities))
}

/// A resident registers in a community and is logged in.
#[server(prefix = "/api", endpoint = "register")]
pub async fn register(
    username: String,
    display_name: String,
    password: String,
    community: String,
) -> Result<Me, AppError> {
    let st = state()?;
    if !st.db.registration_open().await.map_err(internal)? {
        return Err(AppError::Forbidden);
    }
    // Ten accounts an hour from one address (a family, a community desk); then an hour's
    // pause. Attempts that reach the database count, taken names included (they probe).
    let addr = request().client_ip;
    if let Some(secs) = st.db.registration_locked(&addr).await.map_err(internal)? {
        audit(
            None,
            AuditAction::Register,
            AuditObject::None,
            AuditResult::Refused,
            "throttled",
        )
        .await;
        return Err(AppError::Locked(secs));
    }
    let name = domain::Username::parse(&username)
        .map_err(|e| AppError::Invalid(account_error_key(&e).into()))?;
    // Not a name that passes for a staff account's (display name or username).
    let staff = st.db.staff_names().await.map_err(internal)?;
    let staff_names = staff.iter().flat_map(|(d, u)| [d.as_str(), u.as_str()]);
    let display = domain::account::parse_resident_display_name(&display_name, staff_names)
        .map_err(|e| AppError::Invalid(account_error_key(&e).into()))?;
    let pw = domain::Password::parse(
        &password,
        name.as_str(),
        password_policy(&st, Role::Resident),
    )
    .map_err(|e| AppError::Invalid(account_error_key(&e).into()))?;
    let code =
        domain::Code::parse(&community).map_err(|_| AppError::Invalid("err.community".into()))?;
    let is_community = st
        .db
        .list_grids(Some(1))
        .await
        .map_err(internal)?
        .iter()
        .any(|g| g.state.code == code.as_str());
    if !is_community {
        return Err(AppError::Invalid("err.community".into()));
    }
    let user = st
        .db
        .create_user(store::users::NewUser {
            username: &name,
            display_name: &display,
            password: &pw,
            role: Role::Resident,
            scope: Some(&code),
        })
        .await;
    st.db.registration_counted(&addr).await.map_err(internal)?;
    let user = user.map_err(|e| match e {
        store::StoreError::Duplicate => AppError::Conflict("err.username_taken".into()),
        e => internal(e),
    })?;
    if let Some(old) = &request().session_token {
        st.db.delete_session(old).await.map_err(internal)?;
    }
    let token = st.db.create_session(user.id).await.map_err(internal)?;
    set_session_cookie(&token);
    audit(
        Some(&user.principal()),
        AuditAction::Register,
        AuditObject::User(&user.username),
        AuditResult::Ok,
        "",
    )
    .await;
    Ok(Me::from(user))
}

/// Changes the caller's password after checking the current one; every session of the user ends,
/// and this browser gets a fresh one.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    let st = state()?;
    let p = require_user().await?;
    if current.len() > 4 * domain::account::PASSWORD_MAX
        || !st
            .db
            .verify_password(p.user_id, &current)
            .await
            .map_err(internal)?
    {
        audit(
            Some(&p),
            AuditAction::ChangePassword,
            AuditObject::User(&p.username),
            AuditResult::Refused,
            "wrong current password",
        )
        .await;
        return Err(AppError::Invalid("err.current_password".into()));
    }
    let pw = domain::Password::parse(&new, &p.username, password_policy(&st, p.role))
        .map_err(|e| AppError::Invalid(account_error_key(&e).into()))?;
    st.db.set_password(p.user_id, &pw).await.map_err(internal)?;
    let token = st.db.create_session(p.user_id).await.map_err(internal)?;
    set_session_cookie(&token);
    audit(
        Some(&p),
        AuditAction::ChangePassword,
        AuditObject::User(&p.username),
        AuditResult::Ok,
        "",
    )
    .await;
    Ok(())
}

/// Sets the caller's own contact phone (mainland mobile number, or empty to remove it).
#[server(prefix = "/api", endpoint = "set_my_phone")]
pub async fn set_my_phone(phone: String) -> Result<String, AppError> {
    let p = require_user().await?;
    let phone = domain::account::parse_phone(&phone)
        .map_err(|e| AppError::Invalid(account_error_key(&e).into()))?;
    state()?
        .db
        .set_phone(p.user_id, &phone)
        .await
        .map_err(internal)?;
    audit(
        Some(&p),
        AuditAction::SetMyPhone,
        AuditObject::User(&p.username),
        AuditResult::Ok,
        "",
    )
    .await;
    Ok(domain::mask::phone(&phone))
}

/// Erases the caller's account after checking the password (PIPL): upcoming answers are withdrawn
/// (whoever waits moves up), past ones stay anonymised for the statistics, sessions and the
/// private feed end. Residents only; staff accounts are disabled by an administrator.
#[server(prefix = "/api", endpoint = "delete_my_account")]
pub async fn delete_my_account(password: String) -> Result<(), AppError> {
    let st = state()?;
    let p = require_user().await?;
    if !p.can_erase_own_account() {
        return Err(deny(
            &p,
            AuditAction::DeleteMyAccount,
            AuditObject::User(&p.username),
        )
        .await);
    }
    if password.len() > 4 * domain::account::PASSWORD_MAX
        || !st
            .db
            .verify_password(p.user_id, &password)
            .await
            .map_err(internal)?
    {
        audit(
            Some(&p),
            AuditAction::DeleteMyAccount,
            AuditObject::User(&p.username),
            AuditResult::Refused,
            "wrong password",
        )
        .await;
        return Err(AppError::Invalid("err.current_password".into()));
    }
    let now = domain::event::LocalDateTime::from_unix(store::now());
    let withdrawn = st
        .db
        .erase_account(p.user_id, now.as_str())
        .await
        .map_err(internal)?;
    clear_session_cookie();
    audit(
        Some(&p),
        AuditAction::DeleteMyAccount,
        AuditObject::UserId(p.user_id),
        AuditResult::Ok,
        &format!("{withdrawn} upcoming answers withdrawn"),
    )
    .await;
    Ok(())
}
