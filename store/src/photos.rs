//! Photos: stored checked and without metadata (`domain::photo`), at most
//! `domain::photo::MAX_PER_SUBJECT` per subject and purpose — counted in the transaction that
//! adds one, so two uploads at once cannot pass the limit together. Who may see one is the
//! caller's decision (the subject's rules); this module only keeps them.

use crate::{Db, Result, StoreError};
use domain::photo::{PhotoInfo, MAX_PER_SUBJECT};
use serde::{Deserialize, Serialize};

/// What is known of a photo without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PhotoMeta {
    pub id: i64,
    pub subject: String,
    pub purpose: String,
    pub owner_id: Option<i64>,
    pub mime: String,
    pub width: i64,
    pub height: i64,
    pub created_at: i64,
}

const META: &str =
    "SELECT id, subject, purpose, owner_id, mime, width, height, created_at FROM photo";

impl Db {
    /// Keeps `bytes` (already checked as `info` and stripped) for `subject`/`purpose`; a fourth
    /// photo of the same subject and purpose is `Invalid("too many")`.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_photo(
        &self,
        subject: &str,
        purpose: &str,
        owner_id: Option<i64>,
        info: PhotoInfo,
        bytes: &[u8],
        now: i64,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM photo WHERE subject = $1 AND purpose = $2")
                .bind(subject)
                .bind(purpose)
                .fetch_one(&mut *tx)
                .await?;
        if n as usize >= MAX_PER_SUBJECT {
            return Err(StoreError::Invalid("too many".into()));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO photo (subject, purpose, owner_id, mime, width, height, bytes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(subject)
        .bind(purpose)
        .bind(owner_id)
        .bind(info.format.mime())
        .bind(info.width as i64)
        .bind(info.height as i64)
        .bind(bytes.to_vec())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The photos of the subjects named, oldest first.
    pub async fn photos_of(&self, subjects: &[String]) -> Result<Vec<PhotoMeta>> {
        if subjects.is_empty() {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_as(&format!(
            "{META} WHERE subject IN ({}) ORDER BY id",
            // Subjects are ours (`wish:12`); anything else is left out rather than quoted.
            crate::services::in_list(subjects.iter().map(String::as_str).filter(|s| {
                s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b':' || b == b'-')
            }))
        ))
        .fetch_all(self.pool())
        .await?)
    }

    /// The photos `user_id` uploaded, oldest first.
    pub async fn photos_by(&self, user_id: i64) -> Result<Vec<PhotoMeta>> {
        Ok(
            sqlx::query_as(&format!("{META} WHERE owner_id = $1 ORDER BY id"))
                .bind(user_id)
                .fetch_all(self.pool())
                .await?,
        )
    }

    pub async fn photo_meta(&self, id: i64) -> Result<PhotoMeta> {
        sqlx::query_as(&format!("{META} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn photo_bytes(&self, id: i64) -> Result<Vec<u8>> {
        sqlx::query_scalar("SELECT bytes FROM photo WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Removes a photo (its uploader or the organiser changed their mind).
    pub async fn delete_photo(&self, id: i64) -> Result<()> {
        let n = sqlx::query("DELETE FROM photo WHERE id = $1")
            .bind(id)
            .execute(self.writes())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
