//! One writer with group commit for SQLite (issue 22). SQLite lets one connection write at a
//! time; pooled connections that all try wait for each other through `busy_timeout` sleeps, and
//! every commit pays its own fsync. Here the writes that go through `Db::write` are queued to one
//! task holding one connection: it takes what is queued (up to `MAX_BATCH`), runs each in its own
//! savepoint inside one transaction — a write that fails is rolled back to its savepoint alone,
//! its neighbours stay — and commits once. Each caller hears its answer only after that commit is
//! durable (WAL, `synchronous = FULL`), so nothing acknowledged is lost on `kill -9`.
//!
//! PostgreSQL runs writers side by side, but the answers for one occurrence queue on its row lock,
//! each holding it through its own commit. There the writer has `PG_LANES` lanes, each a task
//! like SQLite's writer on a pooled connection, and a write goes to the lane its key picks
//! (`Db::write`): answers for the same occurrence share a batch and one commit (the lock is taken
//! once per batch), other occurrences go side by side. Measured (BENCHMARKS.md): one occurrence
//! +34 %, fifty +30 % against a transaction per answer; `commit_delay` made no difference.

use crate::{Db, Engine, Result, StoreError};
use futures_util::FutureExt;
use sqlx::{AnyConnection, AnyPool, Executor};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// The most writes one commit carries: enough to share an fsync among a burst of answers,
/// few enough that the first of them does not wait long for the last.
const MAX_BATCH: usize = 64;

/// PostgreSQL: writer lanes, and the most writes per commit (each savepoint that writes takes
/// a subtransaction id; a backend caches 64 before snapshots slow down).
const PG_LANES: usize = 8;
const PG_MAX_BATCH: usize = 32;

type Fut<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// A write's work inside the open transaction: true keeps it.
type Run = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> Fut<'c, bool> + Send>;

/// A queued write: `run` does it inside the open transaction, `finish` tells the caller once
/// the transaction is committed (true) or not (false, also when `run` never ran).
struct Job {
    /// The caller's key (`Db::write`): a batch runs its writes in key order.
    key: u64,
    run: Run,
    finish: Box<dyn FnOnce(bool) + Send>,
}

/// The queues to the writer tasks (lanes): one on SQLite; on PostgreSQL `PG_LANES`, a write
/// going to the lane its key picks, so writes to the same rows share a batch and the others run
/// side by side.
#[derive(Clone)]
pub(crate) struct Writer {
    lanes: Vec<mpsc::Sender<Job>>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer {
    /// Starts the writer's tasks on `writes` (SQLite: the pool of its one write connection; a
    /// task takes a connection for a batch and gives it back after the commit, so other write
    /// transactions (`Db::begin_write`) take their turn between batches).
    pub(crate) fn start(writes: AnyPool, engine: Engine) -> Writer {
        let (begin, lanes, batch) = match engine {
            Engine::Sqlite => ("BEGIN IMMEDIATE; SAVEPOINT job", 1, MAX_BATCH),
            Engine::Postgres => ("BEGIN; SAVEPOINT job", PG_LANES, PG_MAX_BATCH),
        };
        let lanes = (0..lanes)
            .map(|_| {
                let (jobs, rx) = mpsc::channel(4 * batch);
                tokio::spawn(run(writes.clone(), begin, batch, rx));
                jobs
            })
            .collect();
        Writer { lanes }
    }
}

async fn run(writes: AnyPool, begin: &'static str, max: usize, mut rx: mpsc::Receiver<Job>) {
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
        while batch.len() < max {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        // In key order (stable: the same key keeps its arrival order), so two batches — on two
        // servers sharing PostgreSQL — take their rows' locks in the same order and never wait
        // for each other in a circle.
        batch.sort_by_key(|j| j.key);
        // Each statement is a round trip to SQLite's own thread, so the savepoint that ends one
        // write and the one that opens the next (or the commit) go as one.
        if let Err(e) = conn.execute(begin).await {
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
            // A write that panics is undone like a refused one (its caller hears an error) and
            // the writer goes on: one bad write must not stop everyone's.
            let keep = AssertUnwindSafe((job.run)(&mut conn))
                .catch_unwind()
                .await
                .unwrap_or_else(|_| {
                    tracing::error!("writer: a write panicked; undone");
                    false
                });
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
    /// Runs `work` as one all-or-nothing write through the writer (group commit, its own
    /// savepoint): on SQLite the one writer, on PostgreSQL the lane `key` picks — give writes to
    /// the same rows the same key. An `Err` from `work` writes nothing. The answer comes once
    /// the write is durable. Without the writer (`Db::without_writer`), a transaction of its own.
    pub async fn write<T, F>(&self, key: u64, work: F) -> Result<T>
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
        let (tell, answer) = oneshot::channel::<Result<T>>();
        let result: Arc<Mutex<Option<Result<T>>>> = Arc::new(Mutex::new(None));
        let kept = result.clone();
        let job = Job {
            key,
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
        writer.lanes[key as usize % writer.lanes.len()]
            .send(job)
            .await
            .map_err(|_| StoreError::Other("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Other("the writer has stopped".into()))?
    }
}
