//! The real axum router, in-process (crates.io style), against a fresh SQLite database per test,
//! plus one test over a real TCP socket. Refusals are tested as carefully as successes.

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
async fn login_sets_a_hardened_cookie_and_refuses_bad_credentials_alike() {
    let app = spawn().await;
    let r = app
        .post(
            "login",
            &format!("username=admin&password={DEMO_PASSWORD}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["role"], "admin");
    let set = r.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"),
        "{set}"
    );
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");

    let wrong = app
        .post("login", "username=admin&password=not-the-password", None)
        .await;
    let unknown = app
        .post("login", "username=nobody&password=not-the-password", None)
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (wrong.status, wrong.body.clone()),
        (unknown.status, unknown.body.clone()),
        "no hint whether the user exists"
    );
    assert!(wrong.body.contains("err.login_failed"));
    assert!(wrong.cookie().is_none());
}

#[tokio::test]
async fn login_is_throttled() {
    let app = spawn().await;
    for _ in 0..5 {
        let r = app
            .post("login", "username=jumin&password=wrong-password", None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
    let r = app
        .post(
            "login",
            &format!("username=jumin&password={DEMO_PASSWORD}"),
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked even with the right password: {}",
        r.body
    );
    assert!(r.body.contains("Locked"));
    app.login("shuji").await;
    let refused = app
        .db
        .audit_entries(Some("login"), 50)
        .await
        .unwrap()
        .iter()
        .filter(|a| a.result == "refused")
        .count();
    assert_eq!(refused, 6, "every refusal is audited");
}

#[tokio::test]
async fn anonymous_callers_are_refused_everywhere_but_login() {
    let app = spawn().await;
    for (endpoint, form) in [
        ("grids_list", ""),
        ("orgs_tree", ""),
        ("events_upcoming", "from=2026-11-01T00:00"),
        ("change_password", "current=a&new=b"),
        ("admin_users", ""),
        (
            "admin_create_user",
            "username=x&display_name=x&password=x&role=admin&scope=",
        ),
        ("admin_set_role", "id=1&role=resident&scope=1"),
        ("admin_set_disabled", "id=1&disabled=true"),
        ("admin_set_registration", "open=true"),
        ("admin_audit", "action="),
    ] {
        let r = app.post(endpoint, form, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{endpoint}: {}", r.body);
        assert!(r.body.contains("Unauthenticated"), "{endpoint}: {}", r.body);
    }
    let r = app.post("me", "", None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "null"));
}

#[tokio::test]
async fn non_admins_cannot_administer() {
    let app = spawn().await;
    for user in ["jumin", "wangge", "shuji"] {
        let c = app.login(user).await;
        for (endpoint, form) in [
            ("admin_users", ""),
            (
                "admin_create_user",
                "username=mallory&display_name=x&password=correct-horse-1&role=admin&scope=",
            ),
            ("admin_set_role", "id=4&role=admin&scope="),
            ("admin_set_disabled", "id=1&disabled=true"),
            ("admin_set_registration", "open=false"),
            ("admin_audit", "action="),
        ] {
            let r = app.post(endpoint, form, Some(&c)).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{user} {endpoint}: {}",
                r.body
            );
        }
    }
    assert!(app.db.user_by_name("mallory").await.unwrap().is_none());
    assert_eq!(
        app.db.user_by_name("jumin").await.unwrap().unwrap().role,
        domain::Role::Resident
    );
    assert!(app.db.registration_open().await.unwrap());
    assert!(app
        .db
        .audit_entries(Some("admin_set_role"), 10)
        .await
        .unwrap()
        .iter()
        .all(|a| a.result == "refused"));
}

#[tokio::test]
async fn admins_manage_accounts() {
    let app = spawn().await;
    let c = app.login("admin").await;
    let r = app.post("admin_create_user", "username=zhangsan&display_name=%E5%BC%A0%E4%B8%89&password=correct-horse-1&role=grid-worker&scope=32011300100101", Some(&c)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let again = app
        .post(
            "admin_create_user",
            "username=ZhangSan&display_name=x&password=correct-horse-1&role=resident&scope=1",
            Some(&c),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let noscope = app
        .post(
            "admin_create_user",
            "username=lisi&display_name=x&password=correct-horse-1&role=organiser&scope=",
            Some(&c),
        )
        .await;
    assert_eq!(noscope.status, StatusCode::BAD_REQUEST);
    assert!(noscope.body.contains("err.scope"));
    let markup = app
        .post(
            "admin_create_user",
            "username=%3Cscript%3E&display_name=x&password=correct-horse-1&role=resident&scope=1",
            Some(&c),
        )
        .await;
    assert_eq!(markup.status, StatusCode::BAD_REQUEST);

    let worker = app
        .post("login", "username=zhangsan&password=correct-horse-1", None)
        .await
        .cookie()
        .unwrap();
    let r = app
        .post(
            "admin_set_role",
            &format!("id={id}&role=organiser&scope=320113001001"),
            Some(&c),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.post("me", "", Some(&worker)).await.body,
        "null",
        "a role change ends the user's sessions"
    );

    let r = app
        .post(
            "admin_set_disabled",
            &format!("id={id}&disabled=true"),
            Some(&c),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .post("login", "username=zhangsan&password=correct-horse-1", None)
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "disabled accounts cannot log in"
    );

    let me = app.db.user_by_name("admin").await.unwrap().unwrap().id;
    let r = app
        .post(
            "admin_set_disabled",
            &format!("id={me}&disabled=true"),
            Some(&c),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "admins cannot lock themselves out"
    );
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
async fn sessions_rotate_at_login_and_end_at_logout() {
    let app = spawn().await;
    let first = app.login("jumin").await;
    let r = app
        .post(
            "login",
            &format!("username=jumin&password={DEMO_PASSWORD}"),
            Some(&first),
        )
        .await;
    let second = r.cookie().unwrap();
    assert_ne!(first, second);
    assert_eq!(
        app.post("me", "", Some(&first)).await.body,
        "null",
        "the old session id is dead"
    );
    assert_eq!(
        app.post("me", "", Some(&second)).await.json()["username"],
        "jumin"
    );

    let r = app.post("logout", "", Some(&second)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        app.post("me", "", Some(&second)).await.body,
        "null",
        "replaying the cookie after logout fails"
    );
    assert_eq!(
        app.post("grids_list", "", Some(&second)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn password_change_needs_the_current_one_and_ends_other_sessions() {
    let app = spawn().await;
    let a = app.login("jumin").await;
    let b = app.login("jumin").await;
    let r = app
        .post(
            "change_password",
            "current=wrong&new=a-new-secret-2026",
            Some(&a),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .post(
            "change_password",
            &format!("current={DEMO_PASSWORD}&new=123456"),
            Some(&a),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("err.password_short"));
    let r = app
        .post(
            "change_password",
            &format!("current={DEMO_PASSWORD}&new=a-new-secret-2026"),
            Some(&a),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let fresh = r.cookie().expect("this browser gets a new session");
    assert_eq!(app.post("me", "", Some(&b)).await.body, "null");
    assert_eq!(app.post("me", "", Some(&a)).await.body, "null");
    assert_eq!(
        app.post("me", "", Some(&fresh)).await.json()["username"],
        "jumin"
    );
}

#[tokio::test]
async fn residents_register_into_a_real_community_only_as_residents() {
    let app = spawn().await;
    let form = "username=newbie&display_name=%E5%B0%8F%E6%96%B0&password=correct-horse-1&community=320113001002&role=admin";
    let r = app.post("register", form, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["role"], "resident", "a smuggled role is ignored");
    assert!(r.cookie().is_some());
    let r = app
        .post(
            "register",
            "username=newbie&display_name=x&password=correct-horse-1&community=320113001002",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .post(
            "register",
            "username=other&display_name=x&password=correct-horse-1&community=999",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("err.community"));
    let r = app
        .post(
            "register",
            "username=other2&display_name=&password=correct-horse-1&community=320113001002",
            None,
        )
        .await;
    assert!(r.body.contains("err.display_name"));

    let c = app.login("admin").await;
    assert_eq!(
        app.post("admin_set_registration", "open=false", Some(&c))
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .post(
            "register",
            "username=third&display_name=x&password=correct-horse-1&community=320113001002",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(app.db.user_by_name("third").await.unwrap().is_none());
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

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                v.replace('%', "%25")
                    .replace('&', "%26")
                    .replace('+', "%2B")
                    .replace(' ', "+")
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn event_form<'a>(
    unit: &'a str,
    title: &'a str,
    rrule: &'a str,
    capacity: &'a str,
    visibility: &'a str,
) -> String {
    event_input(&event_fields_flat(unit, title, rrule, capacity, visibility))
}

/// The event form before its fields are put under `input` (edits replace parts of it first).
fn event_fields_flat<'a>(
    unit: &'a str,
    title: &'a str,
    rrule: &'a str,
    capacity: &'a str,
    visibility: &'a str,
) -> String {
    form(&[
        ("unit_code", unit),
        ("title", title),
        ("description", "带好身份证"),
        ("category", "clinic"),
        ("location", "卫生服务站"),
        ("starts_at", "2030-03-10T09:00"),
        ("ends_at", "2030-03-10T11:00"),
        ("rrule", rrule),
        ("capacity", capacity),
        ("guests_allowed", "1"),
        ("rsvp_deadline_minutes", "30"),
        ("visibility", visibility),
    ])
}

#[tokio::test]
async fn events_publish_rsvp_waitlist_and_check_in() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let shuji = app.login("shuji").await;
    let jumin = app.login("jumin").await;
    let wangge = app.login("wangge").await;

    // Publishing: organisers inside their subtree only; residents and grid workers never.
    let r = app
        .post(
            "event_create",
            &event_form("320113001001", "义诊", "", "1", "public"),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json().as_i64().unwrap();
    assert_eq!(
        app.post(
            "event_create",
            &event_form("320113001", "越权", "", "1", "public"),
            Some(&shuji)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "event_create",
            &event_form("320113001001", "居民", "", "1", "public"),
            Some(&jumin)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "event_create",
            &event_form("320113001001", "网格员", "", "1", "public"),
            Some(&wangge)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    for (bad, key) in [
        (
            event_form("320113001001", "", "", "1", "public"),
            "err.event_title",
        ),
        (
            event_form("320113001001", "x", "FREQ=MINUTELY", "1", "public"),
            "err.rrule_frequency",
        ),
        (
            event_form("320113001001", "x", "FREQ=DAILY;COUNT=99999", "1", "public"),
            "err.rrule_count",
        ),
        (
            event_form("320113001001", "x", "FREQ=NEVER", "1", "public"),
            "err.rrule_invalid",
        ),
        (
            event_form("320113001001", "x", "", "0", "public"),
            "err.event_capacity",
        ),
        (
            event_form("320113001001", "x", "", "-3", "public"),
            "err.event_capacity",
        ),
        (
            event_form("320113001001", "x", "", "5", "everyone"),
            "err.event_visibility",
        ),
        (event_form("abc", "x", "", "5", "public"), "err.code"),
    ] {
        let r = app.post("event_create", &bad, Some(&shuji)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert!(r.body.contains(key), "{bad}: {}", r.body);
    }
    let huge = event_input(
        &event_fields_flat("320113001001", "x", "", "5", "public").replace(
            "description=带好身份证",
            &format!("description={}", "a".repeat(6000)),
        ),
    );
    let r = app.post("event_create", &huge, Some(&shuji)).await;
    assert!(r.body.contains("err.event_description"), "{}", r.body);

    // One place: the resident gets it, the admin joins the waitlist, a cancellation promotes.
    let at = "2030-03-10T09:00";
    let cal = app
        .post(
            "events_calendar",
            "from=2030-03-01T00:00&to=2030-04-01T00:00&category=clinic&community=",
            Some(&jumin),
        )
        .await
        .json();
    assert!(
        cal.as_array()
            .unwrap()
            .iter()
            .any(|o| o["event_id"] == id && o["starts_at"] == at),
        "{cal}"
    );
    let r = app
        .post(
            "event_rsvp",
            &format!("id={id}&at={at}&going=true&guests=0"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.json()["status"], "going", "{}", r.body);
    let code = r.json()["checkin_code"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "event_rsvp",
            &format!("id={id}&at={at}&going=true&guests=0"),
            Some(&admin),
        )
        .await;
    assert_eq!(
        (r.json()["status"].clone(), r.json()["position"].clone()),
        ("waitlisted".into(), 1.into())
    );
    assert_eq!(
        app.post(
            "event_rsvp",
            &format!("id={id}&at={at}&going=true&guests=5"),
            Some(&wangge)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.post(
            "event_rsvp",
            &format!("id={id}&at=2030-03-11T09:00&going=true&guests=0"),
            Some(&wangge)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );

    // Attendees and check-in: the organising side only.
    assert_eq!(
        app.post("event_attendees", &format!("id={id}&at={at}"), Some(&jumin))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "event_check_in",
            &format!("id={id}&at={at}&code={code}"),
            Some(&jumin)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "event_check_in",
            &format!("id={id}&at={at}&code={code}"),
            Some(&wangge)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let list = app
        .post("event_attendees", &format!("id={id}&at={at}"), Some(&shuji))
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(
        !list.to_string().contains("138") && !list.to_string().contains("username"),
        "names only: {list}"
    );
    let r = app
        .post(
            "event_check_in",
            &format!("id={id}&at={at}&code={code}"),
            Some(&shuji),
        )
        .await;
    assert!(r.body.contains("Done"), "{}", r.body);
    let r = app
        .post(
            "event_check_in",
            &format!("id={id}&at={at}&code={code}"),
            Some(&shuji),
        )
        .await;
    assert!(r.body.contains("AlreadyCheckedIn"), "{}", r.body);

    let r = app
        .post(
            "event_rsvp",
            &format!("id={id}&at={at}&going=false&guests=0"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.json()["status"], "not-going");
    let d = app
        .post("event_detail", &format!("id={id}&at={at}"), Some(&admin))
        .await
        .json();
    assert_eq!(
        d["mine"]["status"], "going",
        "the promoted resident sees it: {d}"
    );
    assert_eq!(d["can_manage"], true);
    assert_eq!(d["occurrence"]["taken"], 1);

    // Statistics: the resident checked in for two hours; residents and grid workers see none.
    let stats = app
        .post(
            "events_stats",
            "from=2030-01-01T00:00&to=2030-12-31T00:00",
            Some(&shuji),
        )
        .await
        .json();
    assert_eq!(stats["people"][0]["person"], "居民李阿姨", "{stats}");
    assert_eq!(stats["people"][0]["hours"], 2.0);
    assert_eq!(stats["units"][0]["unit_code"], "320113001001");
    assert_eq!(
        app.post(
            "events_stats",
            "from=2030-01-01T00:00&to=2030-12-31T00:00",
            Some(&jumin)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "events_stats",
            "from=2030-01-01T00:00&to=2030-12-31T00:00",
            Some(&wangge)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "events_stats",
            "from=2030-01-01T00:00&to=2032-12-31T00:00",
            Some(&admin)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn party_member_events_are_hidden_from_residents() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let jumin = app.login("jumin").await;
    let id = app
        .post(
            "event_create",
            &event_form("320113001", "党员大会", "", "30", "party-members"),
            Some(&admin),
        )
        .await
        .json()
        .as_i64()
        .unwrap();
    let cal = app
        .post(
            "events_calendar",
            "from=2030-03-01T00:00&to=2030-04-01T00:00&category=&community=",
            Some(&jumin),
        )
        .await
        .json();
    assert!(!cal.to_string().contains("党员大会"));
    assert_eq!(
        app.post(
            "event_detail",
            &format!("id={id}&at=2030-03-10T09:00"),
            Some(&jumin)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            "event_rsvp",
            &format!("id={id}&at=2030-03-10T09:00&going=true&guests=0"),
            Some(&jumin)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let cal = app
        .post(
            "events_calendar",
            "from=2030-03-01T00:00&to=2030-04-01T00:00&category=&community=",
            Some(&admin),
        )
        .await
        .json();
    assert!(cal.to_string().contains("党员大会"));
    // A resident who is a party member sees it once an administrator says so (and only then).
    let jumin_id = app.db.user_by_name("jumin").await.unwrap().unwrap().id;
    let shuji = app.login("shuji").await;
    let r = app
        .post(
            "admin_set_party_member",
            &format!("id={jumin_id}&party_member=true"),
            Some(&shuji),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "organisers cannot mark party members"
    );
    assert!(!app.db.user(jumin_id).await.unwrap().party_member);
    let r = app
        .post(
            "admin_set_party_member",
            &format!("id={jumin_id}&party_member=true"),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let seen = app
        .post(
            "events_calendar",
            "from=2030-03-01T00:00&to=2030-04-01T00:00&category=&community=",
            Some(&jumin),
        )
        .await
        .json();
    assert!(seen.to_string().contains("党员大会"));
    let r = app
        .post(
            "event_detail",
            &format!("id={id}&at=2030-03-10T09:00"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.post(
        "admin_set_party_member",
        &format!("id={jumin_id}&party_member=false"),
        Some(&admin),
    )
    .await;
    let r = app
        .post(
            "event_detail",
            &format!("id={id}&at=2030-03-10T09:00"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(
            "events_calendar",
            "from=2030-03-01T00:00&to=2030-09-01T00:00&category=&community=",
            Some(&admin)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST,
        "windows are capped"
    );
    // One community: the street's events and its own, not a neighbour's.
    let cal = |community: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.post(
                "events_calendar",
                &format!(
                    "from=2030-03-01T00:00&to=2030-04-01T00:00&category=&community={community}"
                ),
                Some(&admin),
            )
            .await
        }
    };
    assert!(
        cal("320113001001").await.body.contains("党员大会")
            && cal("320113001002").await.body.contains("党员大会"),
        "street-level events reach every community"
    );
    let shuji = app.login("shuji").await;
    app.post(
        "event_create",
        &event_form("320113001001", "仙林专场", "", "30", "public"),
        Some(&shuji),
    )
    .await;
    assert!(cal("320113001001").await.body.contains("仙林专场"));
    assert!(!cal("320113001002").await.body.contains("仙林专场"));
    assert_eq!(cal("x1").await.status, StatusCode::BAD_REQUEST);
}

/// Expands an .ics body with the independent Python implementation (tools/ics_expand.py).
fn python_expand(ics: &str, from: &str, to: &str) -> Vec<(String, String, String)> {
    let dir =
        std::env::temp_dir().join(format!("linli_ics_{}_{}", std::process::id(), store::now()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.ics", ics.len()));
    std::fs::write(&file, ics).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tools/ics_expand.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&file)
        .arg(from)
        .arg(to)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "ics_expand.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<(String, String, String, String)> = serde_json::from_slice(&out.stdout).unwrap();
    rows.into_iter().map(|(u, s, st, _)| (u, s, st)).collect()
}

#[tokio::test]
async fn feeds_agree_with_an_independent_icalendar_implementation() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let jumin = app.login("jumin").await;
    let mk = |title: &str, start: &str, end: &str, rule: &str| {
        event_input(&form(&[
            ("unit_code", "320113001"),
            ("title", title),
            ("description", "第一行\n第二行; 带, 逗号"),
            ("category", "service-day"),
            ("location", "党群服务中心"),
            ("starts_at", start),
            ("ends_at", end),
            ("rrule", rule),
            ("capacity", "30"),
            ("guests_allowed", "0"),
            ("rsvp_deadline_minutes", "0"),
            ("visibility", "public"),
        ]))
    };
    let mut ids = Vec::new();
    for (title, start, end, rule) in [
        (
            "集中服务日",
            "2030-01-15T09:00",
            "2030-01-15T11:30",
            "FREQ=MONTHLY;BYMONTHDAY=15,25",
        ),
        (
            "月末议事会",
            "2030-01-31T19:00",
            "2030-01-31T20:30",
            "FREQ=MONTHLY;BYMONTHDAY=-1",
        ),
        (
            "第二个周六义诊",
            "2030-01-12T08:30",
            "2030-01-12T11:00",
            "FREQ=MONTHLY;BYDAY=2SA",
        ),
        (
            "周三微党课",
            "2030-01-02T19:00",
            "2030-01-02T20:00",
            "FREQ=WEEKLY;COUNT=6",
        ),
        ("春节联欢", "2030-02-02T14:00", "2030-02-02T17:00", ""),
    ] {
        let r = app
            .post("event_create", &mk(title, start, end, rule), Some(&admin))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        ids.push(r.json().as_i64().unwrap());
    }
    // Move one occurrence (the service day of 2030-03-25 to the 26th, 14:00) through the edit API.
    let moved = event_input(&form(&[
        ("id", &ids[0].to_string()),
        ("version", "1"),
        ("mode", "this"),
        ("at", "2030-03-25T09:00"),
        ("title", "集中服务日"),
        ("description", ""),
        ("category", "service-day"),
        ("location", "党群服务中心"),
        ("starts_at", "2030-03-26T14:00"),
        ("ends_at", "2030-03-26T16:30"),
        ("rrule", "FREQ=MONTHLY;BYMONTHDAY=15,25"),
        ("capacity", "30"),
        ("guests_allowed", "0"),
        ("rsvp_deadline_minutes", "0"),
        ("visibility", "public"),
    ]));
    let r = app.post("event_update", &moved, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = app
        .post(
            "event_detail",
            &format!("id={}&at=2030-03-25T09:00", ids[0]),
            Some(&jumin),
        )
        .await
        .json();
    assert_eq!(
        (
            d["occurrence"]["starts_at"].as_str(),
            d["occurrence"]["moved"].as_bool()
        ),
        (Some("2030-03-26T14:00"), Some(true))
    );
    let r = app
        .post(
            "event_cancel_occurrence",
            &format!("id={}&at=2030-02-25T09:00", ids[0]),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.post(
            "event_cancel_occurrence",
            &format!("id={}&at=2030-02-25T09:00", ids[0]),
            Some(&jumin)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "event_cancel_occurrence",
            &format!("id={}&at=2030-02-26T09:00", ids[0]),
            Some(&admin)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );

    let feed = app.get("/feeds/events.ics").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(
        feed.headers[header::CONTENT_TYPE],
        "text/calendar; charset=utf-8"
    );
    assert!(
        feed.body.contains("BEGIN:VTIMEZONE")
            && feed
                .body
                .contains("RECURRENCE-ID;TZID=Asia/Shanghai:20300225T090000")
    );
    assert!(feed.body.lines().all(|l| l.len() <= 75));
    let (from, to) = ("2030-01-01T00:00", "2030-07-01T00:00");
    let theirs = python_expand(&feed.body, from, to);

    // Linli's own expansion of the same window, for every public event in the feed.
    let mut ours = Vec::new();
    let (f, t) = (
        domain::event::LocalDateTime::parse(from).unwrap(),
        domain::event::LocalDateTime::parse(to).unwrap(),
    );
    for e in app
        .db
        .events_with_visibility(domain::event::Visibility::Public)
        .await
        .unwrap()
    {
        for o in app.db.occurrences(&e, &f, &t).await.unwrap() {
            let status = if o.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            };
            ours.push((
                format!("event-{}@linli", e.id),
                o.starts_at.to_string(),
                status.to_owned(),
            ));
        }
    }
    ours.sort();
    assert_eq!(theirs, ours);
    assert!(theirs.contains(&(
        format!("event-{}@linli", ids[0]),
        "2030-02-25T09:00".into(),
        "CANCELLED".into()
    )));
    assert!(
        theirs.contains(&(
            format!("event-{}@linli", ids[0]),
            "2030-03-26T14:00".into(),
            "CONFIRMED".into()
        )),
        "the moved occurrence"
    );
    assert!(
        !theirs
            .iter()
            .any(|r| r.0 == format!("event-{}@linli", ids[0]) && r.1 == "2030-03-25T09:00"),
        "and not where it was"
    );
    assert!(
        theirs.contains(&(
            format!("event-{}@linli", ids[1]),
            "2030-02-28T19:00".into(),
            "CONFIRMED".into()
        )),
        "month ends"
    );
    assert_eq!(
        theirs
            .iter()
            .filter(|r| r.0 == format!("event-{}@linli", ids[3]))
            .count(),
        6,
        "COUNT"
    );

    // One community's feed and one event's file.
    let community = app.get("/feeds/events.ics?community=320113001002").await;
    assert_eq!(
        python_expand(&community.body, from, to).len(),
        theirs.len(),
        "street events reach every community"
    );
    assert_eq!(
        app.get("/feeds/events.ics?community=abc").await.status,
        StatusCode::BAD_REQUEST
    );
    let one = app.get(&format!("/feeds/events/{}.ics", ids[4])).await;
    assert_eq!(
        python_expand(&one.body, from, to),
        vec![(
            format!("event-{}@linli", ids[4]),
            "2030-02-02T14:00".into(),
            "CONFIRMED".into()
        )]
    );
    assert_eq!(
        app.get("/feeds/events/999999.ics").await.status,
        StatusCode::NOT_FOUND
    );

    // The private feed: only with the current token.
    app.post(
        "event_rsvp",
        &format!("id={}&at=2030-03-15T09:00&going=true&guests=0", ids[0]),
        Some(&jumin),
    )
    .await;
    let token = app.feed_token(&jumin).await;
    assert_eq!(token.len(), 64);
    let mine = app.get(&format!("/feeds/me/{token}.ics")).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.headers[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("no-store"));
    let rows = python_expand(&mine.body, from, to);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, "2030-03-15T09:00");
    let newer = app
        .post("events_feed_token", "", Some(&jumin))
        .await
        .json()
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.get(&format!("/feeds/me/{token}.ics")).await.status,
        StatusCode::NOT_FOUND,
        "a rotated token is dead"
    );
    assert_eq!(
        app.get(&format!("/feeds/me/{newer}.ics")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/feeds/me/guess.ics").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn editing_events_is_scoped_versioned_and_clear() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let jumin = app.login("jumin").await;
    let id = app
        .post(
            "event_create",
            &event_form(
                "320113001001",
                "院坝会",
                "FREQ=WEEKLY;COUNT=4",
                "10",
                "public",
            ),
            Some(&shuji),
        )
        .await
        .json()
        .as_i64()
        .unwrap();
    let edit = |version: &str, mode: &str, at: &str, start: &str, end: &str| {
        let mut f = event_fields_flat(
            "320113001001",
            "院坝会（改时间）",
            "FREQ=WEEKLY;COUNT=4",
            "10",
            "public",
        );
        f = f
            .replace(
                "starts_at=2030-03-10T09%3A00",
                &format!("starts_at={start}"),
            )
            .replace("ends_at=2030-03-10T11%3A00", &format!("ends_at={end}"));
        f = f
            .replace("starts_at=2030-03-10T09:00", &format!("starts_at={start}"))
            .replace("ends_at=2030-03-10T11:00", &format!("ends_at={end}"));
        event_input(&format!(
            "id={id}&version={version}&mode={mode}&at={at}&{f}"
        ))
    };
    assert_eq!(
        app.post(
            "event_update",
            &edit(
                "1",
                "series",
                "2030-03-17T09:00",
                "2030-03-17T10:00",
                "2030-03-17T12:00"
            ),
            Some(&jumin)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // Editing the second occurrence's time in "series" mode moves every occurrence by an hour.
    let r = app
        .post(
            "event_update",
            &edit(
                "1",
                "series",
                "2030-03-17T09:00",
                "2030-03-17T10:00",
                "2030-03-17T12:00",
            ),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = app
        .post(
            "event_detail",
            &format!("id={id}&at=2030-03-10T10:00"),
            Some(&shuji),
        )
        .await
        .json();
    assert_eq!(d["occurrence"]["title"], "院坝会（改时间）");
    assert_eq!(d["version"], 2);
    // The stale editor gets a clear conflict and changes nothing.
    let r = app
        .post(
            "event_update",
            &edit(
                "1",
                "series",
                "2030-03-17T10:00",
                "2030-03-17T15:00",
                "2030-03-17T16:00",
            ),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("err.event_conflict"));
    assert_eq!(
        app.post(
            "event_detail",
            &format!("id={id}&at=2030-03-10T10:00"),
            Some(&shuji)
        )
        .await
        .status,
        StatusCode::OK
    );
    // This and following: a new series from the third occurrence at 19:00.
    let r = app
        .post(
            "event_update",
            &edit(
                "2",
                "following",
                "2030-03-24T10:00",
                "2030-03-24T19:00",
                "2030-03-24T20:00",
            ),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let new_id = r.json().as_i64().unwrap();
    assert_ne!(new_id, id);
    let cal = app
        .post(
            "events_calendar",
            "from=2030-03-01T00:00&to=2030-05-01T00:00&category=clinic&community=",
            Some(&jumin),
        )
        .await
        .json();
    let mine: Vec<String> = cal
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["event_id"] == id || o["event_id"] == new_id)
        .map(|o| o["starts_at"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        mine,
        [
            "2030-03-10T10:00",
            "2030-03-17T10:00",
            "2030-03-24T19:00",
            "2030-03-31T19:00"
        ],
        "four in all, as COUNT=4 said"
    );
    assert_eq!(
        app.post(
            "event_update",
            &edit(
                "1",
                "sometimes",
                "2030-03-24T10:00",
                "2030-03-24T19:00",
                "2030-03-24T20:00"
            ),
            Some(&shuji)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn attendee_exports_mask_phones_unless_revealed_and_audited() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let jumin = app.login("jumin").await;
    assert_eq!(
        app.post("set_my_phone", "phone=12345", Some(&jumin))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let r = app
        .post("set_my_phone", "phone=138-1234-5678", Some(&jumin))
        .await;
    assert_eq!(r.json(), "138****5678");
    // A resident whose name is a spreadsheet formula.
    let evil = app
        .post(
            "register",
            &form(&[
                ("username", "mallory"),
                ("display_name", "=HYPERLINK(\"http://x\")"),
                ("password", "correct-horse-1"),
                ("community", "320113001001"),
            ]),
            None,
        )
        .await
        .cookie()
        .unwrap();
    let id = app
        .post(
            "event_create",
            &event_form("320113001001", "义诊", "", "10", "public"),
            Some(&shuji),
        )
        .await
        .json()
        .as_i64()
        .unwrap();
    let at = "2030-03-10T09:00";
    app.post(
        "event_rsvp",
        &format!("id={id}&at={at}&going=true&guests=0"),
        Some(&jumin),
    )
    .await;
    app.post(
        "event_rsvp",
        &format!("id={id}&at={at}&going=true&guests=0"),
        Some(&evil),
    )
    .await;
    let get = |cookie: Option<String>, reveal: bool| {
        let mut b = Request::get(format!(
            "/export/attendees.csv?event={id}&at={at}{}",
            if reveal { "&reveal=1" } else { "" }
        ));
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        b.body(Body::empty()).unwrap()
    };
    assert_eq!(
        app.send(get(None, false)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Revealing is a same-site POST with a reason.
    let reveal = |cookie: Option<String>, site: &str, reason: &str| {
        let form = format!("event={id}&at={at}&reason={}", enc(reason));
        let mut b = Request::post("/export/attendees.csv")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:8080")
            .header("sec-fetch-site", site);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        b.body(Body::from(form)).unwrap()
    };
    assert_eq!(
        app.send(reveal(Some(jumin.clone()), "same-origin", "看看"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The probe's link: a top-level GET from another site asking for a reveal. Refused, nothing
    // revealed, nothing written in the organiser's name.
    let mut cross = get(Some(shuji.clone()), true);
    cross
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let r = app.send(cross).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
    assert!(!r.body.contains("13812345678"));
    assert_eq!(
        app.send(get(Some(shuji.clone()), true)).await.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "not even from this site"
    );
    // A cross-site POST (a form on another site) is refused before it is read.
    let r = app
        .send(reveal(Some(shuji.clone()), "cross-site", "核对报名"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // No reason, no reveal.
    let r = app
        .send(reveal(Some(shuji.clone()), "same-origin", "  "))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(app
        .db
        .audit_entries(Some("reveal_phone"), 10)
        .await
        .unwrap()
        .is_empty());
    let masked = app.send(get(Some(shuji.clone()), false)).await;
    assert_eq!(masked.status, StatusCode::OK);
    assert_eq!(
        masked.headers[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert!(
        masked.body.starts_with('\u{feff}'),
        "a BOM for spreadsheet programs"
    );
    assert!(
        masked.body.contains("138****5678") && !masked.body.contains("13812345678"),
        "{}",
        masked.body
    );
    assert!(
        masked.body.contains("\"'=HYPERLINK("),
        "formulas are defused: {}",
        masked.body
    );
    let full = app
        .send(reveal(
            Some(shuji.clone()),
            "same-origin",
            "电话通知活动改期",
        ))
        .await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.body);
    assert!(full.body.contains("13812345678"));
    let reveals = app
        .db
        .audit_entries(Some("reveal_phone"), 10)
        .await
        .unwrap();
    assert_eq!(reveals.len(), 1, "each reveal is recorded");
    assert_eq!(reveals[0].actor, "shuji");
    assert!(
        reveals[0].detail.contains("电话通知活动改期"),
        "with its reason"
    );
    assert_eq!(
        app.db
            .audit_entries(Some("export_attendees"), 10)
            .await
            .unwrap()
            .iter()
            .filter(|a| a.result == "refused")
            .count(),
        1
    );
}
