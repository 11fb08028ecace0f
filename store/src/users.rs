//! Accounts. Passwords arrive already checked against the policy (`domain::Password`) and leave
//! only as argon2id hashes; a `User` never carries its hash to callers.

use crate::{password, throttle, Db, Result, StoreError};
use domain::{Code, Principal, Role, Username};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Option<Code>,
    pub disabled: bool,
    pub created_at: i64,
    /// A party member (党员): sees events published for party members.
    pub party_member: bool,
}

impl User {
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.id,
            username: self.username.clone(),
            role: self.role,
            scope: self.scope.clone(),
            party_member: self.party_member,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    scope: Option<String>,
    disabled: i64,
    created_at: i64,
    party_member: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<User> {
        Ok(User {
            id: r.id,
            role: Role::parse(&r.role)
                .ok_or_else(|| StoreError::Other(format!("unknown role {}", r.role)))?,
            scope: r
                .scope
                .as_deref()
                .map(Code::parse)
                .transpose()
                .map_err(|e| StoreError::Other(e.to_string()))?,
            username: r.username,
            display_name: r.display_name,
            disabled: r.disabled != 0,
            created_at: r.created_at,
            party_member: r.party_member != 0,
        })
    }
}

const COLUMNS: &str = "id, username, display_name, role, scope, disabled, created_at, party_member";
/// `COLUMNS` of `app_user` aliased as `u` (for joins).
pub(crate) const U_COLUMNS: &str =
    "u.id, u.username, u.display_name, u.role, u.scope, u.disabled, u.created_at, u.party_member";

pub struct NewUser<'a> {
    pub username: &'a Username,
    pub display_name: &'a str,
    pub password: &'a domain::Password,
    pub role: Role,
    pub scope: Option<&'a Code>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    /// Unknown user, wrong password or disabled account: deliberately one answer.
    Invalid,
    /// Too many failures for this account or address; seconds until the lock lifts.
    Locked(i64),
}

fn check_scope(role: Role, scope: Option<&Code>) -> Result<()> {
    match (role.needs_scope(), scope) {
        (true, None) => Err(StoreError::Invalid(format!(
            "role {} needs a scope",
            role.as_str()
        ))),
        (false, Some(_)) => Err(StoreError::Invalid("administrators are not scoped".into())),
        _ => Ok(()),
    }
}

impl Db {
    pub async fn create_user(&self, u: NewUser<'_>) -> Result<User> {
        check_scope(u.role, u.scope)?;
        let hash = password::hash(u.password).await?;
        self.insert_user(u.username, u.display_name, &hash, u.role, u.scope)
            .await
    }

    /// Inserts an account with an argon2id hash made earlier (`password::hash`): lets the demo
    /// loader and tests hash one password once for many accounts.
    pub async fn insert_user(
        &self,
        username: &Username,
        display_name: &str,
        password_hash: &str,
        role: Role,
        scope: Option<&Code>,
    ) -> Result<User> {
        check_scope(role, scope)?;
        let now = crate::now();
        let row: UserRow = sqlx::query_as(&format!(
            "INSERT INTO app_user (username, display_name, password_hash, role, scope, disabled, created_at, password_changed_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6, $6) RETURNING {COLUMNS}"
        ))
        .bind(username.as_str())
        .bind(display_name)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(scope.map(|c| c.as_str().to_owned()))
        .bind(now)
        .fetch_one(self.writes())
        .await
        .map_err(StoreError::from_insert)?;
        row.try_into()
    }

    pub async fn user(&self, id: i64) -> Result<User> {
        let row: Option<UserRow> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM app_user WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        let row: Option<UserRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM app_user WHERE username = $1"
        ))
        .bind(username.trim().to_ascii_lowercase())
        .fetch_optional(self.pool())
        .await?;
        row.map(User::try_from).transpose()
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        let rows: Vec<UserRow> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM app_user ORDER BY id"))
                .fetch_all(self.pool())
                .await?;
        rows.into_iter().map(User::try_from).collect()
    }

    /// Display names and usernames of staff accounts (what a resident's name must not pass for).
    pub async fn staff_names(&self) -> Result<Vec<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT display_name, username FROM app_user WHERE role <> $1")
                .bind(Role::Resident.as_str())
                .fetch_all(self.pool())
                .await?,
        )
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM app_user")
            .fetch_one(self.pool())
            .await?)
    }

    /// Changes a user's role and scope. Their sessions end, so the new rights apply at once.
    pub async fn set_role(&self, id: i64, role: Role, scope: Option<&Code>) -> Result<User> {
        check_scope(role, scope)?;
        let mut tx = self.pool().begin().await?;
        let n = sqlx::query("UPDATE app_user SET role = $1, scope = $2 WHERE id = $3")
            .bind(role.as_str())
            .bind(scope.map(|c| c.as_str().to_owned()))
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM user_session WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.user(id).await
    }

    /// Disables or re-enables an account; disabling ends all its sessions (ASVS V7.4.2).
    /// Marks an account as a party member (or not).
    pub async fn set_party_member(&self, id: i64, party_member: bool) -> Result<()> {
        let n = sqlx::query("UPDATE app_user SET party_member = $1 WHERE id = $2")
            .bind(i64::from(party_member))
            .bind(id)
            .execute(self.writes())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn set_disabled(&self, id: i64, disabled: bool) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        let n = sqlx::query("UPDATE app_user SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        if disabled {
            // Disabling ends every way in: sessions, and the private calendar feed's address
            // (re-enabling does not bring the old address back; the user makes a new one).
            for sql in [
                "DELETE FROM user_session WHERE user_id = $1",
                "DELETE FROM feed_token WHERE user_id = $1",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password and ends every session of the user (ASVS V7.4.3).
    pub async fn set_password(&self, id: i64, new: &domain::Password) -> Result<()> {
        let hash = password::hash(new).await?;
        let mut tx = self.pool().begin().await?;
        let n = sqlx::query(
            "UPDATE app_user SET password_hash = $1, password_changed_at = $2 WHERE id = $3",
        )
        .bind(hash)
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM user_session WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An account's display name and contact phone (empty when none given).
    pub async fn contact(&self, id: i64) -> Result<(String, String)> {
        sqlx::query_as("SELECT display_name, phone FROM app_user WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(crate::StoreError::NotFound)
    }

    /// Sets the contact phone (already validated by `domain::account::parse_phone`).
    pub async fn set_phone(&self, id: i64, phone: &str) -> Result<()> {
        sqlx::query("UPDATE app_user SET phone = $1 WHERE id = $2")
            .bind(phone)
            .bind(id)
            .execute(self.writes())
            .await?;
        Ok(())
    }

    async fn password_hash(&self, username: &str) -> Result<Option<(i64, String, i64)>> {
        let row: Option<(i64, String, i64)> =
            sqlx::query_as("SELECT id, password_hash, disabled FROM app_user WHERE username = $1")
                .bind(username)
                .fetch_optional(self.pool())
                .await?;
        Ok(row)
    }

    /// Checks a password for `id` (for re-authentication before a password change).
    pub async fn verify_password(&self, id: i64, password: &str) -> Result<bool> {
        let hash: Option<String> =
            sqlx::query_scalar("SELECT password_hash FROM app_user WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        let known = hash.is_some();
        Ok(password::verify(password, hash).await && known)
    }

    /// Verifies a login, applying the throttles of `domain::throttle`: the account from this
    /// address may be locked; the account from anywhere and this address for any account may make
    /// the attempt wait. Unknown users cost the same argon2 work as known ones.
    pub async fn authenticate(
        &self,
        username: &str,
        password: &str,
        addr: &str,
    ) -> Result<Result<User, LoginError>> {
        use domain::throttle::{verdict, ThrottlePolicy as P, Verdict, SLOW_DOWN_SECS};
        let name = username.trim().to_ascii_lowercase();
        let pair_key = format!("pair:{name}|{addr}");
        let account_key = format!("user:{name}");
        let addr_key = format!("addr:{addr}");
        let now = crate::now();
        let v = verdict(
            self.throttle_locked(&pair_key, &P::PAIR, now).await?,
            self.throttle_locked(&account_key, &P::ACCOUNT, now).await?,
            self.throttle_locked(&addr_key, &P::ADDRESS, now).await?,
        );
        match v {
            Verdict::Locked(secs) => return Ok(Err(LoginError::Locked(secs))),
            Verdict::Slow => {
                tokio::time::sleep(std::time::Duration::from_secs(SLOW_DOWN_SECS)).await
            }
            Verdict::Go => {}
        }
        let found = if name.len() <= domain::account::USERNAME_MAX {
            self.password_hash(&name).await?
        } else {
            None
        };
        let (id, disabled, hash) = match found {
            Some((id, hash, disabled)) => (Some(id), disabled != 0, Some(hash)),
            None => (None, false, None),
        };
        let ok = password::verify(password, hash).await;
        match id {
            Some(id) if ok && !disabled => {
                self.throttle_reset(&pair_key).await?;
                Ok(Ok(self.user(id).await?))
            }
            _ => {
                for key in [&pair_key, &account_key, &addr_key] {
                    self.throttle_fail(key, &throttle::policy_for(key), now)
                        .await?;
                }
                Ok(Err(LoginError::Invalid))
            }
        }
    }
}
