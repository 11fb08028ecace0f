//! Linli's storage. One schema, two engines: SQLite (embedded default) and PostgreSQL, both through
//! sqlx's `Any` driver with runtime queries, so every query here is written once and the same tests
//! run on both engines. Each module owns the tables of one area; rules come from `domain`.

pub mod audit;
pub mod backup;
mod db;
pub mod demo;
mod demo_field;
mod demo_service;
pub mod event_edit;
pub mod events;
pub mod feeds;
pub mod field;
pub mod grids;
pub mod layers;
pub mod orgs;
pub mod overview;
pub mod password;
pub mod personal;
pub mod photos;
pub mod reports;
pub mod rsvp;
pub mod services;
pub mod sessions;
pub mod settings;
pub mod throttle;
pub mod users;
mod writer;

pub use db::{now, Db, Engine};

/// Minutes Asia/Shanghai is ahead of UTC.
pub(crate) fn now_offset_minutes() -> i64 {
    domain::date::SHANGHAI_OFFSET_SECS / 60
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    Duplicate,
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The row changed since the caller read it (optimistic locking on `version`).
    #[error("changed by someone else (now version {0})")]
    Conflict(i64),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    /// Maps unique-constraint violations to `Duplicate`, leaves everything else as is.
    pub(crate) fn from_insert(e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate,
            _ => StoreError::Db(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
