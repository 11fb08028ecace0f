//! Online backups of the SQLite database: `VACUUM INTO` a temporary file (a consistent snapshot,
//! safe while the server runs), fsync, check its integrity, then rename it into place.

use crate::{Db, Engine, Result, StoreError};
use sqlx::Connection;
use std::path::Path;

impl Db {
    pub async fn backup_to(&self, dest: &Path) -> Result<()> {
        if self.engine() != Engine::Sqlite {
            return Err(StoreError::Invalid(
                "linli backup covers the embedded SQLite database; back up PostgreSQL with pg_dump or a base backup".into(),
            ));
        }
        if dest.exists() {
            return Err(StoreError::Invalid(format!(
                "{} already exists; choose a new file",
                dest.display()
            )));
        }
        let tmp = dest.with_extension("partial");
        let _ = std::fs::remove_file(&tmp);
        let tmp_str = tmp
            .to_str()
            .ok_or_else(|| StoreError::Invalid("backup path must be valid UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(tmp_str)
            .execute(self.pool())
            .await?;
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| StoreError::Other(format!("fsync: {e}")))?;
        let mut copy = sqlx::AnyConnection::connect(&format!("sqlite://{tmp_str}")).await?;
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut copy)
            .await?;
        // A plain rollback journal makes the backup one self-contained file.
        sqlx::query("PRAGMA journal_mode = DELETE")
            .execute(&mut copy)
            .await?;
        copy.close().await?;
        if check != "ok" {
            let _ = std::fs::remove_file(&tmp);
            return Err(StoreError::Other(format!(
                "backup failed its integrity check: {check}"
            )));
        }
        std::fs::rename(&tmp, dest).map_err(|e| StoreError::Other(format!("rename: {e}")))?;
        if let Some(dir) = dest.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

impl Db {
    /// Checks the stored data after a crash or a restore: the engine's own integrity check
    /// (SQLite: `integrity_check` and `foreign_key_check`) and Linli's invariants — every
    /// occurrence's `taken` equals the seats of its "going" answers and stays within the capacity,
    /// and nobody waits in line for a scheduled occurrence while the first in line would fit.
    /// Returns the problems found (empty: all is well).
    pub async fn check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        if self.engine() == Engine::Sqlite {
            let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_all(self.pool())
                .await?;
            if rows != ["ok"] {
                problems.extend(rows.into_iter().map(|r| format!("integrity_check: {r}")));
            }
            let broken: Vec<String> =
                sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check")
                    .fetch_all(self.pool())
                    .await?;
            problems.extend(
                broken
                    .into_iter()
                    .map(|t| format!("foreign_key_check: a row of {t} points nowhere")),
            );
        }
        let seats: Vec<(i64, i64, i64, String, i64, i64)> = sqlx::query_as(
            "SELECT o.id, o.taken, o.capacity, o.status, \
                    CAST(COALESCE((SELECT SUM(r.seats) FROM rsvp r \
                                   WHERE r.occurrence_id = o.id AND r.status = 'going'), 0) AS BIGINT), \
                    CAST(COALESCE((SELECT r.seats FROM rsvp r \
                                   WHERE r.occurrence_id = o.id AND r.status = 'waitlisted' \
                                   ORDER BY r.seq LIMIT 1), 0) AS BIGINT) \
             FROM occurrence o ORDER BY o.id",
        )
        .fetch_all(self.pool())
        .await?;
        for (id, taken, capacity, status, going, first_waiting) in seats {
            if taken != going {
                problems.push(format!(
                    "occurrence {id}: taken is {taken} but the going answers hold {going} seats"
                ));
            }
            if going > capacity {
                problems.push(format!(
                    "occurrence {id}: {going} seats taken of {capacity}"
                ));
            }
            if status == "scheduled" && first_waiting > 0 && first_waiting <= capacity - going {
                problems.push(format!(
                    "occurrence {id}: the first in line ({first_waiting} seats) waits while {} are free",
                    capacity - going
                ));
            }
        }
        Ok(problems)
    }
}

/// Restores a backup written by `backup_to` into `dest` (a SQLite file that does not exist yet, or
/// an empty one): copies it beside `dest`, opens the copy, checks it (`check`: integrity, foreign
/// keys, seat invariants), brings its schema up to date (`migrate`), then renames it into place.
/// A backup that fails any step leaves `dest` as it was.
pub async fn restore_sqlite(backup: &Path, dest: &Path) -> Result<()> {
    if !backup.is_file() {
        return Err(StoreError::Invalid(format!(
            "{} is not a file",
            backup.display()
        )));
    }
    if !starts_with(backup, b"SQLite format 3\0") {
        return Err(StoreError::Invalid(format!(
            "not a Linli backup: {} is not a SQLite database",
            backup.display()
        )));
    }
    if dest.exists() {
        let existing = Db::connect(&format!("sqlite://{}", dest.display())).await?;
        let empty = existing.migrate().await.is_ok()
            && existing.is_empty().await?
            && existing.count_users().await? == 0;
        existing.pool().close().await;
        if !empty {
            return Err(StoreError::Invalid(format!(
                "{} already holds data; stop the server and move it aside before restoring",
                dest.display()
            )));
        }
    }
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Other(format!("cannot create {}: {e}", dir.display())))?;
    }
    let tmp = dest.with_extension("restoring");
    let _ = std::fs::remove_file(&tmp);
    std::fs::copy(backup, &tmp).map_err(|e| {
        StoreError::Other(format!(
            "cannot copy {} to {}: {e}",
            backup.display(),
            tmp.display()
        ))
    })?;
    let result = async {
        let db = Db::connect(&format!("sqlite://{}", tmp.display())).await?;
        let problems = db.check().await?;
        if !problems.is_empty() {
            db.pool().close().await;
            return Err(StoreError::Invalid(format!(
                "the backup fails its check: {}",
                problems.join("; ")
            )));
        }
        db.migrate().await?;
        // Fold the write-ahead log into the file so the rename moves everything.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(db.pool())
            .await?;
        db.pool().close().await;
        Ok(())
    }
    .await;
    if let Err(e) = result {
        for ext in ["restoring", "restoring-wal", "restoring-shm"] {
            let _ = std::fs::remove_file(dest.with_extension(ext));
        }
        return Err(match e {
            StoreError::Db(e) => StoreError::Invalid(format!("not a Linli backup: {e}")),
            StoreError::Migrate(e) => StoreError::Invalid(format!("not a Linli backup: {e}")),
            e => e,
        });
    }
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::Other(format!("fsync: {e}")))?;
    for ext in ["wal", "shm"] {
        let _ = std::fs::remove_file(format!("{}-{ext}", dest.display()));
    }
    std::fs::rename(&tmp, dest).map_err(|e| StoreError::Other(format!("rename: {e}")))?;
    let _ = std::fs::remove_file(dest.with_extension("restoring-wal"));
    let _ = std::fs::remove_file(dest.with_extension("restoring-shm"));
    Ok(())
}

/// Whether the file begins with `signature` (how SQLite databases and pg_dump archives announce themselves).
fn starts_with(file: &Path, signature: &[u8]) -> bool {
    let mut head = vec![0u8; signature.len()];
    std::fs::File::open(file)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| head == signature)
}

/// A PostgreSQL client tool (`pg_dump`, `pg_restore`) of the newest installed version, else from PATH.
fn pg_tool(name: &str) -> std::path::PathBuf {
    let mut found: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|d| d.path().join("bin").join(name))
        .filter(|p| p.is_file())
        .collect();
    found.sort_by_key(|p| {
        p.components()
            .nth(4)
            .and_then(|c| c.as_os_str().to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found
        .pop()
        .unwrap_or_else(|| std::path::PathBuf::from(name))
}

async fn run_tool(name: &str, args: &[&std::ffi::OsStr]) -> Result<()> {
    let out = tokio::process::Command::new(pg_tool(name))
        .args(args)
        .output()
        .await
        .map_err(|e| {
            StoreError::Other(format!(
                "cannot run {name} (install PostgreSQL's client tools): {e}"
            ))
        })?;
    if !out.status.success() {
        return Err(StoreError::Other(format!(
            "{name} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// PostgreSQL: a `pg_dump` archive (custom format) of the database at `url`, written beside `dest`,
/// listed back with `pg_restore --list` to prove it reads, then renamed into place. Never overwrites.
pub async fn backup_postgres(url: &str, dest: &Path) -> Result<()> {
    if dest.exists() {
        return Err(StoreError::Invalid(format!(
            "{} already exists; choose a new file",
            dest.display()
        )));
    }
    let tmp = dest.with_extension("partial");
    let _ = std::fs::remove_file(&tmp);
    let file = format!("--file={}", tmp.display());
    let db = format!("--dbname={url}");
    let result = async {
        run_tool(
            "pg_dump",
            &[
                "--format=custom".as_ref(),
                "--no-owner".as_ref(),
                file.as_ref(),
                db.as_ref(),
            ],
        )
        .await?;
        run_tool("pg_restore", &["--list".as_ref(), tmp.as_os_str()]).await
    }
    .await;
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, dest).map_err(|e| StoreError::Other(format!("rename: {e}")))?;
    Ok(())
}

/// PostgreSQL: restores a `backup_postgres` archive into the database at `url`, which must hold no
/// tables yet, in one transaction (`pg_restore --single-transaction --exit-on-error`); then
/// migrates it and runs `check`.
pub async fn restore_postgres(backup: &Path, url: &str) -> Result<()> {
    if !starts_with(backup, b"PGDMP") {
        return Err(StoreError::Invalid(format!(
            "not a Linli backup: {} is not a pg_dump archive",
            backup.display()
        )));
    }
    let target = Db::connect(url).await?;
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()",
    )
    .fetch_one(target.pool())
    .await?;
    target.pool().close().await;
    if tables > 0 {
        return Err(StoreError::Invalid(
            "the target database already holds tables; restore into a new, empty database".into(),
        ));
    }
    let db = format!("--dbname={url}");
    run_tool(
        "pg_restore",
        &[
            "--no-owner".as_ref(),
            "--no-privileges".as_ref(),
            "--single-transaction".as_ref(),
            "--exit-on-error".as_ref(),
            db.as_ref(),
            backup.as_os_str(),
        ],
    )
    .await?;
    let restored = Db::connect(url).await?;
    restored.migrate().await?;
    let problems = restored.check().await?;
    restored.pool().close().await;
    if !problems.is_empty() {
        return Err(StoreError::Invalid(format!(
            "restored, but the data fails its check: {}",
            problems.join("; ")
        )));
    }
    Ok(())
}
