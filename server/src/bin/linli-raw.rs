//! `linli-raw`: the RSVP transaction written straight to the database, without HTTP — the
//! baseline `scripts/loadtest.sh` measures in the same run before it loads `linli serve`, so the
//! server's figures are read as a share of what the engine and the disk allow on this machine.
//!
//! Two rows per database: `one per commit` — one task answering going / not going in turn, each
//! answer its own transaction and fsync, the old way (`Db::without_writer`); and `group commit` —
//! `--clients` tasks answering at once through `Db::write` (on SQLite the one writer, many
//! answers per commit; on PostgreSQL a transaction each, side by side). A benchmark tool, not a
//! test; it adds an event and `--clients` residents to the database it is given.

use clap::Parser;
use domain::event::{EventDraft, LocalDateTime, RawEvent};
use domain::{Code, Password, PasswordPolicy, Role, Username};
use server::bench::{append_json_line, local_date, percentile};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use store::Db;

#[derive(Parser)]
#[command(
    name = "linli-raw",
    about = "RSVP transactions straight to the database"
)]
struct Args {
    #[arg(long)]
    database_url: String,
    /// Seconds per row.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    #[command(flatten)]
    run: server::bench::RunArgs,
}

async fn setup(db: &Db, args: &Args) -> Result<(i64, LocalDateTime, Vec<i64>), String> {
    let run: u32 = rand::random::<u32>() % 1_000_000;
    let day = local_date(3);
    let (starts, ends) = (format!("{day}T09:00"), format!("{day}T11:00"));
    let draft = EventDraft::parse(RawEvent {
        title: &format!("直写基准 {run:06}"),
        description: "linli-raw",
        category: "service-day",
        location: "",
        starts_at: &starts,
        ends_at: &ends,
        rrule: "",
        capacity: args.run.capacity,
        guests_allowed: 0,
        rsvp_deadline_minutes: 0,
        visibility: "public",
    })
    .map_err(|e| format!("event: {e:?}"))?;
    let units = db.org_units().await.map_err(|e| e.to_string())?;
    let unit = units
        .first()
        .map(|u| u.code.to_string())
        .ok_or("no organisation unit (load the demo data first)")?;
    let event = db
        .create_event(&unit, &draft)
        .await
        .map_err(|e| e.to_string())?;
    let hash = store::password::hash(
        &Password::parse("raw benchmark resident", "", PasswordPolicy::Standard)
            .map_err(|e| format!("{e:?}"))?,
    )
    .await
    .map_err(|e| e.to_string())?;
    let grids = db.list_grids(Some(3)).await.map_err(|e| e.to_string())?;
    let scope = grids
        .first()
        .and_then(|g| Code::parse(&g.state.code).ok())
        .ok_or("no grid (load the demo data first)")?;
    let mut users = Vec::with_capacity(args.run.clients);
    for i in 0..args.run.clients {
        let name = Username::parse(&format!("raw{run:06}u{i}")).map_err(|e| format!("{e:?}"))?;
        let u = db
            .insert_user(&name, "直写居民", &hash, Role::Resident, Some(&scope))
            .await
            .map_err(|e| e.to_string())?;
        users.push(u.id);
    }
    let at = LocalDateTime::parse(&starts).map_err(|e| format!("{e:?}"))?;
    Ok((event, at, users))
}

/// `clients` tasks (each one resident) answering in turn until `seconds` pass; latencies in µs.
async fn drive(
    db: &Db,
    event: i64,
    at: &LocalDateTime,
    users: &[i64],
    seconds: u64,
) -> Result<(Vec<u32>, f64), String> {
    let now =
        LocalDateTime::parse(&format!("{}T00:00", local_date(0))).map_err(|e| format!("{e:?}"))?;
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for &user in users {
        let (db, at, now) = (db.clone(), at.clone(), now.clone());
        set.spawn(async move {
            let mut lat = Vec::new();
            let mut going = false;
            while Instant::now() < until {
                going = !going;
                let t0 = Instant::now();
                db.rsvp(event, &at, user, going, 0, &now)
                    .await
                    .map_err(|e| e.to_string())?;
                lat.push(t0.elapsed().as_micros() as u32);
            }
            Ok::<_, String>(lat)
        });
    }
    let mut all = Vec::new();
    for r in set.join_all().await {
        all.extend(r?);
    }
    all.sort_unstable();
    Ok((all, started.elapsed().as_secs_f64()))
}

async fn run(args: Args) -> Result<(), String> {
    let db = Db::connect(&args.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let (event, at, users) = setup(&db, &args).await?;
    let rows = [
        ("one per commit", db.without_writer(), &users[..1]),
        ("group commit", db.clone(), &users[..]),
    ];
    for (name, db, users) in rows {
        let (lat, secs) = drive(&db, event, &at, users, args.seconds).await?;
        let per_second = lat.len() as f64 / secs;
        println!(
            "{} raw {name}: {} tasks, {} RSVPs, {per_second:.0}/s, p50 {:.2} ms, p99 {:.2} ms",
            args.run.label,
            users.len(),
            lat.len(),
            percentile(&lat, 0.5),
            percentile(&lat, 0.99)
        );
        if let Some(path) = &args.run.json {
            let line = serde_json::json!({
                "label": args.run.label,
                "scenario": format!("raw, {name}"),
                "clients": users.len(),
                "seconds": secs,
                "errors": 0,
                "unanswered": 0,
                "inconsistent": 0,
                "figures": [{
                    "kind": "rsvp",
                    "requests": lat.len(),
                    "per_second": per_second,
                    "p50_ms": percentile(&lat, 0.5),
                    "p99_ms": percentile(&lat, 0.99),
                    "max_ms": lat.last().map_or(0.0, |m| *m as f64 / 1000.0),
                }],
            });
            append_json_line(path, &line)?;
        }
    }
    db.close().await;
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("linli-raw: {e}");
            ExitCode::FAILURE
        }
    }
}
