//! The real axum router, in-process, over a fresh database with the small demo district: SQLite, or
//! PostgreSQL when `LINLI_HTTP_ENGINE=postgres` (a new database on the cluster named by
//! `LINLI_TEST_POSTGRES_URL`).

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

/// The fields of `app::api::events::EventInput`.
const EVENT_INPUT: [&str; 13] = [
    "title",
    "description",
    "category",
    "location",
    "starts_at",
    "ends_at",
    "rrule",
    "capacity",
    "guests_allowed",
    "rsvp_deadline_minutes",
    "visibility",
    "grid_code",
    "point",
];

/// A flat form for `event_create`/`event_update` with the event's own fields sent as the
/// `input` argument (`input[title]=…`), as the browser's call encodes them.
pub fn event_input(form: &str) -> String {
    form.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if EVENT_INPUT.contains(&k) => format!("input%5B{k}%5D={v}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
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

/// The demo district (small).
pub async fn spawn() -> TestApp {
    spawn_with(true).await
}

/// A new deployment: no grids, no organisation, one administrator `admin` whose password is
/// `a long password` (log in with `login_as`).
pub async fn spawn_empty() -> TestApp {
    let app = spawn_with(false).await;
    let hash = test_password_hash().await;
    let name = domain::Username::parse("admin").unwrap();
    app.db
        .insert_user(&name, "管理员", &hash, domain::Role::Admin, None)
        .await
        .unwrap();
    app
}

async fn spawn_with(demo: bool) -> TestApp {
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
    let db = if std::env::var("LINLI_HTTP_ENGINE").as_deref() == Ok("postgres") {
        postgres(n).await
    } else {
        store::Db::connect(&format!("sqlite://{}/linli.db", dir.display()))
            .await
            .unwrap()
    };
    db.migrate().await.unwrap();
    if demo {
        db.load_demo(&generate(Scale::Small, 20_779)).await.unwrap();
    }
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

/// A new database on the test cluster.
async fn postgres(n: u64) -> store::Db {
    let base = std::env::var("LINLI_TEST_POSTGRES_URL")
        .expect("LINLI_HTTP_ENGINE=postgres needs LINLI_TEST_POSTGRES_URL");
    let admin = store::Db::connect(&base)
        .await
        .expect("connect to the test cluster");
    let name = format!(
        "h_{}_{n}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(admin.pool())
        .await
        .unwrap();
    admin.close().await;
    let (head, _) = base.rsplit_once('/').expect("URL ends in /DBNAME");
    let query = base
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    store::Db::connect(&format!("{head}/{name}{query}"))
        .await
        .unwrap()
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let mut req = req;
        if req.extensions().get::<ConnectInfo<SocketAddr>>().is_none() {
            req.extensions_mut()
                .insert(ConnectInfo(SocketAddr::from(([10, 1, 2, 3], 40000))));
        }
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

    /// POST a server function with form-encoded arguments, as the browser client does (from
    /// 10.1.2.3).
    /// Calls a server function with its own argument struct (`app::api::events::EventCreate { .. }`),
    /// encoded as the browser's call encodes it.
    pub async fn call<F>(&self, args: &F, cookie: Option<&str>) -> Reply
    where
        F: leptos::server_fn::ServerFn + serde::Serialize,
    {
        let form = serde_qs::to_string(args).expect("server function arguments encode");
        let endpoint = F::PATH.trim_start_matches("/api/");
        self.post(endpoint, &form, cookie).await
    }

    pub async fn post(&self, endpoint: &str, form: &str, cookie: Option<&str>) -> Reply {
        self.post_from([10, 1, 2, 3], endpoint, form, cookie).await
    }

    /// POST a server function from another client address (the default is 10.1.2.3).
    pub async fn post_from(
        &self,
        ip: [u8; 4],
        endpoint: &str,
        form: &str,
        cookie: Option<&str>,
    ) -> Reply {
        let mut b = Request::post(format!("/api/{endpoint}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:8080")
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_LENGTH, form.len());
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        let mut req = b.body(Body::from(form.to_owned())).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
        self.send(req).await
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

    /// The map as `cookie` sees it.
    pub async fn grid_map(&self, cookie: &str) -> app::api::grids::GridMap {
        serde_json::from_str(&self.post("grids_list", "", Some(cookie)).await.body).unwrap()
    }

    /// The organisation tree as `cookie` sees it.
    pub async fn org_tree(&self, cookie: &str) -> app::api::orgs::OrgTreeView {
        serde_json::from_str(&self.post("orgs_tree", "", Some(cookie)).await.body).unwrap()
    }

    /// A new private feed token for the session `cookie`.
    pub async fn feed_token(&self, cookie: &str) -> String {
        self.post("events_feed_token", "", Some(cookie))
            .await
            .json()
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The ids of a grid's revisions, newest first.
    pub async fn revisions(&self, cookie: &str, grid: i64) -> Vec<i64> {
        let history = self
            .post("grid_history", &format!("id={grid}"), Some(cookie))
            .await
            .json();
        history
            .as_array()
            .map(|h| h.iter().filter_map(|r| r["id"].as_i64()).collect())
            .unwrap_or_default()
    }

    pub async fn login(&self, user: &str) -> String {
        self.login_as(user, DEMO_PASSWORD).await
    }

    pub async fn login_as(&self, user: &str, password: &str) -> String {
        let r = self
            .post(
                "login",
                &form(&[("username", user), ("password", password)]),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.cookie().expect("login sets the session cookie")
    }
}

/// Everything a refused call must leave as it was (sessions, throttling and the audit log may change).
pub async fn fingerprint(db: &store::Db) -> Vec<String> {
    let queries = [
        "SELECT COUNT(*) || ':' || COALESCE(GROUP_CONCAT(role || COALESCE(scope, '') || COALESCE(phone, '') || display_name || disabled || party_member || password_hash, ','), '') FROM app_user",
        "SELECT COUNT(*) || ':' || COALESCE(SUM(version), 0) || COALESCE(GROUP_CONCAT(name, ','), '') FROM grid",
        "SELECT 'n' || COUNT(*) FROM grid_revision",
        "SELECT COUNT(*) || ':' || COALESCE(SUM(version), 0) || COALESCE(GROUP_CONCAT(name, ','), '') FROM org_unit",
        "SELECT 'n' || COUNT(*) FROM org_role",
        "SELECT 'n' || COUNT(*) FROM org_change",
        "SELECT COUNT(*) || ':' || COALESCE(SUM(version), 0) FROM event",
        "SELECT COUNT(*) || ':' || COALESCE(GROUP_CONCAT(status || taken, ','), '') FROM occurrence",
        "SELECT COUNT(*) || ':' || COALESCE(GROUP_CONCAT(status || COALESCE(checked_in_at, 0), ','), '') FROM rsvp",
        "SELECT 'n' || COUNT(*) FROM map_layer",
        "SELECT 'n' || COUNT(*) FROM feed_token",
        "SELECT COALESCE(GROUP_CONCAT(key || '=' || value, ','), '') FROM setting",
        "SELECT COUNT(*) || ':' || COALESCE(GROUP_CONCAT(status || version || title, ','), '') FROM service_listing",
        "SELECT COUNT(*) || ':' || COALESCE(GROUP_CONCAT(state || claimant_id || amount, ','), '') FROM service_claim",
        "SELECT COUNT(*) || ':' || COALESCE(GROUP_CONCAT(state || version || COALESCE(claimant_id, 0), ','), '') FROM service_wish",
        "SELECT COUNT(*) || ':' || COALESCE(SUM(minutes), 0) FROM service_hours",
        "SELECT COUNT(*) || ':' || COALESCE(GROUP_CONCAT(state || version, ','), '') FROM service_report",
        "SELECT COUNT(*) || ':' || COALESCE(SUM(id), 0) FROM photo",
        "SELECT COUNT(*) || ':' || COALESCE(SUM(version), 0) FROM field_report",
        "SELECT 'n' || COUNT(*) FROM field_event",
        "SELECT COUNT(*) || ':' || COALESCE(GROUP_CONCAT(name || acknowledge || resolve, ','), '') FROM field_category",
        "SELECT 'n' || COUNT(*) FROM department_member",
    ];
    let postgres = db.engine() == store::Engine::Postgres;
    let mut out = Vec::new();
    for q in queries {
        // The same fingerprint on PostgreSQL: STRING_AGG in a fixed order, text casts for the
        // numbers SQLite concatenates as they are.
        let q = if postgres {
            string_agg(q)
                .replace("COUNT(*)", "COUNT(*)::text")
                .replace("SUM(version), 0)", "SUM(version), 0)::text")
                .replace("SUM(minutes), 0)", "SUM(minutes), 0)::text")
        } else {
            q.to_owned()
        };
        let v: String = sqlx::query_scalar(&q).fetch_one(db.pool()).await.unwrap();
        out.push(v);
    }
    out
}

/// `GROUP_CONCAT(e, ',')` as PostgreSQL's `STRING_AGG((e)::text, ',' ORDER BY (e)::text)`.
fn string_agg(q: &str) -> String {
    let (mut out, mut rest) = (String::new(), q);
    while let Some(i) = rest.find("GROUP_CONCAT(") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "GROUP_CONCAT(".len()..];
        let end = after.find(", ',')").expect("GROUP_CONCAT(e, ',')");
        let e = &after[..end];
        out.push_str(&format!(
            "STRING_AGG(({e})::text, ',' ORDER BY ({e})::text)"
        ));
        rest = &after[end + ", ',')".len()..];
    }
    out.push_str(rest);
    out
}

/// The hash of `a long password`, the password of accounts tests add themselves.
async fn test_password_hash() -> String {
    store::password::hash(
        &domain::Password::parse("a long password", "", domain::PasswordPolicy::Standard).unwrap(),
    )
    .await
    .unwrap()
}

pub async fn user(db: &store::Db, name: &str, role: domain::Role, scope: &str) -> i64 {
    let hash = test_password_hash().await;
    db.insert_user(
        &domain::Username::parse(name).unwrap(),
        name,
        &hash,
        role,
        Some(&domain::Code::parse(scope).unwrap()),
    )
    .await
    .unwrap()
    .id
}

/// An event of the unit `unit` on 2031-03-10 09:00, published directly in the store.
pub async fn event_of(db: &store::Db, unit: &str, title: &str, visibility: &str) -> i64 {
    let draft = domain::event::EventDraft::parse(domain::event::RawEvent {
        title,
        description: "",
        category: "lecture",
        location: "党群服务站",
        starts_at: "2031-03-10T09:00",
        ends_at: "2031-03-10T10:00",
        rrule: "",
        capacity: 5,
        guests_allowed: 0,
        rsvp_deadline_minutes: 0,
        visibility,
    })
    .unwrap();
    db.create_event(unit, &draft).await.unwrap()
}

pub fn form(pairs: &[(&str, &str)]) -> String {
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

pub fn event_form<'a>(
    unit: &'a str,
    title: &'a str,
    rrule: &'a str,
    capacity: &'a str,
    visibility: &'a str,
) -> String {
    event_input(&event_fields_flat(unit, title, rrule, capacity, visibility))
}

/// The event form before its fields are put under `input` (edits replace parts of it first).
pub fn event_fields_flat<'a>(
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

/// Checks a grid GeoJSON text with the independent shapely checker (tools/grids_check.py):
/// whether it passed, and its report `{"features": n, "problems": [...]}`.
pub fn shapely_check(geojson: &str) -> (bool, Value) {
    let dir = std::env::temp_dir().join(format!(
        "linli_geojson_{}_{}",
        std::process::id(),
        SPAWNED.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("grids.geojson");
    std::fs::write(&file, geojson).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tools/grids_check.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&file)
        .output()
        .expect("python3 runs");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "grids_check.py said no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), report)
}

/// Service objects of the community `community` (a committee's code): a party member of it, a
/// need for 20 people, the member's claim of one place, and the member's wish waiting to be verified.
#[derive(Clone)]
pub struct ServiceObjects {
    pub member: String,
    pub listing: i64,
    pub claim: i64,
    pub wish: i64,
    /// The member's 双报到, waiting for the organiser.
    pub report: i64,
    /// A photo the member attached to the wish.
    pub photo: i64,
    /// A field report the member made in the community's first grid, waiting for its worker.
    pub field: i64,
}

/// A 640×480 phone photo with EXIF (GPS included), as a script would send it.
pub const SMALL_PHOTO: &[u8] = include_bytes!("../photos/small-photo.jpg");

pub fn small_photo_b64() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(SMALL_PHOTO)
}

pub async fn service_objects(db: &store::Db, community: &str, member: &str) -> ServiceObjects {
    use domain::service::listing::ListingDraft;
    let member_id = user(db, member, domain::Role::Resident, community).await;
    db.set_party_member(member_id, true).await.unwrap();
    let unit = db.unit_id(community).await.unwrap();
    let draft = ListingDraft::parse(
        "need",
        "助老送餐",
        "",
        "elderly",
        20,
        "people",
        "",
        "2026-01-01",
    )
    .unwrap();
    let listing = db
        .create_listing(unit, &draft, None, None, "shuji", 1)
        .await
        .unwrap();
    let claim = db
        .claim(listing, member_id, 1, false, member, "2026-01-01", 1, None)
        .await
        .unwrap()
        .unwrap();
    let wish = db
        .post_wish(
            &store::services::NewWish {
                unit_id: unit,
                owner_id: Some(member_id),
                beneficiary: String::new(),
                title: "想学用智能手机".into(),
                description: String::new(),
                category: "elderly".into(),
                grid_id: None,
            },
            member,
            1,
        )
        .await
        .unwrap();
    let draft = domain::service::report::ReportDraft::parse(
        "member",
        "区税务局机关党支部",
        "",
        "",
        "",
        "",
        true,
    )
    .unwrap();
    let report = db
        .report_in(unit, member_id, &draft, None, None, member, 1)
        .await
        .unwrap();
    let clean = domain::photo::strip_metadata(SMALL_PHOTO);
    let info = domain::photo::check(&clean).unwrap();
    let photo = db
        .add_photo(
            &format!("wish:{wish}"),
            "wish",
            Some(member_id),
            info,
            &clean,
            1,
        )
        .await
        .unwrap();
    let category = db
        .put_field_category("环境卫生", domain::field::clock::Limits::ORDINARY, 1)
        .await
        .unwrap();
    let grids = db.grid_names_under(community).await.unwrap();
    let finest = grids.iter().map(|g| g.0.len()).max().unwrap();
    let grid = grids
        .iter()
        .find(|g| g.0.len() == finest)
        .unwrap()
        .0
        .clone();
    let at = db
        .grid_boundary(&grid)
        .await
        .unwrap()
        .unwrap()
        .label_point();
    let (field, _) = db
        .file_field_report(
            &store::field::NewReport {
                key: format!("access-{community}"),
                category_id: category,
                description: "楼道灯不亮".into(),
                lon: at[0],
                lat: at[1],
                grid_id: Some(db.grid_id(&grid).await.unwrap()),
                reporter_id: member_id,
                made_at: store::now(),
                fixed_on_spot: false,
            },
            &Default::default(),
            store::now(),
        )
        .await
        .unwrap();
    ServiceObjects {
        member: member.to_owned(),
        listing,
        claim,
        wish,
        report,
        photo,
        field,
    }
}
