//! The caller of a plain route (exports, feeds): who is logged in, from where, read once from the
//! session cookie and the connection — the same facts `app::api::ssr` gives server functions.

use crate::Shared;
use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::audit::{AuditAction, AuditObject, AuditResult};
use domain::Principal;

pub(crate) struct Caller {
    pub(crate) user: store::users::User,
    pub(crate) principal: Principal,
    /// The client address (the proxy's `X-Forwarded-For` under `--trust-proxy`).
    pub(crate) ip: String,
    db: store::Db,
}

/// Nobody is logged in.
pub(crate) fn please_log_in() -> Response {
    (StatusCode::UNAUTHORIZED, "please log in").into_response()
}

impl Caller {
    async fn of(parts: &Parts, sh: &Shared) -> Option<Caller> {
        let state = &sh.cfg.state;
        let user = crate::session_user(state, &parts.headers).await?;
        let peer = parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0);
        Some(Caller {
            principal: user.principal(),
            ip: crate::client_ip_of(&parts.headers, peer, sh.cfg.trust_proxy),
            db: state.db.clone(),
            user,
        })
    }

    /// Writes one audit row in the caller's name. A route that hands out personal data calls this
    /// before it answers and refuses (500) when the row cannot be written: nothing leaves
    /// unrecorded.
    pub(crate) async fn audit(
        &self,
        action: AuditAction,
        object: AuditObject<'_>,
        result: AuditResult,
        detail: &str,
    ) -> Result<(), Response> {
        self.db
            .audit(store::audit::Audit {
                actor_user_id: Some(self.user.id),
                actor: &self.user.username,
                ip: &self.ip,
                action,
                object,
                result,
                detail,
            })
            .await
            .map_err(|e| {
                tracing::error!(error = %e, action = action.as_str(), "audit write failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "export failed").into_response()
            })
    }

    /// Records a refusal and gives the 403 to answer with (a failed audit write is logged).
    pub(crate) async fn refuse(&self, action: AuditAction, object: AuditObject<'_>) -> Response {
        let _logged_on_failure = self.audit(action, object, AuditResult::Refused, "").await;
        (StatusCode::FORBIDDEN, "not allowed").into_response()
    }
}

impl FromRequestParts<Shared> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, sh: &Shared) -> Result<Self, Self::Rejection> {
        Caller::of(parts, sh).await.ok_or_else(please_log_in)
    }
}

impl OptionalFromRequestParts<Shared> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        sh: &Shared,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(Caller::of(parts, sh).await)
    }
}
