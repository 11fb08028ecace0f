//! The `linli` server: serves the built browser app and the server functions, and nothing else.
//! It keeps no state outside the database, so several instances can share one PostgreSQL.

pub mod bench;
mod caller;
mod export;
mod feeds;
mod open311;
mod photo;
pub mod security;

use app::api::ssr::{cookie_name, RequestInfo, ServerState};
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::provide_context;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

// The server functions register themselves through `inventory` when the app crate is linked;
// naming the crate here keeps the linker from dropping them.
use app as _;

/// Largest request body accepted by `/api` (ASVS V2.4 / OWASP A10: nothing is limitless).
pub const API_BODY_LIMIT: usize = 1024 * 1024;
/// Grid imports carry whole districts (1,206 grids of 100 vertices are about 4 MB as edits).
pub const IMPORT_BODY_LIMIT: usize = 32 * 1024 * 1024;

#[derive(Clone)]
pub struct Config {
    pub dist: PathBuf,
    /// Take the client address from the last `X-Forwarded-For` entry (only behind your own proxy).
    pub trust_proxy: bool,
    pub state: ServerState,
}

#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) cfg: Config,
}

pub(crate) fn read_cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The logged-in user of a plain (non-server-function) request, from the session cookie.
pub(crate) async fn session_user(
    state: &app::api::ssr::ServerState,
    headers: &axum::http::HeaderMap,
) -> Option<store::users::User> {
    let token = read_cookie(headers, app::api::ssr::cookie_name(state.secure_cookies))?;
    state
        .db
        .session_user(&token, &state.session_policy)
        .await
        .ok()
        .flatten()
}

/// The client address: the proxy's `X-Forwarded-For` (last entry) when trusted, else the peer.
pub(crate) fn client_ip_of(
    headers: &axum::http::HeaderMap,
    peer: Option<SocketAddr>,
    trust_proxy: bool,
) -> String {
    if trust_proxy {
        if let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|s| s.parse::<std::net::IpAddr>().is_ok())
        {
            return ip.to_owned();
        }
    }
    peer.map(|p| p.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn client_ip(req: &Request<Body>, trust_proxy: bool) -> String {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    client_ip_of(req.headers(), peer, trust_proxy)
}

fn refuse_arguments(status: StatusCode) -> Response {
    let body = serde_json::to_string(&app::api::AppError::Request("unreadable arguments".into()))
        .unwrap_or_default();
    let mut res = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn server_fn_handler(State(sh): State<Shared>, req: Request<Body>) -> Response {
    // An unknown function (or a known one over the wrong method) is a plain 404 in the one
    // error shape, not server_fn's message naming the route and the registry.
    let known = leptos::server_fn::axum::server_fn_paths()
        .any(|(path, method)| path == req.uri().path() && method == req.method());
    if !known {
        let mut res = (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            r#""NotFound""#,
        )
            .into_response();
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return res;
    }
    // A NUL in an argument is never text a person typed, and PostgreSQL refuses it in TEXT
    // columns: refused here, once for every function, as unreadable arguments.
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, IMPORT_BODY_LIMIT).await else {
        return refuse_arguments(StatusCode::PAYLOAD_TOO_LARGE);
    };
    if bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00") {
        return refuse_arguments(StatusCode::BAD_REQUEST);
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    let state = sh.cfg.state.clone();
    let info = RequestInfo {
        session_token: read_cookie(req.headers(), cookie_name(state.secure_cookies)),
        client_ip: client_ip(&req, sh.cfg.trust_proxy),
    };
    let mut res = leptos_axum::handle_server_fns_with_context(
        move || {
            provide_context(state.clone());
            provide_context(info.clone());
        },
        req,
    )
    .await
    .into_response();
    // server_fn answers every error with 500; the status is the error's own (`AppError::status`),
    // set here once for every function. Arguments that fail to decode never reach the function
    // body and come back as `AppError::Request`: the caller's mistake, 400.
    if res.status() == StatusCode::INTERNAL_SERVER_ERROR {
        let (mut parts, body) = res.into_parts();
        let bytes = axum::body::to_bytes(body, 64 * 1024)
            .await
            .unwrap_or_default();
        if let Ok(e) = serde_json::from_slice::<app::api::AppError>(&bytes) {
            parts.status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        }
        res = Response::from_parts(parts, Body::from(bytes));
    }
    // Answers can carry personal data: never cache them.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn healthz(State(sh): State<Shared>) -> Response {
    match sh.cfg.state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Hashed build outputs (`app-1a2b3c….wasm`) never change: cache them for a year. Everything else,
/// `index.html` above all, must be revalidated so a new release is picked up.
async fn cache_headers(req: Request<Body>, next: axum::middleware::Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if path.starts_with("/api/") || path.starts_with("/feeds/") || path.starts_with("/export/") {
        return res;
    }
    let file = path.rsplit('/').next().unwrap_or("");
    let hashed = file
        .rsplit_once('.')
        .and_then(|(stem, _)| stem.rsplit_once('-'))
        .is_some_and(|(_, h)| h.len() >= 12 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    let value = if hashed && res.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

/// The entry page that answers a navigation to `path` (a client-side route): the page of the
/// path's area bundle (`app::area`), or `index.html` when the app was built as one bundle.
pub fn entry_page(dist: &Path, path: &str) -> PathBuf {
    let page = dist.join(app::area::Area::entry_page(path));
    if page.is_file() {
        page
    } else {
        dist.join("index.html")
    }
}

async fn serve_entry_page(State(sh): State<Shared>, req: Request<Body>) -> Response {
    let page = entry_page(&sh.cfg.dist, req.uri().path());
    match ServeFile::new(page).oneshot(req).await {
        Ok(res) => res.map(Body::new),
        Err(e) => match e {},
    }
}

/// The whole application: `/api/*` server functions, `/healthz`, and the built app, where any
/// other path gets its area's entry page, behind the security, size, time and compression layers.
pub fn router(cfg: Config) -> Router {
    let csp = security::content_security_policy(&cfg.dist, cfg.state.tile_url.as_deref());
    let secure = cfg.state.secure_cookies;
    let trust_proxy = cfg.trust_proxy;
    let shared = Shared { cfg: cfg.clone() };
    let api = Router::new()
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            API_BODY_LIMIT,
        ));
    let import = Router::new()
        .route("/api/grids_import", post(server_fn_handler))
        .route("/api/map_layer_upload", post(server_fn_handler))
        .route("/api/orgs_import", post(server_fn_handler))
        .route("/api/events_import_ics", post(server_fn_handler))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            IMPORT_BODY_LIMIT,
        ))
        // axum's own 2 MB default for extracted bodies would cut imports short.
        .layer(axum::extract::DefaultBodyLimit::max(IMPORT_BODY_LIMIT));
    // scripts/build.sh writes `.br` and `.gz` copies of the wasm, JS and CSS next to them: served
    // as they are (brotli when the browser takes it), not compressed again on every request.
    let assets = ServeDir::new(&cfg.dist)
        // `/` is a route like the others (its entry page), not the folder's index.html.
        .append_index_html_on_directories(false)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(axum::handler::Handler::with_state(
            serve_entry_page,
            shared.clone(),
        ));
    Router::new()
        .merge(import)
        .merge(api)
        .route("/healthz", get(healthz))
        .route("/feeds/events.ics", get(feeds::public_feed))
        .route("/feeds/events/{file}", get(feeds::event_file))
        .route("/feeds/me/{file}", get(feeds::personal_feed))
        .route("/feeds/grids.geojson", get(feeds::grids_geojson))
        .route(
            "/export/attendees.csv",
            get(export::attendees_csv).post(export::attendees_csv_revealed),
        )
        .route("/export/orgs.csv", get(export::orgs_csv))
        .route("/export/orgs.xlsx", get(export::orgs_xlsx))
        .route("/export/hours.csv", get(export::hours_csv))
        .route("/export/hours.xlsx", get(export::hours_xlsx))
        .route("/export/me.json", get(export::my_data_json))
        .route("/photo/{id}", get(photo::photo))
        .route("/open311/v2/services.json", get(open311::services))
        .route(
            "/open311/v2/requests.json",
            get(open311::requests).post(open311::create),
        )
        .route("/open311/v2/requests/{file}", get(open311::request))
        // The service worker's scope is the folder it is served from: the whole app.
        .route_service("/sw.js", ServeFile::new(cfg.dist.join("public/sw.js")))
        .fallback_service(assets)
        .with_state(shared)
        .layer(axum::middleware::from_fn(cache_headers))
        .layer(axum::middleware::from_fn(move |req, next| {
            security::refuse_cross_site(secure, trust_proxy, req, next)
        }))
        .layer(axum::middleware::from_fn(move |req, next| {
            security::headers(csp.clone(), secure, req, next)
        }))
        // gzip only: brotli at its default quality took 40–60 ms for the 1.9 MB grid list (gzip
        // about 10 ms, for a smaller result); static assets come precompressed.
        .layer(tower_http::compression::CompressionLayer::new().no_br())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// Where the built app is looked for when `--dist` is not given.
pub fn default_dist() -> PathBuf {
    Path::new("dist").to_path_buf()
}
