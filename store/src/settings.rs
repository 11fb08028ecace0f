//! Deployment settings an administrator can change at run time.

use crate::{Db, Result};

pub const REGISTRATION_OPEN: &str = "registration_open";
/// The district's administrative division code (GB/T 2260), which starts new top-level grid codes.
pub const DISTRICT_CODE: &str = "district_code";

impl Db {
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM setting WHERE key = $1")
                .bind(key)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query("INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(self.writes())
            .await?;
        Ok(())
    }

    /// The district's code, if an administrator set one (`domain::Code::district`).
    pub async fn district_code(&self) -> Result<Option<domain::Code>> {
        Ok(self
            .setting(DISTRICT_CODE)
            .await?
            .and_then(|c| domain::Code::district(&c).ok()))
    }

    /// Residents may register themselves unless an administrator turned it off.
    pub async fn registration_open(&self) -> Result<bool> {
        Ok(self.setting(REGISTRATION_OPEN).await?.as_deref() != Some("false"))
    }
}
