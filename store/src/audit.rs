//! The append-only audit log (logins, refusals, administrative changes). Database triggers refuse
//! UPDATE and DELETE on it. Never write passwords, tokens or raw phone numbers here.

use crate::{Db, Result};
use domain::audit::{AuditAction, AuditObject, AuditResult};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub ts: i64,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub object: String,
    pub result: String,
    pub detail: String,
}

pub struct Audit<'a> {
    pub actor_user_id: Option<i64>,
    pub actor: &'a str,
    pub ip: &'a str,
    pub action: AuditAction,
    pub object: AuditObject<'a>,
    pub result: AuditResult,
    pub detail: &'a str,
}

/// Who makes a write whose audit entry is written in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub ip: String,
}

const INSERT_AUDIT: &str =
    "INSERT INTO audit_log (ts, actor_user_id, actor, ip, action, object, result, detail) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

fn insert_audit<'q>(
    a: &'q Audit<'q>,
    object: &'q str,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(INSERT_AUDIT)
        .bind(crate::now())
        .bind(a.actor_user_id)
        .bind(a.actor)
        .bind(a.ip)
        .bind(a.action.as_str())
        .bind(object)
        .bind(a.result.as_str())
        .bind(a.detail)
}

/// Writes `a` inside the write transaction `tx`.
pub(crate) async fn audit_in(tx: &mut sqlx::AnyConnection, a: &Audit<'_>) -> Result<()> {
    let object = a.object.to_string();
    insert_audit(a, &object).execute(&mut *tx).await?;
    Ok(())
}

impl Db {
    pub async fn audit(&self, a: Audit<'_>) -> Result<()> {
        let object = a.object.to_string();
        insert_audit(&a, &object).execute(self.writes()).await?;
        Ok(())
    }

    /// The newest entries first, optionally only one action.
    pub async fn audit_entries(&self, action: Option<&str>, limit: i64) -> Result<Vec<AuditEntry>> {
        self.audit_search(
            &AuditFilter {
                action: action.unwrap_or_default().to_owned(),
                ..AuditFilter::default()
            },
            limit,
        )
        .await
    }

    /// The newest entries matching every non-empty part of the filter (at most 1,000).
    /// An action is found under every spelling it was written with (`AuditAction::spellings`).
    pub async fn audit_search(&self, f: &AuditFilter, limit: i64) -> Result<Vec<AuditEntry>> {
        let wanted = f.action.trim();
        let spellings: Vec<&str> = match AuditAction::parse(wanted) {
            Some(a) => a.spellings().to_vec(),
            None => vec![wanted],
        };
        let spelling = |i: usize| {
            spellings
                .get(i)
                .or(spellings.first())
                .copied()
                .unwrap_or("")
        };
        let rows = sqlx::query_as(
            "SELECT id, ts, actor_user_id, actor, ip, action, object, result, detail FROM audit_log \
             WHERE ($1 = '' OR action IN ($1, $2, $3)) AND ($4 = '' OR actor = $4) \
             AND ($5 = '' OR result = $5) AND ts >= $6 AND ts < $7 ORDER BY id DESC LIMIT $8",
        )
        .bind(spelling(0))
        .bind(spelling(1))
        .bind(spelling(2))
        .bind(f.actor.trim())
        .bind(f.result.trim())
        .bind(f.from_ts.unwrap_or(i64::MIN))
        .bind(f.to_ts.unwrap_or(i64::MAX))
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }
}

/// What an administrator looks for in the audit log; empty strings and `None` match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub action: String,
    pub actor: String,
    pub result: String,
    /// Unix seconds, inclusive.
    pub from_ts: Option<i64>,
    /// Unix seconds, exclusive.
    pub to_ts: Option<i64>,
}
