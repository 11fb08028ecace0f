//! `GET /photo/{id}`: a photo, to whoever the app's rules let see it (`readable`); others get 404
//! whether or not it exists. Served with its stored type, never sniffed; revalidated on every view
//! (`no-cache`, from the cache layer), since who may see it changes with the wish.

use crate::caller::Caller;
use crate::Shared;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub(crate) async fn photo(
    State(sh): State<Shared>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.trim_end_matches(".jpg").parse::<i64>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let db = &sh.cfg.state.db;
    match app::api::photos::ssr_photos::readable(db, &caller.principal, id).await {
        Ok((mime, bytes)) => {
            let mut r = bytes.into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(&mime)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline"),
            );
            r
        }
        Err(app::api::AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "photo failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
