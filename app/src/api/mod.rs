//! Server functions, grouped by area. Each `#[server]` fn is the client stub in the browser and the
//! handler on the server; the server-only helpers live in `ssr` below. Every fn has a stable
//! `endpoint` under `/api` and decides on the server, from the session, what the caller may do.

pub mod admin;
pub mod auth;
pub mod data;
pub mod events;
pub mod field;
pub mod field_rates;
pub mod grids;
pub mod orgs;
pub mod overview;
pub mod photos;
pub mod reporting;
pub mod services;

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// Marks a `Refused` argument whose value is a comma-separated list of translation keys (field
/// names and the like): the browser translates them into the reader's language.
pub const TRANSLATE: &str = "@t:";

/// The one error type of every server function. The UI shows `message_key()` through the
/// translation catalogue; the server sets the matching HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("please log in")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Bad input; the string is a translation key (`err.*`).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The thing already exists, or changed since it was read; the string is a translation key.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Too many attempts; seconds until the lock lifts.
    #[error("too many attempts, retry in {0} s")]
    Locked(i64),
    /// Something failed on the server; details are in the server log, never sent to the browser.
    #[error("internal error")]
    Internal,
    /// Transport or encoding failure between browser and server.
    #[error("request failed: {0}")]
    Request(String),
    /// Refused with details for the message: `key` is a translation key whose `{name}`
    /// placeholders `args` fill (names, codes, times: never translated themselves).
    #[error("refused: {key}")]
    Refused {
        status: u16,
        key: String,
        args: Vec<(String, String)>,
    },
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid(_) => 400,
            AppError::Conflict(_) => 409,
            AppError::Locked(_) => 429,
            AppError::Internal => 500,
            AppError::Request(_) => 400,
            AppError::Refused { status, .. } => *status,
        }
    }

    /// Translation key of the message to show.
    pub fn message_key(&self) -> &str {
        match self {
            AppError::Unauthenticated => "err.unauthenticated",
            AppError::Forbidden => "err.forbidden",
            AppError::NotFound => "err.not_found",
            AppError::Invalid(k) | AppError::Conflict(k) => k,
            AppError::Locked(_) => "err.locked",
            AppError::Internal => "err.internal",
            AppError::Request(_) => "err.request",
            AppError::Refused { key, .. } => key,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// On the server the detail (which argument was missing, which route was asked for, what the
    /// decoder said) goes to the log, and the caller gets one fixed phrase per kind: internals
    /// are not an answer. In the browser (a failed fetch) the detail stays for the console.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        {
            tracing::info!(detail = %value, "server function request refused");
            let kind = match value {
                ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => {
                    "unreadable arguments"
                }
                ServerFnErrorErr::Registration(_) => "no such function",
                _ => "request failed",
            };
            AppError::Request(kind.into())
        }
        #[cfg(not(feature = "ssr"))]
        {
            AppError::Request(value.to_string())
        }
    }
}

/// Maps a domain validation error to the key of its translated message.
pub fn account_error_key(e: &domain::account::AccountError) -> &'static str {
    use domain::account::AccountError::*;
    match e {
        UsernameLength => "err.username_length",
        UsernameChars => "err.username_chars",
        PasswordTooShort(8) => "err.password_short",
        PasswordTooShort(_) => "err.password_short_strict",
        PasswordTooLong => "err.password_long",
        PasswordCommon => "err.password_common",
        PasswordContainsUsername => "err.password_username",
        PasswordClasses => "err.password_classes",
        DisplayName => "err.display_name",
        DisplayNameInvisible => "err.display_name_invisible",
        DisplayNameStaff => "err.display_name_staff",
        Phone => "err.phone",
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::AppError;
    pub use domain::audit::{AuditAction, AuditObject, AuditResult};
    use domain::session::SessionPolicy;
    use domain::Principal;
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    /// What the server provides to every server function.
    #[derive(Clone, Debug)]
    pub struct ServerState {
        pub db: store::Db,
        pub session_policy: SessionPolicy,
        /// Served over HTTPS: cookies get `Secure` and the `__Host-` prefix.
        pub secure_cookies: bool,
        /// Hold staff roles (admin, organiser, grid worker) to the strict password policy.
        pub strict_staff_passwords: bool,
        /// An XYZ raster tile URL template (`…/{z}/{x}/{y}.png`) for the map's background, if the
        /// deployment has its own tile server. Off by default: no online tile service is assumed.
        pub tile_url: Option<String>,
    }

    /// Facts about the current request the server read before calling the function.
    #[derive(Clone, Debug, Default)]
    pub struct RequestInfo {
        pub session_token: Option<String>,
        pub client_ip: String,
    }

    pub fn cookie_name(secure: bool) -> &'static str {
        if secure {
            "__Host-linli_session"
        } else {
            "linli_session"
        }
    }

    pub fn state() -> Result<ServerState, AppError> {
        use_context::<ServerState>().ok_or_else(|| {
            tracing::error!("ServerState missing from context");
            AppError::Internal
        })
    }

    pub fn request() -> RequestInfo {
        use_context::<RequestInfo>().unwrap_or_default()
    }

    /// Logs a storage error and turns it into a generic one: database text never reaches the browser.
    pub fn internal(e: impl std::fmt::Display) -> AppError {
        tracing::error!(error = %e, "server function failed");
        AppError::Internal
    }

    /// A storage error as the browser should see it: bad input and missing rows keep their
    /// meaning, anything else is internal (and logged). `?` on a store call uses this.
    impl From<store::StoreError> for AppError {
        fn from(e: store::StoreError) -> AppError {
            match e {
                store::StoreError::Invalid(k) => AppError::Invalid(k),
                store::StoreError::NotFound => AppError::NotFound,
                e => internal(e),
            }
        }
    }

    /// The logged-in caller, if any.
    pub async fn current_user() -> Result<Option<store::users::User>, AppError> {
        let st = state()?;
        let Some(token) = request().session_token else {
            return Ok(None);
        };
        st.db
            .session_user(&token, &st.session_policy)
            .await
            .map_err(internal)
    }

    /// The logged-in caller, or 401.
    pub async fn require_user() -> Result<Principal, AppError> {
        current_user()
            .await?
            .map(|u| u.principal())
            .ok_or(AppError::Unauthenticated)
    }

    /// The logged-in caller if `allowed` says yes; otherwise 403 and an audit row.
    pub async fn require(
        action: AuditAction,
        object: AuditObject<'_>,
        allowed: impl Fn(&Principal) -> bool,
    ) -> Result<Principal, AppError> {
        let p = require_user().await?;
        if allowed(&p) {
            Ok(p)
        } else {
            audit(Some(&p), action, object, AuditResult::Refused, "").await;
            Err(AppError::Forbidden)
        }
    }

    /// Refuses a logged-in caller: 403 and an audit row.
    pub async fn deny(p: &Principal, action: AuditAction, object: AuditObject<'_>) -> AppError {
        audit(Some(p), action, object, AuditResult::Refused, "").await;
        AppError::Forbidden
    }

    /// Writes one audit row; a failure to audit is logged, never shown to the user.
    pub async fn audit(
        who: Option<&Principal>,
        action: AuditAction,
        object: AuditObject<'_>,
        result: AuditResult,
        detail: &str,
    ) {
        let Ok(st) = state() else { return };
        let ip = request().client_ip;
        let r = st
            .db
            .audit(store::audit::Audit {
                actor_user_id: who.map(|p| p.user_id),
                actor: who.map(|p| p.username.as_str()).unwrap_or("anonymous"),
                ip: &ip,
                action,
                object,
                result,
                detail,
            })
            .await;
        if let Err(e) = r {
            tracing::error!(error = %e, action = action.as_str(), "audit write failed");
        }
    }

    pub fn set_session_cookie(token: &str) {
        let Ok(st) = state() else { return };
        let secure = if st.secure_cookies { "; Secure" } else { "" };
        let max_age = st.session_policy.absolute_secs;
        let v = format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
            cookie_name(st.secure_cookies)
        );
        if let (Some(opts), Ok(h)) = (
            use_context::<ResponseOptions>(),
            http::HeaderValue::from_str(&v),
        ) {
            opts.append_header(http::header::SET_COOKIE, h);
        }
    }

    pub fn clear_session_cookie() {
        let Ok(st) = state() else { return };
        let secure = if st.secure_cookies { "; Secure" } else { "" };
        let v = format!(
            "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
            cookie_name(st.secure_cookies)
        );
        if let (Some(opts), Ok(h)) = (
            use_context::<ResponseOptions>(),
            http::HeaderValue::from_str(&v),
        ) {
            opts.append_header(http::header::SET_COOKIE, h);
        }
    }

    /// A request key a phone made for a write it may send twice (8–64 letters, digits, `-`);
    /// empty: a write with no key (sent once, from a page that saw the answer).
    pub fn request_key(key: &str) -> Result<Option<&str>, AppError> {
        let key = key.trim();
        if key.is_empty() {
            return Ok(None);
        }
        if !(8..=64).contains(&key.len())
            || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(AppError::Invalid("field.err.key".into()));
        }
        Ok(Some(key))
    }

    pub fn password_policy(st: &ServerState, role: domain::Role) -> domain::PasswordPolicy {
        if st.strict_staff_passwords && role.is_staff() {
            domain::PasswordPolicy::Strict
        } else {
            domain::PasswordPolicy::Standard
        }
    }
}
