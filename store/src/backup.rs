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
