//! The real axum router, in-process, over a fresh SQLite database with the small demo district.

#![allow(dead_code)]

pub use axum::body::Body;
use axum::extract::ConnectInfo;
pub use axum::http::{header, Request, StatusCode};
use axum::Router;
pub use domain::demo::{generate, Scale, DEMO_PASSWORD};
pub use serde_json::Value;
pub use std::net::SocketAddr;
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub db: store::Db,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// The session cookie set by this reply, as `name=value`.
    pub fn cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("linli_session=") && !v.starts_with("linli_session=;"))
            .map(|v| v.split(';').next().unwrap().to_owned())
    }
}

/// Percent-encodes a form value, as the browser does.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

static SPAWNED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

pub async fn spawn() -> TestApp {
    // A counter as well as the time: tests running at once must never share a database.
    let n = SPAWNED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!(
        "linli_http_{}_{n}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(dir.join("dist")).unwrap();
    std::fs::write(
        dir.join("dist/index.html"),
        "<!DOCTYPE html><html><head><script type=\"module\">init('/app-0123456789abcdef.js')</script></head><body></body></html>",
    )
    .unwrap();
    // One area's own entry page, as scripts/build.sh writes one per area bundle; the other areas
    // fall back to index.html (the one-bundle build).
    std::fs::write(
        dir.join("dist/map.html"),
        "<!DOCTYPE html><html><head><script type=\"module\">init('/app-fedcba9876543210.js')</script></head><body></body></html>",
    )
    .unwrap();
    std::fs::write(
        dir.join("dist/app-0123456789abcdef.js"),
        "export default 1;\n".repeat(200),
    )
    .unwrap();
    // A precompressed copy, as scripts/build.sh writes: served as it is.
    std::fs::write(dir.join("dist/app-0123456789abcdef_bg.wasm"), "plain").unwrap();
    std::fs::write(
        dir.join("dist/app-0123456789abcdef_bg.wasm.gz"),
        "precompressed",
    )
    .unwrap();
    std::fs::write(
        dir.join("dist/app-0123456789abcdef_bg.wasm.br"),
        "precompressed-br",
    )
    .unwrap();
    let db = store::Db::connect(&format!("sqlite://{}/linli.db", dir.display()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    db.load_demo(&generate(Scale::Small, 20_779)).await.unwrap();
    let cfg = server::Config {
        dist: dir.join("dist"),
        trust_proxy: false,
        state: app::api::ssr::ServerState {
            db: db.clone(),
            session_policy: Default::default(),
            secure_cookies: false,
            strict_staff_passwords: false,
            tile_url: None,
        },
    };
    TestApp {
        router: server::router(cfg),
        db,
    }
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let mut req = req;
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([10, 1, 2, 3], 40000))));
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// POST a server function with form-encoded arguments, as the browser client does.
    pub async fn post(&self, endpoint: &str, form: &str, cookie: Option<&str>) -> Reply {
        let mut b = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:8080")
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_LENGTH, form.len());
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::from(form.to_owned())).unwrap())
            .await
    }

    /// GET with the session cookie, if any (downloads and feeds).
    pub async fn get_with(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut b = Request::get(path);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn login(&self, user: &str) -> String {
        let r = self
            .post(
                "login",
                &format!("username={user}&password={DEMO_PASSWORD}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.cookie().expect("login sets the session cookie")
    }
}
