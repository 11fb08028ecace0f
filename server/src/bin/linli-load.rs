//! `linli-load`: drives a running `linli serve` over real HTTP (loopback) with many concurrent
//! residents and reports throughput and latency percentiles. A benchmark tool, not a test:
//! `scripts/loadtest.sh` runs it on SQLite and PostgreSQL and writes the figures to BENCHMARKS.md;
//! `scripts/crash.sh` runs its `crash` scenario while killing the server.
//!
//! Set-up goes through the public server functions, as a browser would: the administrator logs in,
//! opens registration, publishes one occurrence with `--capacity` seats, and `--clients` residents
//! register (each gets its own session cookie). Then every resident loops until `--seconds` pass:
//! - `rsvp`: going / not going in turn on the same occurrence (capacity, waitlist, promotions);
//! - `mixed`: 70 % reads (month calendar, the occurrence, `me`, upcoming events), 30 % RSVP changes;
//! - `crash`: like `rsvp`, but a failed request (server killed) is retried until the server is back,
//!   and then the resident's stored answer must be the last acknowledged one or the one in flight.
//!
//! At the end the stored state is read back: every resident's answer must be the last one the
//! server acknowledged (or, after a crash, the one in flight), and no more seats than the capacity
//! may be taken. Any violation, and any failed request outside `crash`, makes the exit code 1.

use app::api::events::{AttendeeView, OccurrenceDetail, RsvpView};
use clap::{Parser, ValueEnum};
use domain::rsvp::RsvpStatus;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use rand::{Rng, SeedableRng};
use serde::de::DeserializeOwned;
use server::bench::{append_json_line, local_date, percentile};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, Debug)]
enum Scenario {
    Rsvp,
    Mixed,
    Crash,
}

#[derive(Parser)]
#[command(
    name = "linli-load",
    about = "Load generator for a running Linli server"
)]
struct Args {
    /// Base URL of the server, e.g. http://127.0.0.1:8080; several, comma-separated, for servers
    /// sharing one database: the residents register on the first and each answers through the
    /// next one in turn (its session made on one server is used on another), and a grid edit made
    /// through the first is then sent again through the second, where it must be refused as stale.
    #[arg(long, value_delimiter = ',')]
    url: Vec<String>,
    /// Occurrences the residents spread over (a daily series); resident `i` answers for `i % n`.
    #[arg(long, default_value_t = 1)]
    occurrences: usize,
    /// An administrator account on that server.
    #[arg(long, default_value = "admin")]
    admin: String,
    #[arg(long, env = "LINLI_LOAD_PASSWORD")]
    password: String,
    #[arg(long, value_enum, default_value = "rsvp")]
    scenario: Scenario,
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    #[command(flatten)]
    run: server::bench::RunArgs,
    /// Stop early once this file exists (`scripts/crash.sh` creates it after its last kill).
    #[arg(long)]
    stop_file: Option<std::path::PathBuf>,
}

const RESIDENT_PASSWORD: &str = "Queue-at-the-service-day-7";

#[derive(Clone)]
struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
}

#[derive(Debug)]
enum CallError {
    /// No answer (connection refused or reset): the request may or may not have been applied.
    Transport(String),
    /// The server answered with an error status.
    Status(u16, String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Transport(e) => write!(f, "no answer: {e}"),
            CallError::Status(s, b) => write!(f, "HTTP {s}: {b}"),
        }
    }
}

impl Http {
    fn new(base: &str, clients: usize) -> Http {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(clients + 8)
            .build(connector);
        Http {
            client,
            base: base.trim_end_matches('/').to_string(),
        }
    }

    /// POSTs a server function's form arguments; returns the body and any new session cookie.
    async fn call_raw(
        &self,
        cookie: Option<&str>,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Result<(Bytes, Option<String>), CallError> {
        let body = serde_urlencoded::to_string(form).expect("form arguments encode");
        let mut req = hyper::Request::post(format!("{}/api/{endpoint}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json");
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        // Every resident on a phone of their own: registrations and logins carry an address
        // derived from the username (`linli serve --trust-proxy` reads it), so the per-address
        // registration limit sees 200 phones, not one load generator.
        if let Some((_, name)) = form.iter().find(|(k, _)| *k == "username") {
            let h = name.bytes().fold(2_166_136_261u32, |h, b| {
                (h ^ u32::from(b)).wrapping_mul(16_777_619)
            });
            let [a, b, c, _] = h.to_be_bytes();
            req = req.header("x-forwarded-for", format!("10.{a}.{b}.{}", c.max(1)));
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .expect("request builds");
        let res = tokio::time::timeout(Duration::from_secs(30), self.client.request(req))
            .await
            .map_err(|_| CallError::Transport("timed out".into()))?
            .map_err(|e| CallError::Transport(e.to_string()))?;
        let status = res.status().as_u16();
        let set_cookie = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_string);
        let bytes = res
            .into_body()
            .collect()
            .await
            .map_err(|e| CallError::Transport(e.to_string()))?
            .to_bytes();
        if status >= 300 {
            return Err(CallError::Status(
                status,
                String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            ));
        }
        Ok((bytes, set_cookie))
    }

    async fn call<T: DeserializeOwned>(
        &self,
        cookie: &str,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Result<T, CallError> {
        let (bytes, _) = self.call_raw(Some(cookie), endpoint, form).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| CallError::Status(200, format!("{endpoint}: unreadable answer: {e}")))
    }

    /// Logs in (or registers) and returns the session cookie.
    async fn session(&self, endpoint: &str, form: &[(&str, &str)]) -> Result<String, String> {
        let (_, cookie) = self
            .call_raw(None, endpoint, form)
            .await
            .map_err(|e| format!("{endpoint}: {e}"))?;
        cookie.ok_or_else(|| format!("{endpoint}: no session cookie in the answer"))
    }
}

struct Target {
    event_id: i64,
    /// The occurrences answered for (resident `i` answers for `ats[i % ats.len()]`).
    ats: Vec<String>,
    admin: String,
}

async fn prepare(http: &Http, args: &Args) -> Result<(Target, Vec<String>), String> {
    let admin = http
        .session(
            "login",
            &[("username", &args.admin), ("password", &args.password)],
        )
        .await?;
    let open: Result<(), _> = http
        .call(&admin, "admin_set_registration", &[("open", "true")])
        .await;
    open.map_err(|e| format!("opening registration: {e}"))?;
    let (_, communities): (bool, Vec<app::api::auth::Community>) = http
        .call(&admin, "registration_info", &[])
        .await
        .map_err(|e| format!("registration_info: {e}"))?;
    let community = communities
        .first()
        .ok_or("the server has no community to register in (load the demo data)")?
        .code
        .clone();
    let tree: app::api::orgs::OrgTreeView = http
        .call(&admin, "orgs_tree", &[])
        .await
        .map_err(|e| format!("orgs_tree: {e}"))?;
    let unit = tree
        .units
        .first()
        .ok_or("the server has no organisation unit (load the demo data)")?
        .code
        .clone();
    let run: u32 = rand::thread_rng().gen_range(0..1_000_000);
    let day = local_date(2);
    let at = format!("{day}T09:00");
    let capacity = args.run.capacity.to_string();
    let title = format!("负载测试 {run:06}");
    let ends = format!("{day}T11:00");
    let occurrences = args.occurrences.max(1);
    let rrule = if occurrences > 1 {
        format!("FREQ=DAILY;COUNT={occurrences}")
    } else {
        String::new()
    };
    let ats: Vec<String> = (0..occurrences as i64)
        .map(|d| format!("{}T09:00", local_date(2 + d)))
        .collect();
    let event_id: i64 = http
        .call(
            &admin,
            "event_create",
            &[
                ("unit_code", &unit),
                ("input[title]", &title),
                ("input[description]", "linli-load"),
                ("input[category]", "service-day"),
                ("input[location]", "loopback"),
                ("input[starts_at]", &at),
                ("input[ends_at]", &ends),
                ("input[rrule]", &rrule),
                ("input[capacity]", &capacity),
                ("input[guests_allowed]", "0"),
                ("input[rsvp_deadline_minutes]", "0"),
                ("input[visibility]", "public"),
            ],
        )
        .await
        .map_err(|e| format!("event_create: {e}"))?;

    // Registration hashes a password (argon2, two at a time on the server): a few in parallel.
    let started = Instant::now();
    let names: Vec<String> = (0..args.run.clients)
        .map(|i| format!("load{run:06}u{i}"))
        .collect();
    let mut cookies = Vec::with_capacity(names.len());
    for chunk in names.chunks(8) {
        let mut set = tokio::task::JoinSet::new();
        for (i, name) in chunk.iter().enumerate() {
            let (http, name, community) = (http.clone(), name.clone(), community.clone());
            set.spawn(async move {
                let display = format!("负载居民{name}");
                let c = http
                    .session(
                        "register",
                        &[
                            ("username", &name),
                            ("display_name", &display),
                            ("password", RESIDENT_PASSWORD),
                            ("community", &community),
                        ],
                    )
                    .await;
                (i, c)
            });
        }
        let mut got: Vec<(usize, Result<String, String>)> = set.join_all().await;
        got.sort_by_key(|(i, _)| *i);
        for (_, c) in got {
            cookies.push(c?);
        }
    }
    eprintln!(
        "prepared event #{event_id} from {at}, {occurrences} occurrence(s) with {} seats each and {} residents in {:.1} s",
        args.run.capacity,
        cookies.len(),
        started.elapsed().as_secs_f64()
    );
    Ok((
        Target {
            event_id,
            ats,
            admin,
        },
        cookies,
    ))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rsvp,
    Read,
}

#[derive(Default)]
struct ClientReport {
    /// (kind, latency in microseconds) of every answered request.
    samples: Vec<(Kind, u32)>,
    errors: Vec<String>,
    /// Requests without an answer (only expected in `crash`).
    unanswered: u64,
    /// The stored answer this resident must have at the end: the last acknowledged one, or
    /// (after a request without an answer) either of two.
    expect: Vec<RsvpStatus>,
    /// Times this resident found its stored answer after a crash, and it was a permitted one.
    recovered: u64,
}

fn status_of(going: bool, view: &RsvpView) -> Result<RsvpStatus, String> {
    match (going, view.status) {
        (true, RsvpStatus::Going | RsvpStatus::Waitlisted) | (false, RsvpStatus::NotGoing) => {
            Ok(view.status)
        }
        (g, s) => Err(format!("asked going={g}, the server answered {s:?}")),
    }
}

/// What may be stored after the server acknowledged `s`: a waitlisted resident may since have
/// been promoted by someone else's cancellation.
fn acknowledged(s: RsvpStatus) -> Vec<RsvpStatus> {
    match s {
        RsvpStatus::Waitlisted => vec![RsvpStatus::Waitlisted, RsvpStatus::Going],
        s => vec![s],
    }
}

async fn stored_answer(
    http: &Http,
    cookie: &str,
    t: &Target,
    at: &str,
) -> Result<RsvpStatus, CallError> {
    let id = t.event_id.to_string();
    let d: OccurrenceDetail = http
        .call(cookie, "event_detail", &[("id", &id), ("at", at)])
        .await?;
    Ok(d.mine.map_or(RsvpStatus::NotGoing, |m| m.status))
}

async fn client_loop(
    http: Http,
    cookie: String,
    target: Arc<Target>,
    at: String,
    scenario: Scenario,
    until: Instant,
    stop: Arc<AtomicBool>,
) -> ClientReport {
    let mut r = ClientReport {
        expect: vec![RsvpStatus::NotGoing],
        ..ClientReport::default()
    };
    let mut rng = rand::rngs::StdRng::from_entropy();
    let id = target.event_id.to_string();
    let (month_from, month_to) = (
        format!("{}T00:00", local_date(0)),
        format!("{}T00:00", local_date(31)),
    );
    let mut going = false;
    while Instant::now() < until && !stop.load(Ordering::Relaxed) {
        let roll = if scenario == Scenario::Mixed {
            rng.gen_range(0..10)
        } else {
            9
        };
        let t0 = Instant::now();
        if roll >= 7 {
            going = !going;
            let g = if going { "true" } else { "false" };
            let res: Result<RsvpView, _> = http
                .call(
                    &cookie,
                    "event_rsvp",
                    &[("id", &id), ("at", &at), ("going", g), ("guests", "0")],
                )
                .await;
            match res {
                Ok(v) => {
                    r.samples
                        .push((Kind::Rsvp, t0.elapsed().as_micros() as u32));
                    match status_of(going, &v) {
                        Ok(s) => r.expect = acknowledged(s),
                        Err(e) => r.errors.push(e),
                    }
                }
                Err(CallError::Transport(_)) if scenario == Scenario::Crash => {
                    r.unanswered += 1;
                    // Wait for the server to come back, then read what was stored.
                    let stored = loop {
                        if Instant::now() > until + Duration::from_secs(60) {
                            r.errors.push("the server did not come back".into());
                            return r;
                        }
                        match stored_answer(&http, &cookie, &target, &at).await {
                            Ok(s) => break s,
                            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                        }
                    };
                    let pending = if going {
                        [RsvpStatus::Going, RsvpStatus::Waitlisted]
                    } else {
                        [RsvpStatus::NotGoing, RsvpStatus::NotGoing]
                    };
                    if r.expect.contains(&stored) || pending.contains(&stored) {
                        r.recovered += 1;
                    } else {
                        r.errors.push(format!(
                            "after a crash the stored answer is {stored:?}, acknowledged {:?}",
                            r.expect
                        ));
                    }
                    going = stored != RsvpStatus::NotGoing;
                    r.expect = acknowledged(stored);
                }
                Err(e) => r.errors.push(format!("event_rsvp: {e}")),
            }
        } else {
            let res = match roll {
                0..=2 => http
                    .call::<serde_json::Value>(
                        &cookie,
                        "events_calendar",
                        &[
                            ("from", &month_from),
                            ("to", &month_to),
                            ("category", ""),
                            ("community", ""),
                        ],
                    )
                    .await
                    .map(drop),
                3..=4 => stored_answer(&http, &cookie, &target, &at).await.map(drop),
                5 => http
                    .call::<serde_json::Value>(&cookie, "me", &[])
                    .await
                    .map(drop),
                _ => http
                    .call::<serde_json::Value>(&cookie, "events_upcoming", &[("from", &month_from)])
                    .await
                    .map(drop),
            };
            match res {
                Ok(()) => r
                    .samples
                    .push((Kind::Read, t0.elapsed().as_micros() as u32)),
                Err(e) => r.errors.push(format!("read: {e}")),
            }
        }
    }
    r
}

/// Two servers, one database: a grid's households changed through `first` at the version read
/// there, then the same edit (that version, now stale) sent through `second` must be refused as a
/// conflict — the check reads the database, not a server's memory.
async fn stale_edit_refused(first: &Http, second: &Http, admin: &str) -> Result<(), String> {
    use app::api::grids::{GridEdit, GridMap};
    let map: GridMap = first
        .call(admin, "grids_list", &[])
        .await
        .map_err(|e| format!("grids_list: {e}"))?;
    let g = map
        .grids
        .iter()
        .find(|g| g.level == 3)
        .ok_or("no finest grid to edit")?;
    let mut draft = g.draft();
    draft.households += 1;
    let edits = serde_json::to_string(&[GridEdit::Update {
        id: g.id,
        version: g.version,
        draft,
    }])
    .map_err(|e| e.to_string())?;
    first
        .call::<serde_json::Value>(admin, "grids_save", &[("edits", &edits)])
        .await
        .map_err(|e| format!("grids_save through the first server: {e}"))?;
    match second
        .call::<serde_json::Value>(admin, "grids_save", &[("edits", &edits)])
        .await
    {
        Err(CallError::Status(409, _)) => {
            eprintln!("a stale grid edit sent through the second server was refused (409)");
            Ok(())
        }
        Ok(_) => Err("a stale grid edit through the second server was saved".into()),
        Err(e) => Err(format!("a stale grid edit through the second server: {e}")),
    }
}

#[derive(serde::Serialize)]
struct Figures {
    kind: &'static str,
    requests: usize,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

fn figures(kind: &'static str, mut lat: Vec<u32>, seconds: f64) -> Figures {
    lat.sort_unstable();
    Figures {
        kind,
        requests: lat.len(),
        per_second: lat.len() as f64 / seconds,
        p50_ms: percentile(&lat, 0.5),
        p99_ms: percentile(&lat, 0.99),
        max_ms: lat.last().map_or(0.0, |m| *m as f64 / 1000.0),
    }
}

async fn run(args: Args) -> Result<bool, String> {
    let servers: Vec<Http> = args
        .url
        .iter()
        .map(|u| Http::new(u, args.run.clients))
        .collect();
    let http = servers.first().ok_or("no --url")?.clone();
    let (target, cookies) = prepare(&http, &args).await?;
    let mut problems: Vec<String> = Vec::new();
    if let Some(second) = servers.get(1) {
        if let Err(e) = stale_edit_refused(&http, second, &target.admin).await {
            problems.push(e);
        }
    }
    let target = Arc::new(target);
    let started = Instant::now();
    let until = started + Duration::from_secs(args.seconds);
    let stop = Arc::new(AtomicBool::new(false));
    if let Some(file) = args.stop_file.clone() {
        let stop = stop.clone();
        tokio::spawn(async move {
            while !file.exists() {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            stop.store(true, Ordering::Relaxed);
        });
    }
    let mut set = tokio::task::JoinSet::new();
    for (i, cookie) in cookies.iter().enumerate() {
        // Registered on the first server, answering through the next one in turn.
        let http = servers[(i + 1) % servers.len()].clone();
        let at = target.ats[i % target.ats.len()].clone();
        let (cookie, target, stop) = (cookie.clone(), target.clone(), stop.clone());
        let scenario = args.scenario;
        set.spawn(async move {
            (
                i,
                client_loop(http, cookie, target, at, scenario, until, stop).await,
            )
        });
    }
    let mut reports: Vec<(usize, ClientReport)> = set.join_all().await;
    reports.sort_by_key(|(i, _)| *i);
    let elapsed = started.elapsed().as_secs_f64();

    // Read back what is stored.
    for ((i, r), cookie) in reports.iter().zip(&cookies) {
        let at = &target.ats[i % target.ats.len()];
        match stored_answer(&http, cookie, &target, at).await {
            Ok(s) if r.expect.contains(&s) => {}
            Ok(s) => problems.push(format!(
                "stored answer {s:?}, last acknowledged {:?}",
                r.expect
            )),
            Err(e) => problems.push(format!("reading back: {e}")),
        }
    }
    let id = target.event_id.to_string();
    let (mut seats, mut waiting) = (0i64, 0usize);
    for at in &target.ats {
        let attendees: Vec<AttendeeView> = http
            .call(&target.admin, "event_attendees", &[("id", &id), ("at", at)])
            .await
            .map_err(|e| format!("event_attendees: {e}"))?;
        let taken: i64 = attendees
            .iter()
            .filter(|a| a.status == RsvpStatus::Going)
            .map(|a| a.seats)
            .sum();
        let line = attendees
            .iter()
            .filter(|a| a.status == RsvpStatus::Waitlisted)
            .count();
        if taken > args.run.capacity {
            problems.push(format!(
                "{at}: {taken} seats taken of {}",
                args.run.capacity
            ));
        }
        if line > 0 && taken < args.run.capacity {
            problems.push(format!(
                "{at}: {line} waiting while only {taken} of {} seats are taken",
                args.run.capacity
            ));
        }
        seats += taken;
        waiting += line;
    }

    let errors: Vec<&String> = reports.iter().flat_map(|(_, r)| &r.errors).collect();
    let unanswered: u64 = reports.iter().map(|(_, r)| r.unanswered).sum();
    let recovered: u64 = reports.iter().map(|(_, r)| r.recovered).sum();
    let mut all = Vec::new();
    let mut by_kind = [Vec::new(), Vec::new()];
    for (_, r) in &reports {
        for &(k, us) in &r.samples {
            all.push(us);
            by_kind[usize::from(k == Kind::Read)].push(us);
        }
    }
    let [rsvp, reads] = by_kind;
    let rows = if args.scenario == Scenario::Mixed {
        vec![
            figures("all", all, elapsed),
            figures("rsvp", rsvp, elapsed),
            figures("read", reads, elapsed),
        ]
    } else {
        vec![figures("rsvp", rsvp, elapsed)]
    };
    println!(
        "{} {:?}: {} clients, {} server(s), {} occurrence(s), {:.1} s, {} errors, {} without an answer, {} seats of {} taken, {} waiting",
        args.run.label,
        args.scenario,
        args.run.clients,
        servers.len(),
        target.ats.len(),
        elapsed,
        errors.len(),
        unanswered,
        seats,
        args.run.capacity * target.ats.len() as i64,
        waiting
    );
    for f in &rows {
        println!(
            "  {:<5} {:>7} requests {:>8.1}/s  p50 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms",
            f.kind, f.requests, f.per_second, f.p50_ms, f.p99_ms, f.max_ms
        );
    }
    if args.scenario == Scenario::Crash {
        println!(
            "  {unanswered} requests lost their answer to a crash; {recovered} checked afterwards"
        );
    }
    for e in errors.iter().take(10) {
        eprintln!("error: {e}");
    }
    for p in problems.iter().take(10) {
        eprintln!("inconsistent: {p}");
    }
    if let Some(path) = &args.run.json {
        let line = serde_json::json!({
            "label": args.run.label,
            "scenario": format!("{:?}", args.scenario).to_lowercase(),
            "clients": args.run.clients,
            "servers": servers.len(),
            "occurrences": target.ats.len(),
            "seconds": elapsed,
            "errors": errors.len(),
            "unanswered": unanswered,
            "inconsistent": problems.len(),
            "figures": rows,
        });
        append_json_line(path, &line)?;
    }
    Ok(errors.is_empty() && problems.is_empty())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("linli-load: {e}");
            ExitCode::FAILURE
        }
    }
}
