//! `Db::write` on both engines (issue 22): on SQLite many writes share one commit (the one
//! writer's group commit), each in its own savepoint — a refused write is undone alone and its
//! neighbours in the same batch are kept; on PostgreSQL the same per lane (see `writer.rs`). Either way
//! every caller hears its own answer, and only what was answered Ok is stored.

mod common;

use store::{Db, StoreError};

both!(
    a_refused_write_among_many_is_undone_alone_and_the_others_are_kept,
    a_write_that_panics_is_undone_and_the_writer_goes_on,
    grouped_writes_transactions_and_single_statements_take_turns
);

async fn a_refused_write_among_many_is_undone_alone_and_the_others_are_kept(db: Db) {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..150i64 {
        let db = db.clone();
        set.spawn(async move {
            let r = db
                .write(i as u64, move |tx| {
                    Box::pin(async move {
                        sqlx::query("INSERT INTO setting (key, value) VALUES ($1, $2)")
                            .bind(format!("writer-test-{i:03}"))
                            .bind(i.to_string())
                            .execute(&mut *tx)
                            .await?;
                        if i % 3 == 0 {
                            return Err(StoreError::Invalid(format!("refused {i}")));
                        }
                        Ok(i * 10)
                    })
                })
                .await;
            (i, r)
        });
    }
    for (i, r) in set.join_all().await {
        match r {
            Ok(v) => assert!(i % 3 != 0 && v == i * 10, "{i}: {v}"),
            Err(StoreError::Invalid(m)) => assert!(i % 3 == 0 && m == format!("refused {i}")),
            Err(e) => panic!("{i}: {e}"),
        }
    }
    let kept: Vec<(String,)> =
        sqlx::query_as("SELECT key FROM setting WHERE key LIKE 'writer-test-%' ORDER BY key")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(kept.len(), 100);
    assert!(kept.iter().all(|(k,)| {
        let i: i64 = k.trim_start_matches("writer-test-").parse().unwrap();
        i % 3 != 0
    }));
    // A write after the burst still goes through.
    let n = db
        .write(0, |tx| {
            Box::pin(async move {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM setting")
                    .fetch_one(&mut *tx)
                    .await?;
                Ok(n)
            })
        })
        .await
        .unwrap();
    assert!(n >= 100);
}

/// On SQLite every write goes to the one write connection: the writer takes it for a batch and
/// gives it back, so write transactions and single statements sent at the same time as a burst
/// of grouped writes all get their turn (none waits until a timeout, none is lost).
async fn grouped_writes_transactions_and_single_statements_take_turns(db: Db) {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..120i64 {
        let db = db.clone();
        set.spawn(async move {
            let key = format!("turns-{i:03}");
            match i % 4 {
                0 => {
                    let mut tx = db.begin_write().await?;
                    sqlx::query("INSERT INTO setting (key, value) VALUES ($1, 'tx')")
                        .bind(&key)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                }
                1 => db.set_setting(&key, "single").await?,
                _ => {
                    db.write(i as u64, move |tx| {
                        Box::pin(async move {
                            sqlx::query("INSERT INTO setting (key, value) VALUES ($1, 'grouped')")
                                .bind(key)
                                .execute(&mut *tx)
                                .await?;
                            Ok(())
                        })
                    })
                    .await?
                }
            }
            Ok::<_, StoreError>(())
        });
    }
    // A writer that kept the connection would leave the others to the pool's timeout (an Err).
    for r in set.join_all().await {
        r.unwrap();
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM setting WHERE key LIKE 'turns-%'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(n, 120);
}

/// Two servers on one PostgreSQL, each with its own writer: their batches carry writes to the
/// same rows in different mixes, and take the rows' locks in key order, so neither waits for the
/// other in a circle (a deadlock would fail a whole batch).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_batches_on_the_same_rows_do_not_deadlock() {
    let Some(url) = common::postgres_url().await else {
        return;
    };
    let (a, b) = (
        Db::connect(&url).await.unwrap(),
        Db::connect(&url).await.unwrap(),
    );
    for k in 0..12 {
        a.set_setting(&format!("row-{k:02}"), "0").await.unwrap();
    }
    let mut set = tokio::task::JoinSet::new();
    for i in 0..600u64 {
        let db = if i % 2 == 0 { a.clone() } else { b.clone() };
        // Keys in a different order on each server, so batches mix them differently.
        let k = if i % 2 == 0 {
            (i / 2) % 12
        } else {
            11 - (i / 2) % 12
        };
        set.spawn(async move {
            db.write(k, move |tx| {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE setting SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = $1",
                    )
                    .bind(format!("row-{k:02}"))
                    .execute(&mut *tx)
                    .await?;
                    Ok(())
                })
            })
            .await
        });
    }
    for r in set.join_all().await {
        r.unwrap();
    }
    let total: i64 = sqlx::query_scalar(
        "SELECT SUM(CAST(value AS INTEGER)) FROM setting WHERE key LIKE 'row-%'",
    )
    .fetch_one(a.pool())
    .await
    .unwrap();
    assert_eq!(total, 600);
}

/// A write that panics halfway is undone like a refused one: its caller hears an error, the
/// writes beside it are kept, and the writer takes the next ones.
async fn a_write_that_panics_is_undone_and_the_writer_goes_on(db: Db) {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..40i64 {
        let db = db.clone();
        set.spawn(async move {
            let r = db
                .write(0, move |tx| {
                    Box::pin(async move {
                        sqlx::query("INSERT INTO setting (key, value) VALUES ($1, 'x')")
                            .bind(format!("panic-test-{i:02}"))
                            .execute(&mut *tx)
                            .await?;
                        if i == 7 {
                            panic!("a bug in write {i}");
                        }
                        Ok(())
                    })
                })
                .await;
            (i, r.is_ok())
        });
    }
    for (i, ok) in set.join_all().await {
        assert_eq!(ok, i != 7, "write {i}");
    }
    let kept: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM setting WHERE key LIKE 'panic-test-%'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(kept, 39);
    db.write(0, |tx| {
        Box::pin(async move {
            sqlx::query("INSERT INTO setting (key, value) VALUES ('after-panic', 'y')")
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    })
    .await
    .expect("the writer still writes");
}
