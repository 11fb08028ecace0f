//! One writer with group commit for SQLite (issue 22). SQLite lets one connection write at a
//! time; pooled connections that all try wait for each other through `busy_timeout` sleeps, and
//! every commit pays its own fsync. Here the writes that go through `Db::write` are queued to one
//! task holding one connection: it takes what is queued (up to `MAX_BATCH`), runs each in its own
//! savepoint inside one transaction — a write that fails is rolled back to its savepoint alone,
//! its neighbours stay — and commits once. Each caller hears its answer only after that commit is
//! durable (WAL, `synchronous = FULL`), so nothing acknowledged is lost on `kill -9`.
//!
//! On PostgreSQL, which runs writers side by side, `Db::write` is a plain transaction per call.

use crate::{Db, Engine, Result, StoreError};
use sqlx::{AnyConnection, AnyPool, Executor};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// The most writes one commit carries: enough to share an fsync among a burst of answers,
/// few enough that the first of them does not wait long for the last.
const MAX_BATCH: usize = 64;

type Fut<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// A write's work inside the open transaction: true keeps it.
type Run = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> Fut<'c, bool> + Send>;

/// A queued write: `run` does it inside the open transaction, `finish` tells the caller once
/// the transaction is committed (true) or not (false, also when `run` never ran).
struct Job {
    run: Run,
    finish: Box<dyn FnOnce(bool) + Send>,
}

/// The queue to the writer task.
#[derive(Clone)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer {
    /// Starts the writer task on `writes`, the pool of SQLite's one write connection: the task
    /// takes the connection for a batch and gives it back after the commit, so other write
    /// transactions (`Db::begin_write`) take their turn between batches.
    pub(crate) fn start(writes: AnyPool) -> Writer {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(writes, rx));
        Writer { jobs }
    }
}

async fn run(writes: AnyPool, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut conn = match writes.acquire().await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "writer: no connection");
                (first.finish)(false);
                continue;
            }
        };
        // Writes that queued while the connection was busy join this batch.
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        // Each statement is a round trip to SQLite's own thread, so the savepoint that ends one
        // write and the one that opens the next (or the commit) go as one.
        if let Err(e) = conn.execute("BEGIN IMMEDIATE; SAVEPOINT job").await {
            tracing::error!(error = %e, "writer: could not begin");
            let _ = conn.execute("ROLLBACK").await;
            batch.into_iter().for_each(|j| (j.finish)(false));
            continue;
        }
        let mut finish = Vec::with_capacity(batch.len());
        let mut broken = false;
        let mut committed = false;
        let last = batch.len() - 1;
        for (i, job) in batch.into_iter().enumerate() {
            if broken {
                finish.push(job.finish);
                continue;
            }
            let keep = (job.run)(&mut conn).await;
            finish.push(job.finish);
            let undo = if keep { "" } else { "ROLLBACK TO job; " };
            let next = if i == last { "COMMIT" } else { "SAVEPOINT job" };
            match conn.execute(&*format!("{undo}RELEASE job; {next}")).await {
                Ok(_) => committed = i == last,
                Err(e) => {
                    tracing::error!(error = %e, "writer: savepoint or commit failed");
                    broken = true;
                }
            }
        }
        if !committed {
            tracing::error!("writer: batch not committed");
            let _ = conn.execute("ROLLBACK").await;
        }
        finish.into_iter().for_each(|f| f(committed));
    }
}

impl Db {
    /// Runs `work` as one all-or-nothing write: on SQLite through the one writer (group commit,
    /// its own savepoint), on PostgreSQL in a transaction of its own. An `Err` from `work` writes
    /// nothing. The answer comes once the write is durable.
    pub async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> Fut<'c, Result<T>> + Send + 'static,
    {
        let Some(writer) = &self.writer else {
            let mut tx = self.begin_write().await?;
            let r = work(&mut tx).await?;
            tx.commit().await?;
            return Ok(r);
        };
        debug_assert_eq!(self.engine(), Engine::Sqlite);
        let (tell, answer) = oneshot::channel::<Result<T>>();
        let result: Arc<Mutex<Option<Result<T>>>> = Arc::new(Mutex::new(None));
        let kept = result.clone();
        let job = Job {
            run: Box::new(move |conn| {
                Box::pin(async move {
                    let r = work(conn).await;
                    let keep = r.is_ok();
                    *kept.lock().expect("result slot") = Some(r);
                    keep
                })
            }),
            finish: Box::new(move |committed| {
                let r = result.lock().expect("result slot").take();
                let r = match (committed, r) {
                    (true, Some(r)) => r,
                    // A refusal is the caller's answer whether or not the batch committed.
                    (false, Some(Err(e))) => Err(e),
                    _ => Err(StoreError::Other("the write was not committed".into())),
                };
                let _ = tell.send(r);
            }),
        };
        writer
            .jobs
            .send(job)
            .await
            .map_err(|_| StoreError::Other("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Other("the writer has stopped".into()))?
    }
}
