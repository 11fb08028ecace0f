//! `linli`: serve the app, migrate, load demo data, back up, and manage users.

use clap::{Parser, Subcommand};
use domain::demo::{Scale, DEMO_PASSWORD};
use server::{router, Config};
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

const DEFAULT_DB: &str = "sqlite://data/linli.db";

#[derive(Parser)]
#[command(
    name = "linli",
    version,
    about = "Linli (邻里): grids, party organisation and neighbourhood events"
)]
struct Cli {
    /// sqlite://PATH (default, embedded) or postgres://USER@HOST/DB
    #[arg(long, env = "LINLI_DATABASE_URL", default_value = DEFAULT_DB, global = true)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the built app and the server functions.
    Serve {
        #[arg(long, env = "LINLI_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Directory of the built app (trunk's dist/).
        #[arg(long, env = "LINLI_DIST", default_value = "dist")]
        dist: PathBuf,
        /// Load the demo district when the database is empty.
        #[arg(long, env = "LINLI_DEMO")]
        demo: bool,
        /// Public URL; an https:// URL makes cookies Secure and turns on HSTS.
        #[arg(long, env = "LINLI_PUBLIC_URL")]
        public_url: Option<String>,
        /// Read the client address from X-Forwarded-For (only behind your own reverse proxy).
        #[arg(long, env = "LINLI_TRUST_PROXY")]
        trust_proxy: bool,
        /// Hold staff roles to the strict (MLPS) password policy.
        #[arg(long, env = "LINLI_STRICT_STAFF_PASSWORDS")]
        strict_staff_passwords: bool,
        /// An XYZ raster tile URL template for the map background, e.g.
        /// `https://tiles.example.gov.cn/{z}/{x}/{y}.png` (off by default).
        #[arg(long, env = "LINLI_TILE_URL")]
        tile_url: Option<String>,
        /// Idle session timeout in minutes.
        #[arg(long, env = "LINLI_SESSION_IDLE_MINUTES", default_value_t = 30)]
        session_idle_minutes: i64,
        /// Absolute session lifetime in hours.
        #[arg(long, env = "LINLI_SESSION_HOURS", default_value_t = 12)]
        session_hours: i64,
    },
    /// Create or upgrade the database schema.
    Migrate,
    /// Choose the party organisation's level set: `five` (街道党工委 … 党员中心户, the default),
    /// `four` (社区党组织 … 党员中心户), `district` (区委 → 党工委 → 党委 → 党总支 → 党支部 → 党小组,
    /// committees inside committees), or a JSON file with your own levels.
    OrgLevels {
        /// five, four, district, or the path of a JSON level set
        levels: String,
    },
    /// Set the district's administrative division code (GB/T 2260, six digits, e.g. 320113):
    /// new top-level grids are numbered under it (320113001, 320113002, …).
    District {
        /// six digits
        code: String,
    },
    /// Load the demo district into an empty database.
    Demo {
        /// small (default), medium (Guancheng: 564 level-3 grids) or large (Tongchuan: 1,206 level-3
        /// grids, 11,423 organisation units, 5,000 events)
        #[arg(long, default_value = "small")]
        scale: String,
    },
    /// Write a consistent, checked copy of the database (SQLite: `VACUUM INTO`; PostgreSQL: a
    /// `pg_dump` archive).
    Backup {
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup made by `linli backup` into a new or empty database (SQLite: checked and
    /// migrated before it is moved into place; PostgreSQL: `pg_restore` in one transaction, then checked).
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// Check the stored data (engine integrity check and Linli's invariants); exit code 1 on problems.
    Check,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// admin | organiser | grid-worker | resident
        #[arg(long)]
        role: String,
        /// Party-unit code (organiser) or grid code (grid worker, resident).
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Required: read the password from standard input (never from the command line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Issue an API key for an account (Open311 clients file reports with it as that account);
    /// printed once, only its hash is kept.
    ApiKey {
        #[arg(long)]
        username: String,
    },
}

fn today_days() -> i64 {
    (store::now() + domain::date::SHANGHAI_OFFSET_SECS).div_euclid(86_400)
}

async fn open(url: &str) -> Result<store::Db, String> {
    let db = store::Db::connect(url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    Ok(db)
}

async fn load_demo(db: &store::Db, scale: Scale) -> Result<(), String> {
    let district = domain::demo::generate(scale, today_days());
    db.load_demo(&district)
        .await
        .map_err(|e| format!("demo not loaded: {e}"))?;
    // A year of field reports, so the rates and the hot spots mean something.
    let per_year = match scale {
        Scale::Small => 900,
        Scale::Medium => 8_000,
        Scale::Large => 20_000,
    };
    let reports = domain::demo_field::year(&district, store::now(), per_year);
    db.load_demo_field(&reports, &district.departments)
        .await
        .map_err(|e| format!("demo field reports not loaded: {e}"))?;
    Ok(())
}

fn print_demo_accounts() {
    println!("Demo accounts (password for all: {DEMO_PASSWORD}):");
    println!("  admin   系统管理员 administrator");
    println!("  shuji   组织委员 organiser, scope: the first community's party committee");
    println!("  wangge  网格员 grid worker, scope: one level-2 grid area");
    println!("  jumin   居民 resident of the first community");
    println!("  jiedao  街道工委 organiser, scope: the street (blows the whistle)");
    println!("  zhujian, chengguan, shuiwu, shijian, gongan  departments the street whistles");
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve {
            listen,
            dist,
            demo,
            public_url,
            trust_proxy,
            strict_staff_passwords,
            tile_url,
            session_idle_minutes,
            session_hours,
        } => {
            let tile_url = tile_url.filter(|u| !u.trim().is_empty());
            if let Some(u) = &tile_url {
                server::security::tile_origin(u).ok_or_else(|| {
                    format!("--tile-url must be an http(s) URL with {{z}}, {{x}} and {{y}}: {u}")
                })?;
            }
            if !server::entry_page(&dist, "/").is_file() {
                return Err(format!(
                    "{} has no entry page (map.html or index.html): build the app first (scripts/run.sh does)",
                    dist.display()
                ));
            }
            let db = open(&cli.database_url).await?;
            let mut demo_loaded = false;
            if demo && db.is_empty().await.map_err(|e| e.to_string())? {
                load_demo(&db, Scale::Small).await?;
                demo_loaded = true;
                tracing::info!("demo district loaded");
            }
            if db.count_users().await.map_err(|e| e.to_string())? == 0 {
                println!("No accounts yet. Create an administrator with:");
                println!("  linli user add --username admin --role admin --password-stdin");
            }
            store::password::warm_up();
            let policy = domain::session::SessionPolicy {
                idle_secs: session_idle_minutes.max(1) * 60,
                absolute_secs: session_hours.max(1) * 3600,
                ..Default::default()
            };
            let cfg = Config {
                dist,
                trust_proxy,
                state: app::api::ssr::ServerState {
                    db: db.clone(),
                    session_policy: policy,
                    secure_cookies: public_url
                        .as_deref()
                        .is_some_and(|u| u.starts_with("https://")),
                    strict_staff_passwords,
                    tile_url,
                },
            };
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            // The field reports' clock: once a minute, what nobody acknowledged in time goes up a
            // level. Each report moves under its row lock, so several servers can run this.
            let clock_db = db.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
                loop {
                    tick.tick().await;
                    let cal = app::api::field::ssr_field::calendar(&clock_db).await;
                    match clock_db.escalate_overdue(&cal, store::now()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(moved = n, "field reports passed up by the clock"),
                        Err(e) => tracing::warn!(error = %e, "field report clock failed"),
                    }
                }
            });
            let url = public_url
                .clone()
                .unwrap_or_else(|| format!("http://{listen}"));
            println!("Linli is running: open {url}");
            if demo_loaded || (demo && db.user_by_name("admin").await.ok().flatten().is_some()) {
                print_demo_accounts();
            }
            tracing::info!(%listen, "listening");
            axum::serve(
                listener,
                router(cfg).into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| e.to_string())?;
            db.close().await;
            tracing::info!("stopped");
            Ok(())
        }
        Command::Migrate => {
            open(&cli.database_url).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::OrgLevels { levels } => {
            let value = match levels.as_str() {
                "five" | "four" | "district" => levels.clone(),
                path => {
                    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?
                }
            };
            let db = open(&cli.database_url).await?;
            let set = db.set_org_levels(&value).await.map_err(|e| e.to_string())?;
            let names: Vec<&str> = set.levels.iter().map(|l| l.name_zh.as_str()).collect();
            println!("party organisation levels: {}", names.join(" → "));
            Ok(())
        }
        Command::District { code } => {
            let code = domain::Code::district(&code).map_err(|e| e.to_string())?;
            let db = open(&cli.database_url).await?;
            db.set_setting(store::settings::DISTRICT_CODE, code.as_str())
                .await
                .map_err(|e| e.to_string())?;
            println!("district code: {code}");
            Ok(())
        }
        Command::Demo { scale } => {
            let scale = Scale::parse(&scale).ok_or("--scale must be small, medium or large")?;
            let db = open(&cli.database_url).await?;
            load_demo(&db, scale).await?;
            println!(
                "demo loaded: {} grids, {} organisation units, {} events",
                db.count_grids().await.map_err(|e| e.to_string())?,
                db.count_units().await.map_err(|e| e.to_string())?,
                db.count_events().await.map_err(|e| e.to_string())?
            );
            print_demo_accounts();
            Ok(())
        }
        Command::Backup { to } => {
            if cli.database_url.starts_with("postgres") {
                store::backup::backup_postgres(&cli.database_url, &to)
                    .await
                    .map_err(|e| format!("backup failed: {e}"))?;
                println!("backup written and listed back: {}", to.display());
                return Ok(());
            }
            let db = store::Db::connect(&cli.database_url)
                .await
                .map_err(|e| e.to_string())?;
            db.backup_to(&to)
                .await
                .map_err(|e| format!("backup failed: {e}"))?;
            println!("backup written and verified: {}", to.display());
            Ok(())
        }
        Command::Restore { from } => {
            if cli.database_url.starts_with("postgres") {
                store::backup::restore_postgres(&from, &cli.database_url)
                    .await
                    .map_err(|e| format!("restore failed: {e}"))?;
                println!("restored {} and checked it", from.display());
                return Ok(());
            }
            let Some(path) = cli
                .database_url
                .strip_prefix("sqlite://")
                .or_else(|| cli.database_url.strip_prefix("sqlite:"))
            else {
                return Err("unsupported database URL (use sqlite:// or postgres://)".into());
            };
            let dest = PathBuf::from(path.split('?').next().unwrap_or_default());
            store::backup::restore_sqlite(&from, &dest)
                .await
                .map_err(|e| format!("restore failed: {e}"))?;
            println!("restored {} into {}", from.display(), dest.display());
            Ok(())
        }
        Command::Check => {
            let db = store::Db::connect(&cli.database_url)
                .await
                .map_err(|e| e.to_string())?;
            let problems = db.check().await.map_err(|e| format!("check failed: {e}"))?;
            if problems.is_empty() {
                println!("ok");
                return Ok(());
            }
            for p in &problems {
                println!("{p}");
            }
            Err(format!("{} problems found", problems.len()))
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    scope,
                    display_name,
                    password_stdin,
                },
        } => {
            if !password_stdin {
                return Err("pass --password-stdin and type the password on standard input".into());
            }
            let name = domain::Username::parse(&username).map_err(|e| e.to_string())?;
            let role = domain::Role::parse(&role)
                .ok_or("--role must be admin, organiser, grid-worker or resident")?;
            let scope = scope
                .as_deref()
                .map(domain::Code::parse)
                .transpose()
                .map_err(|e| format!("--scope: {e}"))?;
            let mut input = String::new();
            std::io::stdin()
                .take(4096)
                .read_to_string(&mut input)
                .map_err(|e| e.to_string())?;
            let password = input
                .strip_suffix('\n')
                .map(|s| s.strip_suffix('\r').unwrap_or(s))
                .unwrap_or(&input);
            let policy = if role.is_staff() {
                domain::PasswordPolicy::Strict
            } else {
                domain::PasswordPolicy::Standard
            };
            let password = domain::Password::parse(password, name.as_str(), policy)
                .map_err(|e| format!("password: {e}"))?;
            let display = display_name.unwrap_or_else(|| name.as_str().to_owned());
            let display =
                domain::account::parse_display_name(&display).map_err(|e| e.to_string())?;
            let db = open(&cli.database_url).await?;
            let u = db
                .create_user(store::users::NewUser {
                    username: &name,
                    display_name: &display,
                    password: &password,
                    role,
                    scope: scope.as_ref(),
                })
                .await
                .map_err(|e| match e {
                    store::StoreError::Duplicate => {
                        format!("user {} already exists", name.as_str())
                    }
                    e => e.to_string(),
                })?;
            println!("user {} added as {}", u.username, u.role.as_str());
            Ok(())
        }
        Command::User {
            command: UserCommand::ApiKey { username },
        } => {
            let db = open(&cli.database_url).await?;
            let u = db
                .user_by_name(username.trim())
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no user {username}"))?;
            let key = db.add_api_key(u.id).await.map_err(|e| e.to_string())?;
            println!("{key}");
            eprintln!(
                "API key for {}: send it as api_key to /open311/v2/requests.json; it is not shown again",
                u.username
            );
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LINLI_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_target(false)
        .init();
    let cli = Cli::parse();
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("linli: {e}");
            ExitCode::FAILURE
        }
    }
}
