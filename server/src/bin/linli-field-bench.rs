//! The field reports' rates over a year of reports in a large district (issue 21): loads the
//! large demo district (1,206 level-3 grids, `linli demo --scale large`) and a year of reports
//! (20,000 by default, replayed through the rules) into a new database, then times in the same
//! run, median of `--runs`:
//! - the baseline: reading the rows a year of rates needs (`Db::field_rate_rows`, no arithmetic);
//! - `field_rates` through the app's own router, as the street's organiser: this month by grid,
//!   by community and by department (each also computes the twelve-month trend);
//! - the map's hot spots (`field_hot_spots`: a year's counts per grid and category);
//!
//! and prints each with its ratio to the baseline. Used by `scripts/bench-field.sh`.
//! Usage: `linli-field-bench --database-url URL [--reports 20000] [--runs 5]` (an empty database).

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request};
use std::net::SocketAddr;
use std::time::Instant;
use tower::ServiceExt;

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_owned())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn post(
    router: &axum::Router,
    path: &str,
    form: &str,
    cookie: Option<&str>,
) -> (u16, String, Option<String>) {
    let mut b = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:8080")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let mut req = b.body(Body::from(form.to_owned())).expect("request");
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    let res = router.clone().oneshot(req).await.expect("answer");
    let status = res.status().as_u16();
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let body = axum::body::to_bytes(res.into_body(), 64 << 20)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&body).into_owned(), cookie)
}

#[tokio::main]
async fn main() {
    let url = arg("--database-url", "");
    assert!(!url.is_empty(), "--database-url URL (an empty database)");
    let reports: usize = arg("--reports", "20000").parse().expect("--reports N");
    let runs: usize = arg("--runs", "5").parse().expect("--runs N");
    let db = store::Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let now = store::now();
    let today = (now + 8 * 3600).div_euclid(86_400);
    let t = Instant::now();
    let district = domain::demo::generate(domain::demo::Scale::Large, today);
    db.load_demo(&district).await.expect("demo district");
    let district_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let year = domain::demo_field::year(&district, now, reports);
    let filed = db
        .load_demo_field(&year, &district.departments)
        .await
        .expect("demo reports");
    let load_secs = t.elapsed().as_secs_f64();
    let grids = district.grids.iter().filter(|g| g.level == 3).count();
    println!(
        "engine {}: {grids} level-3 grids (loaded in {district_secs:.1} s); {filed} reports with {} actions replayed in {load_secs:.1} s",
        if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" },
        year.iter().map(|r| r.acts.len()).sum::<usize>()
    );

    let cfg = server::Config {
        dist: std::env::temp_dir(),
        trust_proxy: false,
        state: app::api::ssr::ServerState {
            db: db.clone(),
            session_policy: Default::default(),
            secure_cookies: false,
            strict_staff_passwords: false,
            tile_url: None,
        },
    };
    let router = server::router(cfg);
    let (status, body, cookie) = post(
        &router,
        "/api/login",
        &format!("username=jiedao&password={}", domain::demo::DEMO_PASSWORD),
        None,
    )
    .await;
    assert_eq!(status, 200, "login: {body}");
    let cookie = cookie.expect("session cookie");

    let (y, m, _) = domain::date::civil_from_days(today);
    let (fy, fm) = app::api::field_rates::add_months(y, m, -11);
    let (ny, nm) = app::api::field_rates::add_months(y, m, 1);
    let (from, to) = (
        app::api::field_rates::month_start(fy, fm),
        app::api::field_rates::month_start(ny, nm),
    );
    let mut baseline = Vec::new();
    let mut rows = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let r = db.field_rate_rows(from, to, "").await.expect("rows");
        baseline.push(t.elapsed().as_secs_f64() * 1000.0);
        rows = r.reports.len() + r.steps.len() + r.department_acks.len();
    }
    let base = median(baseline);
    println!("| measure | median ms | × baseline |");
    println!("|---|---:|---:|");
    println!("| baseline: read a year's rows ({rows} rows) | {base:.1} | 1.0 |");
    for (label, path, form) in [
        (
            "field_rates by grid (this month + 12-month trend)",
            "/api/field_rates",
            "month=&by=grid",
        ),
        (
            "field_rates by community",
            "/api/field_rates",
            "month=&by=community",
        ),
        (
            "field_rates by department",
            "/api/field_rates",
            "month=&by=department",
        ),
        (
            "field_hot_spots (a year per grid and category)",
            "/api/field_hot_spots",
            "",
        ),
    ] {
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let (status, body, _) = post(&router, path, form, Some(&cookie)).await;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(status, 200, "{path}: {body}");
        }
        let ms = median(times);
        println!("| {label} | {ms:.1} | {:.1} |", ms / base);
    }
}
