//! Storage of login-throttle counters; the rule itself is `domain::throttle`.

use crate::{Db, Result};
use domain::throttle::{Attempts, ThrottlePolicy};

/// Keys: `pair:NAME|ADDR`, `user:NAME`, `addr:ADDR`, `register:ADDR`.
pub(crate) fn policy_for(key: &str) -> ThrottlePolicy {
    match key.split_once(':').map(|(kind, _)| kind) {
        Some("pair") => ThrottlePolicy::PAIR,
        Some("addr") => ThrottlePolicy::ADDRESS,
        Some("register") => ThrottlePolicy::REGISTRATION,
        _ => ThrottlePolicy::ACCOUNT,
    }
}

impl Db {
    pub(crate) async fn throttle_locked(
        &self,
        key: &str,
        policy: &ThrottlePolicy,
        now: i64,
    ) -> Result<Option<i64>> {
        let row: Option<(i64, i64, i64)> = sqlx::query_as(
            "SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.and_then(|(f, w, l)| {
            policy.locked_for(
                &Attempts {
                    failures: f as u32,
                    window_start: w,
                    locked_until: l,
                },
                now,
            )
        }))
    }

    /// Counts one failure; read-modify-write under the write lock so concurrent failures all count.
    pub(crate) async fn throttle_fail(
        &self,
        key: &str,
        policy: &ThrottlePolicy,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, 0, $2, 0) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let (f, w, l): (i64, i64, i64) = sqlx::query_as(&format!(
            "SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1{}",
            self.for_update()
        ))
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        let a = policy.record_failure(
            Attempts {
                failures: f as u32,
                window_start: w,
                locked_until: l,
            },
            now,
        );
        sqlx::query("UPDATE login_throttle SET failures = $1, window_start = $2, locked_until = $3 WHERE key = $4")
            .bind(a.failures as i64)
            .bind(a.window_start)
            .bind(a.locked_until)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn throttle_reset(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(key)
            .execute(self.writes())
            .await?;
        Ok(())
    }

    /// Seconds until this address may register again, if it has registered too often.
    pub async fn registration_locked(&self, addr: &str) -> Result<Option<i64>> {
        let key = format!("register:{addr}");
        self.throttle_locked(&key, &policy_for(&key), crate::now())
            .await
    }

    /// Counts one registration from this address.
    pub async fn registration_counted(&self, addr: &str) -> Result<()> {
        let key = format!("register:{addr}");
        self.throttle_fail(&key, &policy_for(&key), crate::now())
            .await
    }

    /// Lifts every lock (administrator action, and for tests).
    pub async fn clear_throttles(&self) -> Result<()> {
        sqlx::query("DELETE FROM login_throttle")
            .execute(self.writes())
            .await?;
        Ok(())
    }
}
