//! Opens a fresh, migrated database on each engine for one test.
//! SQLite: a new file in a temp dir. PostgreSQL: a new database on the cluster named by
//! `LINLI_TEST_POSTGRES_URL` (the test script starts a throwaway one). When that variable is absent
//! the PostgreSQL cases fail if `LINLI_REQUIRE_POSTGRES=1`, and are skipped with a note otherwise.

#![allow(dead_code)]

use store::Db;

static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}_{}_{t}_{n}", std::process::id())
}

pub async fn sqlite() -> Db {
    let dir = std::env::temp_dir().join(unique("linli_test"));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::connect(&format!("sqlite://{}/linli.db", dir.display()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    db
}

pub async fn postgres() -> Option<Db> {
    let url = postgres_url().await?;
    Some(Db::connect(&url).await.unwrap())
}

/// A fresh, migrated database on the test cluster, by its URL (to connect to it more than once,
/// as several servers do).
pub async fn postgres_url() -> Option<String> {
    let Ok(base) = std::env::var("LINLI_TEST_POSTGRES_URL") else {
        if std::env::var("LINLI_REQUIRE_POSTGRES").as_deref() == Ok("1") {
            panic!("LINLI_REQUIRE_POSTGRES=1 but LINLI_TEST_POSTGRES_URL is not set");
        }
        eprintln!("note: LINLI_TEST_POSTGRES_URL not set; PostgreSQL case skipped");
        return None;
    };
    let admin = Db::connect(&base)
        .await
        .expect("connect to the test cluster");
    let name = unique("t");
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(admin.pool())
        .await
        .unwrap();
    admin.close().await;
    let (head, _) = base.rsplit_once('/').expect("URL ends in /DBNAME");
    let (_, query) = base
        .split_once('?')
        .map(|(a, q)| (a, format!("?{q}")))
        .unwrap_or((&base, String::new()));
    let url = format!("{head}/{name}{query}");
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    db.close().await;
    Some(url)
}

/// `both!(name)` turns `async fn name(db: Db)` into one test per engine.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::sqlite().await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = $crate::common::postgres().await {
                        super::$name(db).await
                    }
                }
            )*
        }
    };
}
