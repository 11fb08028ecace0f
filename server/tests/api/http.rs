//! The foundation: health, static files and entry pages, cross-site refusal, body limits, the demo
//! district as read by a logged-in user, and one test over a real TCP socket.

use crate::common::*;

#[tokio::test]
async fn health_and_static_assets() {
    let app = spawn().await;
    let r = app.get("/healthz").await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok"));

    // The map's bundle answers its routes and the shell's (login and the rest lead to the map).
    for path in ["/map?grid=3201", "/login", "/", "/nowhere"] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("init('/app-fedcba9876543210.js')"),
            "{path}: {}",
            r.body
        );
    }
    for path in ["/orgs/chart", "/events/3?at=2026-11-24T09:00"] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("init('/app-0123456789abcdef.js')"),
            "{path}: without its area's page, index.html answers"
        );
    }
    let r = app.get("/map").await;
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-cache");
    let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert_eq!(
        csp.matches("'sha256-").count(),
        2,
        "both entry pages' bootstraps are allowed: {csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

    let r = app.get("/app-0123456789abcdef.js").await;
    assert_eq!(r.status, StatusCode::OK);
    let gz = app
        .send(
            Request::get("/app-0123456789abcdef.js")
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        gz.headers[header::CONTENT_ENCODING],
        "gzip",
        "assets are served compressed"
    );
    assert!(
        r.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable"),
        "hashed assets are cached long"
    );
    // Where the build left a .gz copy, that copy is sent (not compressed again per request).
    let pre = app
        .send(
            Request::get("/app-0123456789abcdef_bg.wasm")
                .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        pre.headers[header::CONTENT_ENCODING],
        "br",
        "brotli when the browser takes it"
    );
    assert_eq!(pre.body, "precompressed-br");
    let pre = app
        .send(
            Request::get("/app-0123456789abcdef_bg.wasm")
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(pre.headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(pre.body, "precompressed");
    assert_eq!(app.get("/app-0123456789abcdef_bg.wasm").await.body, "plain");
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = spawn().await;
    let form = format!("username=admin&password={DEMO_PASSWORD}");
    let cases = [
        (Some("cross-site"), None, StatusCode::FORBIDDEN),
        (Some("same-site"), None, StatusCode::FORBIDDEN),
        (None, Some("https://evil.example"), StatusCode::FORBIDDEN),
        (None, Some("null"), StatusCode::FORBIDDEN),
        (None, Some("http://127.0.0.1:8080"), StatusCode::OK),
        // The same host under another scheme is another origin.
        (None, Some("https://127.0.0.1:8080"), StatusCode::FORBIDDEN),
        (None, Some("ftp://127.0.0.1:8080"), StatusCode::FORBIDDEN),
        (None, Some("http://127.0.0.1:8080/"), StatusCode::FORBIDDEN),
        (
            Some("same-origin"),
            Some("http://127.0.0.1:8080"),
            StatusCode::OK,
        ),
        (None, None, StatusCode::OK),
    ];
    for (site, origin, want) in cases {
        let mut b = Request::post("/api/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:8080");
        if let Some(s) = site {
            b = b.header("sec-fetch-site", s);
        }
        if let Some(o) = origin {
            b = b.header(header::ORIGIN, o);
        }
        let r = app.send(b.body(Body::from(form.clone())).unwrap()).await;
        assert_eq!(
            r.status, want,
            "site={site:?} origin={origin:?}: {}",
            r.body
        );
        if want == StatusCode::FORBIDDEN {
            assert!(r.cookie().is_none());
        }
    }
}

#[tokio::test]
async fn logged_in_users_read_the_demo_district() {
    let app = spawn().await;
    let c = app.login("jumin").await;
    let grids = app.post("grids_list", "", Some(&c)).await.json();
    assert_eq!(grids["grids"].as_array().unwrap().len(), 4 + 8 + 32);
    let tree = app.post("orgs_tree", "", Some(&c)).await;
    assert!(!tree.body.contains("phone"));
    let tree: app::api::orgs::OrgTreeView = serde_json::from_str(&tree.body).unwrap();
    assert_eq!(tree.units[0].name, "尧化街道党工委");
    let events = app
        .post("events_upcoming", "from=2026-11-01T00:00", Some(&c))
        .await
        .json();
    assert!(events
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["title"] == "集中服务日"));
    assert_eq!(
        app.post("events_upcoming", "from=yesterday", Some(&c))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn oversized_bodies_and_state_changes_over_get_are_refused() {
    let app = spawn().await;
    let big = format!("username=admin&password={}", "x".repeat(2 * 1024 * 1024));
    let r = app.post("login", &big, None).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    for endpoint in [
        "login",
        "logout",
        "register",
        "admin_set_role",
        "admin_set_registration",
    ] {
        let r = app.get(&format!("/api/{endpoint}?open=false")).await;
        assert!(
            r.status.is_client_error(),
            "{endpoint} over GET answered {}",
            r.status
        );
    }
    assert!(app.db.registration_open().await.unwrap());
}

#[tokio::test]
async fn serves_over_a_real_socket() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let body = format!("username=admin&password={DEMO_PASSWORD}");
    let req = format!(
        "POST /api/login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(out
        .to_ascii_lowercase()
        .contains("set-cookie: linli_session="));
}
