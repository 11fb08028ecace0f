//! Password hashing: argon2id with the crate's defaults (m = 19 MiB, t = 2, p = 1, the OWASP
//! minimum). Hashing is CPU-heavy, so it runs on the blocking pool and at most two run at once.

use crate::{Result, StoreError};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::OnceLock;
use tokio::sync::Semaphore;

fn permits() -> &'static Semaphore {
    static S: OnceLock<Semaphore> = OnceLock::new();
    S.get_or_init(|| Semaphore::new(2))
}

/// A hash of a password nobody knows, verified against when the user does not exist so the
/// response time does not tell whether an account exists.
fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_now("linli-dummy-password-for-timing").expect("hashing works"))
}

fn hash_now(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Other(format!("hashing failed: {e}")))
}

pub async fn hash(password: &domain::Password) -> Result<String> {
    let p = password.expose().to_owned();
    let _permit = permits()
        .acquire()
        .await
        .map_err(|e| StoreError::Other(e.to_string()))?;
    tokio::task::spawn_blocking(move || hash_now(&p))
        .await
        .map_err(|e| StoreError::Other(e.to_string()))?
}

/// Verifies `password` against `stored`, or against a dummy hash when `stored` is `None`
/// (then the answer is always false, after the same amount of work).
pub async fn verify(password: &str, stored: Option<String>) -> bool {
    let p = password.to_owned();
    let Ok(_permit) = permits().acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let h = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let ok = PasswordHash::new(&h).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(p.as_bytes(), &parsed)
                .is_ok()
        });
        ok && known
    })
    .await
    .unwrap_or(false)
}

/// Warms the dummy hash so the first unknown-user login is not faster than later ones.
pub fn warm_up() {
    let _ = dummy_hash();
}
