//! Server-side sessions. The browser holds a 256-bit random token; the table stores its SHA-256,
//! so a leaked database does not leak live sessions. Lifetimes follow `domain::session`.

use crate::{Db, Result};
use domain::session::{SessionCheck, SessionPolicy};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::users::{UserRow, U_COLUMNS};

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    session_created: i64,
    last_seen_at: i64,
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Db {
    /// Starts a session for `user_id` and returns the token for the cookie.
    pub async fn create_session(&self, user_id: i64) -> Result<String> {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        let now = crate::now();
        sqlx::query("INSERT INTO user_session (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)")
            .bind(token_hash(&token))
            .bind(user_id)
            .bind(now)
            .execute(self.writes())
            .await?;
        Ok(token)
    }

    /// The user behind a session token, if the session is live and the account enabled.
    /// Expired sessions are deleted; live ones have `last_seen_at` refreshed now and then.
    pub async fn session_user(
        &self,
        token: &str,
        policy: &SessionPolicy,
    ) -> Result<Option<crate::users::User>> {
        if token.len() != 64 {
            return Ok(None);
        }
        let h = token_hash(token);
        // One round trip for the session and its account: this runs on every request.
        let row: Option<SessionRow> = sqlx::query_as(&format!(
            "SELECT {U_COLUMNS}, s.created_at AS session_created, s.last_seen_at FROM user_session s \
             JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = $1 AND u.disabled = 0"
        ))
        .bind(&h)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let now = crate::now();
        match policy.check(row.session_created, row.last_seen_at, now) {
            SessionCheck::Expired => {
                sqlx::query("DELETE FROM user_session WHERE token_hash = $1")
                    .bind(&h)
                    .execute(self.writes())
                    .await?;
                Ok(None)
            }
            SessionCheck::Valid { touch } => {
                if touch {
                    sqlx::query("UPDATE user_session SET last_seen_at = $1 WHERE token_hash = $2")
                        .bind(now)
                        .bind(&h)
                        .execute(self.writes())
                        .await?;
                }
                Ok(Some(row.user.try_into()?))
            }
        }
    }

    pub async fn delete_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM user_session WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(self.writes())
            .await?;
        Ok(())
    }

    pub async fn count_sessions(&self, user_id: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM user_session WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Backdates a session (tests of the idle and absolute timeouts use it).
    pub async fn age_session(&self, token: &str, by_secs: i64) -> Result<()> {
        sqlx::query("UPDATE user_session SET created_at = created_at - $1, last_seen_at = last_seen_at - $1 WHERE token_hash = $2")
            .bind(by_secs)
            .bind(token_hash(token))
            .execute(self.writes())
            .await?;
        Ok(())
    }
}
