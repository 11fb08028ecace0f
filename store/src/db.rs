use crate::{Result, StoreError};
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A handle to the database. Cheap to clone; the server keeps no other state.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    /// Where writes go. SQLite: one connection (its one writer, shared in turn by the group
    /// commit of `writer.rs` and every other write transaction, so Linli's writes queue in order
    /// instead of sleeping on SQLite's lock); PostgreSQL: the same pool as reads.
    writes: AnyPool,
    engine: Engine,
    /// The writer (group commit, `writer.rs`); none for `without_writer`.
    pub(crate) writer: Option<crate::writer::Writer>,
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Every SQLite connection's settings. WAL + FULL: no acknowledged write is lost on a crash
/// (measured, toolchain.md).
async fn sqlite_pragmas(conn: &mut sqlx::AnyConnection) -> std::result::Result<(), sqlx::Error> {
    conn.execute(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;",
    )
    .await?;
    Ok(())
}

impl Db {
    /// Opens `sqlite://PATH` (created if missing, with its directory) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else {
            return Err(StoreError::Invalid(format!(
                "unsupported database URL (use sqlite:// or postgres://): {url}"
            )));
        };
        let mut url = url.to_owned();
        let opts = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        let (pool, writes) = match engine {
            Engine::Sqlite => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or_default().to_owned();
                if path != ":memory:" {
                    if let Some(dir) = std::path::Path::new(&path).parent() {
                        if !dir.as_os_str().is_empty() {
                            std::fs::create_dir_all(dir).map_err(|e| {
                                StoreError::Other(format!("cannot create {}: {e}", dir.display()))
                            })?;
                        }
                    }
                }
                if !url.contains('?') {
                    url.push_str("?mode=rwc");
                }
                let reads = opts
                    .clone()
                    .max_connections(8)
                    .after_connect(|conn, _| Box::pin(async move { sqlite_pragmas(conn).await }));
                let writes = opts
                    .max_connections(1)
                    .test_before_acquire(false)
                    .after_connect(|conn, _| Box::pin(async move { sqlite_pragmas(conn).await }));
                (
                    reads.connect(&url).await?,
                    Some(writes.connect(&url).await?),
                )
            }
            Engine::Postgres => (opts.max_connections(16).connect(&url).await?, None),
        };
        let writes = writes.unwrap_or_else(|| pool.clone());
        let writer = Some(crate::writer::Writer::start(writes.clone(), engine));
        Ok(Db {
            pool,
            writes,
            engine,
            writer,
        })
    }

    /// This database without the one writer: every `Db::write` its own transaction and commit
    /// (the baseline `linli-raw` measures group commit against).
    pub fn without_writer(&self) -> Db {
        Db {
            writer: None,
            ..self.clone()
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool single statements that write go to (see `writes` on `Db`).
    pub fn writes(&self) -> &AnyPool {
        &self.writes
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.engine {
            Engine::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Engine::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.writes.close().await;
        self.pool.close().await;
    }

    /// A transaction that may read before it writes. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction fails with "database is locked" instead of waiting.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.engine {
            Engine::Sqlite => self.writes.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => self.pool.begin().await?,
        })
    }

    /// Claims a phone's request key for `user` inside the write's transaction `tx`: `false` when
    /// the key was claimed before (the write was done by an earlier try; do nothing again). The
    /// claim commits or rolls back with the write, so a refused write may be tried again.
    pub(crate) async fn claim_key(
        tx: &mut Transaction<'static, Any>,
        user: i64,
        key: &str,
        now: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO request_key (user_id, key, made_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, key) DO NOTHING",
        )
        .bind(user)
        .bind(key)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// `FOR UPDATE` where the engine has row locks (SQLite's write lock already covers the database).
    /// ` FOR UPDATE OF <table>` on PostgreSQL (locking only that table's row of a join), nothing
    /// on SQLite (where `begin_write` already holds the write lock).
    pub(crate) fn for_update_of(&self, table: &str) -> String {
        match self.engine {
            Engine::Sqlite => String::new(),
            Engine::Postgres => format!(" FOR UPDATE OF {table}"),
        }
    }

    pub(crate) fn for_update(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE",
        }
    }

    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
